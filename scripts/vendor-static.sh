#!/bin/sh
# Vendor front-end files from their npm packages into static/vendor (not committed).
# The pages work without them; htmx only makes forms update in place.
set -eu
dest=src/paxcare/static/vendor
[ -f "$dest/htmx.min.js" ] && exit 0
mkdir -p "$dest"
command -v npm >/dev/null 2>&1 || { echo "npm not found: pages run without htmx"; exit 0; }
tmp=$(mktemp -d)
if (cd "$tmp" && npm pack --silent htmx.org@2 >/dev/null 2>&1); then
  tar -xzf "$tmp"/htmx.org-*.tgz -C "$tmp"
  cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
  cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
else
  echo "npm registry unreachable: pages run without htmx"
fi
rm -rf "$tmp"

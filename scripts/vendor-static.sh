#!/bin/sh
# Vendor front-end files from their npm packages into static/vendor (not committed).
# The pages work without them: htmx only makes forms update in place, and the insight
# pages show their numbers as tables when Chart.js is missing.
set -eu
dest=src/paxcare/static/vendor
mkdir -p "$dest"

# vendor PACKAGE@VERSION FILE-IN-PACKAGE TARGET LICENSE-IN-PACKAGE LICENSE-TARGET
#        [SECOND-FILE-IN-PACKAGE SECOND-TARGET]
vendor() {
  [ -f "$dest/$3" ] && [ -z "${7:-}" -o -f "$dest/${7:-}" ] && return 0
  command -v npm >/dev/null 2>&1 || { echo "npm not found: pages run without $3"; return 0; }
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent "$1" >/dev/null 2>&1); then
    tar -xzf "$tmp"/*.tgz -C "$tmp"
    cp "$tmp/package/$2" "$dest/$3"
    cp "$tmp/package/$4" "$dest/$5"
    [ -z "${6:-}" ] || cp "$tmp/package/$6" "$dest/$7"
  else
    echo "npm registry unreachable: pages run without $3"
  fi
  rm -rf "$tmp"
}

vendor htmx.org@2 dist/htmx.min.js htmx.min.js LICENSE htmx.LICENSE
vendor chart.js@4 dist/chart.umd.min.js chart.umd.min.js LICENSE.md chart.js.LICENSE
# The API docs (/api/v1/docs) without a CDN: Swagger UI's script and style sheet.
vendor swagger-ui-dist@5 swagger-ui-bundle.js swagger-ui-bundle.js LICENSE \
  swagger-ui.LICENSE swagger-ui.css swagger-ui.css

# Source maps are not vendored: drop the comments that name them, or the manifest
# storage of collectstatic refuses every file whose map is missing.
for file in "$dest"/*.js "$dest"/*.css; do
  [ -f "$file" ] && grep -q 'sourceMappingURL=' "$file" || continue
  sed -e 's|^//# sourceMappingURL=.*$||' -e 's|/\*# sourceMappingURL=[^*]*\*/||' \
    "$file" > "$file.tmp" && mv "$file.tmp" "$file"
done

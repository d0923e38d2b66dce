"""Compile every ``.po`` catalogue under ``src/paxcare`` into its ``.mo``.

Babel does the work, so a fresh machine needs no GNU gettext to run PaxCare; only
``makemessages`` (extracting new strings, a developer's task) still needs xgettext.
A catalogue is compiled again only when it is newer than its ``.mo``.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent / "src" / "paxcare"


def compile_catalogue(po_path: Path) -> bool:
    """Write ``po_path``'s ``.mo`` beside it; return whether it was rewritten."""
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file, abort_invalid=True)
    errors = [
        (message.id, error) for message, errors in catalogue.check() for error in errors
    ]
    if errors:
        for message_id, error in errors:
            print(f"{po_path}: {message_id!r}: {error}", file=sys.stderr)
        raise SystemExit(1)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalogue, use_fuzzy=False)
    return True


def main() -> None:
    compiled = [
        path
        for path in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/*.po"))
        if compile_catalogue(path)
    ]
    for path in compiled:
        print(f"compiled {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

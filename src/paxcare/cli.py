"""The ``paxcare`` console script: Django's manage.py with the project's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paxcare.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Commands are spelled with hyphens (``import-cases``); their modules cannot be.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        # A missing setting is the operator's to fix: one line, not a traceback.
        sys.stderr.write(f"paxcare: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()

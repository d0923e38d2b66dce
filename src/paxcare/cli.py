"""The ``paxcare`` console script: Django's manage.py with the project's settings."""

import os
import sys

# A mail server pipes each message into ``paxcare ingest-email``; any exit status
# but 0 and 75 (EX_TEMPFAIL, "try again later") bounces the passenger's mail. So
# for that command a PaxCare that cannot even start asks for a later delivery.
PIPED_COMMANDS = {"ingest_email"}
EX_TEMPFAIL = 75


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paxcare.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Commands are spelled with hyphens (``import-cases``); their modules cannot be.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    piped = len(argv) > 1 and argv[1] in PIPED_COMMANDS
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        # A missing setting is the operator's to fix: one line, not a traceback.
        sys.stderr.write(f"paxcare: {error}\n")
        raise SystemExit(EX_TEMPFAIL if piped else 2) from None
    except Exception as error:
        if not piped:
            raise
        sys.stderr.write(
            f"paxcare: could not run ({type(error).__name__}: {error}); "
            "try again later\n"
        )
        raise SystemExit(EX_TEMPFAIL) from None


if __name__ == "__main__":
    main()

"""The ``paxcare`` console script: Django's manage.py with the project's settings.

Commands are typed with hyphens (``import-cases``); their modules cannot have them.
``paxcare help`` lists the hyphenated names and ``paxcare help import-cases``
answers as ``paxcare import-cases --help`` does; the underscored module names
work as well.
"""

import os
import sys
from difflib import get_close_matches

from django.core.management import ManagementUtility, get_commands

# A mail server pipes each message into ``paxcare ingest-email``; any exit status
# but 0 and 75 (EX_TEMPFAIL, "try again later") bounces the passenger's mail. So
# for that command a PaxCare that cannot even start asks for a later delivery.
PIPED_COMMANDS = {"ingest_email"}
EX_TEMPFAIL = 75


def command_module(name: str) -> str:
    """Return the module of a command as typed: ``import-cases`` -> ``import_cases``."""
    return name.replace("-", "_")


def command_name(module: str) -> str:
    """Return the name a command is typed by: ``import_cases`` -> ``import-cases``."""
    return module.replace("_", "-")


class PaxCareUtility(ManagementUtility):
    """Django's command-line utility, speaking the hyphenated command names."""

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only:
            return "\n".join(sorted(command_name(name) for name in get_commands()))
        lines = super().main_help_text().split("\n")
        # Under each app's heading, its commands are the lines indented by four.
        return "\n".join(
            f"    {command_name(line[4:])}" if line.startswith("    ") else line
            for line in lines
        )

    def fetch_command(self, subcommand: str):
        module = command_module(subcommand)
        commands = get_commands()
        if module not in commands and self.settings_exception is None:
            # Django's answer would name the module; say what was typed instead.
            names = [command_name(name) for name in commands]
            sys.stderr.write(f"Unknown command: {subcommand!r}")
            matches = get_close_matches(command_name(module), names)
            if matches:
                sys.stderr.write(f". Did you mean {matches[0]}?")
            sys.stderr.write(f"\nType '{self.prog_name} help' for usage.\n")
            sys.exit(1)
        return super().fetch_command(module)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paxcare.settings")
    from django.core.exceptions import ImproperlyConfigured

    argv = list(sys.argv)
    piped = len(argv) > 1 and command_module(argv[1]) in PIPED_COMMANDS
    try:
        PaxCareUtility(argv).execute()
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

"""What the tests of ``paxcare serve`` start instead of gunicorn and Huey."""


class ExitedChild:
    """A child process that has already exited cleanly: serve stops at once."""

    def __init__(self, command, **options):
        self.command = command

    def poll(self) -> int:
        return 0

    def wait(self, timeout=None) -> int:
        return 0

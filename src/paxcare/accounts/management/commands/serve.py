"""``paxcare serve``: gunicorn for the web and a Huey consumer for tasks, together.

Both run as child processes. SIGINT and SIGTERM are passed on to both; when either
child exits, the other is stopped too, so a supervisor sees one failing service
rather than half of one. Gunicorn's control socket lives in the var folder, so two
workspaces on one machine never share it.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import gunicorn
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Seconds a child has to stop after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 20


# A Unix socket path is limited to 108 bytes on Linux (104 on the BSDs), the NUL
# included; a longer var folder gets no control socket at all.
MAX_SOCKET_PATH_BYTES = 100


def web_command(
    port: int, workers: int, threads: int, var_dir: Path | None = None
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "paxcare.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        *control_socket_args(var_dir, port),
    ]


def control_socket_args(var_dir: Path | None, port: int) -> list[str]:
    """Keep gunicorn's control socket in this workspace's var folder, or have none.

    Gunicorn 25.1 and later open one by default in a per-user folder
    (``$XDG_RUNTIME_DIR`` or ``~/.gunicorn``), which every instance of the same user
    shares: a second PaxCare would take over the first one's socket. The port is in
    the name, so two servers of one workspace keep theirs apart too.
    """
    if gunicorn.version_info < (25, 1):
        return []
    if var_dir is not None:
        path = Path(var_dir).resolve() / f"gunicorn-{port}.ctl"
        if len(os.fsencode(path)) <= MAX_SOCKET_PATH_BYTES:
            return ["--control-socket", str(path)]
    return ["--no-control-socket"]


def insecure_cookie_warning(session_secure: bool, csrf_secure: bool) -> str | None:
    """Return the start-up warning when secure cookies meet this plain-http server.

    ``serve`` binds gunicorn to 127.0.0.1 without TLS. A browser keeps a cookie
    marked Secure but never sends it back over http, so with secure cookies on
    (the default outside demo and debug mode) every form fails its CSRF check and
    nobody can sign in.
    """
    if not (session_secure or csrf_secure):
        return None
    return (
        "Warning: secure cookies are on and this server speaks plain http on "
        "127.0.0.1: unless an https proxy is in front of it, sign-in and every form "
        "will fail (CSRF 403); for plain http set PAXCARE_SECURE_COOKIES=0."
    )


def worker_command() -> list[str]:
    return [sys.executable, "-m", "paxcare", "run_huey"]


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError as error:
        raise CommandError(f"{name} must be a whole number, not {raw!r}.") from error
    if value < 1:
        raise CommandError(f"{name} must be at least 1.")
    return value


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and a task consumer (Huey) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, **options) -> None:
        port = _positive_int("PORT", 8000)
        workers = _positive_int("PAXCARE_WEB_WORKERS", 2)
        self.warn_about_cookies()
        self.collect_static()
        # Own process groups: a Ctrl-C in the terminal reaches the children once,
        # through ``forward``, and not a second time straight from the terminal.
        children = [
            subprocess.Popen(
                web_command(port, workers, options["threads"], settings.VAR_DIR),
                process_group=0,
            ),
            subprocess.Popen(worker_command(), process_group=0),
        ]
        self.stdout.write(f"PaxCare on http://127.0.0.1:{port}/ (Ctrl-C stops)")
        self.stdout.flush()

        def forward(signum, frame) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        code = self._wait_first(children)
        self._stop(children)
        if code:
            # A child killed by a signal reports -N; shells report that as 128 + N.
            returncode = code if code > 0 else 128 - code
            raise CommandError(
                f"A PaxCare process exited with status {code}.", returncode=returncode
            )

    def warn_about_cookies(self) -> None:
        """Write the secure-cookie warning to stderr when it applies."""
        warning = insecure_cookie_warning(
            settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE
        )
        if warning:
            self.stderr.write(warning, self.style.WARNING)
            self.stderr.flush()

    def collect_static(self) -> bool:
        """Bring the collected static files up to date with the installed ones.

        A page that names a static file the manifest lacks answers 500: a fresh var
        folder has no manifest, and an upgrade that adds or changes a file leaves
        the old one behind. Collecting at every start costs about 0.6 s on this
        tree (0.9 s into an empty folder, 553 files): less than any check of what
        changed is worth, and collectstatic copies only the files newer than their
        collected copy. Return whether it collected: the plain storage of debug and
        test mode serves the sources and has nothing to collect.
        """
        storage = staticfiles_storage
        if not isinstance(storage, ManifestFilesMixin):
            return False
        if not storage.manifest_storage.exists(storage.manifest_name):
            self.stderr.write(
                f"No static files manifest in {settings.STATIC_ROOT}: collecting the "
                "static files first (paxcare collectstatic)."
            )
            self.stderr.flush()
        call_command("collectstatic", interactive=False, verbosity=0)
        return True

    def _wait_first(self, children: list[subprocess.Popen]) -> int:
        while True:
            for child in children:
                code = child.poll()
                if code is not None:
                    return code
            time.sleep(0.2)

    def _stop(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

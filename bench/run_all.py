"""Run every benchmark in ``bench/`` and print a summary (``make bench``).

Each ``bench_*.py`` runs in its own process with this interpreter, its output shown
as it comes. A benchmark whose prerequisite is missing (a data file, a reachable
PostgreSQL) prints ``SKIPPED: <reason>`` and exits with status 77; any other
non-zero status is a failure. The summary lists each file with its status, its
time and, for a skip, its reason; for a failure, the last line it printed.

    .venv/bin/python bench/run_all.py [NAME ...] [--timeout SECONDS]

NAME selects files by part of their name (``import`` runs ``bench_import.py``).
Exits non-zero when a benchmark failed.
"""

import argparse
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIPPED = 77


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [path for path in found if any(name in path.stem for name in names)]
    return found


def run(path: Path, timeout: float | None) -> tuple[str, float, str]:
    """Run one benchmark; return its status, seconds and last line of output."""
    print(f"\n=== {path.name}", flush=True)
    started = time.perf_counter()
    last: deque[str] = deque(maxlen=1)
    skipped = ""
    with subprocess.Popen(
        [sys.executable, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=HERE.parent,
    ) as process:
        try:
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.strip():
                    last.append(line.strip())
                if line.startswith("SKIPPED:"):
                    skipped = line.removeprefix("SKIPPED:").strip()
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            return "failed", time.perf_counter() - started, f"timed out ({timeout} s)"
    seconds = time.perf_counter() - started
    note = last[0] if last else ""
    if status == 0:
        return "ok", seconds, ""
    if status == SKIPPED:
        return "skipped", seconds, skipped or note
    return "failed", seconds, f"exit {status}: {note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--timeout", type=float, default=None)
    args = parser.parse_args()
    paths = benchmarks(args.names)
    if not paths:
        raise SystemExit("no benchmark matches")
    results = [(path.name, *run(path, args.timeout)) for path in paths]

    print("\n=== summary")
    width = max(len(name) for name, *_ in results)
    for name, status, seconds, note in results:
        print(f"{name:{width}}  {status:8}  {seconds:7.1f} s  {note}".rstrip())
    if any(status == "failed" for _, status, _, _ in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

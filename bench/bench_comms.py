"""E-mail in and out: inbound mails filed per second, notifications sent per second.

Targets (issue 4): at least 100 inbound mails/s parsed and filed, and 200
notifications/s handed to a local SMTP sink.

Inbound: a mix of raw mails (plain UTF-8, GB2312-labelled GBK, HTML-only, one in
ten with a PDF) is filed through ``ingest_emails`` in batches of 50, as the IMAP
poller files them; then replies to the acknowledgements, threaded by Message-ID;
then the pipe path, one mail per call. Outbound: the acknowledgements those mails
queued are sent by the send task, 100 per SMTP connection, by four consumer threads
(as ``huey_consumer -w 4 -k thread`` runs it), to an aiosmtpd sink running in its
own process on loopback. Each figure is the median of ``--rounds`` rounds (new
mails each inbound round; the same notifications queued again each outbound
round), with the load average before and after.

SQLite in a temporary folder by default; ``--database-url`` runs on PostgreSQL
(the named database is dropped and created). Given more than once (``sqlite``
names the embedded default), each database runs in its own process, one after
the other, and the figures are printed side by side.

    .venv/bin/python bench/bench_comms.py [--mails 1000] [--rounds 3] [--workers 4]
        [--database-url sqlite
         --database-url postgres://postgres@127.0.0.1:5432/paxcare_bench_comms]
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 20_000

TEXTS = [
    "My suitcase did not arrive on flight CA{n}. The bag tag is on my receipt.",
    "航班CA{n}延误了五个小时，没有任何通知，我要求赔偿。",
    "I was charged twice for my seat on CA{n}, please refund the second charge.",
    "我的行李在CA{n}航班上被损坏了，拉杆断了，请处理。",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(args, workdir: Path) -> None:
    os.environ["PAXCARE_DEMO"] = "1"
    os.environ["PAXCARE_VAR_DIR"] = str(workdir)
    os.environ["PAXCARE_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PAXCARE_TASKS_IMMEDIATE"] = "0"
    os.environ["PAXCARE_LOG_LEVEL"] = "WARNING"
    os.environ["PAXCARE_NOTIFY_CHANNELS"] = "email"
    os.environ["DJANGO_SETTINGS_MODULE"] = "paxcare.settings"
    if args.database_url and args.database_url != "sqlite":
        base, name = args.database_url.rsplit("/", 1)
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
        os.environ["PAXCARE_DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def staff() -> None:
    from django.contrib.auth.models import User

    from paxcare.routing.models import Agent, Department

    for department in Department.objects.all():
        for index in range(3):
            user = User.objects.create_user(f"{department.code}-{index}")
            Agent.objects.create(user=user).departments.add(department)


def raw_mail(index: int, *, reply_to: str = "", sender: str = "") -> bytes:
    text = TEXTS[index % len(TEXTS)].format(n=900 + index % 90)
    sender = sender or f"passenger{index}@example.com"
    head = [
        f"From: Passenger {index} <{sender}>",
        "To: care@paxcare.invalid",
        "Date: Mon, 03 Mar 2025 09:15:00 +0800",
        f"Message-ID: <bench-{index}@mail.example.com>",
        "MIME-Version: 1.0",
    ]
    if reply_to:
        head += [
            f"In-Reply-To: {reply_to}",
            f"References: {reply_to}",
            "Subject: Re: x",
        ]
        return _join(head + ["Content-Type: text/plain; charset=utf-8"], text.encode())
    if index % 10 == 0:
        return _with_pdf(head, text)
    if index % 3 == 1:
        head.append("Subject: =?gb2312?B?0NDA7g==?= CA%d" % index)
        return _join(
            head + ["Content-Type: text/plain; charset=gb2312"], text.encode("gb18030")
        )
    if index % 3 == 2:
        head.append(f"Subject: Complaint {index}")
        html = f"<html><body><p>{text}</p><script>x()</script></body></html>"
        return _join(head + ["Content-Type: text/html; charset=utf-8"], html.encode())
    head.append(f"Subject: Complaint {index}")
    return _join(head + ["Content-Type: text/plain; charset=utf-8"], text.encode())


def _join(head: list[str], body: bytes) -> bytes:
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


def _with_pdf(head: list[str], text: str) -> bytes:
    import base64

    pdf = base64.encodebytes(PDF).replace(b"\n", b"\r\n")
    body = (
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + text.encode()
        + b"\r\n--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="receipt.pdf"\r\n\r\n'
        + pdf
        + b"\r\n--b--\r\n"
    )
    return _join(
        head + ["Subject: Receipt", 'Content-Type: multipart/mixed; boundary="b"'], body
    )


def timed_batches(raws: list[bytes], batch: int) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of this process) to file the mails."""
    from paxcare.comms.inbound import ingest_emails

    start, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(raws), batch):
        results = ingest_emails(raws[offset : offset + batch], source="bench")
        assert all(r.status == "filed" for r in results), {r.status for r in results}
    return time.perf_counter() - start, time.process_time() - cpu


def bench_inbound(count: int, offset: int) -> dict:
    from paxcare.comms.inbound import ingest_email
    from paxcare.comms.models import Notification

    new = [raw_mail(offset + i) for i in range(count)]
    first_new = Notification.objects.order_by("-pk").values_list("pk", flat=True)[:1]
    after = first_new[0] if first_new else 0
    seconds_new, cpu_new = timed_batches(new, 50)
    acks = list(
        Notification.objects.filter(purpose="acknowledgement", pk__gt=after)
        .order_by("pk")
        .values_list("mail_id", "recipient")[: count // 2]
    )
    replies = [
        raw_mail(offset + count + i, reply_to=mail_id, sender=recipient)
        for i, (mail_id, recipient) in enumerate(acks)
    ]
    seconds_replies, cpu_replies = timed_batches(replies, 50)
    singles = [raw_mail(offset + 2 * count + i) for i in range(min(200, count // 10))]
    start = time.perf_counter()
    for raw in singles:
        ingest_email(raw)
    seconds_single = time.perf_counter() - start
    total = len(new) + len(replies)
    return {
        "new mails/s (batches of 50)": len(new) / seconds_new,
        "replies/s (batches of 50)": len(replies) / seconds_replies,
        "all mails/s (batches of 50)": total / (seconds_new + seconds_replies),
        "all mails per CPU-second (batches of 50)": total / (cpu_new + cpu_replies),
        "mails/s one at a time (pipe path)": len(singles) / seconds_single,
    }


def start_sink() -> subprocess.Popen:
    port = free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
    )
    _wait_for(port)
    sink.port = port
    return sink


def bench_outbound(ids: list[int], workers: int, sink: subprocess.Popen) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    from paxcare.comms.models import Notification
    from paxcare.comms.tasks import send_notifications

    server_cpu: list[float] = []

    def consume(batch: list[int]) -> float:
        # One consumer thread: runs the send task, as ``huey_consumer -k thread``.
        began = time.perf_counter()
        try:
            send_notifications.call_local(batch)
            server_cpu.append(_server_cpu_seconds(connection))
        finally:
            connection.close()
        return time.perf_counter() - began

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    # Queued again for the next round, as new (their timeline events stay).
    Notification.objects.filter(pk__in=ids).update(
        status="queued", attempts=0, claim="", claimed_at=None, sent_at=None
    )
    batches = [ids[i : i + 100] for i in range(0, len(ids), 100)]
    sink_cpu = _process_cpu_seconds(sink.pid)
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        batch_seconds = list(pool.map(consume, batches))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    sink_cpu = _process_cpu_seconds(sink.pid) - sink_cpu
    sent = Notification.objects.filter(pk__in=ids, status="sent").count()
    assert sent == len(ids), f"{sent} of {len(ids)} sent"
    figures = {
        f"notifications/s to the SMTP sink ({workers} workers)": sent / seconds,
        "notifications per CPU-second (sending process)": sent / cpu,
        "median ms per batch of 100": statistics.median(batch_seconds) * 1000,
        "CPU ms per notification, sending process": cpu / sent * 1000,
        "CPU ms per notification, SMTP sink": sink_cpu / sent * 1000,
    }
    if server_cpu:
        total = sum(server_cpu)
        figures["CPU ms per notification, database server"] = total / sent * 1000
    return figures


def _process_cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process of this machine has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu_seconds(connection) -> float:
    """Return the CPU time of this connection's PostgreSQL backend (same machine).

    Each consumer thread opens a connection per batch, so this is the batch's.
    """
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        return _process_cpu_seconds(pid)
    except OSError:
        return 0.0


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 1)[0]
    except OSError:
        return "?"


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def run_one(args) -> dict:
    """Run the rounds on one database; return each figure's values and medians."""
    with tempfile.TemporaryDirectory(prefix="paxcare-bench-comms-") as folder:
        configure(args, Path(folder))
        staff()
        from django.db import connection

        from paxcare.comms.inbound import ingest_email
        from paxcare.comms.models import Notification

        ingest_email(raw_mail(10**7))  # trains the seed classifier, warms the caches
        rounds: list[dict] = []
        loads = [loadavg()]
        for number in range(args.rounds):
            rounds.append(bench_inbound(args.mails, offset=number * 10**6))
            loads.append(loadavg())
        ids = list(
            Notification.objects.filter(status="queued", purpose="acknowledgement")
            .order_by("pk")
            .values_list("pk", flat=True)[: args.mails]
        )
        sink = start_sink()
        try:
            outbound = []
            for _ in range(args.rounds):
                outbound.append(bench_outbound(ids, args.workers, sink))
                loads.append(loadavg())
        finally:
            sink.terminate()
            sink.wait(10)
        figures: dict[str, list[float]] = {}
        for found in rounds + outbound:
            for name, value in found.items():
                figures.setdefault(name, []).append(value)
        return {
            "database": connection.vendor,
            "notifications": len(ids),
            "load": loads,
            "figures": figures,
        }


def print_results(results: list[dict], mails: int) -> None:
    header = " | ".join(r["database"] for r in results)
    print(f"mails per round: {mails}; median (all rounds) per database: {header}")
    for result in results:
        print(f"load average ({result['database']}): {' '.join(result['load'])}")
    names = list(dict.fromkeys(n for r in results for n in r["figures"]))
    for name in names:
        cells = []
        for result in results:
            values = result["figures"].get(name) or [0.0]
            runs = ", ".join(f"{v:.3g}" for v in values)
            cells.append(f"{statistics.median(values):8.1f} ({runs})")
        print(f"{name:48} " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", action="append", default=[])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    urls = args.database_url or ["sqlite"]
    if len(urls) == 1:
        args.database_url = urls[0]
        result = run_one(args)
        if args.json:
            print("RESULT " + json.dumps(result))
        else:
            print_results([result], args.mails)
        return
    results = []
    for url in urls:
        # One process per database: Django is set up once per process.
        command = [sys.executable, __file__, "--json", "--database-url", url]
        command += ["--mails", str(args.mails), "--rounds", str(args.rounds)]
        command += ["--workers", str(args.workers)]
        output = subprocess.run(command, capture_output=True, text=True)
        if output.returncode:
            sys.exit(f"{url}: exit status {output.returncode}\n{output.stderr}")
        line = [x for x in output.stdout.splitlines() if x.startswith("RESULT ")][-1]
        results.append(json.loads(line.removeprefix("RESULT ")))
    print_results(results, args.mails)


if __name__ == "__main__":
    main()

"""A small closed-loop HTTP/1.1 load generator on asyncio, with keep-alive.

Each of ``concurrency`` clients sends its next request as soon as the last one is
answered, for ``seconds`` or ``total`` requests, whichever ends first. Only loopback
targets are accepted.
"""

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict:
        return {
            "requests": self.count,
            "seconds": round(self.seconds, 2),
            "rate_per_s": round(self.count / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(self.latencies_ms), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "statuses": self.statuses,
        }


async def _client(
    host, port, make_request: Callable[[int], bytes], state, result, deadline
):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and state["left"] > 0:
            state["left"] -= 1
            state["n"] += 1
            request = make_request(state["n"])
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, _body, closing = await _read_response(reader)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if closing:
                # The server ends the connection after this answer (a sync
                # gunicorn worker does so after each): open the next one.
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _read_response(reader) -> tuple[int, bytes, bool]:
    """Return the status, the body and whether the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, closing = 0, lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection":
            closing = value.strip().lower() == "close"
    body = await reader.readexactly(length) if length else b""
    return status, body, closing


def build_post(host: str, path: str, payload: dict, headers: dict[str, str]) -> bytes:
    body = json.dumps(payload).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def build_get(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def run_load(host, port, make_request, *, concurrency=16, seconds=20.0, total=10**9):
    if host not in LOOPBACK:
        raise ValueError("load tests target loopback only")
    result = LoadResult()
    state = {"left": total, "n": 0}

    async def main():
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *[
                _client(host, port, make_request, state, result, deadline)
                for _ in range(concurrency)
            ]
        )
        result.seconds = time.perf_counter() - started

    asyncio.run(main())
    return result

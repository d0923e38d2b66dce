"""Raw messages built byte by byte, so each test controls every trap it sets."""

import base64

CRLF = b"\r\n"


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("ascii")


def mail(
    *headers: tuple[str, bytes | str],
    body: bytes | str = b"Hello.\r\n",
    sender: bytes | str = b"Li Wei <li.wei@example.com>",
    message_id: bytes | str | None = b"<m1@mail.example.com>",
    subject: bytes | str | None = b"My bag did not arrive",
    content_type: bytes | str | None = b"text/plain; charset=utf-8",
    date: bytes | str = b"Mon, 03 Mar 2025 09:15:00 +0800",
) -> bytes:
    """Return a message with the usual headers (each can be left out with None)."""
    lines = [
        b"From: " + _bytes(sender),
        b"To: care@paxcare.invalid",
        b"Date: " + _bytes(date),
    ]
    if message_id is not None:
        lines.append(b"Message-ID: " + _bytes(message_id))
    if subject is not None:
        lines.append(b"Subject: " + _bytes(subject))
    lines.append(b"MIME-Version: 1.0")
    if content_type is not None:
        lines.append(b"Content-Type: " + _bytes(content_type))
    for name, value in headers:
        lines.append(_bytes(name) + b": " + _bytes(value))
    return CRLF.join(lines) + CRLF + CRLF + _bytes(body)


def part(headers: list[tuple[str, bytes | str]], body: bytes) -> bytes:
    head = CRLF.join(_bytes(n) + b": " + _bytes(v) for n, v in headers)
    return head + CRLF + CRLF + body


def multipart(parts: list[bytes], boundary: bytes = b"b0undary") -> bytes:
    out = b""
    for item in parts:
        out += b"--" + boundary + CRLF + item + CRLF
    return out + b"--" + boundary + b"--" + CRLF


def b64(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def encoded_word(charset: str, data: bytes) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


# A real (tiny, 1x1) PNG, then padded past the "small inline image" size.
PNG = base64.b64decode(
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    b"awAAAABJRU5ErkJggg=="
)
BIG_PNG = PNG + b"\x00" * 8000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

"""Reading a request body safely: a size limit checked before reading, bad lengths and chunked bodies.

An oversized ``Content-Length`` is refused (413) without reading the body; a chunked body is read
chunk by chunk and refused as soon as it passes the limit, so memory stays bounded.
"""

from __future__ import annotations

from email.message import Message
from io import BufferedIOBase

DEFAULT_LIMIT = 1024 * 1024  # 1 MiB: the largest real management body (bulk billing lists) is far smaller
JSON_TYPES = ("application/json", "text/json")


class BodyError(Exception):
    """An HTTP status and ECS code for a body that cannot be read; the connection must close after it."""

    def __init__(self, status: int, code: int, details: str) -> None:
        super().__init__(details)
        self.status, self.code, self.details = status, code, details


def read_body(rfile: BufferedIOBase, headers: Message, limit: int = DEFAULT_LIMIT) -> bytes:
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(rfile, limit)
    values = headers.get_all("Content-Length") or []
    if not values:
        return b""
    if len(set(v.strip() for v in values)) > 1 or not values[0].strip().isdigit():
        raise BodyError(400, 1013, f"Invalid Content-Length {', '.join(values)!r}")
    length = int(values[0])
    if length > limit:
        raise BodyError(413, 1013, f"Request body of {length} bytes exceeds the {limit}-byte limit")
    data = rfile.read(length) if length else b""
    if len(data) < length:
        raise BodyError(400, 1013, f"Request body ended after {len(data)} of {length} bytes")
    return data


def _read_chunked(rfile: BufferedIOBase, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1024)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BodyError(400, 1013, f"Malformed chunk size line {line[:40]!r}") from None
        if size < 0:
            raise BodyError(400, 1013, "Negative chunk size")
        if size == 0:
            break
        total += size
        if total > limit:
            raise BodyError(413, 1013, f"Chunked request body exceeds the {limit}-byte limit")
        chunk = rfile.read(size)
        if len(chunk) < size or rfile.readline(3).strip():
            raise BodyError(400, 1013, "Chunked request body ended early or lacks CRLF")
        parts.append(chunk)
    for _ in range(100):  # trailers, up to the blank line
        if rfile.readline(8192).strip() == b"":
            break
    return b"".join(parts)


def content_type_ok(headers: Message) -> bool:
    """JSON (or no declared type, as ``requests`` sends a string body); XML and forms are 415 here."""
    raw = headers.get("Content-Type")
    if not raw:
        return True
    media = raw.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or media.endswith("+json") or media == "*/*"

"""HTTP/1.1 requests written byte by byte, for what a well-behaved client refuses to send.

httpx checks header values and paths; an attacker's client does not. The
answer is read until the server closes the connection (every request here
asks it to) or the timeout passes. `dribble` sends its bytes slowly, as a
slowloris client does, reading all the while.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(port: int, head: bytes, body: bytes = b"", *, timeout: float = 30) -> RawAnswer:
    """Send `head` (request line and headers, no blank line) and `body`; `Connection: close` is added."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.rstrip(b"\r\n") + b"\r\nConnection: close\r\n\r\n" + body)
        received = bytearray()
        while chunk := sock.recv(65536):
            received.extend(chunk)
    return parse_answer(bytes(received))


def parse_answer(raw: bytes) -> RawAnswer:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunked(body)
    return RawAnswer(status=status, headers=headers, body=body)


def _unchunked(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.extend(rest[:size])
        body = rest[size + 2 :]
    return bytes(out)


@dataclass(frozen=True)
class Dribbled:
    seconds: float  # from connecting until the server closed
    received: bytes


async def dribble(port: int, chunks: list[bytes], *, pause: float, timeout: float = 60) -> Dribbled:
    """Send `chunks` `pause` apart, reading all the while, until the server closes (within `timeout`)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()

    async def read_all() -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(4096):
                received.extend(data)

    reading = asyncio.ensure_future(read_all())
    try:
        for chunk in chunks:
            if reading.done():
                break  # closed by the server
            with contextlib.suppress(ConnectionError):
                writer.write(chunk)
                await writer.drain()
            await asyncio.sleep(pause)
        await asyncio.wait_for(reading, timeout=timeout)
    finally:
        writer.close()
    return Dribbled(seconds=time.monotonic() - started, received=bytes(received))

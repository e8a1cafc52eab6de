"""A Redis that remembers nothing: the uncached workloads' cache.

    python -m scripts.bench.null_redis --port 6390

It speaks RESP, answers every GET with nil and every write with OK, so a
server pointed at it runs its real cache-miss path on every request (a GET
round trip, the Elasticsearch aggregation, the two SETs) without any change to
the service or its settings: CACHE_TTL_SECONDS cannot be 0, and varying the
query per request would measure a different Elasticsearch query.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvloop

NIL = b"$-1\r\n"
OK = b"+OK\r\n"


def reply(command: list[bytes]) -> bytes:
    name = command[0].upper() if command else b""
    if name == b"GET":
        return NIL
    if name == b"MGET":
        return b"*%d\r\n" % (len(command) - 1) + NIL * (len(command) - 1)
    if name == b"PING":
        return b"+PONG\r\n"
    if name in (b"EXISTS", b"DEL", b"UNLINK"):
        return b":0\r\n"
    if name == b"HELLO":
        # Keeps clients on RESP2, which is all this server speaks.
        return b"-ERR unknown command 'HELLO'\r\n"
    return OK


def parse_commands(buffer: bytes) -> tuple[list[list[bytes]], bytes]:
    """Complete RESP arrays of bulk strings at the start of `buffer`, and the rest."""
    commands = []
    while buffer:
        if not buffer.startswith(b"*"):
            line, sep, rest = buffer.partition(b"\r\n")
            if not sep:
                break
            commands.append(line.split())  # an inline command (redis-cli, telnet)
            buffer = rest
            continue
        end = buffer.find(b"\r\n")
        if end < 0:
            break
        count = int(buffer[1:end])
        position = end + 2
        parts: list[bytes] = []
        for _ in range(count):
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return commands, buffer
            length = int(buffer[position + 1 : line_end])
            start = line_end + 2
            if len(buffer) < start + length + 2:
                return commands, buffer
            parts.append(buffer[start : start + length])
            position = start + length + 2
        commands.append(parts)
        buffer = buffer[position:]
    return commands, buffer


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    buffer = b""
    try:
        while data := await reader.read(65536):
            commands, buffer = parse_commands(buffer + data)
            if commands:
                writer.write(b"".join(reply(command) for command in commands))
                await writer.drain()
    except (ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        uvloop.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()

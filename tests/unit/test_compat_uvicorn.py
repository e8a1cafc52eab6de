"""What the service relies on in uvicorn beyond its documented settings: its SIGTERM handling,
and its httptools protocol that graph/compat/uvicorn.py extends with request deadlines.

Each test drives uvicorn's own code and fails when an upgrade changes its
signal handling or its protocol, before the SIGTERM drain (graph/http/draining.py),
the clean exit of `autos-graph serve` or the deadlines stop doing what they say.
"""

from __future__ import annotations

import asyncio
import pickle
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from types import FrameType
from typing import Any

import pytest
import uvicorn

from graph.compat.uvicorn import RequestBounds
from tests.support.raw_http import dribble

Scope = dict[str, Any]


class Handler:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.calls.append(signum)


@pytest.fixture
def found_in_place() -> Iterator[Handler]:
    handler = Handler()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


async def lifespan_only(scope: Scope, receive: Any, send: Any) -> None:
    raise AssertionError("no request is made")


def test_a_graceful_stop_raises_the_signal_again_with_the_handler_found_in_place(
    found_in_place: Handler,
) -> None:
    # `autos-graph serve` installs a handler that exits 0; uvicorn hands it the SIGTERM it drained on.
    server = uvicorn.Server(uvicorn.Config(lifespan_only, log_config=None, lifespan="off"))
    with server.capture_signals():
        assert signal.getsignal(signal.SIGTERM) == server.handle_exit
        server.handle_exit(signal.SIGTERM, None)
        assert server.should_exit
        assert found_in_place.calls == []
    assert found_in_place.calls == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is found_in_place


async def test_the_sigterm_handler_is_in_place_when_the_lifespan_starts(found_in_place: Handler) -> None:
    # The drain wraps, during the lifespan's start-up, whatever SIGTERM handler is in place.
    seen: list[Any] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        seen.append(signal.getsignal(signal.SIGTERM))
        await send({"type": "lifespan.startup.complete"})
        server.should_exit = True
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    try:
        await server.serve(sockets=[listener])
    finally:
        listener.close()
    assert seen == [server.handle_exit]
    assert signal.getsignal(signal.SIGTERM) is found_in_place


# The bounds of graph/compat/uvicorn.py: uvicorn's httptools protocol and its parser callbacks.


async def _hello(scope: Scope, receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _exchange(port: int, chunks: list[bytes], *, pause: float) -> bytes:
    return (await dribble(port, chunks, pause=pause, timeout=10)).received


@pytest.fixture
async def deadline_server() -> AsyncIterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    bounds = RequestBounds(head_seconds=0.3, body_seconds=0.3, head_max_bytes=8192)
    config = uvicorn.Config(_hello, log_config=None, lifespan="off", http=bounds.protocol())
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield int(listener.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        listener.close()


async def test_a_silent_connection_gets_408_and_is_closed(deadline_server: int) -> None:
    answer = await _exchange(deadline_server, [], pause=0)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"REQUEST_TIMEOUT"' in answer


async def test_a_head_sent_a_line_at_a_time_gets_408(deadline_server: int) -> None:
    lines = [b"GET / HTTP/1.1\r\n", *([b"x-slow: 1\r\n"] * 40)]
    answer = await _exchange(deadline_server, lines, pause=0.05)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"request head" in answer


async def test_a_body_sent_a_byte_at_a_time_gets_408(deadline_server: int) -> None:
    head = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n"
    answer = await _exchange(deadline_server, [head, *([b"a"] * 40)], pause=0.05)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"request body" in answer


async def test_prompt_requests_on_one_connection_are_answered(deadline_server: int) -> None:
    request = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n"
    post = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi"
    # Between requests, uvicorn's own keep-alive timeout applies, not the head deadline.
    answer = await _exchange(deadline_server, [request, request, post], pause=0.2)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    assert b"408" not in answer


async def test_a_head_past_its_size_gets_431(deadline_server: int) -> None:
    bloated = [b"GET / HTTP/1.1\r\nx-big: " + b"a" * 20_000]
    answer = await _exchange(deadline_server, bloated, pause=0)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b'"code":"REQUEST_HEAD_TOO_LARGE"' in answer
    many = [b"GET / HTTP/1.1\r\n", *([b"x-many: " + b"a" * 1000 + b"\r\n"] * 12)]
    assert (await _exchange(deadline_server, many, pause=0.01)).startswith(b"HTTP/1.1 431 ")
    at_once = [b"".join(many) + b"\r\n"]  # complete, in one read
    assert (await _exchange(deadline_server, at_once, pause=0)).startswith(b"HTTP/1.1 431 ")


async def test_a_body_larger_than_the_head_bound_is_not_a_head(deadline_server: int) -> None:
    post = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 50000\r\nconnection: close\r\n\r\n" + b"a" * 50_000
    assert (await _exchange(deadline_server, [post], pause=0)).startswith(b"HTTP/1.1 200 OK")
    # The blank line split across two reads, the body in the second.
    split = [post[: post.index(b"\r\n\r\n") + 2], post[post.index(b"\r\n\r\n") + 2 :]]
    assert (await _exchange(deadline_server, split, pause=0.05)).startswith(b"HTTP/1.1 200 OK")
    # Requests one after another on a connection, each head counted on its own.
    small = b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3000\r\n\r\n" + b"a" * 3000
    answer = await _exchange(deadline_server, [small] * 5 + [post], pause=0.02)
    assert answer.count(b"HTTP/1.1 200 OK") == 6


async def _websocket_app(scope: Scope, receive: Any, send: Any) -> None:
    assert scope["type"] == "websocket"
    await receive()
    await send({"type": "websocket.accept"})
    await receive()  # until the client goes


async def test_an_upgraded_websocket_outlives_the_request_deadlines() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    bounds = RequestBounds(head_seconds=0.3, body_seconds=0.3, head_max_bytes=8192)
    config = uvicorn.Config(
        _websocket_app, log_config=None, lifespan="off", http=bounds.protocol(), ws="websockets"
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
        writer.write(
            b"GET / HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
            b"sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n"
        )
        handshake = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        assert handshake.startswith(b"HTTP/1.1 101 ")
        await asyncio.sleep(1.5)  # five times the deadlines
        with pytest.raises(TimeoutError):  # nothing written to it meanwhile, and not closed
            await asyncio.wait_for(reader.read(1), timeout=0.2)
        writer.close()
    finally:
        server.should_exit = True
        await task
        listener.close()


def test_the_bounds_travel_to_worker_processes_by_pickle() -> None:
    bounds = RequestBounds(head_seconds=1, body_seconds=2, head_max_bytes=4096)
    assert pickle.loads(pickle.dumps(bounds)) == bounds

"""uvicorn's own httptools protocol, driven byte by byte: one socket write per response.

These run the real `HttpToolsProtocol` under our subclass, so they fail if an uvicorn
upgrade stops writing through the transport given to `connection_made`. The uvicorn
names the subclass relies on are pinned one by one in test_compat_uvicorn.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from graph.http.coalesced_writes import CoalescingHttpToolsProtocol, CoalescingTransport

Scope = dict[str, Any]


class RecordingTransport(asyncio.Transport):
    """What reached the socket, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.events: list[str] = []

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 3000), "peername": ("127.0.0.1", 51000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))
        self.events.append("write")

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True
        self.events.append("close")

    def abort(self) -> None:
        self.closed = True
        self.events.append("abort")

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def plain_app(scope: Scope, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def streaming_app(scope: Scope, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"first", "more_body": True})
    await asyncio.sleep(0.01)
    await send({"type": "http.response.body", "body": b"second"})


async def app_with_bookkeeping(scope: Scope, receive: Any, send: Any) -> None:
    await plain_app(scope, receive, send)
    # What middleware does after the last send (metrics, the access line) comes after the
    # answer has left: the recording transport must hold it already.
    transport = scope["extensions"]["recording"]
    transport.events.append("written before returning" if transport.writes else "held back")
    await asyncio.sleep(0.01)


async def serve(
    app: Any, request: bytes, *, settle: float = 0.05, others_in_flight: int = 0
) -> RecordingTransport:
    config = uvicorn.Config(app, http=CoalescingHttpToolsProtocol, log_config=None, lifespan="off")
    config.load()
    state = ServerState()
    others = [asyncio.get_running_loop().create_future() for _ in range(others_in_flight)]
    state.tasks.update(others)  # type: ignore[arg-type]
    protocol = CoalescingHttpToolsProtocol(config=config, server_state=state, app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    if protocol.scope is not None:
        protocol.scope.setdefault("extensions", {})["recording"] = transport  # type: ignore[assignment]
    await asyncio.sleep(settle)
    for other in others:
        other.cancel()
    return transport


GET = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"


async def test_headers_and_body_leave_in_one_write() -> None:
    transport = await serve(plain_app, GET)
    assert len(transport.writes) == 1, transport.writes
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 5" in head
    assert body == b"hello"


async def test_a_complete_answer_leaves_before_the_app_returns() -> None:
    transport = await serve(app_with_bookkeeping, GET)
    assert transport.events == ["write", "written before returning"]
    assert transport.writes[0].endswith(b"hello")


async def test_under_load_an_answer_leaves_at_the_end_of_the_turn() -> None:
    transport = await serve(app_with_bookkeeping, GET, others_in_flight=3)
    assert transport.events == ["held back", "write"]
    assert len(transport.writes) == 1


async def test_pipelined_requests_answer_in_order() -> None:
    transport = await serve(plain_app, GET + GET)
    answer = b"".join(transport.writes)
    assert answer.count(b"HTTP/1.1 200 OK") == 2
    assert answer.endswith(b"hello")


async def test_a_streamed_body_is_not_held_back_for_the_next_chunk() -> None:
    transport = await serve(streaming_app, GET)
    assert len(transport.writes) == 2, transport.writes
    assert transport.writes[0].endswith(b"5\r\nfirst\r\n")
    assert transport.writes[1] == b"6\r\nsecond\r\n0\r\n\r\n"


async def test_connection_close_is_written_before_closing() -> None:
    transport = await serve(plain_app, b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
    assert transport.events == ["write", "close"]
    assert transport.writes[0].endswith(b"hello")


async def test_close_flushes_and_abort_drops() -> None:
    loop = asyncio.get_running_loop()
    inner = RecordingTransport()
    coalescing = CoalescingTransport(inner, loop)
    coalescing.write(b"a")
    coalescing.writelines([b"b", b"c"])
    assert coalescing.get_write_buffer_size() == 3
    coalescing.close()
    assert inner.writes == [b"abc"]
    assert inner.closed

    dropped = RecordingTransport()
    aborting = CoalescingTransport(dropped, loop)
    aborting.write(b"never")
    aborting.abort()
    await asyncio.sleep(0)  # the flush scheduled by the write finds nothing to send
    assert dropped.writes == []
    assert dropped.events == ["abort"]

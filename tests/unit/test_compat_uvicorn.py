"""What the service relies on in uvicorn beyond its documented settings: its SIGTERM handling.

Each test drives uvicorn's own code and fails when an upgrade changes its
signal handling, before the SIGTERM drain (graph/http/draining.py) or the clean
exit of `autos-graph serve` stop doing what they say.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest
import uvicorn

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

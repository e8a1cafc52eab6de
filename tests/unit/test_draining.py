"""SIGTERM first marks the process draining, then (after the delay) reaches the server's own handler."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from graph.http.draining import Drain, DrainOnSigterm


class ServerHandler:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.calls.append(signum)


@pytest.fixture
def server_handler() -> Iterator[ServerHandler]:
    handler = ServerHandler()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


async def turns_of_the_loop(count: int = 5) -> None:
    """Let the handler's call_soon run: an order of events, no timer."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_sigterm_drains_first_and_stops_after_the_delay(server_handler: ServerHandler) -> None:
    delay = 0.5
    drain = Drain()
    hook = DrainOnSigterm(drain=drain, delay_seconds=delay)
    assert hook.install()
    sent_at = time.monotonic()
    os.kill(os.getpid(), signal.SIGTERM)
    await turns_of_the_loop()
    assert drain.draining
    assert server_handler.calls == []  # still serving while load balancers notice
    while not server_handler.calls:
        assert time.monotonic() - sent_at < 10 * delay, "the server's handler was never reached"
        await asyncio.sleep(0.01)
    # A timer fires no earlier than its delay; how much later depends on the machine's load.
    assert time.monotonic() - sent_at >= delay
    assert server_handler.calls == [signal.SIGTERM]
    hook.uninstall()
    assert signal.getsignal(signal.SIGTERM) is server_handler


async def test_a_second_sigterm_or_no_delay_stops_at_once(server_handler: ServerHandler) -> None:
    drain = Drain()
    hook = DrainOnSigterm(drain=drain, delay_seconds=30)
    assert hook.install()
    os.kill(os.getpid(), signal.SIGTERM)
    await turns_of_the_loop()
    assert server_handler.calls == []
    os.kill(os.getpid(), signal.SIGTERM)
    await turns_of_the_loop()
    assert server_handler.calls == [signal.SIGTERM]
    hook.uninstall()

    immediate = DrainOnSigterm(drain=Drain(), delay_seconds=0)
    assert immediate.install()
    os.kill(os.getpid(), signal.SIGTERM)
    await turns_of_the_loop()
    assert server_handler.calls == [signal.SIGTERM, signal.SIGTERM]
    immediate.uninstall()


async def test_nothing_is_wrapped_without_a_python_handler() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        assert DrainOnSigterm(drain=Drain(), delay_seconds=1).install() is False
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_stop_hooks_run_after_the_delay_and_before_the_server_handler(
    server_handler: ServerHandler,
) -> None:
    drain = Drain()
    order: list[str] = []

    async def hook() -> None:
        order.append(f"hook, server called {len(server_handler.calls)} times")

    drain.before_stop(hook)
    hook_installed = DrainOnSigterm(drain=drain, delay_seconds=0.2)
    assert hook_installed.install()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.05)
    assert order == []  # not while load balancers notice
    await asyncio.sleep(0.4)
    assert order == ["hook, server called 0 times"]
    assert server_handler.calls == [signal.SIGTERM]
    hook_installed.uninstall()

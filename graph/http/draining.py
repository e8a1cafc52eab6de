"""Shutdown in the order load balancers need: out of rotation first, then stop.

On SIGTERM the replica first answers readiness with 503 while it keeps serving
for SHUTDOWN_DELAY_SECONDS, long enough for a load balancer's health checks
(HAProxy's, or Kubernetes' readiness probe) to take it out of rotation. Only
then do the hooks registered with `Drain.before_stop` run (subscriptions are
completed with their protocol's own close there, which uvicorn's would not
send), bounded by STOP_HOOKS_SECONDS, and uvicorn's own SIGTERM handling
starts: it stops accepting connections, lets the requests in flight finish (up
to the graceful-shutdown bound) and exits.

uvicorn installs its SIGTERM handler before the lifespan starts, and after a
graceful stop raises the signal again with the handler it found (undocumented
behaviour, pinned by tests/unit/test_compat_uvicorn.py); `install` wraps that
handler and `uninstall` puts it back. Nothing is wrapped
when the handler in place is not a Python callable (tests driving the app
in-process).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any, Final

log = logging.getLogger("autos_graph.shutdown")

Handler = Callable[[int, FrameType | None], Any]
StopHook = Callable[[], Awaitable[object]]

# Completing open subscriptions takes milliseconds; k8s/deployment.yaml's grace period counts this bound.
STOP_HOOKS_SECONDS: Final = 1.5


class Drain:
    """Whether this process has been asked to stop, and since when."""

    def __init__(self) -> None:
        self._since: float | None = None
        self._before_stop: list[StopHook] = []

    @property
    def draining(self) -> bool:
        return self._since is not None

    def begin(self) -> None:
        if self._since is None:
            self._since = time.monotonic()

    def before_stop(self, hook: StopHook) -> None:
        """Run `hook` once the delay is over, before the server stops accepting and closing."""
        self._before_stop.append(hook)

    async def stop(self, *, timeout: float = STOP_HOOKS_SECONDS) -> None:
        """Run the hooks together, giving up on them after `timeout`."""
        if not self._before_stop:
            return
        hooks = [asyncio.ensure_future(hook()) for hook in self._before_stop]
        done, pending = await asyncio.wait(hooks, timeout=timeout)
        for task in pending:
            task.cancel()
        for task in done:
            if task.exception() is not None:
                log.warning("stop hook failed", exc_info=task.exception())


class DrainOnSigterm:
    def __init__(self, *, drain: Drain, delay_seconds: float) -> None:
        self._drain = drain
        self._delay = delay_seconds
        self._previous: Handler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Task[None] | None = None

    def install(self) -> bool:
        """Wrap the SIGTERM handler in place; False when there is none to wrap."""
        if threading.current_thread() is not threading.main_thread():
            return False
        current = signal.getsignal(signal.SIGTERM)
        if not callable(current):
            return False
        self._previous = current
        self._loop = asyncio.get_running_loop()
        signal.signal(signal.SIGTERM, self._on_sigterm)
        return True

    def uninstall(self) -> None:
        if self._previous is not None and signal.getsignal(signal.SIGTERM) == self._on_sigterm:
            signal.signal(signal.SIGTERM, self._previous)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        previous, loop = self._previous, self._loop
        assert previous is not None  # installed
        assert loop is not None
        if self._drain.draining:
            # A second SIGTERM goes straight to the server's own handling.
            previous(signum, frame)
            return
        self._drain.begin()
        if self._delay <= 0:
            loop.call_soon_threadsafe(self._stop, previous, signum, frame)
            return
        # Logged from the loop: a signal handler may interrupt the logging machinery itself.
        loop.call_soon_threadsafe(self._delay_then_stop, previous, signum, frame)

    def _delay_then_stop(self, previous: Handler, signum: int, frame: FrameType | None) -> None:
        log.info(
            "draining: readiness is 503, stopping after the delay",
            extra={"context": {"delay_seconds": self._delay}},
        )
        assert self._loop is not None
        self._loop.call_later(self._delay, self._stop, previous, signum, frame)

    def _stop(self, previous: Handler, signum: int, frame: FrameType | None) -> None:
        async def hooks_then_server() -> None:
            await self._drain.stop()
            previous(signum, frame)

        assert self._loop is not None
        self._stopping = self._loop.create_task(hooks_then_server(), name="drain-stop")

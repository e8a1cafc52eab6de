"""The background task that shares a replica's counts with the other replicas through Redis.

The request limiter and the cost budget decide from memory and exchange what
they counted every RATE_LIMIT_SYNC_SECONDS (less often while Redis is away).
The task starts with the first decision, so a process that answers nothing
opens no connection; it runs in a context of its own, since it outlives the
request that started it and its log lines belong to no request; it ends at
close. The loop checks the closed flag as well as being cancelled: a
cancellation that lands inside redis-py during an exchange can be swallowed
there, and the loop must still end.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class CountExchange:
    def __init__(
        self, sync: Callable[[], Awaitable[None]], *, name: str, interval: Callable[[], float]
    ) -> None:
        self._sync = sync
        self._name = name
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Starts the exchange, once, unless it was closed."""
        if self._task is None and not self.closed:
            self._task = asyncio.get_running_loop().create_task(
                self._forever(), name=self._name, context=contextvars.Context()
            )

    async def _forever(self) -> None:
        while not self.closed:
            await asyncio.sleep(self._interval())
            try:
                await self._sync()
            except Exception:  # a bug must not stop the sharing for the life of the process
                log.exception("%s failed", self._name)

    async def close(self) -> None:
        self.closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

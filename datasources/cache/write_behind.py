"""Cache writes off the response path: queued, gathered for a few milliseconds, sent in batches.

A request that computed an answer need not wait for Redis to store it: the
process keeps the answer itself (L1), and the shared copy only spares other
replicas a computation. So writes are queued, and one task of the cache sends
what has gathered over a short window (`window_seconds`, a few ms; at once
when the batch reaches `max_batch_answers` or `max_batch_bytes`) as one
round trip (datasources/cache/batch_client.py), then gathers the next. A
round trip costs the worker far more CPU than one more answer in it, so under
load a batch carries the writes of every request of the window instead of the
few that finished in one turn of the event loop. Another replica can read an answer
at most a window plus a round trip (plus, under load, the batch before it on
the wire) after it was computed.

- Bounded: at most `max_pending_bytes` wait. A write that does not fit (Redis
  slower than the requests) is dropped, counted and logged, never lost silently.
- Every write ends in one outcome the observer counts: `written`, `failed`
  (the backend refused or timed out; the cache's backoff starts), `dropped`
  (no room), or `skipped` (the backend is in its backoff after a failure, or
  the value expired while it waited).
- A batch is kept by Redis for what its longest-lived value has left when it
  is sent, and each value also carries its own expiry, which readers check.
- `flush()` sends what is queued without waiting out the window; `aclose()`
  does the same at shutdown, before the clients close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from datasources.cache.batch_client import BatchClient, Entry

log = logging.getLogger(__name__)

Outcome = Literal["written", "failed", "dropped", "skipped"]

# How often a run of dropped writes is logged (it is counted every time).
DROP_LOG_INTERVAL_SECONDS: Final = 10.0


class WriteObserver(Protocol):
    def on_writes(self, outcome: Outcome, count: int) -> None: ...


@dataclass(frozen=True, slots=True)
class _Pending:
    value: bytes
    expires_at: float


class WriteBehind:
    def __init__(
        self,
        *,
        client: BatchClient,
        max_pending_bytes: int,
        window_seconds: float,
        max_batch_answers: int,
        max_batch_bytes: int,
        usable: Callable[[], bool],
        failed: Callable[[str, Exception], None],
        observer: WriteObserver,
    ) -> None:
        self._client = client
        self._max_pending_bytes = max_pending_bytes
        self._window = window_seconds
        self._max_batch_answers = max_batch_answers
        self._max_batch_bytes = max_batch_bytes
        self._usable = usable
        self._failed = failed
        self._observer = observer
        self._pending: dict[str, _Pending] = {}
        self._pending_bytes = 0
        self._sender: asyncio.Task[None] | None = None
        # Set when the window should end early: a full batch, a flush, shutdown.
        self._wake = asyncio.Event()
        self._urgent = False
        self._drop_logged_at = float("-inf")

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, key: str, value: bytes, *, expires_at: float) -> None:
        """Queues `value` under `key` until `expires_at` (epoch seconds); returns at once."""
        if not self._usable():
            self._observer.on_writes("skipped", 1)
            return
        replaced = self._pending.pop(key, None)
        if replaced is not None:  # a newer value of the same key: only the newer one is sent
            self._pending_bytes -= len(replaced.value)
        if self._pending_bytes + len(value) > self._max_pending_bytes:
            self._dropped()
            return
        self._pending[key] = _Pending(value=value, expires_at=expires_at)
        self._pending_bytes += len(value)
        if self._batch_full():
            self._wake.set()
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_all(), name="cache-write-behind")

    async def flush(self) -> None:
        """Returns once everything queued before the call has been sent (or has failed)."""
        while self._sender is not None:
            self._urgent = True
            self._wake.set()
            await asyncio.shield(self._sender)

    async def aclose(self) -> None:
        """Sends what is still queued; called at shutdown, before the backend closes."""
        await self.flush()

    def _batch_full(self) -> bool:
        return len(self._pending) >= self._max_batch_answers or self._pending_bytes >= self._max_batch_bytes

    async def _send_all(self) -> None:
        try:
            while self._pending:
                if not self._urgent and not self._batch_full():
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._window):
                            await self._wake.wait()
                await self._send(self._take())
        finally:
            self._sender = None
            self._urgent = False

    def _take(self) -> dict[str, _Pending]:
        """The oldest writes that fit in one batch (all of them, most of the time)."""
        if len(self._pending) <= self._max_batch_answers and self._pending_bytes <= self._max_batch_bytes:
            everything, self._pending, self._pending_bytes = self._pending, {}, 0
            return everything
        batch: dict[str, _Pending] = {}
        size = 0
        for key, pending in self._pending.items():
            full = len(batch) >= self._max_batch_answers or size + len(pending.value) > self._max_batch_bytes
            if batch and full:
                break
            batch[key] = pending
            size += len(pending.value)
        for key in batch:
            del self._pending[key]
        self._pending_bytes -= size
        return batch

    async def _send(self, batch: dict[str, _Pending]) -> None:
        now = time.time()
        entries = [
            Entry(key=key, value=pending.value, ttl_ms=int((pending.expires_at - now) * 1000))
            for key, pending in batch.items()
        ]
        live = [entry for entry in entries if entry.ttl_ms > 0]
        if len(live) < len(entries):
            self._observer.on_writes("skipped", len(entries) - len(live))
        if not live:
            return
        if not self._usable():
            self._observer.on_writes("skipped", len(live))
            return
        try:
            await self._client.set_many(live)
        except Exception as error:  # the answers are served and kept in L1; only sharing is lost
            self._failed("write", error)
            self._observer.on_writes("failed", len(live))
            return
        self._observer.on_writes("written", len(live))

    def _dropped(self) -> None:
        self._observer.on_writes("dropped", 1)
        now = time.monotonic()
        if now - self._drop_logged_at >= DROP_LOG_INTERVAL_SECONDS:
            self._drop_logged_at = now
            log.warning(
                "cache writes are dropped: more than the queue's bound waits for Redis",
                extra={"context": {"max_pending_bytes": self._max_pending_bytes}},
            )

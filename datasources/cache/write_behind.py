"""Cache writes off the response path: queued, and sent in batches by one background task.

A request that computed an answer need not wait for Redis to store it: the
process keeps the answer itself (L1), and the shared copy only spares other
replicas a computation. So writes are queued and one task of the cache sends
whatever has queued up as a single `multi_set` (one round trip, one MSET and
its expiries in a transaction), then the next batch. Under load a batch holds
the writes of every request that finished while the previous one was on the
wire; alone, a write leaves at the next turn of the event loop.

- Bounded: at most `max_pending_bytes` wait. A write that does not fit (Redis
  slower than the requests) is dropped, counted and logged, never lost silently.
- Every write ends in one outcome the observer counts: `written`, `failed`
  (the backend refused or timed out; the cache's backoff starts), `dropped`
  (no room), or `skipped` (the backend is in its backoff after a failure).
- The TTL is what the values have left when their batch is sent (the latest
  of the batch). Each value also carries its expiry, which readers check, so
  a copy Redis keeps a little longer (while its batch was on the wire) is
  never served after it.
- `aclose()` sends what is still queued before the clients close (shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from aiocache import Cache

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
        backend: Cache,
        max_pending_bytes: int,
        usable: Callable[[], bool],
        failed: Callable[[str, Exception], None],
        observer: WriteObserver,
    ) -> None:
        self._backend = backend
        self._max_pending_bytes = max_pending_bytes
        self._usable = usable
        self._failed = failed
        self._observer = observer
        self._pending: dict[str, _Pending] = {}
        self._pending_bytes = 0
        self._sender: asyncio.Task[None] | None = None
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
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_all(), name="cache-write-behind")

    async def flush(self) -> None:
        """Returns once everything queued before the call has been sent (or has failed)."""
        while self._sender is not None:
            await asyncio.shield(self._sender)

    async def aclose(self) -> None:
        """Sends what is still queued; called at shutdown, before the backend closes."""
        await self.flush()

    async def _send_all(self) -> None:
        try:
            while self._pending:
                batch, self._pending, self._pending_bytes = self._pending, {}, 0
                await self._send(batch)
        finally:
            self._sender = None

    async def _send(self, batch: dict[str, _Pending]) -> None:
        now = time.time()
        live = {key: pending for key, pending in batch.items() if pending.expires_at > now}
        if len(live) < len(batch):
            self._observer.on_writes("skipped", len(batch) - len(live))
        if not live:
            return
        if not self._usable():
            self._observer.on_writes("skipped", len(live))
            return
        # Milliseconds (a float TTL): the latest expiry of the batch; each value carries its own.
        ttl = round(max(pending.expires_at for pending in live.values()) - now, 3)
        try:
            await self._backend.multi_set([(key, pending.value) for key, pending in live.items()], ttl=ttl)
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

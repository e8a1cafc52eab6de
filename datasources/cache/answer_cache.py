"""Serialized answers kept by data generation: L1 in the process, L2 in Redis, one computation per key.

The catalog changes only when a data release moves the alias, so an answer
stays right for as long as the alias points at the same concrete index (the
generation). Every key starts with the generation `index_version` reports:
once a process sees the alias move, no key it builds can reach an answer of
the old generation, in either level.

- L1 is a least-recently-used map bounded in bytes (cachetools' TLRUCache),
  whose entries expire when their L2 copy does, so a worker never serves an
  answer longer than the TTL the HTTP headers announced.
- L2 is Redis (through aiocache), shared by replicas, for `ttl_seconds`.
  Like the aggregation cache it is best effort: a failure of it is a miss,
  and after one it is left alone for a few seconds. Writes to it leave the
  response path (datasources/cache/write_behind.py): an answer is sent as
  soon as it is computed and kept in L1, and its L2 copy follows in a batch;
  `flush()` waits for the copies queued so far, `aclose()` sends the rest.
  Reads of one turn of the event loop leave together as one MGET
  (datasources/cache/read_batches.py).
- The value is the encoded answer, so a hit does no execution at all.
- Concurrent misses for one flight key share one computation, which runs as
  its own task: a caller that goes away (a client disconnect, a sibling
  cancelled by graphql-core) stops waiting, and the others still get it.
- What to keep is decided by the computation: it returns `body=None` for an
  answer with errors or one built from stale data, and those are never kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, Protocol, TypeVar

from aiocache import Cache
from cachetools import TLRUCache

from datasources.cache.batch_client import BatchClient
from datasources.cache.read_batches import ReadBatches
from datasources.cache.write_behind import Outcome, WriteBehind

log = logging.getLogger(__name__)

T = TypeVar("T")
Level = Literal["l1", "l2"]

# Bookkeeping per L1 entry beyond its bytes: the key, the entry, its ETag, the LRU's
# item and dictionary slots (tests/unit/test_answer_cache_memory.py holds it above what they take).
ENTRY_OVERHEAD_BYTES: Final = 640
BACKEND_RETRY_SECONDS: Final = 5.0
# L2 copies waiting to be written, per process; beyond it a copy is dropped (and counted).
MAX_PENDING_WRITE_BYTES: Final = 4 * 2**20
# L2 copies gather this long before they leave in one batch (datasources/cache/write_behind.py),
# unless a batch fills first.
WRITE_WINDOW_SECONDS: Final = 0.01
MAX_WRITE_BATCH_ANSWERS: Final = 256
MAX_WRITE_BATCH_BYTES: Final = 2**20
# L2 values are `<expires_at>\n<body>`: the expiry travels with the bytes, so an
# answer read from L2 expires at the same moment in every replica.
_SEPARATOR: Final = b"\n"


class AnswerCacheObserver(Protocol):
    def on_lookup(self, level: Level, *, hit: bool) -> None: ...
    def on_evictions(self, count: int) -> None: ...
    def on_size(self, *, entries: int, size_bytes: int) -> None: ...
    def on_writes(self, outcome: Outcome, count: int) -> None: ...


class _NoObserver:
    def on_lookup(self, level: Level, *, hit: bool) -> None:
        return None

    def on_evictions(self, count: int) -> None:
        return None

    def on_size(self, *, entries: int, size_bytes: int) -> None:
        return None

    def on_writes(self, outcome: Outcome, count: int) -> None:
        return None


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    body: bytes
    expires_at: float
    # A strong validator of the body: equal bytes, equal tag, in every replica.
    etag: str

    @classmethod
    def of(cls, body: bytes, *, expires_at: float) -> StoredAnswer:
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return cls(body=body, expires_at=expires_at, etag=f'"{digest}"')

    def remaining_seconds(self, now: float | None = None) -> int:
        return max(0, int(self.expires_at - (time.time() if now is None else now)))

    def expired(self) -> bool:
        return self.expires_at <= time.time()

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD_BYTES


@dataclass(frozen=True, slots=True)
class Computed(Generic[T]):
    """What a computation produced: its own result, and the body to keep (None: keep nothing)."""

    result: T
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Served(Generic[T]):
    """An answer: `stored` when it is (or has just become) a cached answer; `computed` when it was run."""

    stored: StoredAnswer | None
    computed: Computed[T] | None
    level: Level | None = None


class _Answers(TLRUCache[str, StoredAnswer]):
    """The L1 map; counts what it drops to stay within its bytes (expired entries are not evictions)."""

    def __init__(self, *, max_bytes: int, observer: AnswerCacheObserver) -> None:
        super().__init__(
            maxsize=max_bytes,
            ttu=lambda _key, answer, _now: answer.expires_at,
            timer=time.time,
            getsizeof=lambda answer: answer.size,
        )
        self._observer = observer

    def popitem(self) -> tuple[str, StoredAnswer]:
        evicted = super().popitem()
        self._observer.on_evictions(1)
        return evicted


class AnswerCache:
    def __init__(
        self,
        *,
        backend: Cache | None,
        ttl_seconds: int,
        max_bytes: int,
        generation: Callable[[], str],
        enabled: bool = True,
        observer: AnswerCacheObserver | None = None,
    ) -> None:
        self._backend = backend
        self._ttl = ttl_seconds
        self._generation = generation
        self._enabled = enabled
        self._observer: AnswerCacheObserver = observer or _NoObserver()
        self._l1 = _Answers(max_bytes=max_bytes, observer=self._observer)
        self._in_flight: dict[Hashable, asyncio.Task[Served[Any]]] = {}
        self._backend_retry_at = 0.0
        # Reads of one turn of the event loop share one MGET (datasources/cache/read_batches.py).
        client = None if backend is None else BatchClient(backend)
        self._reads = None if client is None else ReadBatches(client=client, usable=self._backend_usable)
        self._writes = (
            None
            if client is None
            else WriteBehind(
                client=client,
                max_pending_bytes=MAX_PENDING_WRITE_BYTES,
                window_seconds=WRITE_WINDOW_SECONDS,
                max_batch_answers=MAX_WRITE_BATCH_ANSWERS,
                max_batch_bytes=MAX_WRITE_BATCH_BYTES,
                usable=self._backend_usable,
                failed=self._backend_failed,
                observer=self._observer,
            )
        )

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    @property
    def size_bytes(self) -> int:
        return int(self._l1.currsize)

    def __len__(self) -> int:
        return len(self._l1)

    def key(self, *parts: str, generation: str | None = None) -> str:
        """The cache key of an answer: the generation first, then a digest of what selects the answer.

        `generation` is the one the answer will be computed from (the request's); by default the
        one the process last saw.
        """
        digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]
        return f"answer:{generation or self._generation()}:{digest}"

    def cached(self, key: str) -> StoredAnswer | None:
        """The L1 answer, if any: the path of a hit that must not wait for anything."""
        if not self._enabled:
            return None
        answer = self._l1.get(key)
        self._observer.on_lookup("l1", hit=answer is not None)
        return answer

    async def answer(
        self,
        key: str,
        *,
        compute: Callable[[], Awaitable[Computed[T]]],
        flight: Hashable | None = None,
    ) -> Served[T]:
        """The cached answer for `key`, or the one `compute` produces, shared by concurrent callers.

        `flight` names the computation concurrent callers may share (default:
        the key). Callers whose requests differ in ways the kept answer does
        not (an Accept header that shapes error answers) pass distinct flights.
        """
        stored = self.cached(key)
        if stored is not None:
            return Served(stored=stored, computed=None, level="l1")
        flight_key = key if flight is None else flight
        task = self._in_flight.get(flight_key)
        if task is None:
            task = asyncio.create_task(self._fill(key, compute), name="answer-cache-fill")
            self._in_flight[flight_key] = task
            task.add_done_callback(lambda done: self._landed(flight_key, done))
        # Shielded: cancelling this caller leaves the computation to the others.
        served: Served[T] = await asyncio.shield(task)
        return served

    def _landed(self, flight_key: Hashable, task: asyncio.Task[Served[Any]]) -> None:
        if self._in_flight.get(flight_key) is task:
            del self._in_flight[flight_key]
        # Waiters re-raise a failure; retrieving it here keeps an unawaited one out of the log.
        if not task.cancelled():
            task.exception()

    async def _fill(self, key: str, compute: Callable[[], Awaitable[Computed[T]]]) -> Served[T]:
        if self._enabled and self._backend is not None:
            shared = await self._read_l2(key)
            self._observer.on_lookup("l2", hit=shared is not None)
            if shared is not None:
                self._keep(key, shared)
                return Served(stored=shared, computed=None, level="l2")
        computed = await compute()
        if computed.body is None:
            return Served(stored=None, computed=computed)
        body = _exact_size(computed.body) if self._enabled else computed.body
        stored = StoredAnswer.of(body, expires_at=time.time() + self._ttl)
        if self._enabled:
            self._keep(key, stored)
            self._write_l2(key, stored)
        return Served(stored=stored, computed=computed)

    async def flush(self) -> None:
        """Returns once the L2 copies queued so far are written (or have failed)."""
        if self._writes is not None:
            await self._writes.flush()

    async def aclose(self) -> None:
        """Ends the L2 reads under way and writes the copies still queued; at shutdown, before the
        backend closes."""
        if self._reads is not None:
            await self._reads.aclose()
        if self._writes is not None:
            await self._writes.aclose()

    def _keep(self, key: str, answer: StoredAnswer) -> None:
        if answer.size <= self._l1.maxsize and not answer.expired():
            self._l1[key] = answer
        self._observer.on_size(entries=len(self._l1), size_bytes=self.size_bytes)

    def _backend_usable(self) -> bool:
        return self._backend is not None and time.monotonic() >= self._backend_retry_at

    def _backend_failed(self, operation: str, error: Exception) -> None:
        if not self._backend_usable():
            return  # another read of the same failed batch; logged once
        self._backend_retry_at = time.monotonic() + BACKEND_RETRY_SECONDS
        log.warning(
            f"answer cache {operation} failed; L2 is skipped for {BACKEND_RETRY_SECONDS:g} s",
            extra={"context": {"error": type(error).__name__}},
        )

    async def _read_l2(self, key: str) -> StoredAnswer | None:
        if self._backend is None or not self._backend_usable():
            return None
        try:
            raw = await self._reads.get(key) if self._reads is not None else None
        except Exception as error:  # a broken cache is a miss, never a failed request
            self._backend_failed("read", error)
            return None
        return _decode(raw)

    def _write_l2(self, key: str, answer: StoredAnswer) -> None:
        if self._writes is not None:
            payload = repr(answer.expires_at).encode() + _SEPARATOR + answer.body
            self._writes.submit(key, payload, expires_at=answer.expires_at)


def _exact_size(body: bytes) -> bytes:
    """A copy of `body` that holds its length and no more, for keeping.

    orjson hands over its output buffer without shrinking it, so a kept answer
    would hold several times the bytes L1 counts (docs/caching.md, "Memory";
    tests/unit/test_answer_cache_memory.py measures what an entry holds).
    """
    return bytes(memoryview(body))


def _decode(raw: object) -> StoredAnswer | None:
    if not isinstance(raw, bytes):
        return None
    head, separator, body = raw.partition(_SEPARATOR)
    if not separator:
        return None
    try:
        expires_at = float(head)
    except ValueError:
        return None
    answer = StoredAnswer.of(body, expires_at=expires_at)
    return None if answer.expired() else answer

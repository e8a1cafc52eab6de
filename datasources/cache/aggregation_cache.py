"""The aggregation cache: fresh for a TTL, last-known value kept for outages.

- Keys are built from the normalised arguments plus the generation the
  request reads (the concrete index behind the alias), so after a release or
  rollback swaps the alias nothing computed from the old generation is fresh.
- Two levels. The shared entry in Redis lives for the TTL; each process also
  holds the value it decoded from that entry (or computed and stored in it)
  until the absolute moment the shared entry expires, which the entry carries
  (`e`). A read of a held value asks Redis nothing, and no process serves a
  value longer than its shared entry lives, so freshness is the same in every
  replica. Held values are bounded in bytes (an estimate from the entry's
  size), least recently used dropped first. A value is held only once it is in
  the shared level: with Redis down nothing is held, and an Elasticsearch
  outage is answered from the last known value, marked stale. Decoding the
  all-manufacturers aggregation is a large share of a picker request
  (docs/caching.md), so held values are shared by every request that reads
  them and must never be mutated (they are frozen dataclasses and tuples).
- A miss of the held level (the Redis read and, when Redis misses too, the
  computation) runs once per key and process however many callers ask (single
  flight), as a task of the cache: a caller cancelled while it waits leaves it
  running for the others.
- When the computation fails because Elasticsearch is unavailable, the last
  known value is served and marked stale: the one in Redis (shared by the
  replicas), or the process's own copy when it is newer or Redis is down too.
  The process keeps the MAX_LAST_KNOWN_VALUES most recently used, so a replica
  still answers (stale) through a double fault of Redis and Elasticsearch.
  Last known values are kept per arguments, whatever the generation: an outage
  right after a swap still serves the previous generation's value, marked
  stale, rather than nothing.
- The cache backend (Redis) is best effort: any failure of it is a miss, never
  a failed request; its operations have tight timeouts (see cache_backend).
  After a timeout the backend is left alone for BACKEND_RETRY_SECONDS, so a
  Redis that hangs costs one request its timeout, not every request three; a
  refused connection costs microseconds, so after one it is asked again in
  REFUSED_RETRY_SECONDS, and caching resumes within that of Redis' return.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

import orjson
from aiocache import Cache
from cachetools import TLRUCache

from datasources.cache.backend import refused
from datasources.elastic.errors import DataSourceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long the last known value outlives its freshness, for outages.
LAST_KNOWN_TTL_SECONDS = 24 * 3600
# How long a failed backend is skipped before it is asked again (the rate limiter waits as long).
BACKEND_RETRY_SECONDS = 5.0
# How long a backend that refused the connection is skipped (often enough to notice its return at once).
REFUSED_RETRY_SECONDS = 0.5
# Last known values kept in the process (one per cache key, least recently used dropped first).
MAX_LAST_KNOWN_VALUES = 64
# Held values per process by default: the picker's aggregation for every search text (about
# 1,700 of a few hundred bytes each) and the unfiltered one fit several times over.
DEFAULT_HELD_MAX_BYTES: Final = 4 * 2**20
# What a held value is charged: its entry's JSON bytes times this, plus a fixed cost per entry.
# Decoded records (frozen dataclasses, tuples, strings) take 3 to 8 times their JSON;
# tests/integration/test_aggregation_held.py measures it and holds the estimate above.
HELD_BYTES_PER_ENTRY_BYTE: Final = 10
HELD_ENTRY_OVERHEAD_BYTES: Final = 512


@dataclass(frozen=True, slots=True)
class _Held:
    value: Any
    computed_at: float
    # The moment the shared entry expires: the held copy goes with it.
    expires_at: float
    size: int


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What a read past the held level found, and whether the cache had it."""

    held: _Held
    hit: bool


@dataclass(frozen=True, slots=True)
class _Known:
    value: Any
    computed_at: float


class CacheObserver(Protocol):
    def on_hit(self, name: str) -> None: ...
    def on_miss(self, name: str) -> None: ...
    def on_stale(self, name: str) -> None: ...
    def on_held(self, *, entries: int, size_bytes: int) -> None: ...


class _NoObserver:
    def on_hit(self, name: str) -> None:
        return None

    def on_miss(self, name: str) -> None:
        return None

    def on_stale(self, name: str) -> None:
        return None

    def on_held(self, *, entries: int, size_bytes: int) -> None:
        return None


class _HeldValues(TLRUCache[str, _Held]):
    """Decoded values until their shared entries expire, within a bound in bytes."""

    def __init__(self, *, max_bytes: int) -> None:
        super().__init__(
            maxsize=max_bytes,
            ttu=lambda _key, held, _now: held.expires_at,
            timer=time.time,
            getsizeof=lambda held: held.size,
        )


@dataclass(frozen=True, slots=True)
class Cached(Generic[T]):
    value: T
    stale: bool
    hit: bool
    computed_at: float


class AggregationCache:
    def __init__(
        self,
        *,
        backend: Cache,
        ttl_seconds: int,
        index_version: Callable[[], str],
        observer: CacheObserver | None = None,
        held_max_bytes: int = DEFAULT_HELD_MAX_BYTES,
    ) -> None:
        self._backend = backend
        self._ttl = ttl_seconds
        self._index_version = index_version
        self._observer: CacheObserver = observer or _NoObserver()
        self._in_flight: dict[str, asyncio.Task[_Loaded]] = {}
        self._backend_retry_at = 0.0
        self._held = _HeldValues(max_bytes=held_max_bytes)
        self._last_known: OrderedDict[str, _Known] = OrderedDict()

    def key(self, name: str, arguments: Any, *, generation: str | None = None) -> str:
        """The fresh entry's key; `generation` defaults to the one the process last saw."""
        return f"agg:{name}:{generation or self._index_version()}:{_digest(arguments)}"

    @staticmethod
    def last_known_key(name: str, arguments: Any) -> str:
        return f"agg-last:{name}:{_digest(arguments)}"

    @property
    def held_bytes(self) -> int:
        """The estimated size of the values this process holds."""
        return int(self._held.currsize)

    def held_until(self, key: str) -> float | None:
        """When the value held for `key` expires (when its shared entry does); None if none is held."""
        held = self._held.get(key)
        return None if held is None else held.expires_at

    def held(self, *, name: str, arguments: Any, generation: str | None = None) -> Cached[Any] | None:
        """The value this process holds for the entry, without waiting; None when it holds none.

        A resolver that can answer at once asks here first and only then through a loader.
        """
        return self._held_value(
            name, self.key(name, arguments, generation=generation), self.last_known_key(name, arguments)
        )

    def _held_value(self, name: str, key: str, last_key: str) -> Cached[Any] | None:
        held = self._held.get(key)
        if held is None:
            return None
        self._observer.on_hit(name)
        self._keep_known(last_key, held.value, held.computed_at)
        return Cached(value=held.value, stale=False, hit=True, computed_at=held.computed_at)

    async def get_or_compute(
        self,
        *,
        name: str,
        arguments: Any,
        compute: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        generation: str | None = None,
    ) -> Cached[T]:
        """The cached value, computed on a miss; `generation` is the one `compute` reads."""
        generation = generation or self._index_version()
        key = self.key(name, arguments, generation=generation)
        last_key = self.last_known_key(name, arguments)
        held = self._held_value(name, key, last_key)
        if held is not None:
            return held
        try:
            loaded = await self._single_flight(
                key, last_key, generation=generation, compute=compute, encode=encode, decode=decode
            )
        except DataSourceUnavailable:
            self._observer.on_miss(name)
            last = self._last_known_value(last_key, shared=await self._read(last_key), decode=decode)
            if last is None:
                raise
            self._observer.on_stale(name)
            log.warning("serving a stale aggregation", extra={"context": {"cache": name}})
            return Cached(value=last.value, stale=True, hit=True, computed_at=last.computed_at)
        if loaded.hit:
            self._observer.on_hit(name)
        else:
            self._observer.on_miss(name)
        value, computed_at = loaded.held.value, loaded.held.computed_at
        self._keep_known(last_key, value, computed_at)
        return Cached(value=value, stale=False, hit=loaded.hit, computed_at=computed_at)

    def _keep_known(self, key: str, value: Any, computed_at: float) -> None:
        kept = self._last_known.get(key)
        if kept is not None and kept.computed_at >= computed_at:
            self._last_known.move_to_end(key)
            return
        self._last_known[key] = _Known(value=value, computed_at=computed_at)
        self._last_known.move_to_end(key)
        if len(self._last_known) > MAX_LAST_KNOWN_VALUES:
            self._last_known.popitem(last=False)

    def _last_known_value(
        self, key: str, *, shared: dict[str, Any] | None, decode: Callable[[Any], Any]
    ) -> _Known | None:
        """The newer of Redis's last known entry and the process's own copy."""
        own = self._last_known.get(key)
        if shared is not None and (own is None or shared["t"] > own.computed_at):
            self._keep_known(key, decode(shared["v"]), shared["t"])
        elif own is not None:
            self._last_known.move_to_end(key)
        return self._last_known.get(key)

    def _hold(self, key: str, held: _Held) -> None:
        if held.size <= self._held.maxsize and held.expires_at > time.time():
            self._held[key] = held
        self._observer.on_held(entries=len(self._held), size_bytes=self.held_bytes)

    async def _single_flight(
        self,
        key: str,
        last_key: str,
        *,
        generation: str,
        compute: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> _Loaded:
        # The read is a task of the cache, not of the caller that started it:
        # graphql-core cancels a field when a non-null sibling fails, and a client
        # may disconnect, and neither may fail the other callers waiting on it.
        running = self._in_flight.get(key)
        if running is None:
            running = asyncio.create_task(
                self._load(
                    key, last_key, generation=generation, compute=compute, encode=encode, decode=decode
                )
            )
            self._in_flight[key] = running
            running.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(running)

    async def _load(
        self,
        key: str,
        last_key: str,
        *,
        generation: str,
        compute: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> _Loaded:
        """The shared entry decoded, or on its miss the value computed and stored; held either way."""
        raw = await self._read_raw(key)
        stored = _entry(raw)
        if raw is not None and stored is not None:
            computed_at = float(stored["t"])
            held = _Held(
                value=decode(stored["v"]),
                computed_at=computed_at,
                # An entry written before the expiry travelled with it lives for the TTL.
                expires_at=float(stored.get("e", computed_at + self._ttl)),
                size=held_size(raw),
            )
            self._hold(key, held)
            return _Loaded(held=held, hit=True)
        encoded = encode(await compute())
        computed_at = time.time()
        # Taken before the write, so the shared entry outlives its held copies, never the reverse.
        expires_at = computed_at + self._ttl
        payload = orjson.dumps({"v": encoded, "t": computed_at, "g": generation, "e": expires_at})
        # Decoded from its encoding: every reader shares the same immutable form.
        held = _Held(
            value=decode(encoded), computed_at=computed_at, expires_at=expires_at, size=held_size(payload)
        )
        if await self._write(key, last_key, payload):
            self._hold(key, held)
        return _Loaded(held=held, hit=False)

    def _settled(self, key: str, done: asyncio.Task[_Loaded]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved: a failure every caller left is not logged as unobserved

    async def aclose(self) -> None:
        """Cancels the reads and computations still running (at shutdown, before the clients close)."""
        running = list(self._in_flight.values())
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    def _backend_usable(self) -> bool:
        return time.monotonic() >= self._backend_retry_at

    def _backend_failed(self, operation: str, error: Exception) -> None:
        pause = REFUSED_RETRY_SECONDS if refused(error) else BACKEND_RETRY_SECONDS
        self._backend_retry_at = time.monotonic() + pause
        log.warning(
            f"cache {operation} failed; the cache is skipped for {pause:g} s",
            extra={"context": {"error": type(error).__name__}},
        )

    async def _read(self, key: str) -> dict[str, Any] | None:
        return _entry(await self._read_raw(key))

    async def _read_raw(self, key: str) -> str | bytes | None:
        if not self._backend_usable():
            return None
        try:
            raw = await self._backend.get(key)
        except Exception as error:  # a broken cache is a miss, never a failed request
            self._backend_failed("read", error)
            return None
        return raw if isinstance(raw, str | bytes) else None

    async def _write(self, key: str, last_key: str, payload: bytes) -> bool:
        """Whether the fresh entry reached the backend."""
        if not self._backend_usable():
            return False
        text = payload.decode()
        try:
            await self._backend.set(key, text, ttl=self._ttl)
            await self._backend.set(last_key, text, ttl=LAST_KNOWN_TTL_SECONDS)
        except Exception as error:  # the value is still returned; only caching is lost
            self._backend_failed("write", error)
            return False
        return True


def _digest(arguments: Any) -> str:
    return hashlib.sha256(orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def held_size(entry: str | bytes) -> int:
    return len(entry) * HELD_BYTES_PER_ENTRY_BYTE + HELD_ENTRY_OVERHEAD_BYTES


def _entry(raw: str | bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None

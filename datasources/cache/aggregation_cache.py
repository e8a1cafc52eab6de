"""The aggregation cache: fresh for a TTL, last-known value kept for outages.

- Keys are built from the normalised arguments plus the generation the
  request reads (the concrete index behind the alias), so after a release or
  rollback swaps the alias nothing computed from the old generation is fresh.
- Concurrent misses for one key share ONE computation (single flight, per process),
  which runs as a task of the cache: a caller cancelled while it waits leaves it
  running for the others.
- When the computation fails because Elasticsearch is unavailable, the last
  known value is served and marked stale: the one in Redis (shared by the
  replicas), or the process's own copy when it is newer or Redis is down too.
  The process keeps the MAX_LAST_KNOWN_VALUES most recently used, so a replica
  still answers (stale) through a double fault of Redis and Elasticsearch.
  Last known values are kept per arguments, whatever the generation: an outage
  right after a swap still serves the previous generation's value, marked
  stale, rather than nothing.
- The value decoded from an entry is kept, with the entry's bytes, and handed to
  the next read that finds the same bytes: decoding the all-manufacturers
  aggregation (1,777 records from 42 KB of JSON) cost several ms a read, and
  every request within the TTL reads the same bytes. So decoded values are
  shared and must never be mutated (they are frozen dataclasses and tuples).
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
from typing import Any, Generic, Protocol, TypeVar

import orjson
from aiocache import Cache

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
# Decoded values kept (one per cache key): a few distinct filters are hot at once.
MAX_DECODED_VALUES = 32
# Last known values kept in the process (one per cache key, least recently used dropped first).
MAX_LAST_KNOWN_VALUES = 64


@dataclass(frozen=True, slots=True)
class _Decoded:
    raw: str | bytes
    value: Any
    computed_at: float


@dataclass(frozen=True, slots=True)
class _Known:
    value: Any
    computed_at: float


class CacheObserver(Protocol):
    def on_hit(self, name: str) -> None: ...
    def on_miss(self, name: str) -> None: ...
    def on_stale(self, name: str) -> None: ...


class _NoObserver:
    def on_hit(self, name: str) -> None:
        return None

    def on_miss(self, name: str) -> None:
        return None

    def on_stale(self, name: str) -> None:
        return None


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
    ) -> None:
        self._backend = backend
        self._ttl = ttl_seconds
        self._index_version = index_version
        self._observer: CacheObserver = observer or _NoObserver()
        self._in_flight: dict[str, asyncio.Task[tuple[Any, float]]] = {}
        self._backend_retry_at = 0.0
        self._decoded: dict[str, _Decoded] = {}
        self._last_known: OrderedDict[str, _Known] = OrderedDict()

    def key(self, name: str, arguments: Any, *, generation: str | None = None) -> str:
        """The fresh entry's key; `generation` defaults to the one the process last saw."""
        return f"agg:{name}:{generation or self._index_version()}:{_digest(arguments)}"

    @staticmethod
    def last_known_key(name: str, arguments: Any) -> str:
        return f"agg-last:{name}:{_digest(arguments)}"

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
        raw = await self._read_raw(key)
        known = self._decoded.get(key) if raw is not None else None
        if raw is not None and known is not None and known.raw == raw:
            self._observer.on_hit(name)
            self._keep_known(last_key, known.value, known.computed_at)
            return Cached(value=known.value, stale=False, hit=True, computed_at=known.computed_at)
        stored = _entry(raw)
        if raw is not None and stored is not None:
            self._observer.on_hit(name)
            value = decode(stored["v"])
            self._remember(key, _Decoded(raw=raw, value=value, computed_at=stored["t"]))
            self._keep_known(last_key, value, stored["t"])
            return Cached(value=value, stale=False, hit=True, computed_at=stored["t"])
        self._observer.on_miss(name)
        try:
            encoded, computed_at = await self._single_flight(
                key, last_key, generation=generation, compute=compute, encode=encode
            )
        except DataSourceUnavailable:
            last = self._last_known_value(last_key, shared=await self._read(last_key), decode=decode)
            if last is None:
                raise
            self._observer.on_stale(name)
            log.warning("serving a stale aggregation", extra={"context": {"cache": name}})
            return Cached(value=last.value, stale=True, hit=True, computed_at=last.computed_at)
        value = decode(encoded)
        self._keep_known(last_key, value, computed_at)
        return Cached(value=value, stale=False, hit=False, computed_at=computed_at)

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

    def _remember(self, key: str, decoded: _Decoded) -> None:
        if key not in self._decoded and len(self._decoded) >= MAX_DECODED_VALUES:
            self._decoded.pop(next(iter(self._decoded)))  # the oldest kept
        self._decoded[key] = decoded

    async def _single_flight(
        self,
        key: str,
        last_key: str,
        *,
        generation: str,
        compute: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
    ) -> tuple[Any, float]:
        # The computation is a task of the cache, not of the caller that started it:
        # graphql-core cancels a field when a non-null sibling fails, and a client
        # may disconnect, and neither may fail the other callers waiting on it.
        running = self._in_flight.get(key)
        if running is None:
            running = asyncio.create_task(
                self._compute_and_store(key, last_key, generation=generation, compute=compute, encode=encode)
            )
            self._in_flight[key] = running
            running.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(running)

    async def _compute_and_store(
        self,
        key: str,
        last_key: str,
        *,
        generation: str,
        compute: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
    ) -> tuple[Any, float]:
        encoded = encode(await compute())
        computed_at = time.time()
        await self._write(key, last_key, {"v": encoded, "t": computed_at, "g": generation})
        return encoded, computed_at

    def _settled(self, key: str, done: asyncio.Task[tuple[Any, float]]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved: a failure every caller left is not logged as unobserved

    async def aclose(self) -> None:
        """Cancels the computations still running (at shutdown, before the clients close)."""
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

    async def _write(self, key: str, last_key: str, entry: dict[str, Any]) -> None:
        if not self._backend_usable():
            return
        payload = orjson.dumps(entry).decode()
        try:
            await self._backend.set(key, payload, ttl=self._ttl)
            await self._backend.set(last_key, payload, ttl=LAST_KNOWN_TTL_SECONDS)
        except Exception as error:  # the value is still returned; only caching is lost
            self._backend_failed("write", error)


def _digest(arguments: Any) -> str:
    return hashlib.sha256(orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def _entry(raw: str | bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None

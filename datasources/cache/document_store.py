"""Documents registered by hash (automatic persisted queries): in the process, and in Redis for replicas.

A browser registers a document once (POST with the text and its hash) and
from then on sends the hash alone, often by GET through a CDN that may land
on another replica: so registrations are shared through Redis.

Anyone may register, so what Redis holds is bounded by this store, not by
Redis' eviction: at most `max_bytes` of Redis memory and `max_count`
documents, the least recently used going first. A document is charged what
Redis spends on it (`MEMORY USAGE` of its key, the allocator's rounding
included) plus `BOOKKEEPING_BYTES` for its entries in the sorted set and hash. The documents are kept
without a TTL, so a `volatile-lru` Redis never evicts them (nor, through them,
the answers' room), and the bookkeeping lives beside them: a sorted set of
hashes by last use, a hash of their sizes and the running total, updated by
one script per registration, which evicts in the same step. Every key shares
one hash tag, so the scripts also run on a Redis Cluster. A use read from this
process's own copy refreshes the last-use time in Redis at most once per
`TOUCH_SECONDS`, so a document hot on one replica is not the first to go.

The store trusts nothing it is given: the caller checks the hash first.
Redis failing or slow makes a registration local and a lookup a miss (the
client registers again); requests never fail because of it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Final

from cachetools import LRUCache
from redis.asyncio import Redis
from redis.exceptions import RedisError

from datasources.cache.bounded_redis import bounded_redis

log = logging.getLogger(__name__)

# The documents kept in the process; the largest allowed document is 32 Ki characters.
MAX_LOCAL_BYTES: Final = 8 * 2**20
BACKEND_RETRY_SECONDS: Final = 5.0
# How stale a document's last use in Redis may be while this process serves it from its own copy.
TOUCH_SECONDS: Final = 60.0
REDIS_TIMEOUT_SECONDS: Final = 0.25
REDIS_MAX_CONNECTIONS: Final = 16
# A document's entries in the last-use sorted set and the sizes hash (measured in docs/caching.md).
BOOKKEEPING_BYTES: Final = 160

# KEYS: the document, the last-use sorted set, the sizes hash, the byte total, the use counter.
# ARGV: hash, text, max bytes, max count, the documents' key prefix, bookkeeping bytes per document.
# Last use is a counter in Redis,
# so uses order strictly (two in one millisecond too) and replicas' clocks do not matter.
# Returns {documents evicted, bytes held, documents held}.
_REGISTER = """
local hash, text = ARGV[1], ARGV[2]
redis.call('SET', KEYS[1], text)
local size = redis.call('MEMORY', 'USAGE', KEYS[1]) + tonumber(ARGV[6])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), hash)
local previous = tonumber(redis.call('HGET', KEYS[3], hash) or '0')
redis.call('HSET', KEYS[3], hash, size)
local total = redis.call('INCRBY', KEYS[4], size - previous)
local count = redis.call('ZCARD', KEYS[2])
local max_bytes, max_count = tonumber(ARGV[3]), tonumber(ARGV[4])
local evicted = 0
while total > max_bytes or count > max_count do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local victim = oldest[1]
  total = redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[3], victim) or '0'))
  redis.call('HDEL', KEYS[3], victim)
  redis.call('DEL', ARGV[5] .. victim)
  count = count - 1
  evicted = evicted + 1
end
return {evicted, total, count}
"""

# KEYS: the document, the last-use sorted set, the use counter. ARGV: hash, whether to return the text.
_USE = """
local found
if ARGV[2] == '1' then found = redis.call('GET', KEYS[1]) else found = redis.call('EXISTS', KEYS[1]) == 1 end
if not found then return false end
redis.call('ZADD', KEYS[2], 'XX', redis.call('INCR', KEYS[3]), ARGV[1])
return found
"""


@dataclass(frozen=True, slots=True)
class StoreBounds:
    max_bytes: int
    max_count: int


@dataclass(frozen=True, slots=True)
class StoreUsage:
    """What the store holds in Redis, as its own bookkeeping counts it."""

    documents: int
    # Redis memory charged to them (see the module's docstring).
    bytes: int


class _Keys:
    def __init__(self, namespace: str) -> None:
        tag = f"{namespace}:{{apq}}"
        self.document_prefix = f"{tag}:doc:"
        self.last_use = f"{tag}:last-use"
        self.sizes = f"{tag}:sizes"
        self.total = f"{tag}:bytes"
        self.uses = f"{tag}:uses"

    def document(self, sha256_hash: str) -> str:
        return self.document_prefix + sha256_hash


class _Local:
    __slots__ = ("text", "touched_at")

    def __init__(self, text: str, touched_at: float) -> None:
        self.text = text
        self.touched_at = touched_at


class DocumentStore:
    def __init__(
        self,
        *,
        redis: Redis | None,
        bounds: StoreBounds,
        namespace: str = "autos-graph",
        max_local_bytes: int = MAX_LOCAL_BYTES,
    ) -> None:
        self._redis = redis
        self._bounds = bounds
        self._keys = _Keys(namespace)
        self._local: LRUCache[str, _Local] = LRUCache(
            maxsize=min(max_local_bytes, bounds.max_bytes), getsizeof=lambda entry: len(entry.text)
        )
        self._backend_retry_at = 0.0

    @property
    def bounds(self) -> StoreBounds:
        return self._bounds

    async def get(self, sha256_hash: str) -> str | None:
        local = self._local.get(sha256_hash)
        if local is not None:
            if time.monotonic() - local.touched_at >= TOUCH_SECONDS:
                local.touched_at = time.monotonic()
                await self._use(sha256_hash, fetch=False)
            return local.text
        raw = await self._use(sha256_hash, fetch=True)
        if isinstance(raw, bytes):
            text = raw.decode()
            self._remember(sha256_hash, text)
            return text
        return None

    async def put(self, sha256_hash: str, document: str) -> None:
        self._remember(sha256_hash, document)
        redis = self._usable()
        if redis is None:
            return
        keys = self._keys
        try:
            await redis.eval(
                _REGISTER,
                5,
                keys.document(sha256_hash),
                keys.last_use,
                keys.sizes,
                keys.total,
                keys.uses,
                sha256_hash,
                document,
                self._bounds.max_bytes,
                self._bounds.max_count,
                keys.document_prefix,
                BOOKKEEPING_BYTES,
            )
        except (RedisError, OSError, TimeoutError) as error:  # other replicas will ask for it again
            self._failed("write", error)

    async def usage(self) -> StoreUsage:
        """The documents and bytes held in Redis (what the bounds apply to)."""
        if self._redis is None:
            return StoreUsage(documents=len(self._local), bytes=int(self._local.currsize))
        documents = await self._redis.zcard(self._keys.last_use)
        total = await self._redis.get(self._keys.total)
        return StoreUsage(documents=int(documents), bytes=int(total or 0))

    async def close(self) -> None:
        if self._redis is not None:
            try:
                await self._redis.aclose()
            except Exception:  # closing a dead connection must not block shutdown
                return

    async def _use(self, sha256_hash: str, *, fetch: bool) -> object:
        redis = self._usable()
        if redis is None:
            return None
        keys = self._keys
        try:
            return await redis.eval(
                _USE,
                3,
                keys.document(sha256_hash),
                keys.last_use,
                keys.uses,
                sha256_hash,
                "1" if fetch else "0",
            )
        except (RedisError, OSError, TimeoutError) as error:  # an unreachable store is an unknown hash
            self._failed("read", error)
            return None

    def _remember(self, sha256_hash: str, document: str) -> None:
        if len(document) <= self._local.maxsize:
            self._local[sha256_hash] = _Local(document, time.monotonic())

    def _usable(self) -> Redis | None:
        return self._redis if time.monotonic() >= self._backend_retry_at else None

    def _failed(self, operation: str, error: Exception) -> None:
        self._backend_retry_at = time.monotonic() + BACKEND_RETRY_SECONDS
        log.warning(
            f"persisted query store {operation} failed; Redis is skipped for {BACKEND_RETRY_SECONDS:g} s",
            extra={"context": {"error": type(error).__name__}},
        )


def open_document_redis(redis_url: str) -> Redis:
    """A client of its own, bounded like the cache's: a slow Redis is a miss, not a slow request."""
    return bounded_redis(
        redis_url,
        max_connections=REDIS_MAX_CONNECTIONS,
        operation_timeout=REDIS_TIMEOUT_SECONDS,
        connect_timeout=REDIS_TIMEOUT_SECONDS,
    )

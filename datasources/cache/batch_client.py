"""Batched reads and writes of cache values in one command each, on the client the cache holds.

The answer cache reads and writes Redis in batches (read_batches.py,
write_behind.py), and on the cold path every request pays a share of them.
Through aiocache a batch costs the worker far more than the command itself
(docs/caching.md has the figures): aiocache's per-call plugin and timeout
wrappers, and for a write with a TTL a MULTI, an MSET and one PEXPIRE a key in
a transaction. So against Redis a batch goes straight to the redis-py client
aiocache holds, under the keys aiocache reads (both reached through
datasources/compat/aiocache.py), and a write is one EVALSHA of a short script
that sets every value with its own expiry: one command and one reply whatever
the batch holds.

Every batch is bounded by the cache's operation timeout: the pool aiocache
opens (backend.py) gives redis-py that bound for connecting and for every reply
it awaits, so a second timer around a batch would only cost CPU. The memory
backend (no `REDIS_URL`) goes through aiocache's own API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol, cast

from aiocache import Cache, RedisCache

from datasources.compat.aiocache import key_builder, redis_client

# KEYS are the keys; ARGV holds, for each key in turn, its value and its time to live in ms.
SET_WITH_EXPIRIES: Final = """
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i])
end
return #KEYS
"""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    value: bytes
    ttl_ms: int


class BatchClient(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set_many(self, entries: Sequence[Entry]) -> None: ...


def batch_client(cache: Cache) -> BatchClient:
    """The cheapest way to send batches to `cache`'s backend (a binary cache: values are bytes)."""
    if isinstance(cache, RedisCache):
        return RedisBatchClient(cache)
    return CacheBatchClient(cache)


class RedisBatchClient:
    """MGET and one scripted SET ... PX a key, on the redis-py client of an aiocache Redis cache."""

    def __init__(self, cache: RedisCache) -> None:
        self._client = redis_client(cache)
        self._key = key_builder(cache)
        self._set = self._client.register_script(SET_WITH_EXPIRIES)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        values = await self._client.mget([self._key(key) for key in keys])
        # The client's replies are never decoded: values are bytes.
        return cast("list[bytes | None]", values)

    async def set_many(self, entries: Sequence[Entry]) -> None:
        arguments: list[bytes | int] = []
        for entry in entries:
            arguments += (entry.value, entry.ttl_ms)
        # EVALSHA; redis-py loads the script again when Redis has lost it (NOSCRIPT).
        await self._set(keys=[self._key(entry.key) for entry in entries], args=arguments)


class CacheBatchClient:
    """Through aiocache's own API: the memory backend, where a call costs no round trip."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        values: list[bytes | None] = await self._cache.multi_get(list(keys))
        return values

    async def set_many(self, entries: Sequence[Entry]) -> None:
        # One TTL a call: the longest of the batch (each value carries its own expiry).
        ttl = max(entry.ttl_ms for entry in entries) / 1000
        await self._cache.multi_set([(entry.key, entry.value) for entry in entries], ttl=ttl)

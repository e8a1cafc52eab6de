"""Batched reads and writes of cache values, one aiocache call a batch.

The answer cache reads and writes its Redis copies in batches (read_batches.py,
write_behind.py). A read batch is aiocache's `multi_get` (on Redis one MGET), a
write batch its `multi_set` (an MSET and one PEXPIRE a key in one transaction:
one round trip), each bounded by the cache's operation timeout (backend.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiocache import Cache


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    value: bytes
    ttl_ms: int


class BatchClient:
    """The batches of a binary cache (values are bytes)."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        values: list[bytes | None] = await self._cache.multi_get(list(keys))
        return values

    async def set_many(self, entries: Sequence[Entry]) -> None:
        # aiocache takes one TTL a call: the longest of the batch. Each value also carries
        # its own expiry, which readers check (answer_cache.py).
        ttl = max(entry.ttl_ms for entry in entries) / 1000
        await self._cache.multi_set([(entry.key, entry.value) for entry in entries], ttl=ttl)

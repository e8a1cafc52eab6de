"""Batches reach the cache through aiocache: on Redis one MGET a read, one transaction a write.

A private redis-server (tests/support/redis_server.py), so its command
statistics count only this test's commands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from aiocache import Cache

from datasources.cache.backend import close_cache, open_cache
from datasources.cache.batch_client import BatchClient, Entry
from tests.support.redis_server import RedisServer, commands_called

NAMESPACE = "batch-client"


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[Cache]:
    cache = open_cache(redis_url=redis_server.url, namespace=NAMESPACE, binary=True)
    yield cache
    await close_cache(cache)


async def test_bytes_round_trip_under_aiocaches_keys(backend: Cache) -> None:
    client = BatchClient(backend)
    await client.set_many([Entry(key="shared", value=b"\x00bytes\xff", ttl_ms=30_000)])
    assert await backend.get("shared") == b"\x00bytes\xff"
    await backend.set("from aiocache", b"value")
    assert await client.get_many(["from aiocache", "shared", "missing"]) == [b"value", b"\x00bytes\xff", None]


async def test_a_batch_is_one_round_trip_each_way(backend: Cache, admin: redis.Redis) -> None:
    client = BatchClient(backend)
    entries = [Entry(key=f"k{number}", value=b"v%d" % number, ttl_ms=10_000 + number) for number in range(8)]
    await backend.get("connected")  # connected before the statistics are reset
    await admin.config_resetstat()
    await client.set_many(entries)
    assert await client.get_many([entry.key for entry in entries]) == [entry.value for entry in entries]
    used = await commands_called(admin)
    assert (used.get("multi"), used.get("mset"), used.get("exec")) == (1, 1, 1), used
    assert used.get("mget") == 1, used
    assert not {"get", "set"} & used.keys(), used
    # One TTL a batch, the longest: no copy is kept shorter than its own.
    longest = max(entry.ttl_ms for entry in entries)
    for entry in entries:
        assert longest - 1000 < await admin.pttl(f"{NAMESPACE}:{entry.key}") <= longest


async def test_the_memory_backend_goes_through_aiocache_too() -> None:
    cache = open_cache(redis_url=None, namespace=NAMESPACE, binary=True)
    client = BatchClient(cache)
    await client.set_many([Entry(key="a", value=b"1", ttl_ms=30_000), Entry(key="b", value=b"2", ttl_ms=5)])
    assert await client.get_many(["a", "b", "c"]) == [b"1", b"2", None]
    await close_cache(cache)

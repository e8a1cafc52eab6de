"""Batches go to Redis on the redis-py client aiocache holds, under the keys aiocache reads.

The aiocache names this relies on are pinned in tests/unit/test_compat_aiocache.py;
here a real Redis shows the two agree.

A private redis-server (tests/support/redis_server.py): one test flushes its
script cache, which the shared Redis must not suffer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from aiocache import Cache

from datasources.cache.backend import close_cache, open_cache
from datasources.cache.batch_client import (
    CacheBatchClient,
    Entry,
    RedisBatchClient,
    batch_client,
)
from tests.support.redis_server import RedisServer, commands_called

NAMESPACE = "batch-client"


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[Cache]:
    cache = open_cache(redis_url=redis_server.url, namespace=NAMESPACE, binary=True)
    yield cache
    await close_cache(cache)


async def test_aiocache_hands_over_its_redis_client_and_key_scheme(backend: Cache) -> None:
    # An aiocache upgrade that renames `client` or changes how keys are built fails here too.
    client = batch_client(backend)
    assert isinstance(client, RedisBatchClient)
    await client.set_many([Entry(key="shared", value=b"\x00bytes\xff", ttl_ms=30_000)])
    assert await backend.get("shared") == b"\x00bytes\xff"  # aiocache reads what was written
    await backend.set("from aiocache", b"value")
    assert await client.get_many(["from aiocache", "shared", "missing"]) == [b"value", b"\x00bytes\xff", None]


async def test_a_batch_is_one_command_each_way(backend: Cache, admin: redis.Redis) -> None:
    client = batch_client(backend)
    entries = [Entry(key=f"k{number}", value=b"v%d" % number, ttl_ms=10_000 + number) for number in range(8)]
    await client.set_many(entries[:1])  # Redis learns the script
    await admin.config_resetstat()
    await client.set_many(entries)
    assert await client.get_many([entry.key for entry in entries]) == [entry.value for entry in entries]
    used = await commands_called(admin)
    assert used.get("evalsha") == 1, used
    assert used.get("mget") == 1, used
    assert not {"multi", "mset", "pexpire", "get"} & used.keys(), used
    for entry in entries:
        assert entry.ttl_ms - 1000 < await admin.pttl(f"{NAMESPACE}:{entry.key}") <= entry.ttl_ms


async def test_the_write_script_is_loaded_again_when_redis_lost_it(
    backend: Cache, admin: redis.Redis
) -> None:
    client = batch_client(backend)
    await client.set_many([Entry(key="before", value=b"1", ttl_ms=30_000)])
    await admin.script_flush()  # as after a restart of Redis
    await client.set_many([Entry(key="after", value=b"2", ttl_ms=30_000)])
    assert await admin.get(f"{NAMESPACE}:after") == b"2"


async def test_the_memory_backend_goes_through_aiocache() -> None:
    cache = open_cache(redis_url=None, namespace=NAMESPACE, binary=True)
    client = batch_client(cache)
    assert isinstance(client, CacheBatchClient)
    await client.set_many([Entry(key="a", value=b"1", ttl_ms=30_000), Entry(key="b", value=b"2", ttl_ms=5)])
    assert await client.get_many(["a", "b", "c"]) == [b"1", b"2", None]
    await close_cache(cache)

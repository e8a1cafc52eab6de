"""Cache reads gathered while the loop turns leave as one MGET, against a private redis-server.

A private server (tests/support/redis_server.py), so its command statistics
count only this test's commands, and it can be killed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from aiocache import Cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from datasources.cache.answer_cache import AnswerCache, Computed
from datasources.cache.backend import close_cache, open_cache
from datasources.cache.batch_client import BatchClient
from datasources.cache.read_batches import ReadBatches
from tests.support.redis_server import RedisServer, commands_called

# Turns of the event loop a read may take once its fate is known (no I/O, no timer in between).
LOOP_TURNS = 20
NAMESPACE = "read-batches"


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[Cache]:
    cache = open_cache(redis_url=redis_server.url, namespace=NAMESPACE, binary=True)
    await cache.get("connected")  # connected before the statistics are reset
    yield cache
    await close_cache(cache)


async def test_reads_of_one_turn_share_one_mget(backend: Cache, admin: redis.Redis) -> None:
    await admin.mset({f"{NAMESPACE}:a": b"1", f"{NAMESPACE}:b": b"2"})
    await admin.config_resetstat()
    reads = ReadBatches(client=BatchClient(backend))
    values = await asyncio.gather(*(reads.get(key) for key in ("a", "b", "a", "missing")))
    assert values == [b"1", b"2", b"1", None]
    used = await commands_called(admin)
    assert used.get("mget") == 1, used
    assert "get" not in used


async def test_a_read_alone_is_an_mget_of_one_key(backend: Cache, admin: redis.Redis) -> None:
    await admin.set(f"{NAMESPACE}:a", b"1")
    await admin.config_resetstat()
    reads = ReadBatches(client=BatchClient(backend))
    assert await reads.get("a") == b"1"
    assert await reads.get("missing") is None
    used = await commands_called(admin)
    assert used.get("mget") == 2, used
    assert "get" not in used


async def test_reads_gather_while_a_batch_is_on_the_wire(backend: Cache, admin: redis.Redis) -> None:
    await admin.mset({f"{NAMESPACE}:{key}": key.encode() for key in "abcd"})
    await admin.config_resetstat()
    reads = ReadBatches(client=BatchClient(backend))
    await admin.client_pause(100, all=True)  # the first batch is held on the wire
    first = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.02)
    later = [asyncio.create_task(reads.get(key)) for key in "bcd"]
    for _ in range(3):  # turns of the loop that would each have sent a batch of its own
        await asyncio.sleep(0)
    assert not any(task.done() for task in later)
    assert await first == b"a"
    assert await asyncio.gather(*later) == [b"b", b"c", b"d"]
    used = await commands_called(admin)
    assert used.get("mget") == 2, used  # the first, then the three that gathered behind it
    await reads.aclose()


async def test_closing_waits_for_the_batch_on_the_wire_and_the_one_behind_it(
    backend: Cache, admin: redis.Redis
) -> None:
    await admin.mset({f"{NAMESPACE}:a": b"1", f"{NAMESPACE}:b": b"2"})
    reads = ReadBatches(client=BatchClient(backend))
    await admin.client_pause(50, all=True)
    first = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(reads.get("b"))
    await asyncio.sleep(0)
    await reads.aclose()
    assert first.done()
    assert second.done()
    assert (first.result(), second.result()) == (b"1", b"2")


async def test_concurrent_answer_misses_cost_one_read_and_one_write(
    backend: Cache, admin: redis.Redis
) -> None:
    cache = AnswerCache(backend=backend, ttl_seconds=30, max_bytes=2**20, generation=lambda: "v1")

    async def compute() -> Computed[str]:
        return Computed(result="answer", body=b'{"data":{"n":1}}')

    await cache.answer(cache.key("first"), compute=compute)
    await cache.flush()
    await admin.config_resetstat()
    await asyncio.gather(*(cache.answer(cache.key(f"miss {n}"), compute=compute) for n in range(20)))
    await cache.flush()
    used = await commands_called(admin)
    assert used.get("mget") == 1, used
    assert (used.get("multi"), used.get("mset"), used.get("exec")) == (1, 1, 1), used  # the 20 copies
    assert not {"get", "set", "setex", "psetex"} & used.keys(), used


async def test_a_failed_batch_fails_every_read_in_it(backend: Cache, redis_server: RedisServer) -> None:
    reads = ReadBatches(client=BatchClient(backend))
    redis_server.kill()
    results = await asyncio.gather(*(reads.get(key) for key in ("a", "b")), return_exceptions=True)
    assert all(isinstance(result, RedisConnectionError) for result in results), results


async def test_a_reader_that_leaves_does_not_disturb_the_others(backend: Cache, admin: redis.Redis) -> None:
    await admin.set(f"{NAMESPACE}:a", b"1")
    reads = ReadBatches(client=BatchClient(backend))
    leaving = asyncio.create_task(reads.get("a"))
    staying = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0)  # both joined the batch
    leaving.cancel()
    assert await staying == b"1"
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_reads_behind_a_failed_batch_miss_at_once(backend: Cache, admin: redis.Redis) -> None:
    await admin.set(f"{NAMESPACE}:a", b"1")
    failed_at: list[float] = []
    reads = ReadBatches(client=BatchClient(backend), usable=lambda: not failed_at)

    async def read(key: str) -> object:
        try:
            return await reads.get(key)
        except Exception:
            failed_at.append(time.monotonic())  # as the answer cache starts its backoff
            raise

    await admin.client_pause(1000, all=True)  # longer than the operation timeout: the batch fails
    first = asyncio.create_task(read("a"))
    await asyncio.sleep(0.01)
    behind = asyncio.create_task(read("a"))
    with pytest.raises((RedisTimeoutError, TimeoutError)):  # aiocache's bound or redis-py's, both 0.25 s
        await first
    # In order of events: the read behind is answered within turns of the loop after the failure,
    # which a second round trip to the paused Redis (a second timeout) could never be.
    for _ in range(LOOP_TURNS):
        if behind.done():
            break
        await asyncio.sleep(0)
    assert behind.done(), f"the read behind the failed batch was not answered within {LOOP_TURNS} turns"
    assert behind.result() is None  # a miss
    assert len(failed_at) == 1  # and not a failure of its own
    await admin.client_unpause()

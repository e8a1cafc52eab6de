"""Held aggregations against real Redis: each process keeps a decoded value until its shared entry expires.

Two AggregationCache objects on one Redis namespace stand for two replicas.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiocache import Cache
from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache, held_size
from datasources.cache.backend import close_cache, open_cache
from datasources.vehicles.manufacturer_groups import cached_manufacturer_groups
from datasources.vehicles.vehicle_filter import VehicleFilter
from tests.conftest import REDIS_URL


class Counting:
    """compute and decode that count their calls; values are tuples, as the cache requires."""

    def __init__(self) -> None:
        self.computed = 0
        self.decoded = 0
        self.answer = ("ford", 3)

    async def compute(self) -> tuple[Any, ...]:
        self.computed += 1
        return self.answer

    def decode(self, raw: Any) -> tuple[Any, ...]:
        self.decoded += 1
        return tuple(raw)


@pytest.fixture
async def namespace() -> AsyncIterator[str]:
    # A namespace of its own: nothing from other tests or runs.
    name = f"autos-graph-test-held:{uuid.uuid4().hex}"
    yield name
    backend = open_cache(redis_url=REDIS_URL, namespace=name)
    await backend.clear()
    await close_cache(backend)


@pytest.fixture
async def backends(namespace: str) -> AsyncIterator[list[Cache]]:
    """Redis clients on the test's namespace, one per replica, closed at the end."""
    opened: list[Cache] = []
    yield opened
    for backend in opened:
        await close_cache(backend)


def replica(namespace: str, backends: list[Cache], **options: Any) -> AggregationCache:
    backend = open_cache(redis_url=REDIS_URL, namespace=namespace)
    backends.append(backend)
    return AggregationCache(
        backend=backend, ttl_seconds=options.pop("ttl_seconds", 30), index_version=lambda: "v1", **options
    )


async def read(cache: AggregationCache, counting: Counting, arguments: Any = None) -> Any:
    return await cache.get_or_compute(
        name="groups", arguments=arguments, compute=counting.compute, encode=list, decode=counting.decode
    )


async def test_a_held_value_is_served_without_asking_redis(namespace: str, backends: list[Cache]) -> None:
    cache = replica(namespace, backends)
    counting = Counting()
    computed = await read(cache, counting)
    assert not computed.hit
    # Gone from Redis: only the held copy can answer now, and must, until the entry would have expired.
    await backends[0].delete(cache.key("groups", None))
    first = await read(cache, counting)
    second = await read(cache, counting)
    assert first.hit
    assert second.hit
    assert second.value == ("ford", 3)
    assert second.value is first.value is computed.value
    assert counting.computed == 1
    assert counting.decoded == 1  # the computed value, once


async def test_the_held_copy_expires_when_the_shared_entry_does(
    namespace: str, backends: list[Cache]
) -> None:
    writer = replica(namespace, backends, ttl_seconds=1)
    reader = replica(namespace, backends, ttl_seconds=1)
    counting = Counting()
    await read(writer, counting)
    key = writer.key("groups", None)
    stored = orjson.loads(await backends[0].get(key))
    ttl_left = await backends[0].raw("pttl", f"{namespace}:{key}")
    # The other replica reads the entry from Redis and holds it until the same moment.
    other = Counting()
    assert (await read(reader, other)).hit
    assert other.computed == 0
    assert reader.held_until(key) == writer.held_until(key) == stored["e"]
    # Redis keeps the entry at least as long as any copy is held.
    assert stored["e"] <= time.time() + ttl_left / 1000
    await asyncio.sleep(max(0.0, stored["e"] - time.time()) + 0.2)
    assert writer.held_until(key) is None
    assert reader.held_until(key) is None
    counting.answer = ("ford", 4)
    again = await read(writer, counting)
    assert not again.hit
    assert again.value == ("ford", 4)
    assert counting.computed == 2


async def test_an_entry_without_its_expiry_is_held_for_the_ttl_from_its_computation(
    namespace: str, backends: list[Cache]
) -> None:
    """An entry a replica of the previous release wrote: value, computation time, generation."""
    cache = replica(namespace, backends)
    computed_at = time.time() - 10
    key = cache.key("groups", None)
    await backends[0].set(key, orjson.dumps({"v": ["ford", 3], "t": computed_at, "g": "v1"}).decode(), ttl=30)
    counting = Counting()
    cached = await read(cache, counting)
    assert cached.hit
    assert cached.value == ("ford", 3)
    assert cache.held_until(key) == pytest.approx(computed_at + 30)


async def test_held_values_are_bounded_in_bytes(namespace: str, backends: list[Cache]) -> None:
    entry_size = held_size(orjson.dumps({"v": ["ford", 3], "t": time.time(), "g": "v1", "e": time.time()}))
    cache = replica(namespace, backends, held_max_bytes=10 * entry_size)
    counting = Counting()
    for number in range(30):
        await read(cache, counting, arguments=number)
    assert 0 < cache.held_bytes <= 10 * entry_size
    # Least recently used first: the newest is held, the oldest only in Redis.
    assert cache.held_until(cache.key("groups", 29)) is not None
    assert cache.held_until(cache.key("groups", 0)) is None
    decoded = counting.decoded
    assert (await read(cache, counting, arguments=0)).hit
    assert counting.decoded == decoded + 1
    assert counting.computed == 30


async def test_nothing_is_held_while_redis_is_down() -> None:
    # A closed port: the value never reaches the shared level, so no process may keep it as fresh.
    backend = open_cache(redis_url="redis://127.0.0.1:1/0", namespace=f"held-down:{uuid.uuid4().hex}")
    cache = AggregationCache(backend=backend, ttl_seconds=30, index_version=lambda: "v1")
    try:
        counting = Counting()
        await read(cache, counting)
        await asyncio.sleep(0.6)  # past the short pause after a refused connection
        await read(cache, counting)
        assert counting.computed == 2
        assert cache.held_bytes == 0
    finally:
        await close_cache(backend)


async def test_concurrent_readers_of_an_entry_decode_it_once(namespace: str, backends: list[Cache]) -> None:
    writer = replica(namespace, backends)
    await read(writer, Counting())
    reader = replica(namespace, backends)
    counting = Counting()
    results = await asyncio.gather(*(read(reader, counting) for _ in range(20)))
    assert all(result.hit and result.value == ("ford", 3) for result in results)
    assert counting.decoded == 1
    assert counting.computed == 0


@pytest.mark.parametrize("search", [None, "for"])
async def test_the_charged_size_covers_what_a_held_aggregation_keeps(
    sample_index: str, es: AsyncElasticsearch, namespace: str, backends: list[Cache], search: str | None
) -> None:
    vehicle_filter = VehicleFilter(search=search) if search else None
    writer = replica(namespace, backends)
    await cached_manufacturer_groups(
        client=es, index=sample_index, cache=writer, vehicle_filter=vehicle_filter
    )
    reader = replica(namespace, backends)
    await backends[-1].get("connected")  # the reader's connection is opened outside the measurement
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cached = await cached_manufacturer_groups(
            client=es, index=sample_index, cache=reader, vehicle_filter=vehicle_filter
        )
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cached.hit
    assert len(cached.value) > 0
    print(
        f"\n[held] search={search!r}: {len(cached.value)} groups keep {kept:,} B, "
        f"charged {reader.held_bytes:,} B"
    )
    assert reader.held_bytes >= kept

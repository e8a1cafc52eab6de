"""The aggregation cache's single flight: the shared computation belongs to the cache, not to a caller.

graphql-core cancels a field's siblings when a non-null field fails, and a
client that disconnects cancels its whole request; either may hit the caller
that happened to start a computation others wait for. The in-memory backend
stands in for Redis: only the cache's own bookkeeping is under test here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datasources.cache.aggregation_cache import AggregationCache
from datasources.cache.backend import close_cache, open_cache


class Gate:
    """A computation that waits until the test opens it, counting how often it ran."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.runs = 0

    async def compute(self) -> tuple[str, int]:
        self.runs += 1
        self.started.set()
        await self.release.wait()
        return ("ford", 3)


@pytest.fixture
async def cache() -> AsyncIterator[AggregationCache]:
    backend = open_cache(redis_url=None, namespace=f"single-flight:{uuid.uuid4().hex}")
    aggregations = AggregationCache(backend=backend, ttl_seconds=30, index_version=lambda: "v1")
    yield aggregations
    await aggregations.aclose()
    await close_cache(backend)


async def read(cache: AggregationCache, gate: Gate) -> Any:
    cached = await cache.get_or_compute(
        name="groups", arguments=None, compute=gate.compute, encode=list, decode=tuple
    )
    return cached.value


async def test_cancelling_the_first_caller_does_not_fail_the_others(cache: AggregationCache) -> None:
    gate = Gate()
    first = asyncio.create_task(read(cache, gate))
    await gate.started.wait()
    waiters = [asyncio.create_task(read(cache, gate)) for _ in range(3)]
    await asyncio.sleep(0.01)  # the waiters join the computation in flight
    first.cancel()
    await asyncio.sleep(0.01)
    gate.release.set()
    answers = await asyncio.gather(*waiters, return_exceptions=True)
    assert answers == [("ford", 3)] * 3
    assert first.cancelled()
    assert gate.runs == 1


async def test_a_computation_every_caller_left_still_fills_the_cache(cache: AggregationCache) -> None:
    gate = Gate()
    only = asyncio.create_task(read(cache, gate))
    await gate.started.wait()
    only.cancel()
    gate.release.set()
    await asyncio.sleep(0.05)
    assert await read(cache, gate) == ("ford", 3)
    assert gate.runs == 1  # the second read is a hit


async def test_a_failed_computation_fails_every_caller_and_is_not_kept(cache: AggregationCache) -> None:
    calls = 0

    async def broken() -> tuple[str, int]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    async def read_broken() -> Any:
        return await cache.get_or_compute(
            name="groups", arguments=None, compute=broken, encode=list, decode=tuple
        )

    answers = await asyncio.gather(*(read_broken() for _ in range(3)), return_exceptions=True)
    assert [type(answer) for answer in answers] == [RuntimeError] * 3
    assert calls == 1
    with pytest.raises(RuntimeError):
        await read_broken()
    assert calls == 2  # a failure is not remembered as the answer

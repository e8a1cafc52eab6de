"""The process-local last known values: served when Elasticsearch and the cache backend both fail.

The backend is a Redis URL on a closed port (every cache operation fails), and
the computations raise DataSourceUnavailable once Elasticsearch "goes down".
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from datasources.cache.aggregation_cache import MAX_LAST_KNOWN_VALUES, AggregationCache, Cached
from datasources.cache.backend import close_cache, open_cache
from datasources.elastic.errors import DataSourceUnavailable


class Source:
    def __init__(self) -> None:
        self.up = True

    def compute_for(self, argument: int) -> Callable[[], Awaitable[tuple[int, ...]]]:
        async def compute() -> tuple[int, ...]:
            if not self.up:
                raise DataSourceUnavailable("Elasticsearch is unavailable (test)")
            return (argument, argument * 2)

        return compute


@pytest.fixture
async def cache() -> AsyncIterator[AggregationCache]:
    backend = open_cache(redis_url="redis://127.0.0.1:1/0", namespace=f"last-known:{uuid.uuid4().hex}")
    aggregations = AggregationCache(backend=backend, ttl_seconds=30, index_version=lambda: "v1")
    yield aggregations
    await aggregations.aclose()
    await close_cache(backend)


async def read(cache: AggregationCache, source: Source, argument: int) -> Cached[tuple[int, ...]]:
    return await cache.get_or_compute(
        name="groups",
        arguments=argument,
        compute=source.compute_for(argument),
        encode=list,
        decode=tuple,
    )


async def test_with_both_down_the_last_computed_values_are_served_stale(cache: AggregationCache) -> None:
    source = Source()
    for argument in range(MAX_LAST_KNOWN_VALUES + 1):
        await read(cache, source, argument)
    source.up = False
    newest = await read(cache, source, MAX_LAST_KNOWN_VALUES)
    assert newest.value == (MAX_LAST_KNOWN_VALUES, MAX_LAST_KNOWN_VALUES * 2)
    assert newest.stale
    # Bounded: the oldest value made room for the newest.
    with pytest.raises(DataSourceUnavailable):
        await read(cache, source, 0)


async def test_a_value_served_stale_stays_known(cache: AggregationCache) -> None:
    source = Source()
    await read(cache, source, 7)
    source.up = False
    for _ in range(3):
        assert (await read(cache, source, 7)).stale

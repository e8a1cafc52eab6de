"""Decoded aggregation values are reused while real Redis returns the same bytes, and only then."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from datasources.cache.aggregation_cache import MAX_DECODED_VALUES, AggregationCache
from datasources.cache.backend import open_cache
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
async def cache() -> AsyncIterator[AggregationCache]:
    # A namespace of its own: nothing from other tests or runs.
    backend = open_cache(redis_url=REDIS_URL, namespace=f"autos-graph-test-decoded:{uuid.uuid4().hex}")
    yield AggregationCache(backend=backend, ttl_seconds=30, index_version=lambda: "v1")
    await backend.clear()
    await backend.close()


async def read(cache: AggregationCache, counting: Counting, arguments: Any = None) -> Any:
    return await cache.get_or_compute(
        name="groups", arguments=arguments, compute=counting.compute, encode=list, decode=counting.decode
    )


async def test_the_same_bytes_are_decoded_once(cache: AggregationCache) -> None:
    counting = Counting()
    computed = await read(cache, counting)
    assert not computed.hit
    first = await read(cache, counting)
    second = await read(cache, counting)
    assert first.hit
    assert second.hit
    assert first.value == second.value == ("ford", 3)
    assert second.value is first.value
    assert second.computed_at == first.computed_at
    assert counting.computed == 1
    assert counting.decoded == 2  # the computed value once, the first read once


async def test_changed_bytes_are_decoded_again(cache: AggregationCache) -> None:
    counting = Counting()
    await read(cache, counting)
    before = await read(cache, counting)
    # The entry is recomputed elsewhere (another worker, after expiry): other bytes.
    await cache._backend.delete(cache.key("groups", None))
    counting.answer = ("ford", 4)
    await read(cache, counting)
    after = await read(cache, counting)
    assert before.value == ("ford", 3)
    assert after.value == ("ford", 4)
    assert after.value is not before.value


async def test_only_a_bounded_number_of_values_is_kept(cache: AggregationCache) -> None:
    counting = Counting()
    for number in range(MAX_DECODED_VALUES + 5):
        await read(cache, counting, arguments=number)
        await read(cache, counting, arguments=number)
    assert len(cache._decoded) == MAX_DECODED_VALUES
    # The oldest went first; the newest is still reused.
    decoded = counting.decoded
    await read(cache, counting, arguments=MAX_DECODED_VALUES + 4)
    assert counting.decoded == decoded
    await read(cache, counting, arguments=0)
    assert counting.decoded == decoded + 1

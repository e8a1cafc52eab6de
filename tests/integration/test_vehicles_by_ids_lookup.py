"""A list of ids is read in one mget without a future per id, and what it read serves later lookups."""

from __future__ import annotations

import asyncio
from typing import cast

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from loaders.registry import Loaders, create_loaders


async def _ids(es: AsyncElasticsearch, index: str, size: int) -> list[str]:
    response = await es.search(index=index, size=size, sort=[{"vehicle_id": "asc"}])
    return [hit["_source"]["vehicle_id"] for hit in response["hits"]["hits"]]


def _loaders(es: AsyncElasticsearch, index: str, batches: list[tuple[str, int]]) -> Loaders:
    return create_loaders(
        client=es,
        index=index,
        cache=cast(AggregationCache, None),  # no aggregation is asked in these tests
        observe=lambda loader, size: batches.append((loader, size)),
    )


async def test_a_list_comes_back_in_order_from_one_mget_of_its_distinct_ids(
    es: AsyncElasticsearch, sample_index: str
) -> None:
    ids = await _ids(es, sample_index, 5)
    batches: list[tuple[str, int]] = []
    loaders = _loaders(es, sample_index, batches)
    asked = [ids[3], "no-such-vehicle", ids[0], ids[3], ids[1]]
    found = await loaders.vehicles_by_ids(asked)
    assert [r.vehicle_id if r else None for r in found] == [ids[3], None, ids[0], ids[3], ids[1]]
    assert batches == [("vehicle_by_id", 4)]


async def test_what_a_list_read_answers_later_lookups_by_id_without_elasticsearch(
    es: AsyncElasticsearch, sample_index: str
) -> None:
    ids = await _ids(es, sample_index, 3)
    batches: list[tuple[str, int]] = []
    loaders = _loaders(es, sample_index, batches)
    listed = await loaders.vehicles_by_ids(ids)
    assert await loaders.vehicle_by_id.load(ids[1]) is listed[1]
    again = await loaders.vehicles_by_ids([ids[2], ids[0]])
    assert again == [listed[2], listed[0]]
    assert len(batches) == 1


async def test_a_list_joins_lookups_by_id_already_under_way(
    es: AsyncElasticsearch, sample_index: str
) -> None:
    ids = await _ids(es, sample_index, 4)
    batches: list[tuple[str, int]] = []
    loaders = _loaders(es, sample_index, batches)
    single, listed = await asyncio.gather(
        loaders.vehicle_by_id.load(ids[0]), loaders.vehicles_by_ids(ids[1:])
    )
    assert single is not None
    assert single.vehicle_id == ids[0]
    assert [r.vehicle_id if r else None for r in listed] == ids[1:]
    assert batches == [("vehicle_by_id", 4)]  # one mget for both

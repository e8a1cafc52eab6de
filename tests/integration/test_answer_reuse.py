"""Answers of aggregation-only operations are reused only while their cache entries are unchanged."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from graph.gql.answer_reuse import CACHE_NAME
from tests.conftest import make_settings
from tests.support.cached_aggregations import delete_cached_aggregations
from tests.support.graphql import data_of, proxied_app

PICKER = "{ manufacturerModelCombinations(first: 3) { totalCount nodes { manufacturer models { model } } } }"
SEARCH = "{ vehicles(first: 2) { totalCount nodes { id } } }"


def reused() -> float:
    return REGISTRY.get_sample_value("autos_graph_cache_hits_total", {"cache": CACHE_NAME}) or 0.0


@pytest.mark.usefixtures("cold_redis")
async def test_a_repeated_picker_is_answered_again_without_elasticsearch(sample_index: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        computed = await data_of(app.client, PICKER)  # a miss: computed, not kept
        executed = await data_of(app.client, PICKER)  # a hit: executed, kept
        before = reused()
        app.reset_count()
        again = await data_of(app.client, PICKER)
        assert again == executed == computed
        assert reused() == before + 1
        assert app.round_trips() == 0


@pytest.mark.usefixtures("cold_redis")
async def test_a_deleted_entry_sends_the_operation_through_execution(sample_index: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        for _ in range(3):
            first = await data_of(app.client, PICKER)
        await delete_cached_aggregations(sample_index)
        before = reused()
        app.reset_count()
        assert await data_of(app.client, PICKER) == first
        assert reused() == before
        assert app.round_trips() == 1  # recomputed, as without reuse


@pytest.mark.usefixtures("cold_redis")
async def test_variables_are_part_of_the_answer(sample_index: str) -> None:
    query = "query P($n: Int) { manufacturerModelCombinations(first: $n) { nodes { manufacturer } } }"
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        for _ in range(2):
            two = await data_of(app.client, query, {"n": 2})
            three = await data_of(app.client, query, {"n": 3})
        assert len(two["manufacturerModelCombinations"]["nodes"]) == 2
        assert len(three["manufacturerModelCombinations"]["nodes"]) == 3


async def test_operations_that_read_elasticsearch_are_never_reused(sample_index: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        before = reused()
        app.reset_count()
        for _ in range(3):
            await data_of(app.client, SEARCH)
        assert reused() == before
        assert app.round_trips() == 3

"""The 30-second aggregation cache against real Redis and Elasticsearch."""

from __future__ import annotations

import asyncio

import pytest

from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, error_codes, graphql, proxied_app

PICKER = """
{ manufacturerModelCombinations(first: 5) { totalCount nodes { manufacturer count models { model count } } } }
"""
FACETS = "{ facets { totalCount bodyClasses { value count } } }"


def settings_for(index: str, **overrides: object) -> Settings:
    return make_settings(es_index=index, **overrides)


@pytest.mark.usefixtures("cold_redis")
async def test_second_identical_query_within_ttl_makes_no_call(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        first = await data_of(app.client, PICKER)
        assert app.round_trips() == 1
        app.reset_count()
        second = await data_of(app.client, PICKER)
        assert second == first
        assert app.round_trips() == 0


@pytest.mark.usefixtures("cold_redis")
async def test_after_the_ttl_it_asks_again(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index, cache_ttl_seconds=1)) as app:
        await data_of(app.client, FACETS)
        app.reset_count()
        await asyncio.sleep(1.3)
        await data_of(app.client, FACETS)
        assert app.round_trips() == 1


@pytest.mark.usefixtures("cold_redis")
async def test_fifty_concurrent_cold_queries_make_one_call(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        app.reset_count()
        results = await asyncio.gather(*(data_of(app.client, PICKER) for _ in range(50)))
        assert all(result == results[0] for result in results)
        assert app.round_trips() == 1


async def test_queries_succeed_with_redis_down(sample_index: str) -> None:
    # A closed port: every cache operation fails fast and counts as a miss.
    async with proxied_app(settings_for(sample_index, redis_url="redis://127.0.0.1:1/0")) as app:
        for _ in range(2):
            data = await data_of(app.client, PICKER)
            assert data["manufacturerModelCombinations"]["totalCount"] > 0


@pytest.mark.usefixtures("cold_redis")
async def test_elasticsearch_down_serves_the_cached_aggregation_marked_stale(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index, cache_ttl_seconds=1)) as app:
        fresh = await graphql(app.client, PICKER)
        assert "extensions" not in fresh or not fresh["extensions"].get("stale")
        await asyncio.sleep(1.2)  # freshness over: only the last known value remains
        await app.proxy.stop()
        stale = await graphql(app.client, PICKER)
        assert stale["data"] == fresh["data"]
        assert stale["extensions"]["stale"] is True
        assert "manufacturerModelCombinations" in stale["extensions"]["staleFields"]
        other = await graphql(app.client, "{ vehicles(first: 1) { totalCount } }")
        assert error_codes(other) == ["SERVICE_UNAVAILABLE"]

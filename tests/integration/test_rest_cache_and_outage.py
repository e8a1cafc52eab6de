"""The shim's cost and failure modes: the shared aggregation cache, one search per page, outages."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, proxied_app
from tests.support.rest_contract import assert_conforms

COMBINATIONS = "/api/v1/manufacturer-model-combinations"
DETAILS = "/api/v1/vehicles/details"
PICKER = """
query Picker($search: String) {
  manufacturerModelCombinations(search: $search, first: 500) { totalCount nodes { manufacturer count } }
}
"""


def settings_for(index: str, **overrides: object) -> Settings:
    return make_settings(es_index=index, rate_limit_per_minute=0, **overrides)


@pytest.mark.usefixtures("cold_redis")
async def test_combinations_share_graphqls_30_second_cache(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        graph = await data_of(app.client, PICKER, {"search": "ford"})
        assert app.round_trips() == 1
        app.reset_count()
        first = await app.client.get(COMBINATIONS, params={"search": "ford", "size": 100})
        second = await app.client.get(COMBINATIONS, params={"search": " ford ", "page": 2, "size": 1})
        assert app.round_trips() == 0  # both answered from the entry GraphQL filled
        assert first.json()["total"] == graph["manufacturerModelCombinations"]["totalCount"]
        assert second.json()["page"] == 2
        assert "x-data-stale" not in first.headers


@pytest.mark.usefixtures("cold_redis")
async def test_each_details_page_costs_one_search(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        for page in (1, 7, 50):
            app.reset_count()
            response = await app.client.get(DETAILS, params={"page": page, "size": 20})
            assert response.status_code == 200
            assert app.round_trips() == 1


@pytest.mark.usefixtures("cold_redis")
async def test_elasticsearch_down_is_a_versioned_503_never_a_500(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        await app.proxy.stop()
        never_cached = f"zz{uuid.uuid4().hex[:8]}"
        requests: list[tuple[str, dict[str, str]]] = [
            (DETAILS, {"models": "Ford:Mustang"}),
            (COMBINATIONS, {"search": never_cached}),
            ("/api/v1/vehicles/0123456789abcdef/instances", {"count": "3"}),
        ]
        for url, params in requests:
            response = await app.client.get(url, params=params)
            assert response.status_code == 503, response.text
            assert response.headers["x-api-version"] == "v1"
            assert int(response.headers["retry-after"]) > 0
            assert response.json()["code"] == "SERVICE_UNAVAILABLE"
            assert "Traceback" not in response.text
            assert_conforms(response)


@pytest.mark.usefixtures("cold_redis")
async def test_elasticsearch_down_serves_last_known_combinations_marked_stale(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index, cache_ttl_seconds=1)) as app:
        fresh = await app.client.get(COMBINATIONS, params={"size": 100})
        await asyncio.sleep(1.2)  # freshness over: only the last known value remains
        await app.proxy.stop()
        stale = await app.client.get(COMBINATIONS, params={"size": 100})
        assert stale.status_code == 200
        assert stale.json() == fresh.json()
        assert stale.headers["x-data-stale"] == "true"
        assert_conforms(stale)

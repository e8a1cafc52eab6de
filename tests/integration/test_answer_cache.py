"""Answers of every read are kept by generation and reused without execution, against the real services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from elasticsearch import AsyncElasticsearch
from prometheus_client import REGISTRY

from datasources.elastic.index_schema import INDEX_SETTINGS, MAPPING
from graph.settings import Settings
from tests.conftest import TEST_INDEX, app_client, make_settings
from tests.support.cached_aggregations import delete_cached_aggregations
from tests.support.graphql import data_of, error_codes, graphql, proxied_app

SEARCH = (
    "query Search($m: String) { vehicles(filter: {manufacturer: $m}, first: 3) { totalCount nodes { id } } }"
)
PICKER = "{ manufacturerModelCombinations(first: 3) { totalCount nodes { manufacturer } } }"
SWAP_ALIAS = f"{TEST_INDEX}-swap"


def cached_settings(index: str, **overrides: object) -> Settings:
    return make_settings(es_index=index, answer_cache=True, **overrides)


def writes(outcome: str) -> float:
    return REGISTRY.get_sample_value("autos_graph_answer_cache_writes_total", {"outcome": outcome}) or 0.0


def lookups(level: str, result: str) -> float:
    labels = {"level": level, "result": result}
    return REGISTRY.get_sample_value("autos_graph_answer_cache_lookups_total", labels) or 0.0


@pytest.mark.usefixtures("cold_redis")
async def test_a_repeated_search_is_answered_without_execution(sample_index: str) -> None:
    async with proxied_app(cached_settings(sample_index)) as app:
        variables = {"m": "Ford"}
        first = await graphql(app.client, SEARCH, variables)
        assert first["data"]["vehicles"]["totalCount"] > 0
        app.reset_count()
        hits = lookups("l1", "hit")
        for _ in range(3):
            assert await graphql(app.client, SEARCH, variables) == first
        assert app.round_trips() == 0
        assert lookups("l1", "hit") == hits + 3
        other = await graphql(app.client, SEARCH, {"m": "Chevrolet"})  # variables name the answer
        assert other != first
        assert app.round_trips() == 1


@pytest.mark.usefixtures("cold_redis")
async def test_replicas_share_answers_through_redis(sample_index: str) -> None:
    settings = cached_settings(sample_index)
    async with proxied_app(settings) as one, proxied_app(settings) as other:
        written = writes("written")
        made = await data_of(one.client, PICKER)
        # The copy follows the answer, written behind it: wait for that event, not for a time.
        deadline = time.monotonic() + 5
        while writes("written") == written:
            assert time.monotonic() < deadline, "the answer was never written to Redis"
            await asyncio.sleep(0.01)
        other.reset_count()
        hits = lookups("l2", "hit")
        assert await data_of(other.client, PICKER) == made
        assert other.round_trips() == 0
        assert lookups("l2", "hit") == hits + 1


@pytest.mark.usefixtures("cold_redis")
async def test_concurrent_identical_requests_share_one_execution_even_when_one_leaves(
    sample_index: str,
) -> None:
    async with proxied_app(cached_settings(sample_index)) as app:
        query = '{ vehicles(filter: {search: "mustang"}, first: 5) { totalCount nodes { id year } } }'
        app.reset_count()
        requests = [asyncio.create_task(graphql(app.client, query)) for _ in range(8)]
        for _ in range(2000):  # until the shared computation has asked Elasticsearch (2 s at most)
            if app.proxy.requests:
                break
            await asyncio.sleep(0.001)
        for leaving in requests[:4]:  # the first caller started it; they all go away
            leaving.cancel()
        answers = await asyncio.gather(*requests[4:])
        assert all(a == answers[0] and "errors" not in a for a in answers)
        assert answers[0]["data"]["vehicles"]["totalCount"] > 0
        assert app.round_trips() == 1


@pytest.mark.usefixtures("cold_redis")
async def test_answers_with_errors_are_never_kept(sample_index: str) -> None:
    async with proxied_app(cached_settings(sample_index)) as app:
        query = "{ vehicles(first: 1) { totalCount } }"
        await app.proxy.stop()
        down = await graphql(app.client, query)
        assert error_codes(down) == ["SERVICE_UNAVAILABLE"]
        await app.proxy.restart()
        up = await graphql(app.client, query)
        assert "errors" not in up
        assert up["data"]["vehicles"]["totalCount"] > 0


@pytest.mark.usefixtures("cold_redis")
async def test_stale_answers_are_marked_and_never_kept_as_fresh(sample_index: str) -> None:
    settings = cached_settings(sample_index, cache_ttl_seconds=1, answer_cache_ttl_seconds=1)
    async with proxied_app(settings) as app:
        fresh = await graphql(app.client, PICKER)
        await asyncio.sleep(1.2)  # the answer and the aggregation are no longer fresh
        await app.proxy.stop()
        stale = await app.client.get("/graphql", params={"query": PICKER})
        assert stale.json()["extensions"]["stale"] is True
        assert stale.headers["cache-control"] == "no-store"
        assert "etag" not in stale.headers
        await app.proxy.restart()
        app.reset_count()
        again = await graphql(app.client, PICKER)
        assert again["data"] == fresh["data"]
        assert "stale" not in again["extensions"]  # recomputed, not the stale answer kept
        assert app.round_trips() == 1


@pytest.mark.usefixtures("cold_redis")
async def test_rest_answers_are_kept_too(sample_index: str) -> None:
    async with proxied_app(cached_settings(sample_index)) as app:
        path = "/api/v1/vehicles/details?models=Ford:Mustang&size=5"
        first = await app.client.get(path)
        assert first.status_code == 200
        app.reset_count()
        second = await app.client.get(path)
        assert second.content == first.content
        assert second.headers["x-api-version"] == "v1"
        assert app.round_trips() == 0
        missing = await app.client.get("/api/v1/vehicles/no-such-id/instances")
        assert missing.status_code == 404
        assert missing.headers["cache-control"] == "no-store"
        assert (await app.client.get("/api/v1/vehicles/no-such-id/instances")).status_code == 404
        assert app.round_trips() == 2  # a 404 is never kept


# The alias swap: two generations of a tiny index, moved by hand as a data release would.


def record(vehicle_id: str, model: str) -> dict[str, Any]:
    return {
        "vehicle_id": vehicle_id,
        "manufacturer": "Ford",
        "model": model,
        "year": 1967,
        "body_class": "Coupe",
        "data_source": "test",
        "instance_count": 3,
        "make_model_year": f"Ford|{model}|1967",
    }


async def make_generation(es: AsyncElasticsearch, index: str, models: list[str]) -> None:
    await es.indices.create(index=index, mappings=MAPPING, settings=INDEX_SETTINGS)
    operations: list[dict[str, Any]] = []
    for number, model in enumerate(models):
        operations += [{"index": {"_index": index, "_id": f"v{number}"}}, record(f"v{number}", model)]
    await es.bulk(operations=operations, refresh=True)


@pytest.fixture
async def two_generations(es: AsyncElasticsearch) -> AsyncIterator[tuple[str, str]]:
    old, new = f"{SWAP_ALIAS}-v1", f"{SWAP_ALIAS}-v2"
    for index in (old, new):
        await es.indices.delete(index=index, ignore_unavailable=True)
    await make_generation(es, old, ["Mustang", "Falcon"])
    await make_generation(es, new, ["Mustang", "Falcon", "Bronco"])
    await es.indices.put_alias(index=old, name=SWAP_ALIAS)
    await delete_cached_aggregations(SWAP_ALIAS)
    try:
        yield old, new
    finally:
        await es.indices.delete(index=f"{old},{new}", ignore_unavailable=True)
        await delete_cached_aggregations(SWAP_ALIAS)


async def models_via(client: httpx.AsyncClient) -> list[str]:
    response = await client.get(
        "/graphql", params={"query": "{ vehicles(first: 10, sort: [{field: MODEL}]) { nodes { model } } }"}
    )
    assert response.status_code == 200, response.text
    return [node["model"] for node in response.json()["data"]["vehicles"]["nodes"]]


async def test_an_alias_swap_invalidates_every_answer_of_the_old_generation(
    es: AsyncElasticsearch, two_generations: tuple[str, str]
) -> None:
    old, new = two_generations
    # The generation is refreshed every CACHE_TTL_SECONDS here; answers would live 30 s.
    settings = cached_settings(SWAP_ALIAS, cache_ttl_seconds=1, answer_cache_ttl_seconds=30)
    async for replica in app_client(settings):
        async for other in app_client(settings):
            before = await models_via(replica)
            assert before == ["Falcon", "Mustang"]
            assert await models_via(other) == before  # L1 of one, L2 for the other
            await es.indices.update_aliases(
                actions=[
                    {"remove": {"index": old, "alias": SWAP_ALIAS}},
                    {"add": {"index": new, "alias": SWAP_ALIAS}},
                ]
            )
            seen = asyncio.get_running_loop().time()
            while (models := await models_via(replica)) == before:
                # The generation is refreshed every second: 5x that.
                assert asyncio.get_running_loop().time() - seen < 5, "the move was never seen"
                await asyncio.sleep(0.05)
            assert models == ["Bronco", "Falcon", "Mustang"]
            # Once the move is seen, no answer of the old generation comes back, from either level.
            for _ in range(20):
                assert await models_via(replica) == models
                await asyncio.sleep(0.05)
            assert await models_via(other) == models


async def test_memory_mode_caches_in_the_process_only(sample_index: str) -> None:
    async with proxied_app(cached_settings(sample_index, redis_url=None)) as app:
        first = await app.client.get("/graphql", params={"query": PICKER})
        app.reset_count()
        second = await app.client.get("/graphql", params={"query": PICKER})
        assert orjson.loads(second.content) == orjson.loads(first.content)
        assert app.round_trips() == 0


async def test_a_dead_redis_costs_only_sharing(sample_index: str) -> None:
    # A closed port: every L2 read and write fails fast; L1 still answers repeats.
    async with proxied_app(cached_settings(sample_index, redis_url="redis://127.0.0.1:1/0")) as app:
        first = await graphql(app.client, SEARCH, {"m": "Ford"})
        assert "errors" not in first
        app.reset_count()
        assert await graphql(app.client, SEARCH, {"m": "Ford"}) == first
        assert app.round_trips() == 0

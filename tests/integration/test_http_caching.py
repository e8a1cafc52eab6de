"""HTTP caching: GET answers carry Cache-Control, ETag and Vary, and a matching If-None-Match gets a 304."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from tests.conftest import app_client, make_settings

QUERY = '{ vehicles(filter: {manufacturer: "Porsche"}, first: 2) { totalCount nodes { id } } }'
DETAILS = "/api/v1/vehicles/details?manufacturer=Porsche&size=3"


@pytest.fixture
async def cached_client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        es_index=sample_index, answer_cache=True, cors_allow_origins="https://picker.example"
    )
    async for client in app_client(settings):
        yield client


def max_age(response: httpx.Response) -> int:
    match = re.fullmatch(r"public, max-age=(\d+)", response.headers["cache-control"])
    assert match, response.headers["cache-control"]
    return int(match.group(1))


def not_modified(route: str) -> float:
    return REGISTRY.get_sample_value("autos_graph_http_not_modified_total", {"route": route}) or 0.0


async def test_a_get_query_is_cacheable_for_the_time_its_answer_has_left(
    cached_client: httpx.AsyncClient,
) -> None:
    response = await cached_client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    assert 0 < max_age(response) <= 30
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])
    assert response.headers["vary"] == "Accept, Origin"
    again = await cached_client.get("/graphql", params={"query": QUERY})
    assert again.headers["etag"] == response.headers["etag"]


async def test_a_conditional_get_gets_a_304(cached_client: httpx.AsyncClient) -> None:
    first = await cached_client.get("/graphql", params={"query": QUERY})
    before = not_modified("/graphql")
    etag = first.headers["etag"]
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await cached_client.get(
            "/graphql", params={"query": QUERY}, headers={"If-None-Match": condition}
        )
        assert response.status_code == 304, condition
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert max_age(response) <= 30
        assert response.headers["vary"] == "Accept, Origin"
    assert not_modified("/graphql") == before + 4
    changed = await cached_client.get(
        "/graphql", params={"query": QUERY}, headers={"If-None-Match": '"other"'}
    )
    assert changed.status_code == 200
    assert changed.json() == first.json()


async def test_the_media_type_follows_accept_on_one_cached_answer(cached_client: httpx.AsyncClient) -> None:
    plain = await cached_client.get("/graphql", params={"query": QUERY})
    spec = await cached_client.get(
        "/graphql", params={"query": QUERY}, headers={"Accept": "application/graphql-response+json"}
    )
    assert plain.headers["content-type"] == "application/json"
    assert spec.headers["content-type"] == "application/graphql-response+json"
    assert spec.content == plain.content


async def test_post_answers_are_not_cacheable(cached_client: httpx.AsyncClient) -> None:
    for _ in range(2):  # computed, then from the answer cache: neither may be stored by HTTP caches
        response = await cached_client.post("/graphql", json={"query": QUERY})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


async def test_errored_answers_are_no_store(cached_client: httpx.AsyncClient) -> None:
    bad_input = await cached_client.get(
        "/graphql", params={"query": "{ vehicles(first: 1000) { totalCount } }"}
    )
    assert bad_input.json()["errors"]
    invalid = await cached_client.get("/graphql", params={"query": "{ nope }"})
    for response in (bad_input, invalid):
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        assert response.headers["vary"] == "Accept, Origin"


async def test_rest_answers_are_cacheable_and_revalidate(cached_client: httpx.AsyncClient) -> None:
    first = await cached_client.get(DETAILS)
    assert first.status_code == 200
    assert 0 < max_age(first) <= 30
    assert first.headers["vary"] == "Origin"
    before = not_modified("/api/v1/vehicles/details")
    again = await cached_client.get(DETAILS, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["x-api-version"] == "v1"
    assert not_modified("/api/v1/vehicles/details") == before + 1
    # The same parameters in another order name the same answer.
    reordered = await cached_client.get("/api/v1/vehicles/details?size=3&manufacturer=Porsche")
    assert reordered.headers["etag"] == first.headers["etag"]
    bad = await cached_client.get("/api/v1/vehicles/details?size=0")
    assert bad.status_code == 400
    assert bad.headers["cache-control"] == "no-store"

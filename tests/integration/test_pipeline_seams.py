"""The seams the pipeline closes: one reading per request shape, one ETag per representation,
and answers kept apart by every validation setting.

Each test here failed on the two-path design it replaced (a view subclass beside a direct
executor): differently shaped requests shared one answer, an ETag named two representations,
and replicas with different settings shared answers through one Redis.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings
from tests.support.asgi import client_of, running_app

GR = "application/graphql-response+json"
pytestmark = pytest.mark.usefixtures("sample_index")


def fresh_query() -> str:
    """A document no earlier test left an answer for."""
    return f"query Fresh{uuid.uuid4().hex} {{ vehicles(first: 1) {{ totalCount }} }}"


@pytest.fixture
async def cached() -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(make_settings(answer_cache=True)) as app, client_of(app) as client:
        yield client


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


async def test_an_empty_operation_name_is_not_the_absent_one(cached: httpx.AsyncClient) -> None:
    query = fresh_query()
    absent = await cached.post("/graphql", json={"query": query})
    empty = await cached.post("/graphql", json={"query": query, "operationName": ""})
    assert absent.status_code == 200
    assert absent.json()["data"]["vehicles"]["totalCount"] > 0
    assert empty.status_code == 400
    assert codes(empty) == ["BAD_REQUEST"]
    assert "Unknown operation" in empty.json()["errors"][0]["message"]


@pytest.mark.parametrize("value", ["", 0, False, [], "{}"])
@pytest.mark.parametrize("field", ["variables", "extensions"])
async def test_variables_and_extensions_that_are_not_objects_are_refused(
    cached: httpx.AsyncClient, field: str, value: Any
) -> None:
    query = fresh_query()
    well_formed = await cached.post("/graphql", json={"query": query})  # now held by the answer cache
    malformed = await cached.post("/graphql", json={"query": query, field: value})
    assert well_formed.status_code == 200
    assert malformed.status_code == 400, malformed.text
    assert codes(malformed) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain; application/json", "application/jsonx", "text/plain", "application/json; charset=latin-1"],
)
async def test_only_the_json_media_type_is_read_as_json(cached: httpx.AsyncClient, content_type: str) -> None:
    query = fresh_query()
    assert (await cached.post("/graphql", json={"query": query})).status_code == 200
    odd = await cached.post(
        "/graphql", content=f'{{"query": "{query}"}}'.encode(), headers={"content-type": content_type}
    )
    assert odd.status_code == 415
    assert codes(odd) == ["BAD_REQUEST"]


async def test_a_malformed_leader_does_not_answer_its_well_formed_followers(
    cached: httpx.AsyncClient,
) -> None:
    query = fresh_query()
    for _ in range(5):
        malformed, *followers = await asyncio.gather(
            cached.post("/graphql", json={"query": query, "variables": ""}),
            *(cached.post("/graphql", json={"query": query}) for _ in range(4)),
        )
        assert malformed.status_code == 400
        assert [f.status_code for f in followers] == [200] * 4
        assert all(f.json()["data"]["vehicles"]["totalCount"] > 0 for f in followers)


async def test_an_etag_names_one_representation(cached: httpx.AsyncClient) -> None:
    params = {"query": fresh_query()}
    as_json = await cached.get("/graphql", params=params)
    etag = as_json.headers["etag"]
    assert (await cached.get("/graphql", params=params, headers={"if-none-match": etag})).status_code == 304
    other = await cached.get("/graphql", params=params, headers={"if-none-match": etag, "accept": GR})
    assert other.status_code == 200
    assert other.headers["content-type"] == GR
    assert other.headers["etag"] != etag
    again = await cached.get(
        "/graphql", params=params, headers={"if-none-match": other.headers["etag"], "accept": GR}
    )
    assert again.status_code == 304
    assert "Accept" in other.headers["vary"]


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_replicas_with_other_validation_settings_never_share_an_answer() -> None:
    # A development replica (introspection on) and a production one (off) share one Redis:
    # the production replica must refuse what the development one answered and kept.
    development = make_settings(answer_cache=True, environment="development")
    production = make_settings(answer_cache=True, environment="production")
    async with running_app(development) as dev_app, client_of(dev_app) as dev:
        answered = await dev.get("/graphql", params={"query": INTROSPECTION})
        assert answered.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
        assert "public" in answered.headers["cache-control"]  # kept, in Redis too
    async with running_app(production) as prod_app, client_of(prod_app) as prod:
        refused = await prod.get("/graphql", params={"query": INTROSPECTION})
    assert set(codes(refused)) == {"INTROSPECTION_DISABLED"}


async def test_methods_other_than_get_and_post_are_refused_with_allow(cached: httpx.AsyncClient) -> None:
    head = await cached.head("/graphql", params={"query": "{ __typename }"})
    assert head.status_code == 405
    assert head.headers["allow"] == "GET, POST"

"""Query cost against the real Elasticsearch and Redis: `extensions.cost` on answers (kept ones too),
the 429 of a spent budget, one budget across app instances, and REST requests spending it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.gql.cost.table import SEARCH_WEIGHT
from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.asgi import client_of, running_app
from tests.support.benchmark_operations import FILTERED_SEARCH
from tests.support.multipart import APOLLO_ACCEPT, parts_of
from tests.support.redis_keys import own_key_prefix

SEARCH_COST = SEARCH_WEIGHT + 1 + 20  # FILTERED_SEARCH: vehicles, pageInfo, 20 nodes
DETAILS = "/api/v1/vehicles/details?models=Ford:Mustang&size=20"
DETAILS_COST = SEARCH_WEIGHT + 20


@pytest.fixture
async def key_prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test's own, removed afterwards."""
    async with own_key_prefix("cost") as prefix:
        yield prefix


def budgeted(prefix: str, per_minute: int, **overrides: object) -> Settings:
    exchange = {"rate_limit_key_prefix": prefix, "rate_limit_sync_seconds": 0.05}
    return make_settings(cost_budget_per_minute=per_minute, **exchange, **overrides)


def cost_of(response: httpx.Response) -> dict[str, Any]:
    cost: dict[str, Any] = response.json()["extensions"]["cost"]
    return cost


async def search(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/graphql", params={"query": FILTERED_SEARCH})


@pytest.mark.usefixtures("sample_index")
async def test_an_answer_and_its_kept_repeat_carry_the_cost_and_the_budget(key_prefix: str) -> None:
    async with running_app(budgeted(key_prefix, 600, answer_cache=True)) as app, client_of(app) as client:
        first = await search(client)
        again = await search(client)
        assert first.status_code == again.status_code == 200
        nodes = len(first.json()["data"]["vehicles"]["nodes"])
        shared = {"requestedQueryCost": SEARCH_COST, "actualQueryCost": SEARCH_WEIGHT + 1 + nodes}
        for response in (first, again):
            cost = cost_of(response)
            status = cost.pop("throttleStatus")
            assert cost == shared
            assert status["maximumAvailable"] == 600
            assert status["restoreRate"] == 10
        # The repeat came from the answer cache and was charged again (10 points come back a second).
        assert (
            cost_of(again)["throttleStatus"]["currentlyAvailable"]
            < cost_of(first)["throttleStatus"]["currentlyAvailable"]
        )
        # The tag names the shared answer, weakly; the client's budget makes the body its own.
        assert again.headers["etag"].startswith('W/"')
        assert again.headers["cache-control"].startswith("private, max-age=")
        revalidated = await client.get(
            "/graphql", params={"query": FILTERED_SEARCH}, headers={"If-None-Match": again.headers["etag"]}
        )
        assert revalidated.status_code == 304


@pytest.mark.usefixtures("sample_index")
async def test_a_spent_budget_answers_429_with_retry_after_and_a_coded_error(key_prefix: str) -> None:
    async with running_app(budgeted(key_prefix, 100)) as app, client_of(app) as client:
        responses = [await search(client) for _ in range(8)]
    statuses = [r.status_code for r in responses]
    assert statuses[0] == 200
    assert 429 in statuses, statuses
    refused = responses[statuses.index(429)]
    assert int(refused.headers["retry-after"]) >= 1
    body = refused.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "COST_BUDGET_EXHAUSTED"
    assert error["extensions"]["requestedQueryCost"] == SEARCH_COST
    assert error["extensions"]["currentlyAvailable"] < SEARCH_COST
    assert f"costs {SEARCH_COST} points" in error["message"]
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 100


async def _refused_within(client: httpx.AsyncClient, seconds: float) -> bool:
    """Whether a search is refused before `seconds` pass (the replicas exchange every 0.05 s)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if (await search(client)).status_code == 429:
            return True
        await asyncio.sleep(0.1)
    return False


@pytest.mark.usefixtures("sample_index")
async def test_two_app_instances_share_one_budget_through_redis(key_prefix: str) -> None:
    settings = budgeted(key_prefix, 100)
    async with (
        running_app(settings) as first,
        running_app(settings) as second,
        client_of(first) as one,
        client_of(second) as other,
    ):
        while (await search(one)).status_code == 200:
            pass  # the first instance spends the budget
        # The second has spent nothing of its own yet, but learns the first's points at its
        # first exchange and refuses (at 1.7 points a second, the budget needs ~20 s to refill).
        assert await _refused_within(other, seconds=10)


@pytest.mark.usefixtures("sample_index")
async def test_rest_requests_spend_the_same_budget(key_prefix: str) -> None:
    async with running_app(budgeted(key_prefix, 100)) as app, client_of(app) as client:
        statuses = [(await client.get(DETAILS)).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]  # 3 × 30 of 100 points
        graphql = await search(client)  # 31 points: more than are left
        assert graphql.status_code == 429
        refused = await client.get(DETAILS)
    assert refused.status_code == 429
    assert refused.headers["x-api-version"] == "v1"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"] == "Query cost budget exhausted"
    assert f"costs {DETAILS_COST} points" in refused.json()["details"]


@pytest.mark.usefixtures("sample_index")
async def test_an_answer_in_parts_is_charged_what_it_requested_and_says_so_in_its_last_part(
    key_prefix: str,
) -> None:
    deferred = FILTERED_SEARCH.replace(
        "pageInfo { hasNextPage endCursor }", "... @defer { pageInfo { hasNextPage endCursor } }", 1
    )
    assert "@defer" in deferred
    async with running_app(budgeted(key_prefix, 600)) as app, client_of(app) as client:
        response = await client.get("/graphql", params={"query": deferred}, headers={"accept": APOLLO_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed")
    parts = parts_of(response.text)
    assert len(parts) > 1
    cost = parts[-1]["extensions"]["cost"]
    status = cost.pop("throttleStatus")
    # The parts' actual cost is not summed: the client is charged what the operation requested.
    assert cost == {"requestedQueryCost": SEARCH_COST, "actualQueryCost": SEARCH_COST}
    assert status["maximumAvailable"] == 600
    assert status["currentlyAvailable"] <= 600 - SEARCH_COST
    assert all("extensions" not in part for part in parts[:-1])

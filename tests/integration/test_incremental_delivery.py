"""@defer and @stream through the pipeline on the real services: parts, JSON fallback, errors, limits, cache.

The parts a client reads are compared with the whole answer a client that
reads no parts gets for the same request: the same data, delivered in order.
The real clients (Apollo Client, urql, GraphiQL) have tests of their own
(test_real_clients_incremental.py, test_graphiql_browser.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager

from graph.app import create_app
from graph.compat.strawberry import ExecutionContext
from graph.gql.execution.planned_execution import DocumentPlans, PlannedExecutionContext
from tests.conftest import app_client, make_settings
from tests.support.graphql import error_codes, proxied_app
from tests.support.multipart import APOLLO_ACCEPT, merged, parts_of

SEARCH = """query Search($filter: VehicleFilter) {
  vehicles(filter: $filter, first: 5) { totalCount nodes { id manufacturer model year } }
  ... @defer(label: "facets") {
    facets(filter: $filter) { totalCount manufacturers { value count } decades { value count } }
  }
}"""
FILTER = {"filter": {"manufacturer": "ford", "yearMin": 1960}}
VEHICLE = """query Vehicle($id: ID!) {
  vehicle(id: $id) { id manufacturer model year ...Instances @defer(label: "instances") }
}
fragment Instances on Vehicle { instances(count: 3) { vin condition mileage } }"""
STREAM = "{ vehicles(first: 6) { nodes @stream(initialCount: 2) { id year } } }"


@pytest.fixture
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


async def in_parts(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"accept": APOLLO_ACCEPT}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == 'multipart/mixed; boundary="-"; incrementalSpec=v0.2'
    assert response.headers["cache-control"] == "no-store"
    return parts_of(response.text)


async def whole(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


async def test_a_search_sends_its_list_first_and_its_facets_in_a_later_part(
    client: httpx.AsyncClient,
) -> None:
    parts = await in_parts(client, SEARCH, FILTER)
    first = parts[0]
    assert set(first["data"]) == {"vehicles"}
    assert first["pending"] == [{"id": "0", "path": [], "label": "facets"}]
    assert first["hasNext"] is True
    assert {m["value"] for m in parts[-1]["incremental"][0]["data"]["facets"]["manufacturers"]} == {"Ford"}
    assert parts[-1]["hasNext"] is False
    # A client that reads no parts gets the same answer in one body.
    assert merged(parts) == await whole(client, SEARCH, FILTER)


async def test_a_vehicle_comes_before_its_generated_instances(client: httpx.AsyncClient) -> None:
    listed = await whole(client, "{ vehicles(first: 1) { nodes { id } } }")
    variables = {"id": listed["data"]["vehicles"]["nodes"][0]["id"]}
    parts = await in_parts(client, VEHICLE, variables)
    assert "instances" not in parts[0]["data"]["vehicle"]
    assert parts[0]["pending"] == [{"id": "0", "path": ["vehicle"], "label": "instances"}]
    assert len(parts[-1]["incremental"][0]["data"]["instances"]) == 3
    assert merged(parts) == await whole(client, VEHICLE, variables)


async def test_a_streamed_list_sends_its_first_items_then_the_rest(client: httpx.AsyncClient) -> None:
    parts = await in_parts(client, STREAM)
    assert len(parts[0]["data"]["vehicles"]["nodes"]) == 2
    assert parts[0]["pending"] == [{"id": "0", "path": ["vehicles", "nodes"]}]
    answer = merged(parts)
    assert len(answer["data"]["vehicles"]["nodes"]) == 6
    assert answer == await whole(client, STREAM)


async def test_an_error_inside_a_deferred_part_is_coded_in_that_part(client: httpx.AsyncClient) -> None:
    query = '{ vehicles(first: 1) { totalCount } ... @defer { broken: node(id: "not a global id") { id } } }'
    parts = await in_parts(client, query)
    assert "errors" not in parts[0]
    deferred = parts[-1]["incremental"][0]
    assert deferred["data"] == {"broken": None}
    assert [(e["extensions"]["code"], e["path"]) for e in deferred["errors"]] == [
        ("BAD_USER_INPUT", ["broken"])
    ]
    # The whole answer has the same error.
    assert error_codes(await whole(client, query)) == ["BAD_USER_INPUT"]


async def test_without_directives_a_multipart_client_gets_an_ordinary_json_answer(
    client: httpx.AsyncClient,
) -> None:
    query = "{ vehicles(first: 2) { totalCount } }"
    response = await client.post("/graphql", json={"query": query}, headers={"accept": APOLLO_ACCEPT})
    assert response.headers["content-type"] == "application/json"
    assert response.json() == await whole(client, query)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # The deferred fragment's cost counts as if it were not deferred: refused before any search.
        (
            "{ vehicles(first: 1) { totalCount } ... @defer { big: vehicles(first: 100) "
            "{ nodes { otherYears(first: 50) { instances(count: 20) { vin } } } } } }",
            "QUERY_TOO_COMPLEX",
        ),
        ("{ vehicles(first: 1) { totalCount @stream } }", "GRAPHQL_VALIDATION_FAILED"),  # not a list
        (
            '{ a: facets { totalCount } ... @defer(label: "x") { b: facets { totalCount } } '
            '... @defer(label: "x") { c: facets { totalCount } } }',
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
async def test_limits_and_validation_refuse_before_any_part(sample_index: str, query: str, code: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        response = await app.client.post(
            "/graphql",
            json={"query": query},
            headers={"accept": "application/graphql-response+json, multipart/mixed"},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/graphql-response+json"
        assert error_codes(response.json()) == [code]
        assert app.round_trips() == 0


async def test_a_negative_initial_count_is_the_clients_error(client: httpx.AsyncClient) -> None:
    query = "query ($n: Int) { vehicles(first: 3) { nodes @stream(initialCount: $n) { id } } }"
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"n": -1}}, headers={"accept": APOLLO_ACCEPT}
    )
    assert response.status_code == 200
    codes = [e["extensions"]["code"] for part in parts_or_body(response) for e in errors_in(part)]
    assert codes == ["BAD_USER_INPUT"]


def parts_or_body(response: httpx.Response) -> list[dict[str, Any]]:
    if response.headers["content-type"].startswith("multipart/mixed"):
        return parts_of(response.text)
    return [response.json()]


def errors_in(part: dict[str, Any]) -> list[dict[str, Any]]:
    nested = [
        e for item in part.get("incremental", []) + part.get("completed", []) for e in item.get("errors", [])
    ]
    return list(part.get("errors", [])) + nested


async def asgi_bodies(sample_index: str, *, leave_after_first_part: bool) -> list[MutableMapping[str, Any]]:
    """The body messages the app sends for the deferred search, called as a server calls it."""
    app = create_app(make_settings(es_index=sample_index))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=25) as manager:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"accept", APOLLO_ACCEPT.encode())],
            "client": ("127.0.0.1", 40000),
            "server": ("testserver", 80),
            "state": {},
        }
        request = orjson.dumps({"query": SEARCH, "variables": FILTER})
        received = [{"type": "http.request", "body": request, "more_body": False}]
        first_part_sent = asyncio.Event()
        bodies: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if received:
                return received.pop()
            if leave_after_first_part:
                await first_part_sent.wait()
                return {"type": "http.disconnect"}
            await asyncio.Event().wait()  # the client stays connected
            raise AssertionError  # pragma: no cover

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.body":
                bodies.append(message)
                first_part_sent.set()

        await manager.app(scope, receive, send)
    return bodies


async def test_each_part_goes_to_the_socket_before_the_next_is_made(sample_index: str) -> None:
    bodies = await asgi_bodies(sample_index, leave_after_first_part=False)
    # The initial part is a message of its own, ending with the delimiter that lets a client read it.
    assert bodies[0]["more_body"] is True
    assert bodies[0]["body"].endswith(b"\r\n---")
    assert b'"hasNext":true' in bodies[0]["body"]
    assert b"facets" not in bodies[0]["body"].split(b"pending")[0]
    assert b'"hasNext":false' in bodies[-2]["body"]
    assert bodies[-1] == {"type": "http.response.body", "body": b""}


async def test_a_client_gone_after_the_first_part_gets_nothing_more(sample_index: str) -> None:
    bodies = await asgi_bodies(sample_index, leave_after_first_part=True)
    assert len(bodies) == 1
    assert b'"hasNext":true' in bodies[0]["body"]


@pytest.mark.usefixtures("cold_redis")
async def test_answers_in_parts_are_not_kept_and_a_kept_whole_answer_is_sent_whole(sample_index: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index, answer_cache=True)) as app:
        variables = {"filter": {"manufacturer": "chevrolet"}}
        assert len(await in_parts(app.client, SEARCH, variables)) > 1
        assert len(await in_parts(app.client, SEARCH, variables)) > 1  # not kept: executed again
        kept = await whole(app.client, SEARCH, variables)  # a client reading no parts: kept
        app.reset_count()
        response = await app.client.post(
            "/graphql", json={"query": SEARCH, "variables": variables}, headers={"accept": APOLLO_ACCEPT}
        )
        assert response.headers["content-type"] == "application/json"
        assert response.json() == kept
        assert app.round_trips() == 0
        # Over GET, the kept answer revalidates as any other: ETag, then 304.
        params = {"query": SEARCH, "variables": orjson.dumps(variables).decode()}
        first = await app.client.get("/graphql", params=params, headers={"accept": APOLLO_ACCEPT})
        assert first.status_code == 200
        assert first.headers["vary"] == "Accept"
        again = await app.client.get(
            "/graphql",
            params=params,
            headers={"accept": APOLLO_ACCEPT, "if-none-match": first.headers["etag"]},
        )
        assert again.status_code == 304


PLANNED = """{
  vehicles(first: 5, sort: [{ field: YEAR, direction: ASC }]) {
    totalCount
    nodes { id model year ... @defer { bodyClass instanceCount group { manufacturer count } } }
  }
  byIds: vehicles(first: 4) { nodes @stream(initialCount: 1) { id manufacturer year } }
}"""


async def test_parts_completed_by_plans_equal_the_general_executors(
    sample_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = 0
    plan_for = DocumentPlans.plan_for

    def counting_plan_for(plans: DocumentPlans, *args: Any, **options: Any) -> Any:
        nonlocal used
        plan = plan_for(plans, *args, **options)
        used += plan is not None
        return plan

    monkeypatch.setattr(DocumentPlans, "plan_for", counting_plan_for)
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    async for client in app_client(make_settings(es_index=sample_index)):
        planned = await in_parts(client, PLANNED)
        with monkeypatch.context() as general_only:
            general_only.setattr(PlannedExecutionContext, "complete_value", ExecutionContext.complete_value)
            general = await in_parts(client, PLANNED + "\n# general completion")
    # The same first part and the same whole (later parts come in the order their work ends): plans
    # complete what is neither deferred nor streamed, and leave those to the executor.
    assert planned[0] == general[0]
    assert merged(planned) == merged(general)
    assert used > 0
    assert len(planned[0]["data"]["byIds"]["nodes"]) == 1
    assert "bodyClass" not in planned[0]["data"]["vehicles"]["nodes"][0]

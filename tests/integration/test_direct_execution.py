"""A held, valid query runs outside Strawberry's view and answers exactly as Strawberry's path does.

Each request goes twice to one app with the answer cache off: the first time its
document is new, so Strawberry's view parses, validates and executes it; the
second time the document cache holds it, so graph/gql/direct_execution.py runs it
(when it is a valid query) or hands it back to Strawberry. Both answers must be
the same, byte for byte.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.gql.direct_execution import DirectExecutor
from tests.conftest import app_client, make_settings

GR = "application/graphql-response+json"
SEARCH = """query Search($filter: VehicleFilter, $first: Int, $after: String) {
  vehicles(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id vehicleId manufacturer model year group { manufacturer count } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
TWO_OPERATIONS = """query Count { vehicles(first: 1) { totalCount } }
query Groups { manufacturerModelCombinations(first: 2) { totalCount nodes { manufacturer } } }"""

# name, request body, extra headers, whether the second sending runs directly
CASES: list[tuple[str, dict[str, Any], dict[str, str], bool]] = [
    ("data", {"query": SEARCH, "variables": {"first": 3, "filter": {"yearMin": 2015}}}, {}, True),
    ("no variables", {"query": "{ vehicles(first: 2) { totalCount nodes { vehicleId } } }"}, {}, True),
    (
        "graphql-response+json",
        {"query": SEARCH, "variables": {"first": 2}},
        {"accept": GR},
        True,
    ),
    ("bad variable, 200", {"query": SEARCH, "variables": {"first": "two"}}, {}, True),
    ("bad variable, 400", {"query": SEARCH, "variables": {"first": "two"}}, {"accept": GR}, True),
    ("resolver error", {"query": SEARCH, "variables": {"after": "not-a-cursor"}}, {}, True),
    ("first over the limit", {"query": SEARCH, "variables": {"first": 100000}}, {"accept": GR}, True),
    ("operation chosen", {"query": TWO_OPERATIONS, "operationName": "Groups"}, {}, True),
    ("operation missing", {"query": TWO_OPERATIONS}, {}, False),
    ("operation unknown", {"query": TWO_OPERATIONS, "operationName": "Nope"}, {"accept": GR}, False),
    ("invalid document", {"query": "{ vehicles { nope } }"}, {}, False),
    ("mutation", {"query": "mutation { vehicles { totalCount } }"}, {"accept": GR}, False),
]


@pytest.fixture
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index, environment="production")):
        yield each


@pytest.fixture
def direct_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operation names DirectExecutor.execute ran (the real method, counted)."""
    runs: list[str] = []
    original = DirectExecutor.execute

    async def counted(self: DirectExecutor, document: Any, **kwargs: Any) -> Any:
        runs.append(str(kwargs.get("operation_name")))
        return await original(self, document, **kwargs)

    monkeypatch.setattr(DirectExecutor, "execute", counted)
    return runs


def _answer(response: httpx.Response) -> tuple[int, str | None, str | None, bytes]:
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("cache-control"),
        response.content,
    )


@pytest.mark.parametrize(("body", "headers", "direct"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_the_second_sending_answers_as_the_first(
    client: httpx.AsyncClient,
    direct_runs: list[str],
    body: dict[str, Any],
    headers: dict[str, str],
    direct: bool,
) -> None:
    first = await client.post("/graphql", json=body, headers=headers)
    assert direct_runs == []  # a new document always goes through Strawberry's view
    second = await client.post("/graphql", json=body, headers=headers)
    assert _answer(second) == _answer(first)
    assert len(direct_runs) == (1 if direct else 0)


async def test_a_direct_answer_carries_data_and_the_operation_name_for_the_access_log(
    client: httpx.AsyncClient, direct_runs: list[str]
) -> None:
    body = {"query": TWO_OPERATIONS, "operationName": "Count"}
    await client.post("/graphql", json=body)
    response = await client.post("/graphql", json=body)
    assert direct_runs == ["Count"]
    assert response.json()["data"]["vehicles"]["totalCount"] > 0
    metrics = (await client.get("/metrics")).text
    assert 'operation="Count"' in metrics


async def test_other_variables_of_a_held_document_run_directly(
    client: httpx.AsyncClient, direct_runs: list[str]
) -> None:
    years = [2010, 2012, 2014]
    answers = [
        (
            await client.post("/graphql", json={"query": SEARCH, "variables": {"filter": {"yearMin": y}}})
        ).json()
        for y in years
    ]
    assert len(direct_runs) == len(years) - 1
    for year, answer in zip(years, answers, strict=True):
        nodes = [edge["node"] for edge in answer["data"]["vehicles"]["edges"]]
        assert nodes
        assert all(node["year"] >= year for node in nodes)


async def test_a_get_keeps_strawberrys_path_and_a_post_of_the_held_document_does_not(
    client: httpx.AsyncClient, direct_runs: list[str]
) -> None:
    query = "{ vehicles(first: 1) { totalCount } }"
    for _ in range(2):
        assert (await client.get("/graphql", params={"query": query})).status_code == 200
    assert direct_runs == []  # held since the first GET, but a GET is Strawberry's
    response = await client.post(
        "/graphql",
        content=b'{"query": "%s"}' % query.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["vehicles"]["totalCount"] > 0
    assert len(direct_runs) == 1

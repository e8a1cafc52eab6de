"""A valid query runs outside Strawberry's view and answers exactly as Strawberry's path does.

Each request goes three times to one app with the answer cache off: as a new
document, run by graph/gql/direct_execution.py when it is a valid query; then
through Strawberry's view alone (the direct path switched off), the reference;
then again directly, its document now held by the cache. The three answers must
be the same, byte for byte.
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


class DirectPath:
    """Counts DirectExecutor.execute's runs (the real method) and can send everything to Strawberry."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs: list[str] = []
        self.enabled = True
        execute, document = DirectExecutor.execute, DirectExecutor.document

        async def counted(executor: DirectExecutor, parsed: Any, **kwargs: Any) -> Any:
            self.runs.append(str(kwargs.get("operation_name")))
            return await execute(executor, parsed, **kwargs)

        def switchable(executor: DirectExecutor, query: str, name: str | None) -> Any:
            return document(executor, query, name) if self.enabled else None

        monkeypatch.setattr(DirectExecutor, "execute", counted)
        monkeypatch.setattr(DirectExecutor, "document", switchable)


@pytest.fixture
async def direct(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> DirectPath:
    path = DirectPath(monkeypatch)
    # The app learns Strawberry's validation rules from the first document validated its way.
    assert (await client.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
    assert path.runs == []
    return path


def _answer(response: httpx.Response) -> tuple[int, str | None, str | None, bytes]:
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("cache-control"),
        response.content,
    )


@pytest.mark.parametrize(
    ("body", "headers", "runs_directly"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_new_held_and_reference_answers_are_the_same(
    client: httpx.AsyncClient,
    direct: DirectPath,
    body: dict[str, Any],
    headers: dict[str, str],
    runs_directly: bool,
) -> None:
    new = await client.post("/graphql", json=body, headers=headers)
    direct.enabled = False
    reference = await client.post("/graphql", json=body, headers=headers)
    direct.enabled = True
    held = await client.post("/graphql", json=body, headers=headers)
    assert _answer(new) == _answer(reference) == _answer(held)
    assert len(direct.runs) == (2 if runs_directly else 0)


async def test_a_direct_answer_carries_data_and_the_operation_name_for_the_access_log(
    client: httpx.AsyncClient, direct: DirectPath
) -> None:
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Count"})
    assert direct.runs == ["Count"]
    assert response.json()["data"]["vehicles"]["totalCount"] > 0
    metrics = (await client.get("/metrics")).text
    assert 'operation="Count"' in metrics


async def test_a_worker_runs_its_first_document_through_strawberry(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = DirectPath(monkeypatch)
    for _ in range(2):
        response = await client.post("/graphql", json={"query": SEARCH, "variables": {"first": 1}})
        assert response.json()["data"]["vehicles"]["totalCount"] > 0
    assert len(path.runs) == 1  # the second: the rules are known from the first


async def test_a_get_keeps_strawberrys_path_and_a_json_post_with_a_charset_does_not(
    client: httpx.AsyncClient, direct: DirectPath
) -> None:
    query = "{ vehicles(first: 1) { totalCount } }"
    for _ in range(2):
        assert (await client.get("/graphql", params={"query": query})).status_code == 200
    assert direct.runs == []
    response = await client.post(
        "/graphql",
        content=b'{"query": "%s"}' % query.encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["vehicles"]["totalCount"] > 0
    assert len(direct.runs) == 1


async def test_syntax_errors_and_the_token_limit_are_strawberrys_to_report(
    client: httpx.AsyncClient, direct: DirectPath
) -> None:
    too_many = "{ " + " ".join(f"a{i}: __typename" for i in range(2100)) + " }"
    for query, code in (("{ vehicles(", "GRAPHQL_PARSE_FAILED"), (too_many, "QUERY_TOO_COMPLEX")):
        response = await client.post("/graphql", json={"query": query}, headers={"accept": GR})
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == code
    assert direct.runs == []

"""Property-based fuzzing of the GraphQL schema (hypothesis-graphql), against the served app.

Queries are generated from the checked-in schema.graphql, for each root field
on its own so every one gets its share: valid ones (any arguments the schema
allows: empty, huge, negative, odd unicode) and invalid ones (one schema
violation each). The server is `autos-graph serve` on the sample index.

Every answer: no 5xx, JSON, no stack trace or Elasticsearch error text, and
only the codes a client can act on. INTERNAL_SERVER_ERROR is a failure here
even though it comes with a 200: it is how a bug reaches a GraphQL client.
`make test` runs a bounded, derandomized set; `-m slow` a larger, random one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, queries

from tests.support.server import leaks, served

SDL = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
ROOT_FIELDS = sorted(graphql.build_schema(SDL).query_type.fields)  # type: ignore[union-attr]
# Valid queries per root field; invalid ones over all root fields together (some root fields
# alone, like facets, have no argument whose type can be violated).
QUICK = {Mode.POSITIVE: 100, Mode.NEGATIVE: 200}
THOROUGH = {Mode.POSITIVE: 600, Mode.NEGATIVE: 1000}
# What a valid query may legitimately end with; an invalid one may also fail validation or parsing.
VALID_CODES = {"BAD_USER_INPUT", "NOT_FOUND", "QUERY_TOO_COMPLEX"}
INVALID_CODES = VALID_CODES | {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}

# (mode, outcome) -> answers: the run's size and what it exercised, printed at the end.
RUN_SIZES: Counter[tuple[str, str]] = Counter()


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    log_path = tmp_path_factory.mktemp("graphql-fuzz") / "server.log"
    # Production mode: what a public client meets (no introspection, masked errors).
    with (
        served(index=sample_index, log_path=log_path, ENVIRONMENT="production") as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client
    total = {mode: sum(n for (m, _), n in RUN_SIZES.items() if m == mode) for mode in ("valid", "invalid")}
    print(f"\n[fuzz] GraphQL queries sent: {total}; outcomes: {dict(sorted(RUN_SIZES.items()))}")


def check_answer(client: httpx.Client, query: str, *, mode: Mode) -> None:
    response = client.post("/graphql", json={"query": query})
    context = f"query:\n{query}\nanswer {response.status_code}: {response.text[:2000]}"
    assert response.status_code < 500, context
    assert not leaks(response.text), context
    body = response.json()
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    allowed = VALID_CODES if mode is Mode.POSITIVE else INVALID_CODES
    assert codes <= allowed, context
    if mode is Mode.POSITIVE and response.status_code == 200 and not codes:
        assert body.get("data") is not None, context
    outcome = ",".join(sorted(str(code) for code in codes)) or "data"
    RUN_SIZES["valid" if mode is Mode.POSITIVE else "invalid", outcome] += 1


def fuzz(client: httpx.Client, field: str, mode: Mode, examples: int, *, derandomize: bool) -> None:
    """`examples` queries of `field` (all root fields for "*"), each answer checked."""

    @settings(
        max_examples=examples,
        deadline=None,
        # The gate replays the same examples every run; the slow run explores and remembers failures.
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=queries(SDL, fields=None if field == "*" else [field], mode=mode))
    def run(query: str) -> None:
        check_answer(client, query, mode=mode)

    run()


@pytest.mark.parametrize("field", ROOT_FIELDS)
def test_valid_queries(server: httpx.Client, field: str) -> None:
    fuzz(server, field, Mode.POSITIVE, QUICK[Mode.POSITIVE], derandomize=True)


def test_invalid_queries(server: httpx.Client) -> None:
    fuzz(server, "*", Mode.NEGATIVE, QUICK[Mode.NEGATIVE], derandomize=True)


@pytest.mark.slow
@pytest.mark.parametrize("field", ROOT_FIELDS)
def test_valid_queries_thoroughly(server: httpx.Client, field: str) -> None:
    fuzz(server, field, Mode.POSITIVE, THOROUGH[Mode.POSITIVE], derandomize=False)


@pytest.mark.slow
def test_invalid_queries_thoroughly(server: httpx.Client) -> None:
    fuzz(server, "*", Mode.NEGATIVE, THOROUGH[Mode.NEGATIVE], derandomize=False)

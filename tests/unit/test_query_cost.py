"""The cost table, the requested and actual cost arithmetic, and the splice of the client's budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import (
    FieldDefinitionNode,
    FragmentDefinitionNode,
    ObjectTypeDefinitionNode,
    OperationDefinitionNode,
    parse,
    value_from_ast_untyped,
)

from graph.compat.strawberry import graphql_schema
from graph.gql.cost.actual import actual_cost
from graph.gql.cost.estimate import requested_cost
from graph.gql.cost.extension import cost_extension, costs_of, with_throttle_status
from graph.gql.cost.table import LIST_SIZES, SEARCH_WEIGHT, WEIGHTS
from graph.gql.query_limits import LIMITS
from graph.gql.schema import build_schema
from graph.http.cost_budget import CostBudget, ThrottleStatus
from tests.support.benchmark_operations import FILTERED_SEARCH, NESTED, PICKER

SCHEMA = graphql_schema(build_schema())
SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def _directives() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """Every field's directives in the checked-in SDL: {(type, field): {name: arguments}}."""
    found: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for definition in parse(SDL.read_text()).definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode):
            continue
        for field in definition.fields or ():
            assert isinstance(field, FieldDefinitionNode)
            for directive in field.directives or ():
                arguments = {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}
                coordinate = (definition.name.value, field.name.value)
                found.setdefault(coordinate, {})[directive.name.value] = arguments
    return found


def test_the_sdl_shows_the_table_the_limit_reads() -> None:
    directives = _directives()
    assert {key for key, named in directives.items() if "cost" in named} == set(WEIGHTS)
    assert {key for key, named in directives.items() if "listSize" in named} == set(LIST_SIZES)
    for coordinate, weight in WEIGHTS.items():
        assert directives[coordinate]["cost"] == {"weight": weight}
    for coordinate, sizing in LIST_SIZES.items():
        shown = directives[coordinate]["listSize"]
        assert shown.get("assumedSize") == sizing.assumed_size
        slicing = [sizing.slicing_argument] if sizing.slicing_argument else None
        assert shown.get("slicingArguments") == slicing
        assert tuple(shown.get("sizedFields") or ()) == sizing.sized_fields


def _estimate(document: str, variables: dict[str, Any] | None = None) -> int:
    parsed = parse(document)
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    return requested_cost(SCHEMA, operation, fragments, variables=variables)


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        # vehicles (10) + pageInfo (1) + 20 nodes (1 each); scalars are free.
        (FILTERED_SEARCH, SEARCH_WEIGHT + 1 + 20),
        # 50 groups, each with the catalog's mean of 14 models.
        (PICKER, SEARCH_WEIGHT + 50 * (1 + 14)),
        # 5 groups × (1 + connection 1 + 5 vehicles × (1 + 3 other years × (1 + group 1 + 2 instances)))
        (NESTED, SEARCH_WEIGHT + 5 * (1 + 1 + 5 * (1 + 3 * (1 + 1 + 2)))),
        ('{ vehiclesByIds(ids: ["a", "b", "c"]) { id } }', 3),
        ('{ __typename decodeVin(vin: "x") { vin } }', 1),
    ],
)
def test_requested_cost_follows_the_specification(document: str, cost: int) -> None:
    assert _estimate(document, {}) == cost


def test_a_variable_counts_as_the_largest_page_until_its_value_is_known() -> None:
    document = "query($n: Int) { vehicles(first: $n) { nodes { id } } }"
    assert _estimate(document) == SEARCH_WEIGHT + 100
    assert _estimate(document, {"n": 7}) == SEARCH_WEIGHT + 7
    assert _estimate(document, {}) == SEARCH_WEIGHT + 20  # the argument's default
    assert _estimate("query($n: Int = 3) { vehicles(first: $n) { nodes { id } } }", {}) == SEARCH_WEIGHT + 3


def test_nested_fragment_spreads_are_measured_once_each() -> None:
    chain = " ".join(
        f"fragment F{i} on Vehicle {{ a: otherYears(first: 1) {{ ...F{i + 1} }} b: otherYears(first: 1) "
        f"{{ ...F{i + 1} }} }}"
        for i in range(40)
    )
    document = f'{{ vehicle(id: "x") {{ ...F0 }} }} {chain} fragment F40 on Vehicle {{ id }}'
    assert _estimate(document, {}) > LIMITS.max_cost  # 2^40 paths, counted without walking them


def test_actual_cost_counts_what_came_back_once_per_response_key() -> None:
    document = parse(
        "{ vehicles(first: 20) { totalCount nodes { id ...F } more: nodes { id } } } "
        "fragment F on Vehicle { otherYears(first: 5) { year } group { count } }"
    )
    operation, fragment = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert isinstance(fragment, FragmentDefinitionNode)
    data = {
        "vehicles": {
            "totalCount": 2,
            "nodes": [
                {"id": "a", "otherYears": [{"year": 1}, {"year": 2}], "group": {"count": 3}},
                {"id": "b", "otherYears": [], "group": None},
            ],
            "more": [{"id": "a"}, {"id": "b"}],
        }
    }
    # 10 + nodes: a (1 + 2 years + group 1) + b (1 + group's weight, null) + more: 2
    assert actual_cost(SCHEMA, operation, {"F": fragment}, data) == 10 + 4 + 2 + 2
    assert actual_cost(SCHEMA, operation, {"F": fragment}, None) == 0


def test_the_budget_is_spliced_into_the_kept_body_without_decoding_it() -> None:
    kept = orjson.dumps({"data": {"x": 1}, "extensions": {"cost": cost_extension(requested=31, actual=25)}})
    assert costs_of(kept) == (31, 25)
    sent = with_throttle_status(kept, ThrottleStatus(1000, 975, 16.667))
    assert orjson.loads(sent)["extensions"]["cost"] == {
        "requestedQueryCost": 31,
        "actualQueryCost": 25,
        "throttleStatus": {"maximumAvailable": 1000, "currentlyAvailable": 975, "restoreRate": 16.667},
    }
    assert costs_of(b'{"data":null}') == (0, 0)


def test_a_budget_charges_the_requested_cost_and_settles_at_the_actual_one() -> None:
    budget = CostBudget(per_minute=600, whitelist=[], trusted_proxies=[], shared=None, sync_seconds=1)
    first = budget.take("203.0.113.9", 500)
    assert first.allowed
    assert first.status.currently_available <= 100
    refused = budget.take("203.0.113.9", 200)
    assert not refused.allowed
    assert 1 <= refused.retry_after <= 11  # 100+ points missing at 10 points a second
    assert budget.settle(first, 100).currently_available >= 500  # 400 points given back
    assert budget.take("198.51.100.7", 600).allowed  # another client, its own budget

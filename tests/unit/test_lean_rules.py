from __future__ import annotations

from typing import Any

import pytest
from graphql import ASTValidationRule, parse, specified_rules, validate
from graphql.validation import NoSchemaIntrospectionCustomRule

from graph.gql.document_cache import graphql_schema
from graph.gql.lean_rules import lean_rule, lean_rules
from graph.gql.query_limits import QueryLimitsRule
from graph.gql.schema import build_schema
from tests.support.benchmark_operations import BY_IDS, FILTERED_SEARCH, NESTED, PICKER

RULES = (*specified_rules, QueryLimitsRule, NoSchemaIntrospectionCustomRule)
SCHEMA = graphql_schema(build_schema())

DOCUMENTS = [
    FILTERED_SEARCH,
    NESTED,
    PICKER,
    BY_IDS,
    "{ vehicles { nodes { nope } } }",
    "query A($x: Int) { vehicles(first: $y) { totalCount } } query A { facets { total } }",
    "{ vehicle(id: 1) { ...F ...F } } fragment F on Vehicle { id ...G } fragment G on Vehicle { ...F }",
    '{ a: vehicle(id: "1") { id } a: vehicle(id: "2") { model } }',
    "{ __schema { types { name } } }",
    '{ decodeVin(vin: 3) { valid @skip(if: "no") } }',
    "{ " + " ".join(f'v{i}: vehicle(id: "{i}") {{ id }}' for i in range(40)) + " }",
    "subscription { vehicles { totalCount } }",
]


@pytest.mark.parametrize("query", DOCUMENTS)
def test_lean_rules_report_what_the_rules_report(query: str) -> None:
    document = parse(query)
    expected = [error.formatted for error in validate(SCHEMA, document, RULES)]
    assert [error.formatted for error in validate(SCHEMA, document, lean_rules(RULES))] == expected


def test_graphql_core_still_asks_the_rules_for_their_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole gain rests on graphql-core's visitor calling get_enter_leave_for_kind;
    # an upgrade that stops doing so fails here, not silently.
    calls = 0
    lean = lean_rule(QueryLimitsRule)
    original = lean.get_enter_leave_for_kind

    def counting(self: Any, kind: str) -> Any:
        nonlocal calls
        calls += 1
        return original(self, kind)

    monkeypatch.setattr(lean, "get_enter_leave_for_kind", counting)
    validate(SCHEMA, parse(FILTERED_SEARCH), (*specified_rules, lean))
    assert calls > 0


def test_a_lean_rule_is_made_once_and_is_still_the_rule() -> None:
    lean = lean_rule(QueryLimitsRule)
    assert lean is lean_rule(QueryLimitsRule)
    assert issubclass(lean, QueryLimitsRule)
    assert issubclass(lean, ASTValidationRule)
    assert lean.__name__ == "QueryLimitsRule"

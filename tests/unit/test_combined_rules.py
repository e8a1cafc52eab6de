from __future__ import annotations

from typing import Any, ClassVar

import pytest
from graphql import (
    BREAK,
    SKIP,
    ASTValidationRule,
    FieldNode,
    GraphQLError,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from graph.compat.strawberry import VALIDATION_RULES, graphql_schema
from graph.gql.combined_rules import (
    FRAGMENT_DEFINITION_RULES,
    VARIABLE_RULES,
    CombinedRule,
    combined_rule,
    may_use_variables,
    rules_for,
)
from graph.gql.document_cache import validation_rules
from graph.gql.query_limits import QueryLimitsRule
from graph.gql.schema import build_schema
from tests.support.benchmark_operations import (
    BY_IDS,
    FILTERED_SEARCH,
    NESTED,
    PICKER,
    RACE_FILTERED_SEARCH,
    RACE_NESTED,
    RACE_PICKER,
)

RULES = (*specified_rules, QueryLimitsRule, NoSchemaIntrospectionCustomRule, *VALIDATION_RULES)
SCHEMA = graphql_schema(build_schema())
# And the pipeline's own, with introspection on and off.
RULE_SETS = (RULES, validation_rules(introspection=True), validation_rules(introspection=False))

DOCUMENTS = [
    FILTERED_SEARCH,
    NESTED,
    PICKER,
    BY_IDS,
    RACE_FILTERED_SEARCH,
    RACE_NESTED,
    RACE_PICKER,
    "{ vehicles { nodes { nope } } }",
    "query A($x: Int) { vehicles(first: $y) { totalCount } } query A { facets { total } }",
    "query ($x: Int, $x: String, $f: Vehicle) { vehicles(first: $x) { totalCount } }",
    'query ($unused: String) { vehicle(id: "1") { id } }',
    "query ($id: String) { vehicle(id: $id) { id } }",
    '{ vehicle(id: "$x") { id } }',
    "{ vehicle(id: $x) { id } }",
    "{ vehicle(id: 1) { ...F ...F } } fragment F on Vehicle { id ...G } fragment G on Vehicle { ...F }",
    '{ vehicle(id: "1") { ...F } } fragment F on Vehicle { id } fragment F on Vehicle { model } '
    "fragment Unused on Vehicle { year }",
    '{ vehicle(id: "1") { ...Missing } }',
    '{ vehicle(id: "1") { ... on Vehicle { id } ... on Nope { id } } }',
    '{ a: vehicle(id: "1") { id } a: vehicle(id: "2") { model } }',
    "{ __schema { types { name } } }",
    "{ __schema { a: types { name } b: types { name } } }",
    '{ decodeVin(vin: 3) { valid @skip(if: "no") } }',
    '{ vehicle(id: "1") @skip(if: true) @skip(if: false) { id @unknown } }',
    '{ vehicles(filter: { yearMin: "x", nope: 1, yearMin: 2 }, first: 20.5) { totalCount } }',
    '{ vehicles(filter: { models: [{ model: "Mustang" }] }) { totalCount } }',
    "{ vehicles { totalCount { x } nodes } }",
    "{ " + " ".join(f'v{i}: vehicle(id: "{i}") {{ id }}' for i in range(40)) + " }",
    "subscription { vehicles { totalCount } }",
    "mutation { vehicles { totalCount } }",
    "{ vehicle { id } } { vehicle(id: 1) { id } }",
    "type Car { id: ID } { vehicle(id: 1) { id } }",
]


def formatted(errors: list[GraphQLError]) -> list[Any]:
    return [error.formatted for error in errors]


@pytest.mark.parametrize("query", DOCUMENTS)
def test_the_combined_rule_reports_what_the_rules_report(query: str) -> None:
    document = parse(query)
    for rules in RULE_SETS:
        expected = formatted(validate(SCHEMA, document, rules))
        assert formatted(validate(SCHEMA, document, rules_for(rules, document))) == expected
        assert formatted(validate(SCHEMA, document, (combined_rule(rules),))) == expected


@pytest.mark.parametrize("query", DOCUMENTS)
def test_rules_left_out_have_nothing_to_report(query: str) -> None:
    document = parse(query)
    kept = set(rules_for(RULES, document)[0].rules)  # type: ignore[attr-defined]
    for rule in set(RULES) - kept:
        assert validate(SCHEMA, document, [rule]) == []


def test_the_variable_rules_are_left_out_only_without_a_dollar() -> None:
    def kept(query: str, **options: Any) -> set[type[ASTValidationRule]]:
        return set(rules_for(RULES, parse(query, **options))[0].rules)  # type: ignore[attr-defined]

    assert not kept(PICKER) & VARIABLE_RULES
    assert kept(RACE_PICKER) >= VARIABLE_RULES
    assert kept('{ vehicle(id: "$1") { id } }') >= VARIABLE_RULES  # in a string: kept, to be safe
    # Without locations the text is unknown: every rule runs.
    assert may_use_variables(parse(PICKER, no_location=True))
    assert kept(PICKER, no_location=True) >= VARIABLE_RULES


def test_the_fragment_definition_rules_run_only_with_fragment_definitions() -> None:
    def kept(query: str) -> set[type[ASTValidationRule]]:
        return set(rules_for(RULES, parse(query))[0].rules)  # type: ignore[attr-defined]

    assert not kept('{ vehicle(id: "1") { ...F } }') & FRAGMENT_DEFINITION_RULES
    assert kept('{ vehicle(id: "1") { ...F } } fragment F on Vehicle { id }') >= FRAGMENT_DEFINITION_RULES


def test_the_rules_left_out_are_graphql_cores_own() -> None:
    # A rename or removal in graphql-core shows here rather than as a rule silently kept.
    assert set(specified_rules) >= VARIABLE_RULES | FRAGMENT_DEFINITION_RULES


class Recording(ASTValidationRule):
    """Skips below `vehicle`, stops at `model`: what ParallelVisitor does with each."""

    events: ClassVar[list[str]] = []

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        self.events.append(f"enter {node.name.value}")
        if node.name.value == "vehicle":
            return SKIP
        if node.name.value == "model":
            return BREAK
        return None

    def leave_field(self, node: FieldNode, *_args: Any) -> None:
        self.events.append(f"leave {node.name.value}")


class Watching(ASTValidationRule):
    events: ClassVar[list[str]] = []

    def enter(self, node: Any, *_args: Any) -> None:
        self.events.append(f"enter {node.kind}")

    def leave(self, node: Any, *_args: Any) -> None:
        self.events.append(f"leave {node.kind}")


def test_skip_and_break_apply_to_the_rule_that_asked_as_graphql_core_does() -> None:
    document = parse('{ vehicle(id: "1") { id model } facets { total } vehicles { nodes { model id } } }')

    def run(rules: tuple[type[ASTValidationRule], ...]) -> tuple[list[str], list[str]]:
        Recording.events, Watching.events = [], []
        validate(SCHEMA, document, rules)
        return Recording.events, Watching.events

    expected = run((Recording, Watching))
    # Nothing below `vehicle` nor its leave; nothing after the break; the other rule sees all.
    assert expected[0] == [
        "enter vehicle",
        "enter facets",
        "enter total",
        "leave total",
        "leave facets",
        "enter vehicles",
        "enter nodes",
        "enter model",
    ]
    assert expected[1].count("enter field") == 9
    assert run((combined_rule((Recording, Watching)),)) == expected


def test_a_combined_rule_is_made_once_per_rule_set() -> None:
    combined = combined_rule(RULES)
    assert combined is combined_rule(list(RULES))
    assert issubclass(combined, CombinedRule)
    assert issubclass(combined, ASTValidationRule)
    assert combined_rule(RULES[:-1]) is not combined


def test_graphql_core_still_asks_the_rule_for_its_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gain rests on graphql-core's visitor calling get_enter_leave_for_kind (its public
    # Visitor API) on every rule; an upgrade that stops doing so fails here, not silently.
    calls = 0
    combined = combined_rule(RULES)
    original = combined.get_enter_leave_for_kind

    def counting(self: Any, kind: str) -> Any:
        nonlocal calls
        calls += 1
        return original(self, kind)

    monkeypatch.setattr(combined, "get_enter_leave_for_kind", counting)
    errors = validate(SCHEMA, parse("{ vehicles { nodes { nope } } }"), (combined,))
    assert calls > 0
    assert "Cannot query field 'nope'" in errors[0].message

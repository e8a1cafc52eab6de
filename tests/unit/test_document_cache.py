from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest
import strawberry
import strawberry.schema.schema as strawberry_schema
from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, parse, specified_rules, validate

from graph.gql.document_cache import (
    STRAWBERRY_RULES,
    DocumentCache,
    documents_extension,
    estimated_size,
    graphql_schema,
)
from graph.gql.execution.completion_plans import CompletionPlans
from graph.gql.execution.planned_execution import PLANS, PlannedExecutionContext
from graph.gql.schema import Query, build_schema
from tests.support.benchmark_operations import BY_IDS, FILTERED_SEARCH, NESTED, PICKER


def literal_search(year: int) -> str:
    return FILTERED_SEARCH.replace("yearMin: 1965", f"yearMin: {year}")


def operation_of(cache: DocumentCache, query: str) -> OperationDefinitionNode:
    definition = cache.parsed(query, {}).document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def test_the_same_text_is_parsed_once() -> None:
    cache = DocumentCache()
    first = cache.parsed(PICKER, {})
    assert cache.parsed(PICKER, {}) is first
    assert cache.parsed(PICKER, {"max_tokens": 2000}) is not first  # other options, another parse
    assert len(cache) == 2
    assert cache.size == 2 * estimated_size(PICKER)


def test_the_least_recently_used_documents_go_first_when_over_the_byte_budget() -> None:
    queries = [literal_search(year) for year in range(1950, 1956)]
    cache = DocumentCache(max_bytes=3 * estimated_size(queries[0]))
    kept = [cache.parsed(query, {}) for query in queries[:3]]
    cache.parsed(queries[0], {})  # used again: the second is now the oldest
    cache.parsed(queries[3], {})
    assert len(cache) == 3
    assert cache.size <= cache.max_bytes
    assert cache.parsed(queries[0], {}) is kept[0]
    assert cache.parsed(queries[2], {}) is kept[2]
    assert cache.parsed(queries[1], {}) is not kept[1]  # evicted, parsed anew


def test_an_evicted_document_takes_its_plans_with_it() -> None:
    first, second = literal_search(1950), literal_search(1951)
    cache = DocumentCache(max_bytes=estimated_size(first))
    operation = operation_of(cache, first)
    assert PLANS.tables_for(operation) is cache.parsed(first, {}).plans
    cache.parsed(second, {})
    assert PLANS.tables_for(operation) is None
    assert PLANS.tables_for(operation_of(cache, second)) is not None


def test_a_document_larger_than_the_budget_is_parsed_but_not_kept() -> None:
    cache = DocumentCache(max_bytes=estimated_size(PICKER) - 1)
    entry = cache.parsed(PICKER, {})
    assert entry.document.definitions
    assert len(cache) == 0
    assert cache.size == 0
    assert PLANS.tables_for(operation_of(cache, PICKER)) is None


def test_no_budget_keeps_nothing_and_still_answers() -> None:
    cache = DocumentCache(max_bytes=0)
    schema = strawberry.Schema(
        query=Query,
        execution_context_class=PlannedExecutionContext,
        extensions=[documents_extension(cache)],
    )
    result = schema.execute_sync('{ decodeVin(vin: "1FAFP40634F172825") { valid } }')
    assert result.errors is None
    assert result.data is not None
    assert len(cache) == 0


def test_validation_is_kept_per_document_and_rule_set() -> None:
    cache = DocumentCache()
    schema = strawberry.Schema(query=Query, extensions=[documents_extension(cache)])
    bad = "{ vehicles { nodes { nope } } }"
    first = schema.execute_sync(bad)
    second = schema.execute_sync(bad)
    assert first.errors
    assert second.errors
    assert [e.message for e in first.errors] == [e.message for e in second.errors]
    assert "Cannot query field 'nope'" in first.errors[0].message
    entry = cache.parsed(bad, {})
    assert len(cache) == 1
    assert list(entry.validations.values()) == [first.errors]


def test_the_rules_strawberry_adds_are_the_ones_validated_with(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache validates as Strawberry's validate_document does: the schema's rules, then
    # STRAWBERRY_RULES. Fails if a Strawberry upgrade adds, drops or reorders a rule there.
    seen: list[tuple[Any, ...]] = []
    monkeypatch.setattr(strawberry_schema, "validate", lambda _s, _d, rules: seen.append(tuple(rules)))
    strawberry_schema.validate_document(graphql_schema(build_schema()), parse(PICKER), tuple(specified_rules))
    assert seen == [(*specified_rules, *STRAWBERRY_RULES)]


def test_graphql_core_schema_is_reachable() -> None:
    # Fails loudly if Strawberry stops keeping graphql-core's schema as `_schema`.
    assert isinstance(graphql_schema(build_schema()), GraphQLSchema)


def planned_document(query: str, schema: GraphQLSchema) -> tuple[Any, ...]:
    document = parse(query)
    errors = validate(schema, document, specified_rules)
    plans = CompletionPlans()
    root = schema.query_type
    assert root is not None
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    for selection in operation.selection_set.selections:
        assert isinstance(selection, FieldNode)
        plans.plan_for(schema, root.fields[selection.name.value].type, [selection], {})
    return document, errors, plans


def retained_bytes(query: str, schema: GraphQLSchema) -> int:
    """What evicting a parsed, validated and planned document frees (interpreter-wide caches,
    such as the attribute names the validator looks up, are not the document's)."""
    tracemalloc.start()
    try:
        kept: Any = planned_document(query, schema)
        gc.collect()
        with_document = tracemalloc.get_traced_memory()[0]
        del kept
        gc.collect()
        return with_document - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("query", [FILTERED_SEARCH, NESTED, PICKER, BY_IDS, literal_search(1990)])
def test_the_size_estimate_bounds_what_a_document_keeps(query: str) -> None:
    schema = graphql_schema(build_schema())
    measured = retained_bytes(query, schema)
    assert measured <= estimated_size(query) <= 4 * measured

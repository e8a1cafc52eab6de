"""The document cache (graph/gql/document_cache.py): parsed once, validated once, bounded in bytes."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from typing import Any

import pytest
from graphql import FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, validate

import graph.gql.document_cache as document_cache
from graph.compat.strawberry import graphql_schema
from graph.gql.document_cache import DocumentCache, estimated_size, validation_rules
from graph.gql.execution.completion_plans import CompletionPlans
from graph.gql.execution.planned_execution import DocumentPlans
from graph.gql.query_limits import LIMITS
from graph.gql.schema import build_schema
from tests.support.benchmark_operations import BY_IDS, FILTERED_SEARCH, NESTED, PICKER
from tests.support.execution import answer, pipeline_documents

SCHEMA = graphql_schema(build_schema())
INTROSPECTION = "{ __schema { queryType { name } } }"
TOO_MANY_TOKENS = "{ " + "vehicles { totalCount } " * 600 + "}"


def literal_search(year: int) -> str:
    return FILTERED_SEARCH.replace("yearMin: 1965", f"yearMin: {year}")


def decode(vin: str) -> str:
    # Answered without Elasticsearch, so a unit test can execute it as the pipeline does.
    return f'{{ decodeVin(vin: "{vin}") {{ vin valid wmi errors modelYearCandidates }} }}'


def test_the_same_text_is_parsed_once() -> None:
    cache = pipeline_documents()
    first = cache.parsed(PICKER)
    assert cache.parsed(PICKER) is first
    assert cache.parsed(FILTERED_SEARCH) is not first
    assert len(cache) == 2
    assert cache.size == estimated_size(PICKER) + estimated_size(FILTERED_SEARCH)


def test_documents_are_parsed_within_the_token_limit() -> None:
    cache = pipeline_documents()
    with pytest.raises(GraphQLError, match=f"{LIMITS.max_tokens} tokens"):
        cache.parsed(TOO_MANY_TOKENS)
    assert len(cache) == 0
    assert cache.size == 0


def test_every_character_counts_towards_the_document_limit_comments_included() -> None:
    cache = pipeline_documents()
    padding = "# padding\n" * (LIMITS.max_document_characters // 10)
    # Three tokens: the token limit alone lets it through.
    with pytest.raises(GraphQLError, match=f"at most {LIMITS.max_document_characters}") as refused:
        cache.parsed("{ __typename }\n" + padding)
    assert (refused.value.extensions or {})["code"] == "QUERY_TOO_COMPLEX"
    assert len(cache) == 0
    at_the_limit = "{ __typename }\n" + "#" * (LIMITS.max_document_characters - 15)
    assert len(at_the_limit) == LIMITS.max_document_characters
    assert cache.parsed(at_the_limit).document is not None


def test_the_least_recently_used_documents_go_first_when_over_the_byte_budget() -> None:
    queries = [literal_search(year) for year in range(1950, 1956)]
    cache = pipeline_documents(max_bytes=3 * estimated_size(queries[0]))
    kept = [cache.parsed(query) for query in queries[:3]]
    cache.parsed(queries[0])  # used again: the second is now the oldest
    cache.parsed(queries[3])
    assert len(cache) == 3
    assert cache.size <= cache.max_bytes
    assert cache.parsed(queries[0]) is kept[0]
    assert cache.parsed(queries[2]) is kept[2]
    assert cache.parsed(queries[1]) is not kept[1]  # evicted, parsed anew


async def test_an_evicted_document_takes_its_plans_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    first, second = decode("1FAFP40634F172825"), decode("1M8GDM9AXKP042788")
    cache = pipeline_documents(max_bytes=estimated_size(first))
    assert (await answer(cache, first))["data"]["decodeVin"]["valid"] is True
    entry = cache.parsed(first)
    assert any(plan is not None for _, plan in entry.plans.plans.entries()), "the answer was planned"
    plans = weakref.ref(entry.plans)
    del entry
    assert (await answer(cache, second))["data"]["decodeVin"]["valid"] is True
    gc.collect()
    # Nothing but the evicted entry held its plans.
    assert plans() is None
    assert len(cache) == 1


def test_a_document_larger_than_the_budget_is_parsed_but_not_kept() -> None:
    cache = pipeline_documents(max_bytes=estimated_size(PICKER) - 1)
    entry = cache.parsed(PICKER)
    assert entry.document.definitions
    assert len(cache) == 0
    assert cache.size == 0
    assert cache.parsed(PICKER) is not entry


async def test_no_budget_keeps_nothing_and_still_answers() -> None:
    cache = pipeline_documents(max_bytes=0)
    body = await answer(cache, '{ decodeVin(vin: "1FAFP40634F172825") { valid } }')
    assert body == {"data": {"decodeVin": {"valid": True}}}
    assert len(cache) == 0


async def test_validation_is_computed_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def counting(*args: Any) -> list[GraphQLError]:
        calls.append(args[1])
        return validate(*args)

    monkeypatch.setattr(document_cache, "validate", counting)
    cache = pipeline_documents()
    bad = "{ vehicles { nodes { nope } } }"
    first = await answer(cache, bad)
    second = await answer(cache, bad)
    assert first == second
    assert "Cannot query field 'nope'" in first["errors"][0]["message"]
    assert first["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    entry = cache.parsed(bad)
    assert cache.validation(entry) is entry.errors
    assert len(calls) == 1
    assert calls == [entry.document]


def test_the_rules_are_fixed_when_the_cache_is_made() -> None:
    with_introspection = pipeline_documents(introspection=True)
    without = pipeline_documents(introspection=False)
    assert with_introspection.rules == validation_rules(introspection=True)
    assert with_introspection.validation(with_introspection.parsed(INTROSPECTION)) == []
    refused = without.validation(without.parsed(INTROSPECTION))
    assert refused
    assert "introspection" in refused[0].message.lower()


def test_pinned_documents_are_served_as_given_and_never_evicted() -> None:
    pinned = parse(PICKER)
    cache = DocumentCache(
        schema=SCHEMA,
        rules=validation_rules(introspection=False),
        max_tokens=LIMITS.max_tokens,
        max_characters=LIMITS.max_document_characters,
        max_bytes=estimated_size(FILTERED_SEARCH),
        pinned=[(PICKER, pinned)],
    )
    entry = cache.parsed(PICKER)
    assert entry.document is pinned
    for year in range(1950, 1955):  # each evicts the last: the byte budget holds one
        cache.parsed(literal_search(year))
    assert cache.parsed(PICKER) is entry
    assert len(cache) == 1
    assert cache.size == estimated_size(literal_search(1954))  # pinned documents aside
    assert cache.validation(entry) == []
    assert cache.validation(cache.parsed(INTROSPECTION))  # the cache's rules apply to every document


def planned_document(query: str, schema: GraphQLSchema) -> tuple[Any, ...]:
    document = parse(query)
    errors = validate(schema, document, validation_rules(introspection=True))
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
    measured = retained_bytes(query, SCHEMA)
    assert measured <= estimated_size(query) <= 4 * measured

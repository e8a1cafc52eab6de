"""The deferred-facets workload's documents: valid under the service's rules, and the same but for @defer."""

from __future__ import annotations

from graphql import parse

from graph.gql.incremental import asks_for_parts
from scripts.bench.first_part import DEFERRED_SEARCH, WHOLE_SEARCH
from tests.support.benchmark_operations import RACE_FILTERED_SEARCH
from tests.support.execution import pipeline_documents


def test_the_deferred_and_the_whole_search_are_valid_and_differ_only_by_defer() -> None:
    documents = pipeline_documents()
    for query in (DEFERRED_SEARCH, WHOLE_SEARCH):
        assert documents.validation(documents.parsed(query)) == []
    assert asks_for_parts(parse(DEFERRED_SEARCH))
    assert not asks_for_parts(parse(WHOLE_SEARCH))
    assert DEFERRED_SEARCH.replace(' @defer(label: "facets")', "") == WHOLE_SEARCH
    # The race's filtered search, with the facets added.
    assert WHOLE_SEARCH.startswith(RACE_FILTERED_SEARCH.removesuffix("}").rstrip())

"""graph/gql/query_limits.py counts what @defer and @stream deliver later as if it came at once.

A deferred fragment is an inline fragment or a spread like any other, and a
streamed list resolves every item whatever its `initialCount`: the limits
measure the same document with or without the directives.
"""

from __future__ import annotations

import pytest
from graphql import parse, validate

from tests.support.execution import pipeline_documents

DOCUMENTS = pipeline_documents()
COSTLY = "vehicles(first: 100) { nodes { otherYears(first: 100) { otherYears(first: 100) { id } } } }"


def limit_messages(query: str) -> list[str]:
    return [e.message for e in validate(DOCUMENTS.schema, parse(query), DOCUMENTS.rules)]


@pytest.mark.parametrize(
    "incremental",
    [
        f"{{ ... @defer {{ {COSTLY} }} }}",
        f'{{ ...Costly @defer(label: "later") }} fragment Costly on Query {{ {COSTLY} }}',
        "{ vehicles(first: 100) { nodes @stream(initialCount: 1) { otherYears(first: 100) "
        "{ otherYears(first: 100) { id } } } } }",
    ],
)
def test_deferred_and_streamed_selections_cost_what_they_would_at_once(incremental: str) -> None:
    whole = limit_messages(f"{{ {COSTLY} }}")
    assert whole
    assert whole[0].startswith("Query is too complex: estimated cost")
    assert limit_messages(incremental) == whole

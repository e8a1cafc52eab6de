"""Every kind of error graphql-core reports before a resolver runs gets its code.

graph/gql/errors.py tells most of them apart by type (a syntax error is a
GraphQLSyntaxError). graphql-core gives no type or code for the rest, so they are
told apart by the start of graphql-core's message; this test pins each message
the classification relies on, and fails when a graphql-core upgrade rewords one
(then errors.py must follow).
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    Source,
    experimental_execute_incrementally,
    parse,
    validate,
)
from graphql import build_schema as build_from_sdl

from graph.gql.errors import GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, classify
from graph.gql.query_limits import LIMITS
from tests.support.execution import answer, pipeline_documents

DOCUMENTS = pipeline_documents()
TOO_MANY_TOKENS = "{ " + "vehicles { totalCount } " * 600 + "}"


async def codes(query: str, variables: dict[str, Any] | None = None) -> list[str]:
    # As the pipeline answers: refused before any resolver runs (the context's data sources
    # fail any call, which would show here as INTERNAL_SERVER_ERROR).
    body = await answer(DOCUMENTS, query, variables=variables)
    assert body.get("errors"), "the query must be refused"
    assert body["data"] is None
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ vehicles(first: 1) { totalCount }", None, "GRAPHQL_PARSE_FAILED"),
        (TOO_MANY_TOKENS, None, "QUERY_TOO_COMPLEX"),
        ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED"),
        ('{ vehicles(first: "x") { totalCount } }', None, "BAD_USER_INPUT"),
        ("{ vehicles(first: 3000000000) { totalCount } }", None, "BAD_USER_INPUT"),
        ("{ vehicles(filter: 5) { totalCount } }", None, "BAD_USER_INPUT"),
        ("query ($f: Int) { vehicles(first: $f) { totalCount } }", {"f": "x"}, "BAD_USER_INPUT"),
        ("query ($id: ID!) { vehicle(id: $id) { id } }", {}, "BAD_USER_INPUT"),
        ("query ($id: ID) { vehicle(id: $id) { id } }", {"id": "1"}, "BAD_USER_INPUT"),
        ("query ($unused: Int) { vehicles { totalCount } }", None, "BAD_USER_INPUT"),
        ("{ vehicle { id } }", None, "BAD_USER_INPUT"),
    ],
    ids=[
        "syntax",
        "token limit",
        "unknown field",
        "string for Int",
        "Int out of range",
        "scalar for input object",
        "bad variable value",
        "missing variable",
        "variable in a non-null position",
        "unused variable",
        "missing argument",
    ],
)
async def test_graphql_cores_errors_get_their_codes(
    query: str, variables: dict[str, Any] | None, code: str
) -> None:
    assert await codes(query, variables) == [code]


# The message starts errors.py matches, with a document graphql-core answers with each.
PINNED_MESSAGES = [
    ("tokens. Parsing aborted", TOO_MANY_TOKENS),
    ("Int cannot", '{ vehicles(first: "x") { totalCount } }'),
    ("Expected value", "{ vehicles(filter: 5) { totalCount } }"),
    ("Variable", "query ($unused: Int) { vehicles { totalCount } }"),
    ("Argument", "{ vehicle { id } }"),
    (
        "Maximum introspection depth exceeded",
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
    ),
]


@pytest.mark.parametrize(("matched", "query"), PINNED_MESSAGES, ids=[m for m, _ in PINNED_MESSAGES])
def test_the_messages_the_classification_matches_are_graphql_cores(matched: str, query: str) -> None:
    try:
        errors: list[GraphQLError] = validate(DOCUMENTS.schema, parse(query, max_tokens=LIMITS.max_tokens))
    except GraphQLSyntaxError as error:
        errors = [error]
    assert errors
    assert matched in errors[0].message, (
        f"graphql-core now says {errors[0].message!r}; update graph/gql/errors.py"
    )


def test_a_parse_failure_is_told_by_its_type_not_its_text() -> None:
    syntax = GraphQLSyntaxError(Source("{"), 1, "Expected Name, found <EOF>.")
    assert classify(syntax, expose_internals=False).extensions == {"code": GRAPHQL_PARSE_FAILED}
    lookalike = GraphQLError("Syntax Error: a message that only starts like one")
    assert classify(lookalike, expose_internals=False).extensions == {"code": GRAPHQL_VALIDATION_FAILED}


def test_a_negative_stream_initial_count_is_the_clients_error_in_graphql_cores_words() -> None:
    schema = build_from_sdl(
        "directive @stream(if: Boolean! = true, label: String, initialCount: Int = 0) on FIELD\n"
        "type Query { items: [Int] }"
    )
    result = experimental_execute_incrementally(
        schema, parse("{ items @stream(initialCount: -1) }"), root_value={"items": [1, 2]}
    )
    assert isinstance(result, ExecutionResult)
    assert result.errors
    error = classify(result.errors[0], expose_internals=False)
    assert error.extensions == {"code": "BAD_USER_INPUT"}, (
        f"graphql-core now says {result.errors[0].message!r}; update graph/gql/errors.py"
    )

"""Every error a client sees carries `extensions.code`; internals are masked outside development.

Errors are told apart by type where the library gives one (ours, and
graphql-core's GraphQLSyntaxError). graphql-core gives neither type nor code for
its validation and variable errors, nor for the token limit's aborted parse, so
those are told apart by the start of its message; tests/unit/test_error_codes.py
pins each message matched here and fails when an upgrade rewords one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from datasources.elastic.errors import DataSourceUnavailable
from graph.observability.metrics import record_graphql_failure
from resolvers.errors import InvalidArgument, NotFound

log = logging.getLogger("autos_graph.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
RATE_LIMITED = "RATE_LIMITED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
# Codes that are the service's fault, not the client's: they count towards the error ratio.
SERVER_SIDE_CODES = (SERVICE_UNAVAILABLE, INTERNAL_SERVER_ERROR)
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"

# graphql-core's messages for values and variables a client got wrong (pinned by a unit test).
_USER_INPUT_MESSAGES = ("Variable", "Argument", "Expected value", "Int cannot", "Int ")
_TOKEN_LIMIT_MESSAGE = "tokens. Parsing aborted"
_INTROSPECTION_DEPTH_MESSAGE = "Maximum introspection depth exceeded"
# graphql-core checks @stream's initialCount (a variable may give it) only when it completes the list.
_STREAM_INITIAL_COUNT_MESSAGE = "initialCount must be a positive integer"

_KNOWN: dict[type[Exception], tuple[str, Callable[[Exception], str]]] = {
    InvalidArgument: (BAD_USER_INPUT, str),
    NotFound: (NOT_FOUND, str),
    DataSourceUnavailable: (
        SERVICE_UNAVAILABLE,
        lambda _e: "The vehicle data store is unavailable; retry shortly.",
    ),
}


def classify(error: GraphQLError, *, expose_internals: bool) -> GraphQLError:
    """The same error with a code, and with its message masked when it is ours to hide."""
    extensions: dict[str, Any] = dict(error.extensions or {})
    original = error.original_error
    if extensions.get("code"):
        return error
    if original is None or isinstance(original, GraphQLError):  # graphql-core's own: parse, validation, input
        code = GRAPHQL_PARSE_FAILED if isinstance(error, GraphQLSyntaxError) else GRAPHQL_VALIDATION_FAILED
        if error.message.startswith(_USER_INPUT_MESSAGES):
            code = BAD_USER_INPUT
        # graphql-core's own guards: the token limit, and its rule against introspection
        # that nests fields/interfaces/possibleTypes (our limits refuse the same shapes).
        if (
            isinstance(error, GraphQLSyntaxError) and _TOKEN_LIMIT_MESSAGE in error.message
        ) or error.message.startswith(_INTROSPECTION_DEPTH_MESSAGE):
            code = QUERY_TOO_COMPLEX
        return _with(error, error.message, {**extensions, "code": code})
    if isinstance(original, ValueError) and str(original) == _STREAM_INITIAL_COUNT_MESSAGE:
        return _with(error, error.message, {**extensions, "code": BAD_USER_INPUT})
    for kind, (code, describe) in _KNOWN.items():
        if isinstance(original, kind):
            return _with(error, describe(original), {**extensions, "code": code})
    log.error("unexpected resolver error", exc_info=original, extra={"context": {"path": error.path}})
    message = error.message if expose_internals else "Internal server error."
    return _with(error, message, {**extensions, "code": INTERNAL_SERVER_ERROR})


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def coded(errors: list[GraphQLError], *, expose_internals: bool) -> list[GraphQLError]:
    """An operation's errors, coded, and counted when the server is to blame."""
    errors = [classify(e, expose_internals=expose_internals) for e in errors]
    # Answered with HTTP 200, so the request counter cannot see it: counted once per operation.
    codes = {(e.extensions or {}).get("code") for e in errors}
    failed = next((code for code in SERVER_SIDE_CODES if code in codes), None)
    if failed is not None:
        record_graphql_failure(failed)
    return errors

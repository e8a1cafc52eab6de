"""The GraphQL operation name of a request, read at the HTTP edge.

Logs and metrics are keyed by it, and they are written by middleware that
wraps the whole app, so the name is taken from the request itself rather than
from inside the schema: the operation the document defines that would run
(the one `operationName` names, else the only one). The document is parsed
with graphql-core's parser, so text in strings and comments is never taken for
a name; a document that does not parse, or does not say which operation runs,
is labelled `unparsed`. Only the name is kept: never the query text or its
variables.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse

from graph.gql.query_limits import LIMITS

ANONYMOUS = "anonymous"
BATCH = "batch"
UNPARSED = "unparsed"

# Bodies larger than this are not parsed again just for a label.
MAX_BODY_BYTES = 64 * 1024
# Documents whose operation names are remembered: clients send the same few again and again.
# Only short ones, so the memory this takes stays small (256 x 8 KiB at most).
REMEMBERED_DOCUMENTS = 256
REMEMBERED_DOCUMENT_CHARS = 8 * 1024

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")

# Where the GraphQL app leaves the names of a document it parsed for this request, in the
# request's ASGI state, so the edge does not parse the same new document a second time.
_STATE_KEY = "autos_graph.operation_names"

Names = tuple[str | None, ...]
# The query text the names belong to, and the names.
Known = tuple[str, Names]


def remember_parsed(state: MutableMapping[str, Any], query: str, document: DocumentNode) -> None:
    """Note the operation names of a document the app parsed for this request."""
    state[_STATE_KEY] = (query, _names_of(document))


def remembered(state: MutableMapping[str, Any] | None) -> Known | None:
    if state is None:
        return None
    known = state.get(_STATE_KEY)
    return known if isinstance(known, tuple) else None


def _names_of(document: DocumentNode) -> Names:
    return tuple(
        definition.name.value if definition.name else None
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )


def _operation_names(query: str, known: Known | None) -> Names | None:
    if known is not None and known[0] == query:
        return known[1]
    if len(query) > REMEMBERED_DOCUMENT_CHARS:
        return _parsed_operation_names(query)
    return _remembered_operation_names(query)


def _parsed_operation_names(query: str) -> Names | None:
    """The names of the document's operations (None for an anonymous one); None if it does not parse."""
    try:
        document = parse(query, no_location=True, max_tokens=LIMITS.max_tokens)
    except GraphQLError:
        return None
    return _names_of(document)


_remembered_operation_names = lru_cache(maxsize=REMEMBERED_DOCUMENTS)(_parsed_operation_names)


def _from_payload(operation_name: object, query: object, known: Known | None) -> str:
    if not isinstance(query, str):  # no document to check against (a persisted query's hash, say)
        if isinstance(operation_name, str) and operation_name:
            return operation_name if _NAME.match(operation_name) else UNPARSED
        return ANONYMOUS
    names = _operation_names(query, known)
    if names is None:
        return UNPARSED
    if isinstance(operation_name, str) and operation_name:
        return operation_name if operation_name in names else UNPARSED
    if operation_name is not None and operation_name != "":
        return UNPARSED
    if len(names) != 1:
        return UNPARSED
    return names[0] or ANONYMOUS


def from_body(body: bytes, known: Known | None = None) -> str | None:
    """None when the body was never read (the request was answered before the app saw it)."""
    if not body:
        return None
    if len(body) > MAX_BODY_BYTES:
        return UNPARSED
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return UNPARSED
    if isinstance(payload, list):
        return BATCH
    if not isinstance(payload, dict):
        return UNPARSED
    return _from_payload(payload.get("operationName"), payload.get("query"), known)


def from_query_string(query_string: bytes, known: Known | None = None) -> str | None:
    """The name of a GET operation; None when the request carries no query (GraphiQL's page)."""
    if not query_string:
        return None
    params = parse_qs(query_string.decode("latin-1"))
    query = params.get("query", [None])[0]
    if query is None:
        return None
    return _from_payload(params.get("operationName", [None])[0], query, known)

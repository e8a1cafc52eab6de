"""The GraphQL operation name of a request, read at the HTTP edge.

Logs and metrics are keyed by it, and they are written by middleware that
wraps the whole app, so the name is taken from the request itself (the
`operationName` parameter, else the first named operation in the document)
rather than from inside the schema. Only the name is kept: never the query
text or its variables.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import orjson

ANONYMOUS = "anonymous"
BATCH = "batch"
UNPARSED = "unparsed"

# Bodies larger than this are not parsed again just for a label.
MAX_BODY_BYTES = 64 * 1024

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
_NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")


def _from_payload(operation_name: object, query: object) -> str:
    if isinstance(operation_name, str) and operation_name:
        return operation_name if _NAME.match(operation_name) else UNPARSED
    if isinstance(query, str):
        named = _NAMED_OPERATION.search(query)
        if named:
            return named.group(1)
    return ANONYMOUS


def from_body(body: bytes) -> str | None:
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
    return _from_payload(payload.get("operationName"), payload.get("query"))


def from_query_string(query_string: bytes) -> str | None:
    """The name of a GET operation; None when the request carries no query (GraphiQL's page)."""
    if not query_string:
        return None
    params = parse_qs(query_string.decode("latin-1"))
    query = params.get("query", [None])[0]
    if query is None:
        return None
    return _from_payload(params.get("operationName", [None])[0], query)

"""Reading a GraphQL request from HTTP: one reading per request, and one meaning per shape.

Everything after this (the answer cache, the document, execution, the access
log's operation name) works from the `GraphQLRequest` read here, so a cached
and an uncached request can never read the same bytes two ways. What the
GraphQL over HTTP specification leaves ill-formed is refused here with a
`RequestError`, never read as something else:

- a POST whose media type is not `application/json` (415), or whose charset is
  not UTF-8;
- a body that is not a JSON object (a batch is a list: not supported);
- `query` or `operationName` that is not a string or null, `variables` or
  `extensions` that is not an object or null (`""`, `0`, `false` and `[]`
  included), `documentId` that is not a string;
- a GET naming a parameter twice (which one would run?).

An `operationName` of `""` is kept as it is: it names no operation, which
the document stage reports, and it is not the same request as one without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson

from graph.http.http_caching import JSON

# Each parameter's type when it is given (null is as good as absent).
_TYPES: Final[dict[str, tuple[type, str]]] = {
    "query": (str, "a string"),
    "operationName": (str, "a string"),
    "variables": (dict, "an object"),
    "extensions": (dict, "an object"),
    "documentId": (str, "a string"),
}


class RequestError(Exception):
    """A request this endpoint cannot read; answered with `status` and a BAD_REQUEST error."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    document_id: str | None


def read_get(query_string: bytes) -> GraphQLRequest | None:
    """The request a GET's query string makes; None when it carries none of the parameters."""
    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    except ValueError:
        raise RequestError("The query string is not valid.") from None
    params: dict[str, Any] = {}
    for name, value in pairs:
        if name not in _TYPES:
            continue
        if name in params:
            raise RequestError(f"The `{name}` parameter is given more than once.")
        params[name] = value
    if not params:
        return None
    for name in ("variables", "extensions"):
        text = params.get(name)
        if text == "":
            del params[name]  # an empty form field: not given
        elif text is not None:
            try:
                params[name] = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise RequestError(
                    "Unable to parse the `variables` or `extensions` query parameter as JSON"
                ) from None
    return _checked(params)


def read_post(content_type: str, body: bytes) -> GraphQLRequest:
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != JSON:
        raise RequestError("Unsupported content type: send application/json.", status=415)
    charset = _charset(parameters)
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise RequestError("Unsupported charset: send UTF-8.", status=415)
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError("Unable to parse request body as JSON") from None
    if isinstance(params, list):
        raise RequestError("Batched requests are not supported: send one operation per request.")
    if not isinstance(params, dict):
        raise RequestError("The request body must be a JSON object.")
    return _checked(params)


def _charset(parameters: str) -> str | None:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _checked(params: dict[str, Any]) -> GraphQLRequest:
    for name, (kind, what) in _TYPES.items():
        value = params.get(name)
        if value is not None and not isinstance(value, kind):
            raise RequestError(f"The GraphQL operation's `{name}` must be {what} or null, if provided.")
    return GraphQLRequest(
        query=params.get("query"),
        operation_name=params.get("operationName"),
        variables=params.get("variables"),
        extensions=params.get("extensions"),
        document_id=params.get("documentId"),
    )

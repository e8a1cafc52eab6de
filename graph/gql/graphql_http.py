"""GraphQL over HTTP as the specification asks: reading a request, and the answer's media type and status.

A request is read once, into a `GraphQLRequest` every later stage works from, so
a cached and an uncached request never read the same bytes two ways. What the
specification leaves ill-formed is a `RequestError`, never read as something
else: a POST that is not `application/json` in UTF-8 (415); a body that is not
a JSON object (a batch); `query`, `operationName` or `documentId` that is not a
string or null; `variables` or `extensions` that is not an object or null
(`""`, `0`, `false`, `[]` included); a GET naming a parameter twice.
`operationName: ""` names no operation: it is not the request without one.

`Accept: application/graphql-response+json` gets that media type, and a request
error (nothing executed) answers 400 without `data`; `application/json` keeps
the traditional 200. Transport errors carry `extensions.code = BAD_REQUEST`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
BAD_REQUEST: Final = "BAD_REQUEST"


def media_type(*, graphql_response: bool) -> str:
    return GRAPHQL_RESPONSE_JSON if graphql_response else JSON


def is_request_error(body: dict[str, Any]) -> bool:
    """Nothing was executed: no data, and no error belongs to a field path."""
    errors = body.get("errors") or []
    return body.get("data") is None and bool(errors) and all("path" not in e for e in errors)


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def shaped(body: dict[str, Any], *, graphql_response: bool) -> tuple[dict[str, Any], int]:
    """The body to send and its status."""
    if graphql_response and is_request_error(body):
        return {key: value for key, value in body.items() if key != "data"}, 400
    return body, 200


class BodyTooLarge(Exception):
    pass


async def read_limited_body(receive: Receive, *, limit: int) -> bytes:
    """The whole request body, refusing more than `limit` bytes (also when chunked)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


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


def read_params(params: Any) -> GraphQLRequest:
    """The request a JSON object of GraphQL parameters makes (a WebSocket's `subscribe` payload)."""
    if not isinstance(params, dict):
        raise RequestError("The GraphQL parameters must be a JSON object.")
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

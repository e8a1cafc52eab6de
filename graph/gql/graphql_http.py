"""GraphQL over HTTP as the specification asks: media types, status codes, transport errors.

- `Accept: application/graphql-response+json` gets that media type, and a
  request error (parse, validation, complexity or variable errors: nothing
  executed) answers 400 without a `data` entry. Plain `application/json`
  keeps the traditional 200.
- Transport errors (malformed JSON, a non-string `query`, non-object
  `variables`, a body over the size limit, a mutation over GET) are JSON
  GraphQL errors with `extensions.code = BAD_REQUEST`.
"""

from __future__ import annotations

from typing import Any, Final

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

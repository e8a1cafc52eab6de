"""GraphQL over HTTP as the specification asks, where Strawberry's defaults differ.

- `Accept: application/graphql-response+json` gets that media type, and a
  request error (parse, validation, complexity or variable errors: nothing
  executed) answers 400 without a `data` entry. Plain `application/json`
  keeps the traditional 200.
- A mutation over GET is 405 with `Allow: POST`.
- Transport errors (malformed JSON, a non-string `query`, non-object
  `variables`, a body over the size limit) are JSON GraphQL errors with
  `extensions.code = BAD_REQUEST` instead of plain text.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
BAD_REQUEST = "BAD_REQUEST"

wants_graphql_response: ContextVar[bool] = ContextVar("wants_graphql_response", default=False)


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def is_request_error(body: dict[str, Any]) -> bool:
    """Nothing was executed: no data, and no error belongs to a field path."""
    errors = body.get("errors") or []
    return body.get("data") is None and bool(errors) and all("path" not in e for e in errors)


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def transport_error(status: int, reason: str, *, method: str, encode: Any) -> Response:
    if status == 400 and method == "GET" and "mutation" in reason.lower():
        return Response(
            encode(error_body("Mutations are only allowed over POST.", BAD_REQUEST)),
            status_code=405,
            media_type=media_type(),
            headers={"Allow": "POST"},
        )
    if method == "GET" and reason == "Unable to parse request body as JSON":
        # Over GET the JSON comes from the query string, not a body.
        reason = "Unable to parse the `variables` or `extensions` query parameter as JSON"
    return Response(encode(error_body(reason, BAD_REQUEST)), status_code=status, media_type=media_type())


def media_type() -> str:
    return GRAPHQL_RESPONSE_JSON if wants_graphql_response.get() else "application/json"


def shape_body(body: Any) -> tuple[Any, int | None]:
    """The body to send and the status it requires (None: leave it to the view)."""
    if wants_graphql_response.get() and isinstance(body, dict) and is_request_error(body):
        return {key: value for key, value in body.items() if key != "data"}, 400
    return body, None


def finish_response(response: Response, *, status: int | None) -> Response:
    if status is not None:
        response.status_code = status
    if wants_graphql_response.get():
        response.media_type = GRAPHQL_RESPONSE_JSON
        response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
    return response


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


def replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive

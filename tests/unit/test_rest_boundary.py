from __future__ import annotations

import asyncio

from starlette.types import Message, Receive, Scope, Send

from graph.rest.boundary import ApiV1Boundary


def _answer_with(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/api/v1/x", "headers": []}
    asyncio.run(ApiV1Boundary(app)(scope, receive, send))
    return list(sent[0]["headers"])


def test_the_version_header_is_added_after_the_answers_own() -> None:
    assert _answer_with([(b"content-type", b"application/json")]) == [
        (b"content-type", b"application/json"),
        (b"x-api-version", b"v1"),
    ]


def test_a_version_header_from_below_is_replaced_in_place_once() -> None:
    headers = [(b"x-api-version", b"v0"), (b"etag", b'"a"'), (b"x-api-version", b"v9")]
    assert _answer_with(headers) == [(b"x-api-version", b"v1"), (b"etag", b'"a"')]

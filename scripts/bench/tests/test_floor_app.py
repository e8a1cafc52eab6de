"""The floor app: a fixed JSON body of the size asked for, for any request."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from scripts.bench.floor_app import FloorApp, fixed_body


@pytest.mark.parametrize("size", [40, 1_000, 12_345])
def test_the_body_is_json_of_exactly_the_size(size: int) -> None:
    body = fixed_body(size)
    assert len(body) == size
    assert orjson.loads(body)["data"]["floor"]


def test_any_request_is_read_and_answered_with_the_body() -> None:
    app = FloorApp(fixed_body(100))
    incoming = [
        {"type": "http.request", "body": b'{"query":', "more_body": True},
        {"type": "http.request", "body": b' "{ a }"}', "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "method": "POST", "path": "/graphql"}, receive, send))
    assert incoming == []
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"content-length"] == b"100"
    assert sent[1]["body"] == fixed_body(100)

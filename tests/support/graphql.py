"""Running GraphQL operations against the app in tests."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from graph.settings import Settings
from tests.conftest import app_client, es_host_port
from tests.support.tcp_proxy import TcpProxy


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole response body; fails the test on a non-200 status."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data_of(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `data` of a response that must have no errors."""
    body = await graphql(client, query, variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


@dataclass
class ProxiedApp:
    client: httpx.AsyncClient
    proxy: TcpProxy

    def reset_count(self) -> None:
        self.proxy.requests.clear()

    def round_trips(self) -> int:
        return len(self.proxy.search_requests())


@asynccontextmanager
async def proxied_app(settings: Settings) -> AsyncIterator[ProxiedApp]:
    """The app reaching the real Elasticsearch through a proxy that counts and can cut."""
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        routed = settings.model_copy(update={"elasticsearch_url": f"http://{proxy.url_host}"})
        async for client in app_client(routed):
            yield ProxiedApp(client=client, proxy=proxy)
    finally:
        await proxy.stop()


def shared_answer(body: Any) -> Any:
    """An answer without the asking client's budget (`extensions.cost.throttleStatus`): two requests
    for one answer differ only there (docs/query-cost.md). A body given as bytes is decoded first."""
    answer = orjson.loads(body) if isinstance(body, bytes) else copy.deepcopy(body)
    if isinstance(answer, dict):
        answer.get("extensions", {}).get("cost", {}).pop("throttleStatus", None)
    return answer

"""The subscription transports against a served process: graphql-transport-ws, SSE, their errors and limits.

A subscription starting with the live generation (`includeLive`) shows the
whole path working without a release; the protocol's close codes and the
per-client limit are asserted as a client sees them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.support.server import served

PROTOCOL = Subprotocol("graphql-transport-ws")
LIVE = "subscription { catalogReleases(includeLive: true) { generation documents kind } }"
PER_CLIENT = 2


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("subscriptions") / "serve.log"
    with served(index=sample_index, log_path=log, SUBSCRIPTIONS_PER_CLIENT=str(PER_CLIENT)) as url:
        yield url


def ws_url(server: str) -> str:
    return server.replace("http://", "ws://") + "/graphql"


async def receive(websocket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await websocket.recv())
    return message


async def initialised(server: str, *, source: str = "127.0.0.1") -> AsyncIterator[ClientConnection]:
    async with connect(
        ws_url(server),
        subprotocols=[PROTOCOL],
        local_addr=(source, 0),
    ) as websocket:
        await websocket.send(json.dumps({"type": "connection_init"}))
        assert await receive(websocket) == {"type": "connection_ack"}
        yield websocket


async def close_code(websocket: ClientConnection) -> int | None:
    """The code the server closed with, after any messages it sent first."""
    with pytest.raises(ConnectionClosed):
        await drained(websocket)
    return websocket.close_code


async def drained(websocket: ClientConnection) -> None:
    while True:
        await websocket.recv()


def open_subscriptions(metrics: str) -> float:
    (line,) = [line for line in metrics.splitlines() if line.startswith("autos_graph_subscriptions_open ")]
    return float(line.split()[1])


async def subscribe(websocket: ClientConnection, operation_id: str, query: str = LIVE) -> None:
    message = {"type": "subscribe", "id": operation_id, "payload": {"query": query}}
    await websocket.send(json.dumps(message))


async def test_a_websocket_subscription_starts_with_the_live_generation_and_completes_on_request(
    server: str, sample_index: str
) -> None:
    async for websocket in initialised(server):
        await subscribe(websocket, "1")
        message = await receive(websocket)
        assert message["id"] == "1"
        assert message["type"] == "next"
        live = message["payload"]["data"]["catalogReleases"]
        assert live["generation"].startswith(f"{sample_index}-v")
        assert live["documents"] == 1000
        await websocket.send(json.dumps({"type": "ping"}))
        assert await receive(websocket) == {"type": "pong"}
        async with httpx.AsyncClient(timeout=10) as client:
            metrics = (await client.get(f"{server}/metrics")).text
        assert open_subscriptions(metrics) >= 1
        await websocket.send(json.dumps({"type": "complete", "id": "1"}))
        # The id is free again once completed.
        await subscribe(websocket, "1")
        assert (await receive(websocket))["type"] == "next"


async def test_an_event_stream_subscription_starts_with_the_live_generation(server: str) -> None:
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream(
            "POST", f"{server}/graphql", json={"query": LIVE}, headers={"accept": "text/event-stream"}
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert await anext(lines) == "event: next"
        data = await anext(lines)
        assert json.loads(data.removeprefix("data: "))["data"]["catalogReleases"]["documents"] == 1000


async def test_the_protocol_close_codes(server: str) -> None:
    async with connect(ws_url(server)) as websocket:  # no subprotocol
        assert await close_code(websocket) == 4406
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as websocket:
        await subscribe(websocket, "1")
        assert await close_code(websocket) == 4401
    async for websocket in initialised(server):
        await websocket.send(json.dumps({"type": "connection_init"}))
        assert await close_code(websocket) == 4429
    async for websocket in initialised(server):
        await subscribe(websocket, "1")
        await subscribe(websocket, "1")
        assert await close_code(websocket) == 4409
    async for websocket in initialised(server):
        await websocket.send("not json")
        assert await close_code(websocket) == 4400
    async with connect(ws_url(server), subprotocols=[PROTOCOL]) as websocket:
        assert await close_code(websocket) == 4408  # no connection_init within the wait


async def test_bad_operations_get_coded_errors_over_both_transports(server: str) -> None:
    cases = {
        "{ vehicles(first: 1) { totalCount } }": "BAD_REQUEST",  # a query: GET/POST serve it
        "subscription { catalogReleases { nope } }": "GRAPHQL_VALIDATION_FAILED",
        "subscription {": "GRAPHQL_PARSE_FAILED",
    }
    async for websocket in initialised(server):
        for number, (query, code) in enumerate(cases.items()):
            await subscribe(websocket, str(number), query)
            message = await receive(websocket)
            assert message["type"] == "error"
            assert message["id"] == str(number)
            assert [e["extensions"]["code"] for e in message["payload"]] == [code]
    async with httpx.AsyncClient(timeout=10) as client:
        for query, code in cases.items():
            response = await client.post(
                f"{server}/graphql/stream", json={"query": query}, headers={"accept": "text/event-stream"}
            )
            assert response.status_code == 400
            assert response.headers["content-type"].startswith("application/json")
            assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]
            assert "Traceback" not in response.text


async def test_a_subscription_over_plain_get_or_post_is_refused_with_400(server: str) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(f"{server}/graphql", json={"query": LIVE})
        got = await client.get(f"{server}/graphql", params={"query": LIVE})
    for response in (posted, got):
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "WebSocket" in error["message"]
        assert "text/event-stream" in error["message"]


async def test_a_client_over_its_limit_of_open_subscriptions_is_refused(server: str) -> None:
    # A loopback address of its own: the other tests' subscriptions may still be closing.
    source = "127.0.0.23"
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(timeout=10, transport=transport) as client:
        async for websocket in initialised(server, source=source):
            for number in range(PER_CLIENT):
                await subscribe(websocket, str(number))
                assert (await receive(websocket))["type"] == "next"
            await subscribe(websocket, "over")
            refused = await receive(websocket)
            assert refused["type"] == "error"
            assert refused["id"] == "over"
            assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
            # The same client over SSE: the limit counts both transports.
            response = await client.post(
                f"{server}/graphql/stream", json={"query": LIVE}, headers={"accept": "text/event-stream"}
            )
            assert response.status_code == 429
            assert response.headers["retry-after"] == "1"
            assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            # Completing one frees its place.
            await websocket.send(json.dumps({"type": "complete", "id": "0"}))
            await subscribe(websocket, "again")
            assert (await receive(websocket))["type"] == "next"


async def test_a_query_listing_event_streams_among_its_accepted_types_is_a_plain_query(server: str) -> None:
    # urql's Accept on every query; only an event stream asked for first is a subscription transport.
    accept = "application/graphql-response+json, application/json, text/event-stream, multipart/mixed"
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            f"{server}/graphql",
            params={"query": "{ vehicles(first: 1) { totalCount } }"},
            headers={"accept": accept},
        )
    assert response.status_code == 200
    assert response.json() == {"data": {"vehicles": {"totalCount": 1000}}}

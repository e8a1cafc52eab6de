"""SIGTERM completes open subscriptions with each protocol's own close before the server stops.

graphql-transport-ws: `complete` for the operation, then close code 1001;
Server-Sent Events: `event: complete` ending the response. Also while the
replica drains (readiness 503), subscriptions are still served.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.support.server import ServedProcess

LIVE = "subscription { catalogReleases(includeLive: true) { generation } }"


async def test_sigterm_completes_websocket_and_event_stream_subscriptions(
    sample_index: str, tmp_path: Path
) -> None:
    server = ServedProcess(
        index=sample_index, log_path=tmp_path / "serve.log", env={"SHUTDOWN_DELAY_SECONDS": "1"}
    )
    server.start()
    assert server.process is not None
    url = server.base_url.replace("http://", "ws://") + "/graphql"
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream(
            "POST",
            f"{server.base_url}/graphql/stream",
            json={"query": LIVE},
            headers={"accept": "text/event-stream"},
        ) as stream,
        connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as websocket,
    ):
        await websocket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await websocket.recv())["type"] == "connection_ack"
        await websocket.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": LIVE}}))
        assert json.loads(await websocket.recv())["type"] == "next"
        lines = stream.aiter_lines()
        assert await anext(lines) == "event: next"

        server.process.terminate()
        ready = await client.get(f"{server.base_url}/health/ready")
        assert ready.status_code == 503  # draining, still serving

        assert json.loads(await websocket.recv()) == {"id": "1", "type": "complete"}
        with contextlib.suppress(ConnectionClosed):
            await websocket.recv()
        assert websocket.close_code == 1001
        rest = [line async for line in lines]
        assert "event: complete" in rest
    assert server.process.wait(timeout=30) == 0

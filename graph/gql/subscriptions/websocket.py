"""graphql-transport-ws on a WebSocket at /graphql: the protocol graphql-ws clients speak.

Strawberry implements the protocol too, but inside its HTTP view, which
executes through `Schema.subscribe` and its own parsing; here a subscription's
document goes through the pipeline's document cache, rules and limits
(operation.py), so the protocol's few messages are handled here.

The protocol's close codes: 4400 a message that is not one, 4401 `subscribe`
before `connection_ack`, 4406 without the subprotocol, 4408 no
`connection_init` within CONNECTION_INIT_SECONDS, 4409 an id already in use,
4429 a second `connection_init`. A subscription over the client's limit gets an
`error` message (RATE_LIMITED) and the connection stays. At shutdown each
subscription gets `complete` and the socket closes with 1001 (going away).
Keepalive pings are uvicorn's (WebSocket pings every 20 s).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph.gql.graphql_http import RequestError, read_params
from graph.gql.subscriptions.open import COMPLETE_SECONDS, OpenSubscriptions, Slot, too_many
from graph.gql.subscriptions.operation import Bodies, Refused, SubscriptionOpener
from graph.http.client_address import client_ip
from graph.settings import Settings

CONNECTION_INIT_SECONDS: Final = 3.0
GOING_AWAY: Final = 1001


class Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class GraphQLTransportWS:
    def __init__(self, *, opener: SubscriptionOpener, settings: Settings) -> None:
        self._opener = opener
        self._settings = settings

    async def serve(self, websocket: WebSocket, open_subscriptions: OpenSubscriptions) -> None:
        if GRAPHQL_TRANSPORT_WS_PROTOCOL not in websocket.scope.get("subprotocols", []):
            await websocket.accept()
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        await websocket.accept(subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL)
        client = client_ip(websocket.scope, self._settings.trusted_proxies)
        open_subscriptions.connected()
        try:
            await _Connection(websocket, self._opener, open_subscriptions, client).run()
        finally:
            open_subscriptions.disconnected()


class _Connection:
    def __init__(
        self,
        websocket: WebSocket,
        opener: SubscriptionOpener,
        open_subscriptions: OpenSubscriptions,
        client: str,
    ) -> None:
        self._websocket = websocket
        self._opener = opener
        self._open = open_subscriptions
        self._client = client
        self._initialised = asyncio.Event()
        self._operations: dict[str, tuple[asyncio.Task[None], Slot]] = {}

    async def run(self) -> None:
        watchers = [
            asyncio.create_task(self._close_without_init()),
            asyncio.create_task(self._close_when_stopping()),
        ]
        try:
            await self._receive()
        except Close as close:
            await self._close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            tasks = [*watchers, *(task for task, _slot in self._operations.values())]
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _receive(self) -> None:
        while True:
            message = await self._websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                raise Close(4400, "Invalid message received")
            await self._handle(_parsed(text))

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            if self._initialised.is_set():
                raise Close(4429, "Too many initialisation requests")
            self._initialised.set()
            await self._send({"type": "connection_ack"})
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            return
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            operation = self._operations.pop(_id(message), None)
            if operation is not None:
                task, slot = operation
                slot.close()  # now, so the client's next `subscribe` finds the place free
                task.cancel()
        else:
            raise Close(4400, f"Unexpected message of type {kind}")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self._initialised.is_set():
            raise Close(4401, "Unauthorized")
        operation_id = _id(message)
        if operation_id in self._operations:
            raise Close(4409, f"Subscriber for {operation_id} already exists")
        payload = message.get("payload")
        try:
            asked = read_params(payload)
        except RequestError:
            raise Close(4400, "Invalid message received") from None
        slot = self._open.open(self._client)
        if slot is None:
            await self._send(
                {"id": operation_id, "type": "error", "payload": too_many(self._open.per_client)}
            )
            return
        # Held from here, so a second `subscribe` with this id while it opens is refused.
        task = asyncio.create_task(self._operation(operation_id, asked, slot))
        self._operations[operation_id] = (task, slot)

    async def _operation(self, operation_id: str, asked: Any, slot: Slot) -> None:
        try:
            opened = await self._opener.open(self._websocket, asked)
            if isinstance(opened, Refused):
                await self._send({"id": operation_id, "type": "error", "payload": opened.errors})
                return
            await self._stream(operation_id, opened)
        finally:
            slot.close()
            held = self._operations.get(operation_id)
            if held is not None and held[0] is asyncio.current_task():
                del self._operations[operation_id]

    async def _stream(self, operation_id: str, bodies: Bodies) -> None:
        try:
            async for body in bodies:
                await self._send({"id": operation_id, "type": "next", "payload": body})
        finally:
            await bodies.aclose()
        await self._send({"id": operation_id, "type": "complete"})

    async def _close_without_init(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._initialised.wait(), CONNECTION_INIT_SECONDS)
            return
        await self._close(4408, "Connection initialisation timeout")

    async def _close_when_stopping(self) -> None:
        await self._open.stopping.wait()
        # The streams end as the release feed closes; each sends its `complete`.
        operations = [task for task, _slot in self._operations.values()]
        if operations:
            await asyncio.wait(operations, timeout=COMPLETE_SECONDS)
        await self._close(GOING_AWAY, "Server shutting down")

    async def _send(self, message: dict[str, Any]) -> None:
        if self._websocket.application_state is WebSocketState.CONNECTED:
            await self._websocket.send_text(orjson.dumps(message).decode())

    async def _close(self, code: int, reason: str) -> None:
        if self._websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError):
                await self._websocket.close(code, reason)


def _parsed(text: str) -> dict[str, Any]:
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise Close(4400, "Invalid message received") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Close(4400, "Invalid message received")
    return message


def _id(message: dict[str, Any]) -> str:
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not operation_id:
        raise Close(4400, "Invalid message received")
    return operation_id

"""Server-Sent Events in the graphql-sse protocol's distinct connections mode.

One request per subscription, GET or POST, at /graphql/stream or at /graphql
with `Accept: text/event-stream` first: read as any GraphQL request is
(graphql_http.py), opened through operation.py, then answered with
`text/event-stream`, one `event: next` per result and `event: complete` at the
end, also when the server shuts down. Before the stream starts, a refused
operation gets a JSON error body with its status (400; 429 with `Retry-After`
over the client's limit of open subscriptions), as graphql-sse's clients read
it. A comment line every SSE_KEEPALIVE_SECONDS keeps idle proxies from closing
the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Final

import orjson
from starlette.requests import Request
from starlette.types import Receive, Send

from graph.gql.graphql_http import (
    JSON,
    BodyTooLarge,
    GraphQLRequest,
    RequestError,
    read_get,
    read_limited_body,
    read_post,
)
from graph.gql.query_limits import LIMITS
from graph.gql.subscriptions.open import COMPLETE_SECONDS, OpenSubscriptions, too_many
from graph.gql.subscriptions.operation import Bodies, Refused, SubscriptionOpener
from graph.http.client_address import client_ip
from graph.settings import Settings

EVENT_STREAM: Final = "text/event-stream"
STREAM_HEADERS: Final = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    # nginx and some ingress controllers buffer responses unless told not to.
    (b"x-accel-buffering", b"no"),
]
COMPLETE: Final = b"event: complete\ndata:\n\n"
KEEPALIVE: Final = b":\n\n"
# A client over its limit may try again once one of its subscriptions ends; a second is a guess.
RETRY_AFTER_SECONDS: Final = 1


def wants_event_stream(request: Request) -> bool:
    """Asked first for an event stream, as graphql-sse's client and EventSource ask.

    Only first: urql and others list `text/event-stream` among what they can
    read on every query, and those queries belong to the plain pipeline.
    """
    first = request.headers.get("accept", "").split(",", 1)[0]
    return first.split(";", 1)[0].strip().lower() == EVENT_STREAM


class GraphQLOverSSE:
    def __init__(self, *, opener: SubscriptionOpener, settings: Settings) -> None:
        self._opener = opener
        self._settings = settings

    async def serve(self, request: Request, send: Send, open_subscriptions: OpenSubscriptions) -> None:
        try:
            asked = await _read(request)
        except BodyTooLarge:
            await _refuse(
                send, Refused(413, _errors(f"Request body is larger than {LIMITS.max_body_bytes} bytes."))
            )
            return
        except RequestError as error:
            await _refuse(send, Refused(error.status, _errors(error.message)))
            return
        if asked is None:
            await _refuse(send, Refused(400, _errors("No GraphQL query found in the request")))
            return
        slot = open_subscriptions.open(client_ip(request.scope, self._settings.trusted_proxies))
        if slot is None:
            refusal = Refused(429, too_many(open_subscriptions.per_client))
            await _refuse(send, refusal, retry_after=RETRY_AFTER_SECONDS)
            return
        open_subscriptions.connected()
        try:
            opened = await self._opener.open(request, asked)
            if isinstance(opened, Refused):
                await _refuse(send, opened)
                return
            await self._stream(opened, request.receive, send, open_subscriptions)
        finally:
            slot.close()
            open_subscriptions.disconnected()

    async def _stream(
        self, bodies: Bodies, receive: Receive, send: Send, open_subscriptions: OpenSubscriptions
    ) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        events = asyncio.create_task(_events(bodies, send))
        disconnected = asyncio.create_task(_disconnected(receive))
        stopping = asyncio.create_task(open_subscriptions.stopping.wait())
        keepalive = asyncio.create_task(self._keepalive(send))
        tasks = (events, disconnected, stopping, keepalive)
        try:
            done, _ = await asyncio.wait(
                (events, disconnected, stopping), return_when=asyncio.FIRST_COMPLETED
            )
            if stopping in done and not events.done():
                # The release feed closes at shutdown too; its streams end on their own.
                await asyncio.wait((events, disconnected), timeout=COMPLETE_SECONDS)
            if not disconnected.done():
                events.cancel()
                keepalive.cancel()
                await asyncio.wait((events, keepalive))
                # Ended by the operation or by shutdown: the protocol's own end.
                await send({"type": "http.response.body", "body": COMPLETE, "more_body": False})
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await bodies.aclose()

    async def _keepalive(self, send: Send) -> None:
        while True:
            await asyncio.sleep(self._settings.sse_keepalive_seconds)
            await send({"type": "http.response.body", "body": KEEPALIVE, "more_body": True})


async def _events(bodies: Bodies, send: Send) -> None:
    async for body in bodies:
        data = b"event: next\ndata: " + orjson.dumps(body) + b"\n\n"
        await send({"type": "http.response.body", "body": data, "more_body": True})


async def _read(request: Request) -> GraphQLRequest | None:
    if request.method == "GET":
        return read_get(request.scope.get("query_string", b""))
    body = await read_limited_body(request.receive, limit=LIMITS.max_body_bytes)
    return read_post(request.headers.get("content-type", ""), body)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _refuse(send: Send, refusal: Refused, *, retry_after: int | None = None) -> None:
    headers = [(b"content-type", f"{JSON}; charset=utf-8".encode()), (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": orjson.dumps({"errors": refusal.errors})})


def _errors(message: str) -> list[dict[str, object]]:
    return [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]

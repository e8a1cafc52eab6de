"""The pipeline's entry for long-lived transports: a WebSocket, or a request for an event stream."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from graph.gql.document_cache import DocumentCache
from graph.gql.subscriptions.event_stream import GraphQLOverSSE, wants_event_stream
from graph.gql.subscriptions.operation import SubscriptionOpener
from graph.gql.subscriptions.websocket import GraphQLTransportWS
from graph.settings import Settings
from graph.state import services_of

STREAM_PATH = "/graphql/stream"


class SubscriptionTransports:
    def __init__(self, *, documents: DocumentCache, expose_internals: bool, settings: Settings) -> None:
        opener = SubscriptionOpener(documents=documents, expose_internals=expose_internals)
        self._websocket = GraphQLTransportWS(opener=opener, settings=settings)
        self._event_stream = GraphQLOverSSE(opener=opener, settings=settings)

    def takes(self, scope: Scope) -> bool:
        """Whether the connection is one of these transports' rather than a plain GET/POST."""
        if scope["type"] == "websocket" or scope["path"] == STREAM_PATH:
            return True
        return wants_event_stream(Request(scope))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive=receive, send=send)
            await self._websocket.serve(websocket, services_of(websocket).subscriptions)
            return
        request = Request(scope, receive)
        await self._event_stream.serve(request, send, services_of(request).subscriptions)

"""The edge of the v1 shim: every answer under /api/v1 carries `X-API-Version: v1`
and is JSON, including the router's own 404 and 405 and any unexpected failure.

Starlette's router raises its 404/405 as exceptions for the application's
handlers, which answer in plain text for the whole app; catching them here
keeps the legacy contract without changing how the rest of the app answers.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.rest.errors import response_for

API_VERSION = "v1"


class ApiV1Boundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_versioned(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["X-API-Version"] = API_VERSION
            await send(message)

        try:
            await self.app(scope, receive, send_versioned)
        except Exception as exc:
            if started:  # half an answer is out; nothing sensible can follow it
                raise
            response = response_for(exc, path=scope["path"])
            await response(scope, receive, send_versioned)

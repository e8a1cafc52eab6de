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
_VERSION_HEADER = (b"x-api-version", API_VERSION.encode())


def _versioned(message: Message) -> None:
    """Set the version header, as `MutableHeaders` would, without building one per answer."""
    headers = list(message.get("headers", ()))
    if any(name == _VERSION_HEADER[0] for name, _ in headers):  # ASGI names are lower case
        MutableHeaders(scope=message)["X-API-Version"] = API_VERSION  # rare: replace it where it was
    else:
        headers.append(_VERSION_HEADER)
        message["headers"] = headers


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
                _versioned(message)
            await send(message)

        try:
            await self.app(scope, receive, send_versioned)
        except Exception as exc:
            if started:  # half an answer is out; nothing sensible can follow it
                raise
            response = response_for(exc, path=scope["path"])
            await response(scope, receive, send_versioned)

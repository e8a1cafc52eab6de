"""The app started with its lifespan, reached by clients with chosen peer addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from graph.app import create_app
from graph.settings import Settings


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[ASGIApp]:
    app = create_app(settings)
    # Shutdown may take what the deployment grants a draining pod (25 s), not asgi-lifespan's
    # default 5 s: after a Redis fault, closing its clients waits out their timeouts.
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=25) as manager:
        yield manager.app


def client_of(app: ASGIApp, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client whose requests arrive from `peer`, as the socket's remote address."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")

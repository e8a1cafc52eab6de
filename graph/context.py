"""The typed GraphQL context: the request's services, built once per request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.state import Services


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    services: Services

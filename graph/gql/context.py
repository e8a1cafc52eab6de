"""The typed GraphQL context: the request's services and its data scope, built once per request."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.state import Services
from resolvers.scope import DataScope


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    services: Services
    data: DataScope


Info = strawberry.Info[Context, None]

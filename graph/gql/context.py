"""The typed GraphQL context: the request, its services and its data scope, built once per request."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import HTTPConnection

from graph.state import Services
from resolvers.scope import DataScope


@dataclass(slots=True)
class Context:
    # A Request, or the WebSocket a subscription came over.
    request: HTTPConnection
    services: Services
    data: DataScope


Info = strawberry.Info[Context, None]

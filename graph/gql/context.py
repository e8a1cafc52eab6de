"""The typed GraphQL context: the request, its services and its data scope, built once per request."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request

from graph.state import Services
from resolvers.scope import DataScope


@dataclass(slots=True)
class Context:
    request: Request
    services: Services
    data: DataScope


Info = strawberry.Info[Context, None]

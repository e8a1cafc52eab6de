"""Strawberry's ASGI app, wired to the typed per-request context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.context import Context
from graph.settings import Settings
from graph.state import new_data_scope, services_of

STATIC_DIR = Path(__file__).parent / "static"
GRAPHIQL_PAGE = (STATIC_DIR / "graphiql" / "index.html").read_text(encoding="utf-8")


class AutosGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        services = services_of(request)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            services=services,
            data=new_data_scope(services),
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Our own page and assets (graph/static/graphiql): no CDN at run time.
        return HTMLResponse(GRAPHIQL_PAGE)

    def encode_json(self, data: object) -> bytes:
        # orjson is several times faster than the standard library for large responses.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)


def create_graphql_app(schema: strawberry.Schema, settings: Settings) -> AutosGraphQL:
    return AutosGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=True,
    )

"""Strawberry's ASGI app, wired to the typed per-request context and to GraphQL over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.gql import graphql_http
from graph.gql.context import Context
from graph.gql.query_limits import LIMITS
from graph.settings import Settings
from graph.state import new_data_scope, services_of

STATIC_DIR = Path(__file__).parent / "static"
GRAPHIQL_PAGE = (STATIC_DIR / "graphiql" / "index.html").read_text(encoding="utf-8")


class AutosGraphQL(GraphQL[Context, None]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No subscriptions in this schema: refuse websockets outright.
            await WebSocket(scope, receive=receive, send=send).close(code=1008)
            return
        token = graphql_http.wants_graphql_response.set(graphql_http.accepts_graphql_response(Request(scope)))
        try:
            response = await self._respond(scope, receive)
        finally:
            graphql_http.wants_graphql_response.reset(token)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        method = scope["method"]
        try:
            body = await graphql_http.read_limited_body(receive, limit=LIMITS.max_body_bytes)
        except graphql_http.BodyTooLarge:
            return graphql_http.transport_error(
                413,
                f"Request body is larger than {LIMITS.max_body_bytes} bytes.",
                method=method,
                encode=self.encode_json,
            )
        request = Request(scope, receive=graphql_http.replay(body))
        try:
            return await self.run(request)
        except HTTPException as error:
            return graphql_http.transport_error(
                error.status_code, error.reason, method=method, encode=self.encode_json
            )

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

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        body, status = graphql_http.shape_body(response_data)
        return graphql_http.finish_response(super().create_response(body, sub_response), status=status)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Our own page and assets (graph/gql/static/graphiql): no CDN at run time.
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

"""Where the shim lives: /api/v1 behind its boundary, and /api/v2 held back."""

from __future__ import annotations

import re
from typing import TypeVar

from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from graph.rest import endpoints
from graph.rest.boundary import ApiV1Boundary
from graph.rest.cached import CachedEndpoint, Endpoint
from graph.rest.docs_page import page_html
from graph.rest.errors import not_found
from graph.rest.openapi import PREFIX, document_bytes
from graph.rest.operation_cost import RequestCost, RestCosts

R = TypeVar("R", Mount, Route)


def _any_character(route: R) -> R:
    """The route with `.` in its path pattern matching newlines too.

    Starlette compiles `{path:path}` to `.*`, which stops at a newline, so a
    percent-encoded %0A in a path would fall through to the app's plain-text
    404 without the version header.
    """
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    return route


async def openapi_document(_request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")


async def docs_page(_request: Request) -> Response:
    return HTMLResponse(page_html())


class ReservedVersion:
    """Any method, any path under /api/v2: a JSON 404, so no client mistakes it for v1."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = not_found("API version v2 is reserved and not available; use /api/v1 or /graphql")
        await response(scope, receive, send)


def _cached_route(path: str, endpoint: Endpoint, cost: RequestCost) -> Route:
    # An ASGI app as endpoint takes every method unless told; GET (and so HEAD) is what
    # a function endpoint takes by default, and any other method stays a 405.
    return Route(path, CachedEndpoint(endpoint, route=PREFIX + path, cost=cost), methods=["GET"])


def _v1_router(costs: RestCosts) -> Router:
    return Router(
        routes=[
            _cached_route(
                "/manufacturer-model-combinations",
                endpoints.manufacturer_model_combinations,
                costs.combinations,
            ),
            _cached_route("/vehicles/details", endpoints.vehicle_details, costs.details),
            _cached_route("/vehicles/{vehicleId}/instances", endpoints.vehicle_instances, costs.instances),
            Route("/openapi.json", openapi_document),
            Route("/docs", docs_page),
        ]
    )


def rest_routes(schema: GraphQLSchema) -> list[BaseRoute]:
    """The shim's routes; `schema` (the one served) prices each request for the cost budget."""
    v1 = ApiV1Boundary(_v1_router(RestCosts(schema)))
    return [
        _any_character(Mount(PREFIX, app=v1)),
        # Without this, "/api/v1" alone would be redirected by the app's router, without the header.
        Route(PREFIX, endpoint=v1),
        _any_character(Route("/api/v2{rest:path}", endpoint=ReservedVersion())),
    ]

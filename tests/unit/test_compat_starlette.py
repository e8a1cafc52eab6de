"""What graph/compat/starlette.py takes from Starlette beyond its documented API.

Each test runs a real Starlette application and fails when an upgrade stops
leaving the matched route and the application in the scope the middleware
holds, or changes how a route says it matches, before request metrics and
access lines lose their route templates (graph/http/route_template.py).
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from graph.compat.starlette import application_routes, matched_route, route_matches


async def ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


VEHICLE = Route("/vehicles/{vehicle_id}", ok, methods=["GET"])
INNER = Route("/openapi.json", ok)
API = Mount("/api/v1", routes=[INNER])
app = Starlette(routes=[VEHICLE, API])


class KeepScope:
    """Outer middleware: the scope it passed on, as it reads it once the app has answered."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        await app(scope, receive, send)


async def handled(method: str, path: str) -> tuple[int, Scope]:
    keep = KeepScope()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=keep), base_url="http://test") as client:
        response = await client.request(method, path)
    return response.status_code, keep.scopes[-1]


async def test_the_router_leaves_the_matched_route_in_the_callers_scope() -> None:
    status, scope = await handled("GET", "/vehicles/abc")
    assert status == 200
    assert matched_route(scope) is VEHICLE


async def test_a_route_matched_by_path_but_not_method_is_left_too() -> None:
    status, scope = await handled("POST", "/vehicles/abc")
    assert status == 405
    assert matched_route(scope) is VEHICLE


async def test_inside_a_mount_the_inner_route_is_left_with_the_mounts_root_path() -> None:
    status, scope = await handled("GET", "/api/v1/openapi.json")
    assert status == 200
    assert matched_route(scope) is INNER
    assert scope["root_path"].endswith("/api/v1")


async def test_no_route_is_left_for_a_path_nothing_matches() -> None:
    status, scope = await handled("GET", "/nowhere")
    assert status == 404
    assert matched_route(scope) is None


async def test_the_application_leaves_itself_in_the_scope() -> None:
    _, scope = await handled("GET", "/vehicles/abc")
    assert scope["app"] is app
    assert application_routes(scope) == [VEHICLE, API]
    assert application_routes({"type": "http"}) == []


def test_routes_say_whether_they_match_a_scope() -> None:
    def scope(method: str, path: str) -> dict[str, Any]:
        return {"type": "http", "method": method, "path": path, "root_path": ""}

    assert route_matches(VEHICLE, scope("GET", "/vehicles/abc"))
    assert route_matches(VEHICLE, scope("POST", "/vehicles/abc"))  # by path: a 405, still this route
    assert not route_matches(VEHICLE, scope("GET", "/makes"))
    assert route_matches(API, scope("GET", "/api/v1/anything"))

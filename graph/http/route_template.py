"""The route a request matched, as its template (`/api/v1/vehicles/{vehicleId}/instances`).

Logs and metrics are labelled with the template, never the raw path: ids in
paths would make one series per vehicle. Where Starlette leaves the matched
route is not documented: graph/compat/starlette.py reads it.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.types import Scope

from graph.compat.starlette import application_routes, matched_route, route_matches

UNMATCHED = "unmatched"


def _label(route: BaseRoute, prefix: str) -> str:
    if isinstance(route, Mount):
        # The router stopped at a mount (a sub-app or a miss inside it); name the subtree.
        return f"{prefix.removesuffix(route.path)}{route.path}/*"
    return prefix + str(getattr(route, "path", ""))


def _match(scope: Scope) -> BaseRoute | None:
    for route in application_routes(scope):
        if route_matches(route, scope):
            return route
    return None


def route_template(scope: Scope, *, root_path: str) -> str:
    """Call after the app has handled `scope`; `root_path` is the scope's root path before it did."""
    route = matched_route(scope)
    if route is None:
        # The request never reached the router (e.g. rate limited): match it here.
        route = _match(scope)
        if route is None:
            return UNMATCHED
        return _label(route, "")
    return _label(route, str(scope.get("root_path", ""))[len(root_path) :])

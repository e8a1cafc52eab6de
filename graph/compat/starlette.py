"""Starlette's undocumented names that the HTTP edge relies on.

Logs and metrics name a request by the template of the route it matched
(graph/http/route_template.py). Starlette documents routes and their paths,
but not where a request's matched route can be read: its router leaves the
route in the scope under `"route"`, its application leaves itself under
`"app"`, and a route says whether it matches a scope with `matches`. This
module holds those three; tests/unit/test_compat_starlette.py pins them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match
from starlette.types import Scope


def matched_route(scope: Scope) -> BaseRoute | None:
    """The route Starlette's router chose for `scope`, once the app has handled it."""
    route = scope.get("route")
    return route if isinstance(route, BaseRoute) else None


def application_routes(scope: Scope) -> list[BaseRoute]:
    """The routes of the Starlette application handling `scope`."""
    routes: list[BaseRoute] = getattr(scope.get("app"), "routes", [])
    return routes


def route_matches(route: BaseRoute, scope: Scope) -> bool:
    """Whether `route` matches `scope` at all (fully, or by path with another method)."""
    match, _child_scope = route.matches(dict(scope))
    return match is not Match.NONE

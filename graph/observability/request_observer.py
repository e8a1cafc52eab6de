"""The outermost middleware of ours: every request gets an id, one access line and its metrics.

Pure ASGI rather than BaseHTTPMiddleware, which costs a task and a memory
stream per request and buffers streaming responses. A GraphQL request's line
and metrics name its operation: the middleware puts an `Observation` in the
request's state (`observation_of`), and the GraphQL pipeline, which reads the
request once, fills in the operation it runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http.client_address import client_ip
from graph.http.request_id import HEADER, accept_or_generate, bind_request_id, unbind_request_id
from graph.http.route_template import route_template
from graph.observability import metrics
from graph.observability.access_log import AccessRecord, access_log_enabled, write_access_log
from graph.settings import Network

GRAPHQL_PATH = "/graphql"
_STATE_KEY = "observation"


@dataclass(slots=True)
class Observation:
    """What the app tells the access log and metrics about a request: its GraphQL operation."""

    operation: str | None = None


def observation_of(scope: Scope) -> Observation | None:
    """The request's observation record (None outside the observer, e.g. in a bare app)."""
    observation = scope.get("state", {}).get(_STATE_KEY)
    return observation if isinstance(observation, Observation) else None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


class RequestObserverMiddleware:
    def __init__(
        self, app: ASGIApp, *, trusted_proxies: list[Network], access_log: bool, metrics_enabled: bool
    ) -> None:
        self.app = app
        self._trusted = trusted_proxies
        self._access_log = access_log
        self._metrics = metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = accept_or_generate(_header(scope, HEADER))
        token = bind_request_id(request_id)
        root_path = str(scope.get("root_path", ""))
        status = 500  # what the client gets if the app raises before answering
        observation = Observation()
        scope.setdefault("state", {})[_STATE_KEY] = observation

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (HEADER, request_id.encode())]}
            await send(message)

        if self._metrics:
            metrics.HTTP_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self._metrics:
                metrics.HTTP_IN_PROGRESS.dec()
            if self._access_log or self._metrics:
                seconds = time.perf_counter() - started
                self._record(scope, root_path, request_id, status, observation.operation, seconds)
            unbind_request_id(token)

    def _record(
        self,
        scope: Scope,
        root_path: str,
        request_id: str,
        status: int,
        operation: str | None,
        seconds: float,
    ) -> None:
        route = route_template(scope, root_path=root_path)
        if self._metrics:
            metrics.observe_request(route=route, operation=operation, status=status, seconds=seconds)
        if self._access_log and access_log_enabled(scope["path"], status):
            write_access_log(
                AccessRecord(
                    request_id=request_id,
                    method=scope["method"],
                    path=scope["path"],
                    route=route,
                    status=status,
                    latency_ms=seconds * 1000,
                    client=client_ip(scope, self._trusted),
                    operation_name=operation,
                )
            )

"""The v1 answers through the answer cache, with the same HTTP caching as GraphQL's GET answers.

An answer is named by the path, the query parameters (in a canonical order)
and the generation; a fingerprint of the OpenAPI document stands for the
shape, so a deployment that changes the contract never reads old answers.
Errors (raised to ApiV1Boundary) and stale answers (`X-Data-Stale`) are
never kept.

Each cached route is a plain ASGI app rather than a Starlette endpoint: the
endpoint returns its body as bytes (`Answer`), and the response's two
messages are written here, so a request builds no `Response` objects and
passes through no per-request exception wrapper (the boundary above answers
every error anyway). The headers are the ones a `Response` would have set,
in the same order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from datasources.cache.answer_cache import Computed, Served
from graph.http import http_caching
from graph.http.cost_budget import refusal_headers, rest_refusal_body
from graph.rest.openapi import document_bytes
from graph.rest.operation_cost import RequestCost
from graph.rest.responses import STALE_HEADER, Answer
from graph.state import request_generation, services_of

Endpoint = Callable[[Request], Awaitable[Answer]]

_FINGERPRINT = hashlib.sha256(document_bytes()).hexdigest()[:16]
_JSON = (b"content-type", b"application/json")
_STALE = (STALE_HEADER.lower().encode(), b"true")
_NO_STORE = (b"cache-control", http_caching.NO_STORE.encode())


def key_path(scope: Scope) -> str:
    """The request's path as `Request.url.path` gives it, without building the URL."""
    return str(scope["path"]).replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def uncacheable_headers(answer: Answer) -> http_caching.RawHeaders:
    headers = [_STALE] if answer.stale else []
    return [*headers, _JSON, (b"content-length", str(len(answer.body)).encode()), _NO_STORE]


class CachedEndpoint:
    """`endpoint` answering through the answer cache; `route` labels its 304s in the metrics."""

    def __init__(self, endpoint: Endpoint, *, route: str, cost: RequestCost) -> None:
        self.endpoint = endpoint
        self.route = route
        self.cost = cost

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        services = services_of(request)
        budget = services.cost_budget
        client = None if budget is None else budget.client_of(scope)
        if budget is not None and client is not None:
            charge = budget.take(client, self.cost(request))
            if not charge.allowed:
                headers = refusal_headers(charge)
                body = rest_refusal_body(charge)
                await _send(send, 429, [*headers, (b"content-length", str(len(body)).encode())], body)
                return
            budget.settle(charge, charge.requested)  # the operation's requested cost is the price
        parameters = urlencode(sorted(request.query_params.multi_items()))
        key = services.answers.key(
            "rest", _FINGERPRINT, key_path(scope), parameters, generation=request_generation(request)
        )

        async def compute() -> Computed[Answer]:
            answer = await self.endpoint(request)
            return Computed(result=answer, body=None if answer.stale else answer.body)

        served: Served[Answer] = await services.answers.answer(key, compute=compute)
        stored = served.stored
        if stored is not None:
            # No Vary: a REST answer depends on no request header.
            cacheable = http_caching.cacheable_headers(stored, etag=stored.etag)
            if http_caching.revalidated(request.headers.get("if-none-match"), stored.etag, route=self.route):
                await _send(send, 304, cacheable, b"")
                return
            headers = cacheable
            headers += [(b"content-length", str(len(stored.body)).encode()), _JSON]
            await _send(send, 200, headers, stored.body)
            return
        assert served.computed is not None
        answer = served.computed.result
        await _send(send, 200, uncacheable_headers(answer), answer.body)


async def _send(send: Send, status: int, headers: http_caching.RawHeaders, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

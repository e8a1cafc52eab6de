"""The v1 answers through the answer cache, with the same HTTP caching as GraphQL's GET answers.

An answer is named by the path, the query parameters (in a canonical order)
and the generation; a fingerprint of the OpenAPI document stands for the
shape, so a deployment that changes the contract never reads old answers.
Errors (raised to ApiV1Boundary) and stale answers (`X-Data-Stale`) are
never kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from datasources.cache.answer_cache import Computed, Served
from graph.http import http_caching
from graph.rest.openapi import document_bytes
from graph.rest.responses import STALE_HEADER
from graph.state import request_generation, services_of

Endpoint = Callable[[Request], Awaitable[Response]]

_FINGERPRINT = hashlib.sha256(document_bytes()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class _Answered:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


def cached(endpoint: Endpoint, *, route: str) -> Endpoint:
    """`endpoint` answering through the answer cache; `route` labels its 304s in the metrics."""

    async def answer(request: Request) -> Response:
        services = services_of(request)
        vary = http_caching.vary_header(accept=False)
        parameters = urlencode(sorted(request.query_params.multi_items()))
        key = services.answers.key(
            "rest", _FINGERPRINT, request.url.path, parameters, generation=request_generation(request)
        )

        async def compute() -> Computed[_Answered]:
            response = await endpoint(request)
            body = bytes(response.body)
            kept = response.status_code == 200 and STALE_HEADER.lower() not in response.headers
            headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
            return Computed(
                result=_Answered(response.status_code, body, headers), body=body if kept else None
            )

        served: Served[_Answered] = await services.answers.answer(key, compute=compute)
        stored = served.stored
        if stored is not None:
            unchanged = http_caching.not_modified(request.headers, stored, vary=vary, route=route)
            if unchanged is not None:
                return unchanged
            headers = http_caching.cacheable_headers(stored, vary=vary)
            return Response(stored.body, media_type="application/json", headers=headers)
        assert served.computed is not None
        answered = served.computed.result
        response = Response(answered.body, status_code=answered.status, headers=dict(answered.headers))
        response.headers.update(http_caching.uncacheable_headers(vary=vary))
        return response

    return answer

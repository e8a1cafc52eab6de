"""HTTP caching of answers: `Cache-Control`, `ETag`, `Vary`, and 304 for a matching `If-None-Match`.

Only a GET of an answer the answer cache holds is cacheable, by browsers and
shared caches alike (`public`), for the time its cached copy has left, so a
CDN never keeps an answer longer than the service would. Errors, stale
answers and every POST answer are `no-store`. The `ETag` is a digest of the
body, the same in every replica, so a revalidation that reaches any of them
gets its 304.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response

from datasources.cache.answer_cache import StoredAnswer
from graph.observability.metrics import record_not_modified

NO_STORE = "no-store"


def vary_header(*, accept: bool) -> str | None:
    """The request headers an answer depends on: `Accept` where it picks the media type.

    `Origin` is added by the CORS middleware whenever CORS names allowed origins
    (starlette's CORSMiddleware does so on every answer, with or without an
    Origin in the request), so a shared cache never hands one site's answer to another.
    """
    return "Accept" if accept else None


def cacheable_headers(answer: StoredAnswer, *, vary: str | None) -> dict[str, str]:
    headers = {"Cache-Control": f"public, max-age={answer.remaining_seconds()}", "ETag": answer.etag}
    if vary:
        headers["Vary"] = vary
    return headers


def uncacheable_headers(*, vary: str | None) -> dict[str, str]:
    headers = {"Cache-Control": NO_STORE}
    if vary:
        headers["Vary"] = vary
    return headers


def not_modified(
    request_headers: Headers, answer: StoredAnswer, *, vary: str | None, route: str
) -> Response | None:
    """A 304 when the client already holds this answer (RFC 9110 weak comparison), else None."""
    condition = request_headers.get("if-none-match")
    if condition is None or not etag_matches(condition, answer.etag):
        return None
    record_not_modified(route)
    return Response(status_code=304, headers=cacheable_headers(answer, vary=vary))


def etag_matches(condition: str, etag: str) -> bool:
    """Whether an `If-None-Match` value names `etag` (weak comparison, `*` matching any)."""
    if condition.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in condition.split(","))

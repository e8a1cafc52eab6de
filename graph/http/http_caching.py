"""HTTP caching of answers: `Cache-Control`, `ETag`, `Vary`, and 304 for a matching `If-None-Match`.

Only a GET of an answer the answer cache holds is cacheable, by browsers and
shared caches alike (`public`), for the time its cached copy has left, so a
CDN never keeps an answer longer than the service would. Errors, stale
answers and every POST answer are `no-store`. The `ETag` is a digest of the
body, the same in every replica, so a revalidation that reaches any of them
gets its 304. An ETag names one representation: an answer sent under another
media type than `application/json` carries a tag of its own.
"""

from __future__ import annotations

import hashlib

from datasources.cache.answer_cache import StoredAnswer
from graph.observability.metrics import record_not_modified

RawHeaders = list[tuple[bytes, bytes]]

NO_STORE = "no-store"
JSON = "application/json"


def representation_etag(answer: StoredAnswer, media_type: str) -> str:
    """The ETag of `answer` sent as `media_type`."""
    if media_type == JSON:
        return answer.etag
    variant = hashlib.blake2b(media_type.encode(), digest_size=4).hexdigest()
    return f'{answer.etag[:-1]}-{variant}"'


def etag_matches(condition: str, etag: str) -> bool:
    """Whether an `If-None-Match` value names `etag` (weak comparison, `*` matching any)."""
    if condition.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in condition.split(","))


def cacheable_headers(
    answer: StoredAnswer, *, etag: str, vary: bytes | None = None, private: bool = False
) -> RawHeaders:
    """`Cache-Control` for the time the kept answer has left (`private`: for the browser only), its
    `ETag`, and `Vary` when given."""
    scope = "private" if private else "public"
    headers = [
        (b"cache-control", f"{scope}, max-age={answer.remaining_seconds()}".encode()),
        (b"etag", etag.encode()),
    ]
    return [*headers, (b"vary", vary)] if vary else headers


def revalidated(condition: str | None, etag: str, *, route: str) -> bool:
    """Whether an `If-None-Match` names the answer, so a 304 answers it (counted for `route`)."""
    if condition is None or not etag_matches(condition, etag):
        return False
    record_not_modified(route)
    return True

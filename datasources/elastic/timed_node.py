"""Timing every HTTP request the Elasticsearch client makes, without knowing about metrics.

The client's transport builds its nodes itself, so the timing is a node class
(passed as `node_class`) made around an observer; retries show up as separate
requests, which is what Elasticsearch saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from elastic_transport import AiohttpHttpNode, HttpHeaders

from datasources.compat.elastic_transport import DEFAULT, DefaultType, NodeApiResponse

# (method, endpoint, seconds, outcome): outcome is "2xx".."5xx" or "error" when no answer came.
RequestObserver = Callable[[str, str, float, str], None]

# These APIs are named by their first two path segments (`_cluster/health`).
_TWO_SEGMENT_APIS = frozenset({"_cluster", "_cat", "_nodes", "_tasks", "_snapshot", "_ingest"})


# A worker sends few distinct targets (an API on an index, with a fixed filter_path).
@lru_cache(maxsize=1024)
def endpoint_of(target: str) -> str:
    """A bounded name for a request target: the API, never the index or document id."""
    segments = [part for part in target.split("?", 1)[0].split("/") if part]
    for position, segment in enumerate(segments):
        if segment.startswith("_"):
            if segment in _TWO_SEGMENT_APIS and position + 1 < len(segments):
                return f"{segment}/{segments[position + 1]}"
            return segment
    return "index" if segments else "root"


def timed_node_class(observe: RequestObserver, *, base: type[AiohttpHttpNode]) -> type[AiohttpHttpNode]:
    """`base` (the aiohttp node or the lean one), each request timed for `observe`."""

    class TimedHttpNode(base):  # type: ignore[valid-type,misc]
        # The base is chosen at run time (ES_HTTP_NODE): its signature is the aiohttp node's.
        async def perform_request(
            self,
            method: str,
            target: str,
            body: bytes | None = None,
            headers: HttpHeaders | None = None,
            request_timeout: DefaultType | float | None = DEFAULT,
        ) -> NodeApiResponse:
            started = time.perf_counter()
            outcome = "error"
            try:
                response: NodeApiResponse = await super().perform_request(
                    method, target, body=body, headers=headers, request_timeout=request_timeout
                )
                outcome = f"{response.meta.status // 100}xx"
                return response
            finally:
                observe(method, endpoint_of(target), time.perf_counter() - started, outcome)

    return TimedHttpNode

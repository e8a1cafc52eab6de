"""Opening the Elasticsearch client and waiting for the cluster at start-up."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from elastic_transport import AiohttpHttpNode, AsyncTransport, ConnectionTimeout, TransportApiResponse
from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch.serializer import NdjsonSerializer, OrjsonSerializer

from datasources.compat.elastic_transport import DEFAULT, DefaultType
from datasources.elastic.lean_http_node import LeanHttpNode
from datasources.elastic.timed_node import RequestObserver, timed_node_class

log = logging.getLogger(__name__)


# ES_HTTP_NODE: how HTTP requests reach a node. "lean" (datasources/elastic/lean_http_node.py) spares
# aiohttp's per-request work (its gain: docs/benchmarks.md); "aiohttp" is elastic-transport's.
HttpNode = Literal["lean", "aiohttp"]
HTTP_NODES: dict[HttpNode, type[AiohttpHttpNode]] = {"lean": LeanHttpNode, "aiohttp": AiohttpHttpNode}


class OrjsonNdjsonSerializer(NdjsonSerializer, OrjsonSerializer):
    """msearch and bulk bodies through orjson, line by line (the client's own uses the standard library)."""


# orjson parses and writes the client's documents several times faster than the standard
# library's json, a large share of the client's CPU per search (docs/benchmarks.md). The
# compatibility-mode media types the client sends follow these (the client maps them itself).
SERIALIZERS = {
    OrjsonSerializer.mimetype: OrjsonSerializer(),
    OrjsonNdjsonSerializer.mimetype: OrjsonNdjsonSerializer(),
}


class ElasticsearchUnavailable(Exception):
    """The cluster could not be reached within the start-up budget."""


# The API promises an answer, or SERVICE_UNAVAILABLE, within 2 s. These bounds
# make every Elasticsearch call fit in it and let the client heal by itself:
#
# - A refused or reset connection (a node that died) is retried at once on the
#   next node: up to MAX_RETRIES times, each costing milliseconds.
# - An attempt that times out (a node that hangs) marks the node dead and is
#   retried on another node only within RETRY_GRACE_SECONDS past the request
#   timeout (the deadline below), so a blackholed cluster fails a call after
#   request_timeout + grace instead of (MAX_RETRIES + 1) x request_timeout.
# - A dead node sits out DEAD_NODE_BACKOFF_FACTOR x 2^(failures-1) seconds,
#   capped at MAX_DEAD_NODE_BACKOFF_SECONDS (the transport's defaults are 1 s
#   and 30 s). The cap is the longest a node that came back waits for traffic
#   while the others serve; one probe of a still-dead node per period costs a
#   refused connection and a retry elsewhere. When every node is dead the pool
#   tries one anyway on each call, so after a whole-cluster outage the first
#   call after its return succeeds: recovery needs no timer.
MAX_RETRIES = 2
RETRY_GRACE_SECONDS = 0.3
DEAD_NODE_BACKOFF_FACTOR = 0.5
MAX_DEAD_NODE_BACKOFF_SECONDS = 4.0


def split_urls(value: str) -> list[str]:
    """ELASTICSEARCH_URL holds one node's URL or several, comma-separated."""
    return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]


def loggable_urls(value: str) -> str:
    """The URLs without their credentials (`https://user:secret@host` is a valid ELASTICSEARCH_URL)."""
    shown = []
    for url in split_urls(value):
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            url = urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
        shown.append(url)
    return ",".join(shown)


class DeadlineTransport(AsyncTransport):
    """The transport with one deadline per call, retries included (see RETRY_GRACE_SECONDS)."""

    async def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        *,
        request_timeout: DefaultType | float | None = DEFAULT,
        **options: Any,
    ) -> TransportApiResponse:
        call = super().perform_request(method, target, request_timeout=request_timeout, **options)
        if not isinstance(request_timeout, int | float):  # no timeout given: nothing to bound
            return await call
        try:
            async with asyncio.timeout(request_timeout + RETRY_GRACE_SECONDS):
                return await call
        except TimeoutError:
            raise ConnectionTimeout(
                f"no answer from Elasticsearch within {request_timeout + RETRY_GRACE_SECONDS:g} s"
            ) from None


def create_client(
    *,
    url: str,
    request_timeout: float,
    on_request: RequestObserver | None = None,
    http_node: HttpNode = "lean",
) -> AsyncElasticsearch:
    """A client for one node or several (`url` may list them comma-separated)."""
    node = HTTP_NODES[http_node]
    return AsyncElasticsearch(
        split_urls(url),
        request_timeout=request_timeout,
        max_retries=MAX_RETRIES,
        retry_on_timeout=True,
        dead_node_backoff_factor=DEAD_NODE_BACKOFF_FACTOR,
        max_dead_node_backoff=MAX_DEAD_NODE_BACKOFF_SECONDS,
        transport_class=DeadlineTransport,
        http_compress=False,
        serializers=SERIALIZERS,
        # With an observer, each HTTP request is timed for the metrics.
        node_class=timed_node_class(on_request, base=node) if on_request is not None else node,
    )


async def cluster_status(client: AsyncElasticsearch, *, timeout: float) -> str:
    """The cluster's health colour; raises when the cluster does not answer in time.

    The root endpoint is absent from the minimal distribution, so health is the probe.
    """
    response = await asyncio.wait_for(
        client.options(request_timeout=timeout, max_retries=0).cluster.health(),
        timeout=timeout,
    )
    return str(response["status"])


async def wait_until_reachable(client: AsyncElasticsearch, *, url: str, timeout: float) -> str:
    """Retry with backoff until the cluster answers, or raise ElasticsearchUnavailable."""
    deadline = time.monotonic() + timeout
    delay = 0.25
    attempt = 0
    last_error = "no attempt made"
    while True:
        attempt += 1
        try:
            return await cluster_status(client, timeout=min(5.0, timeout))
        except (ApiError, ESConnectionError, TransportError, TimeoutError, OSError) as error:
            last_error = f"{type(error).__name__}: {error}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ElasticsearchUnavailable(
                f"cannot reach Elasticsearch at {loggable_urls(url)} after {attempt} attempts "
                f"in {timeout:g} s ({last_error})"
            )
        log.warning(
            "Elasticsearch not reachable yet, retrying",
            extra={"context": {"url": loggable_urls(url), "attempt": attempt, "error": last_error}},
        )
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 4.0)

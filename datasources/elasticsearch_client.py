"""Opening the Elasticsearch client and waiting for the cluster at start-up."""

from __future__ import annotations

import asyncio
import logging
import time

from elastic_transport.client_utils import DEFAULT
from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from datasources.timed_node import RequestObserver, timed_node_class

log = logging.getLogger(__name__)


class ElasticsearchUnavailable(Exception):
    """The cluster could not be reached within the start-up budget."""


def create_client(
    *, url: str, request_timeout: float, on_request: RequestObserver | None = None
) -> AsyncElasticsearch:
    # Retries on timeouts and dead nodes let a multi-node cluster lose a node
    # without failing requests; the client marks the node dead and moves on.
    return AsyncElasticsearch(
        url,
        request_timeout=request_timeout,
        max_retries=2,
        retry_on_timeout=True,
        http_compress=False,
        # Times each HTTP request for the metrics when an observer is given.
        node_class=timed_node_class(on_request) if on_request is not None else DEFAULT,
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
                f"cannot reach Elasticsearch at {url} after {attempt} attempts "
                f"in {timeout:g} s ({last_error})"
            )
        log.warning(
            "Elasticsearch not reachable yet, retrying",
            extra={"context": {"url": url, "attempt": attempt, "error": last_error}},
        )
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 4.0)

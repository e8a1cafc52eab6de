"""The lifespan owns the clients: opened at start-up, closed at shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette

from datasources.cache.aggregation_cache import AggregationCache
from datasources.cache.answer_cache import AnswerCache
from datasources.cache.backend import cache_kind, close_cache, open_cache
from datasources.cache.document_store import DocumentStore, StoreBounds, open_document_redis
from datasources.elastic.client import (
    ElasticsearchUnavailable,
    create_client,
    loggable_urls,
    wait_until_reachable,
)
from datasources.elastic.index_version import IndexVersion
from datasources.releases.live_feed import ReleaseFeed
from graph.gql.persisted import PersistedOperations
from graph.gql.subscriptions.open import OpenSubscriptions
from graph.gql.trusted_documents import TrustedManifest
from graph.http.cost_budget import open_cost_budget
from graph.http.draining import STOP_HOOKS_SECONDS, Drain, DrainOnSigterm
from graph.http.rate_limit import open_rate_limiter, open_registration_budget
from graph.observability.metrics import (
    ANSWER_CACHE_OBSERVER,
    CACHE_OBSERVER,
    observe_elasticsearch_request,
    record_live_generation,
)
from graph.settings import Settings
from graph.state import LifespanState, Services

log = logging.getLogger("autos_graph.lifespan")


def make_lifespan(
    settings: Settings, *, manifest: TrustedManifest | None = None
) -> Callable[[Starlette], AbstractAsyncContextManager[LifespanState]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[LifespanState]:
        # Before the Elasticsearch wait, so an operator sees it even when the cluster is unreachable.
        legacy = settings.legacy_warning()
        if legacy is not None:
            log.warning(legacy, extra={"context": {"variables": settings.legacy_variables_used}})
        elasticsearch = create_client(
            url=settings.elasticsearch_url,
            request_timeout=settings.es_request_timeout_seconds,
            on_request=observe_elasticsearch_request,
            http_node=settings.es_http_node,
        )
        try:
            status = await wait_until_reachable(
                elasticsearch,
                url=settings.elasticsearch_url,
                timeout=settings.es_startup_timeout_seconds,
            )
        except ElasticsearchUnavailable as error:
            log.critical(str(error))
            await elasticsearch.close()
            raise
        releases = ReleaseFeed(client=elasticsearch, alias=settings.es_index)

        def on_generation(generation: str) -> None:
            record_live_generation(generation)
            releases.changed(generation)

        index_version = IndexVersion(client=elasticsearch, alias=settings.es_index, on_change=on_generation)
        await index_version.refresh()
        index_version.start(every_seconds=settings.generation_refresh_seconds)
        cache = open_cache(redis_url=settings.redis_url, namespace=f"autos-graph:{settings.es_index}")
        # Answers and documents are bytes and text kept as they are; in memory without Redis,
        # where L1 is the only level, so no second in-process copy is made.
        binary_cache = (
            None
            if settings.redis_url is None
            else open_cache(
                redis_url=settings.redis_url, namespace=f"autos-graph:{settings.es_index}", binary=True
            )
        )
        rate_limiter = open_rate_limiter(settings)
        registration_budget = open_registration_budget(settings)
        documents = DocumentStore(
            redis=None if settings.redis_url is None else open_document_redis(settings.redis_url),
            bounds=StoreBounds(
                max_bytes=settings.persisted_documents_max_bytes,
                max_count=settings.persisted_documents_max_count,
            ),
            namespace=f"autos-graph:{settings.es_index}",
        )
        cost_budget = open_cost_budget(settings)
        log.info(
            "started",
            extra={
                "context": {
                    "elasticsearch": loggable_urls(settings.elasticsearch_url),
                    "cluster_status": status,
                    "index": settings.es_index,
                    "cache": cache_kind(cache),
                    "environment": settings.environment,
                }
            },
        )
        drain = Drain()
        drain_on_sigterm = DrainOnSigterm(drain=drain, delay_seconds=settings.shutdown_delay_seconds)
        drain_on_sigterm.install()
        subscriptions = OpenSubscriptions(per_client=settings.subscriptions_per_client)

        async def complete_subscriptions() -> None:
            releases.close()
            await subscriptions.stop(timeout=STOP_HOOKS_SECONDS)

        drain.before_stop(complete_subscriptions)
        aggregations = AggregationCache(
            backend=cache,
            ttl_seconds=settings.cache_ttl_seconds,
            index_version=index_version.current,
            observer=CACHE_OBSERVER,
            held_max_bytes=settings.aggregation_cache_max_bytes,
        )
        answers = AnswerCache(
            backend=binary_cache,
            ttl_seconds=settings.answer_cache_ttl_seconds,
            max_bytes=settings.answer_cache_max_bytes,
            generation=index_version.current,
            enabled=settings.answer_cache,
            observer=ANSWER_CACHE_OBSERVER,
        )
        try:
            yield {
                "services": Services(
                    settings=settings,
                    elasticsearch=elasticsearch,
                    cache=cache,
                    aggregations=aggregations,
                    index_version=index_version,
                    answers=answers,
                    persisted=PersistedOperations(
                        store=documents,
                        manifest=manifest,
                        trusted_only=settings.trusted_documents == "only",
                        budget=registration_budget,
                    ),
                    rate_limiter=rate_limiter,
                    cost_budget=cost_budget,
                    drain=drain,
                    releases=releases,
                    subscriptions=subscriptions,
                )
            }
        finally:
            drain_on_sigterm.uninstall()
            await aggregations.aclose()
            await answers.aclose()  # the answers' Redis copies still queued, before the clients close
            if rate_limiter is not None:
                await rate_limiter.close()
            if registration_budget is not None:
                await registration_budget.close()
            await documents.close()
            if cost_budget is not None:
                await cost_budget.close()
            await index_version.stop()
            await releases.aclose()
            await close_cache(cache)
            if binary_cache is not None:
                await close_cache(binary_cache)
            await elasticsearch.close()
            log.info("stopped")

    return lifespan

"""Prometheus metrics and the `/metrics` endpoint.

The other layers never import this module; the edge hands them these
functions as observers (so `graph → resolvers → loaders → datasources` holds):

- `record_cache_hit(name)` / `record_cache_miss(name)` / `record_cache_stale(name)`,
  bundled as `CACHE_OBSERVER` for `AggregationCache(observer=...)`;
- `ANSWER_CACHE_OBSERVER` for `AnswerCache(observer=...)` (hits per level, bytes, evictions);
- `observe_loader_batch(loader, size)` for `create_loaders(observe=...)`;
- `observe_elasticsearch_request(method, endpoint, seconds, outcome)` for
  `datasources.elastic.timed_node.timed_node_class`;
- `observe_request(...)` and `record_rate_limit_rejection(...)` for the middleware,
  `record_untrusted_forwarded_for()` for the client address, `record_registration_refused()`
  for the persisted documents' registration budget;
- `record_graphql_failure(code)` for the GraphQL error extension and
  `record_dependency(name, up=...)` for the health checks;
- `record_plan_abandoned(type_name)` for the GraphQL executor's completion plans.

The alert rules (`k8s/prometheus/autos-graph.rules.yml`, shipped to the
Prometheus Operator as `k8s/prometheusrule.yaml`) read these names;
tests/integration/test_alert_metrics.py keeps them in step.

Multi-worker uvicorn: when `PROMETHEUS_MULTIPROC_DIR` is set, prometheus-client
writes every worker's values to files there and `/metrics` aggregates them, so
a scrape that lands on any worker sees the whole process group.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph.compat.prometheus_client import is_process_file, process_files
from graph.settings import Settings

# The `_created` series double the output and no dashboard here uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# prometheus-client reads this variable itself, when the metrics below are
# created at import, before any settings exist; it needs the directory then.
_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _MULTIPROC_DIR:
    Path(_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_ES_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

HTTP_REQUESTS = Counter(
    "autos_graph_http_requests_total",
    "HTTP requests by route template, GraphQL operation name and status code.",
    ["route", "operation", "status"],
)
HTTP_LATENCY = Histogram(
    "autos_graph_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response.",
    ["route", "operation"],
    buckets=_LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    "autos_graph_http_requests_in_progress",
    "Requests being handled now (summed over live workers).",
    multiprocess_mode="livesum",
)
ES_LATENCY = Histogram(
    "autos_graph_elasticsearch_request_duration_seconds",
    "Elasticsearch HTTP requests by API and outcome (2xx..5xx, error when nothing answered).",
    ["method", "endpoint", "outcome"],
    buckets=_ES_BUCKETS,
)
CACHE_HITS = Counter("autos_graph_cache_hits_total", "Aggregation cache hits.", ["cache"])
CACHE_MISSES = Counter("autos_graph_cache_misses_total", "Aggregation cache misses.", ["cache"])
CACHE_STALE = Counter(
    "autos_graph_cache_stale_served_total",
    "Last known values served because Elasticsearch was unavailable.",
    ["cache"],
)
AGGREGATION_HELD_BYTES = Gauge(
    "autos_graph_aggregation_cache_held_bytes",
    "Estimated bytes of decoded aggregations held in the process, summed over live workers.",
    multiprocess_mode="livesum",
)
AGGREGATION_HELD_ENTRIES = Gauge(
    "autos_graph_aggregation_cache_held_entries",
    "Decoded aggregations held in the process, summed over live workers.",
    multiprocess_mode="livesum",
)
ANSWER_LOOKUPS = Counter(
    "autos_graph_answer_cache_lookups_total",
    "Answer cache lookups by level (l1 in the process, l2 in Redis, asked on an l1 miss) and result.",
    ["level", "result"],
)
ANSWER_BYTES = Gauge(
    "autos_graph_answer_cache_bytes",
    "Bytes of answers held in the process (L1), summed over live workers.",
    multiprocess_mode="livesum",
)
ANSWER_ENTRIES = Gauge(
    "autos_graph_answer_cache_entries",
    "Answers held in the process (L1), summed over live workers.",
    multiprocess_mode="livesum",
)
ANSWER_EVICTIONS = Counter(
    "autos_graph_answer_cache_evictions_total",
    "Answers dropped from L1 to stay within ANSWER_CACHE_MAX_BYTES (expiry is not counted).",
)
ANSWER_WRITES = Counter(
    "autos_graph_answer_cache_writes_total",
    "Answers copied to Redis (L2) off the response path, by outcome: written, failed (Redis refused "
    "or timed out), dropped (the queue was full), skipped (Redis in its backoff, or the answer expired).",
    ["outcome"],
)
NOT_MODIFIED = Counter(
    "autos_graph_http_not_modified_total",
    "Conditional GETs answered 304 Not Modified, by route.",
    ["route"],
)
PLANS_ABANDONED = Counter(
    "autos_graph_completion_plans_abandoned_total",
    "Compiled completion plans that met a value they do not handle, so graphql-core completed it.",
    ["type"],
)
LOADER_BATCH = Histogram(
    "autos_graph_dataloader_batch_size",
    "Keys per DataLoader batch (one Elasticsearch round trip each).",
    ["loader"],
    buckets=_BATCH_BUCKETS,
)
RATE_LIMIT_REJECTIONS = Counter(
    "autos_graph_rate_limit_rejections_total",
    "Requests answered 429, by the counts decided on: redis (with the other replicas') or memory (alone).",
    ["backend"],
)
GRAPHQL_FAILED_OPERATIONS = Counter(
    "autos_graph_graphql_failed_operations_total",
    "GraphQL operations answered (HTTP 200) with a server-side error, by its extensions.code.",
    ["code"],
)
# Set by every /health and /health/ready check (Kubernetes probes every few seconds), so an
# alert sees a dependency go away even while no client request reaches it. No series exists
# before the first check, and none for Redis while the in-memory cache is used.
DEPENDENCY_UP = Gauge(
    "autos_graph_dependency_up",
    "1 when the last health check reached the dependency (elasticsearch, redis), else 0.",
    ["dependency"],
    multiprocess_mode="livemostrecent",
)
RATE_LIMIT_FALLBACKS = Counter(
    "autos_graph_rate_limit_store_failures_total",
    "Exchanges of rate-limit counts with Redis that failed; the process limits on its own counts meanwhile.",
)

UNTRUSTED_FORWARDED_FOR = Counter(
    "autos_graph_untrusted_forwarded_for_total",
    "Requests with X-Forwarded-For from a peer outside TRUSTED_PROXIES (the header was ignored).",
)
PERSISTED_REGISTRATIONS_REFUSED = Counter(
    "autos_graph_persisted_registrations_refused_total",
    "Persisted document registrations refused: over the client's budget per minute.",
)

# Operation names come from clients; past this many distinct ones they are
# counted as "other" so a client cannot blow up the number of series.
MAX_OPERATION_LABELS = 200
OTHER = "other"


class _BoundedLabels:
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self._limit:
                return OTHER
            self._seen.add(value)
        return value


operation_label = _BoundedLabels(MAX_OPERATION_LABELS)


class _RequestSeries:
    """The labelled children of the request metrics, found with one lookup per request.

    `labels()` builds and locks on every call; the children it returns are stable. They are
    kept per (route, operation name as the client sent it, status), which is bounded: route
    templates x the first MAX_OPERATION_LABELS names x statuses. Names past that bound count
    as "other" and are not kept under their own name.
    """

    def __init__(self) -> None:
        self._series: dict[tuple[str, str | None, int], tuple[Counter, Histogram]] = {}

    def observe(self, route: str, operation: str | None, status: int, seconds: float) -> None:
        series = self._series.get((route, operation, status))
        if series is None:
            series = self._children(route, operation, status)
        counter, latency = series
        counter.inc()
        latency.observe(seconds)

    def _children(self, route: str, operation: str | None, status: int) -> tuple[Counter, Histogram]:
        label = operation_label(operation) if operation else ""
        series = (HTTP_REQUESTS.labels(route, label, str(status)), HTTP_LATENCY.labels(route, label))
        if label == (operation or ""):
            self._series[(route, operation, status)] = series
        return series


_REQUEST_SERIES = _RequestSeries()


def observe_request(*, route: str, operation: str | None, status: int, seconds: float) -> None:
    _REQUEST_SERIES.observe(route, operation, status, seconds)


# The same reasoning as _RequestSeries: (method, API, outcome) sets are few and stable.
_ES_SERIES: dict[tuple[str, str, str], Histogram] = {}


def observe_elasticsearch_request(method: str, endpoint: str, seconds: float, outcome: str) -> None:
    series = _ES_SERIES.get((method, endpoint, outcome))
    if series is None:
        series = _ES_SERIES.setdefault(
            (method, endpoint, outcome), ES_LATENCY.labels(method, endpoint, outcome)
        )
    series.observe(seconds)


def record_cache_hit(name: str) -> None:
    CACHE_HITS.labels(name).inc()


def record_cache_miss(name: str) -> None:
    CACHE_MISSES.labels(name).inc()


def record_cache_stale(name: str) -> None:
    CACHE_STALE.labels(name).inc()


def record_plan_abandoned(type_name: str) -> None:
    PLANS_ABANDONED.labels(type_name).inc()


class _CacheObserver:
    """The `datasources.cache.aggregation_cache.CacheObserver` that feeds these counters."""

    def on_hit(self, name: str) -> None:
        record_cache_hit(name)

    def on_miss(self, name: str) -> None:
        record_cache_miss(name)

    def on_stale(self, name: str) -> None:
        record_cache_stale(name)

    def on_held(self, *, entries: int, size_bytes: int) -> None:
        AGGREGATION_HELD_ENTRIES.set(entries)
        AGGREGATION_HELD_BYTES.set(size_bytes)


CACHE_OBSERVER = _CacheObserver()


class _AnswerCacheObserver:
    """The `datasources.cache.answer_cache.AnswerCacheObserver` that feeds the answer cache metrics."""

    def __init__(self) -> None:
        self._lookups: dict[tuple[str, bool], Counter] = {}

    def on_lookup(self, level: str, *, hit: bool) -> None:
        counter = self._lookups.get((level, hit))
        if counter is None:
            counter = self._lookups.setdefault(
                (level, hit), ANSWER_LOOKUPS.labels(level, "hit" if hit else "miss")
            )
        counter.inc()

    def on_evictions(self, count: int) -> None:
        ANSWER_EVICTIONS.inc(count)

    def on_size(self, *, entries: int, size_bytes: int) -> None:
        ANSWER_ENTRIES.set(entries)
        ANSWER_BYTES.set(size_bytes)

    def on_writes(self, outcome: str, count: int) -> None:
        ANSWER_WRITES.labels(outcome).inc(count)


ANSWER_CACHE_OBSERVER = _AnswerCacheObserver()


def record_not_modified(route: str) -> None:
    NOT_MODIFIED.labels(route).inc()


def observe_loader_batch(loader: str, size: int) -> None:
    LOADER_BATCH.labels(loader).observe(size)


def record_rate_limit_rejection(backend: str) -> None:
    RATE_LIMIT_REJECTIONS.labels(backend).inc()


def record_graphql_failure(code: str) -> None:
    GRAPHQL_FAILED_OPERATIONS.labels(code).inc()


def record_dependency(name: str, *, up: bool) -> None:
    DEPENDENCY_UP.labels(name).set(1 if up else 0)


def record_rate_limit_fallback() -> None:
    RATE_LIMIT_FALLBACKS.inc()


def record_untrusted_forwarded_for() -> None:
    UNTRUSTED_FORWARDED_FOR.inc()


def record_registration_refused() -> None:
    PERSISTED_REGISTRATIONS_REFUSED.inc()


def prepare_multiprocess_dir(path: str) -> None:
    """Remove a previous run's files before the workers start, or their counts would be added again.

    This process' own files stay: it has imported this module already, and with
    one worker it is the process that serves.
    """
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in process_files(directory):
        if not is_process_file(stale, os.getpid()):
            stale.unlink(missing_ok=True)


def render(settings: Settings, *, accept: str = "") -> tuple[bytes, str]:
    """The exposition and its content type, in the format the scraper asked for (text or OpenMetrics)."""
    encode, content_type = choose_encoder(accept)
    if settings.prometheus_multiproc_dir is None:
        return encode(REGISTRY), content_type
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=settings.prometheus_multiproc_dir)  # type: ignore[no-untyped-call]
    return encode(registry), content_type


def routes(settings: Settings) -> list[BaseRoute]:
    if not settings.metrics_enabled:
        return []

    async def metrics(request: Request) -> Response:
        body, content_type = render(settings, accept=request.headers.get("accept", ""))
        return Response(body, headers={"content-type": content_type})

    return [Route("/metrics", metrics, methods=["GET"])]


SUBSCRIPTIONS_OPEN = Gauge(
    "autos_graph_subscriptions_open",
    "Subscriptions held open (WebSocket and SSE), summed over live workers.",
    multiprocess_mode="livesum",
)


# Which generation (the concrete index behind ES_INDEX) each worker reads, fed by the
# generation refresher (`IndexVersion(on_change=...)`): after a release or rollback, a replica
# still on the old generation shows it here. One series per worker (a `pid` label with several).
LIVE_GENERATION = Gauge(
    "autos_graph_live_generation_info",
    "1 for the generation (concrete index behind ES_INDEX) this worker reads now.",
    ["index"],
    multiprocess_mode="liveall",
)


class _LiveGeneration:
    def __init__(self) -> None:
        self._index: str | None = None
        self._lock = threading.Lock()

    def __call__(self, index: str) -> None:
        with self._lock:
            previous, self._index = self._index, index
            if previous == index:
                return
            if previous is not None:
                if _MULTIPROC_DIR:
                    # prometheus-client cannot remove a series from a worker's file: it stays, at 0.
                    LIVE_GENERATION.labels(previous).set(0)
                else:
                    LIVE_GENERATION.remove(previous)
            LIVE_GENERATION.labels(index).set(1)


record_live_generation = _LiveGeneration()

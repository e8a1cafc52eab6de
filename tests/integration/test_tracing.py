"""A traced request is one span tree: the server span with Elasticsearch and Redis spans under it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from asgi_lifespan import LifespanManager
from opentelemetry import trace
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.types import ASGIApp

from graph.app import create_app
from graph.observability import tracing as tracing_module
from graph.observability.tracing import enable_tracing
from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.asgi import client_of
from tests.support.json_logs import json_logs

CATALOG = "query Traced { facets { totalCount } vehicles(first: 2) { nodes { id } } }"
# Several kinds of Elasticsearch call in one operation: a search, an aggregation, batched loaders.
EVERY_KIND = """
query Kinds {
  facets { totalCount }
  vehicles(first: 3) { nodes { id group { manufacturer count } otherYears(first: 2) { year } } }
  vehiclesByIds(ids: ["no-such-vehicle"]) { id }
}
"""


@pytest.fixture(scope="module")
def tracing() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    # The Elasticsearch client reports to the global provider, which a process can set only once:
    # reuse it when an earlier test set one.
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    # The rest of the suite runs untraced; what the global provider still sees is dropped.
    RedisInstrumentor().uninstrument()
    exporter.shutdown()


@asynccontextmanager
async def traced_app(
    settings: Settings, tracing: tuple[TracerProvider, InMemorySpanExporter]
) -> AsyncIterator[ASGIApp]:
    provider, exporter = tracing
    app = create_app(settings)
    enable_tracing(app, provider)
    async with LifespanManager(app, startup_timeout=60) as manager:
        exporter.clear()  # start-up's own calls are not part of the request's tree
        yield manager.app


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    chain = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        span = by_id[parent.span_id]
        chain.append(span)
        parent = span.parent
    return chain


def tree_of(spans: tuple[ReadableSpan, ...]) -> tuple[ReadableSpan, dict[int, ReadableSpan]]:
    [server] = [span for span in spans if span.kind is SpanKind.SERVER]
    return server, {span.context.span_id: span for span in spans}


async def test_a_graphql_query_traces_elasticsearch_and_redis_under_the_request(
    tracing: tuple[TracerProvider, InMemorySpanExporter], sample_index: str
) -> None:
    exporter = tracing[1]
    async with traced_app(make_settings(es_index=sample_index), tracing) as app, client_of(app) as client:
        with json_logs() as logs:
            response = await client.post("/graphql", json={"query": CATALOG})
    assert response.status_code == 200
    assert "errors" not in response.json()
    spans = exporter.get_finished_spans()
    server, by_id = tree_of(spans)
    assert server.attributes is not None
    assert server.attributes.get("http.route") == "/graphql"
    elasticsearch = [s for s in spans if (s.attributes or {}).get("db.system") == "elasticsearch"]
    redis = [s for s in spans if (s.attributes or {}).get("db.system") == "redis"]
    assert {span.name for span in elasticsearch} >= {"search"}
    assert redis, "the aggregation cache's Redis calls are traced"
    for span in elasticsearch + redis:
        assert span.context.trace_id == server.context.trace_id
        assert server in ancestors(span, by_id), span.name
    # The access line names the trace, so logs and traces join up.
    [access] = logs.access_lines()
    assert access["context"]["trace_id"] == format(server.context.trace_id, "032x")


async def test_the_readiness_probe_traces_its_elasticsearch_and_redis_checks(
    tracing: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    exporter = tracing[1]
    async with traced_app(make_settings(), tracing) as app, client_of(app) as client:
        assert (await client.get("/health/ready")).status_code == 200
    spans = exporter.get_finished_spans()
    server, by_id = tree_of(spans)
    names = {span.name: span for span in spans}
    assert "cluster.health" in names
    assert "PING" in names
    for name in ("cluster.health", "PING"):
        assert server in ancestors(names[name], by_id)


def elasticsearch_requests() -> dict[str, float]:
    """HTTP requests the client has sent so far, by API (the metric the service exports)."""
    counts: dict[str, float] = {}
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == "autos_graph_elasticsearch_request_duration_seconds_count":
                endpoint = sample.labels["endpoint"].lstrip("_").replace("/", ".")
                counts[endpoint] = counts.get(endpoint, 0) + sample.value
    return counts


async def test_every_elasticsearch_call_of_a_request_is_a_span_in_its_trace(
    tracing: tuple[TracerProvider, InMemorySpanExporter], sample_index: str, cold_redis: None
) -> None:
    exporter = tracing[1]
    # The generation refresher reads the alias in traces of its own; on a busy machine the
    # request outlasts its 0.5 s period, so it is slowed out of this request's way.
    settings = make_settings(es_index=sample_index, generation_refresh_seconds=60)
    async with traced_app(settings, tracing) as app, client_of(app) as client:
        before = elasticsearch_requests()
        response = await client.post("/graphql", json={"query": EVERY_KIND})
        after = elasticsearch_requests()
    assert response.status_code == 200
    assert "errors" not in response.json()
    sent = {api: after[api] - before.get(api, 0) for api in after if after[api] > before.get(api, 0)}
    assert len(sent) >= 3, sent  # the operation did reach Elasticsearch in several ways
    spans = exporter.get_finished_spans()
    server, by_id = tree_of(spans)
    traced: dict[str, float] = {}
    for span in spans:
        if (span.attributes or {}).get("db.system") == "elasticsearch":
            traced[span.name] = traced.get(span.name, 0) + 1
            assert span.context.trace_id == server.context.trace_id, span.name
            assert server in ancestors(span, by_id), span.name
    # One span per call the client made, named after the API it called.
    assert traced == sent


async def test_nothing_is_traced_without_an_endpoint(
    tracing: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    exporter = tracing[1]
    app = create_app(make_settings(otel_exporter_otlp_endpoint=None))
    async with LifespanManager(app, startup_timeout=60) as manager, client_of(manager.app) as client:
        exporter.clear()
        assert (await client.get("/health/live")).status_code == 200
    assert not [span for span in exporter.get_finished_spans() if span.kind is SpanKind.SERVER]


def test_an_endpoint_makes_the_app_enable_tracing_under_the_service_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enabled: list[tuple[Starlette, TracerProvider]] = []
    # Installing the provider globally would outlive this test; what it would install is checked.
    monkeypatch.setattr(
        tracing_module, "enable_tracing", lambda app, provider: enabled.append((app, provider))
    )
    settings = make_settings(otel_exporter_otlp_endpoint="http://127.0.0.1:4318", otel_service_name="autos-x")
    app = create_app(settings)
    [(traced, provider)] = enabled
    assert traced is app
    assert provider.resource.attributes["service.name"] == "autos-x"
    provider.shutdown()

"""OpenTelemetry tracing: on when OTEL_EXPORTER_OTLP_ENDPOINT is set, absent otherwise.

A traced request is one server span (Starlette/ASGI) with the Elasticsearch
and Redis calls made while handling it as children. Elasticsearch spans come
from the official client's own OpenTelemetry support (8.13 and later: one span
per API call, named after the API, retries inside it), which needs only
opentelemetry-api and always reports to the global tracer provider, so enabling
tracing installs the provider globally. OTEL_PYTHON_INSTRUMENTATION_ELASTICSEARCH_ENABLED=false
(read by the client) turns those spans off.
Probes and scrapes can be left out with
OTEL_PYTHON_STARLETTE_EXCLUDED_URLS="health,metrics" (read by the instrumentor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette

from graph.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


def setup_tracing(app: Starlette, settings: Settings) -> TracerProvider | None:
    """Export spans over OTLP/HTTP when an endpoint is configured; do nothing at all otherwise."""
    if settings.otel_exporter_otlp_endpoint is None:
        return None
    # Imported only when tracing is on: the SDK, the OTLP exporter (with protobuf) and the
    # instrumentations would otherwise weigh on every worker's memory (docs/caching.md,
    # "A worker's memory").
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": settings.otel_service_name, "deployment.environment": settings.environment}
        )
    )
    # The variable names the collector's base URL; the traces path is appended as the spec says.
    exporter = OTLPSpanExporter(endpoint=f"{settings.otel_exporter_otlp_endpoint}/v1/traces")
    # Batching keeps export off the request path; the provider flushes at interpreter exit.
    provider.add_span_processor(BatchSpanProcessor(exporter))
    enable_tracing(app, provider)
    return provider


def enable_tracing(app: Starlette, provider: TracerProvider) -> None:
    """Trace `app` and the process' Redis and Elasticsearch clients into `provider`."""
    from opentelemetry import trace
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.starlette import StarletteInstrumentor

    trace.set_tracer_provider(provider)
    redis = RedisInstrumentor()
    if not redis.is_instrumented_by_opentelemetry:
        redis.instrument(tracer_provider=provider)
    # Added as the outermost middleware, so our access log line runs inside the span and carries its id.
    StarletteInstrumentor.instrument_app(app, tracer_provider=provider)

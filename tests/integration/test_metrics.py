"""`/metrics` exposes the families operators chart, and they move when requests are made."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_settings
from tests.support.asgi import client_of, running_app

CATALOG = """
query Catalog {
  facets { totalCount }
  vehicles(first: 3) { nodes { id group { manufacturer } otherYears(first: 2) { year } } }
}
"""

FAMILIES = {
    "autos_graph_http_requests": "counter",
    "autos_graph_http_request_duration_seconds": "histogram",
    "autos_graph_http_requests_in_progress": "gauge",
    "autos_graph_elasticsearch_request_duration_seconds": "histogram",
    "autos_graph_cache_hits": "counter",
    "autos_graph_cache_misses": "counter",
    "autos_graph_cache_stale_served": "counter",
    "autos_graph_dataloader_batch_size": "histogram",
    "autos_graph_rate_limit_rejections": "counter",
    "autos_graph_rate_limit_store_failures": "counter",
}


class Scrape:
    def __init__(self, text: str) -> None:
        self.types: dict[str, str] = {}
        self.samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        for family in text_string_to_metric_families(text):
            self.types[family.name] = family.type
            for sample in family.samples:
                self.samples[(sample.name, frozenset(sample.labels.items()))] = sample.value

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> Scrape:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return Scrape(response.text)


async def test_every_family_is_exposed_with_its_type() -> None:
    async with running_app(make_settings()) as app, client_of(app) as client:
        exposed = await scrape(client)
    for name, kind in FAMILIES.items():
        assert exposed.types.get(name) == kind, name


async def test_request_counters_and_latency_move_by_route_operation_and_status() -> None:
    async with running_app(make_settings()) as app, client_of(app) as client:
        before = await scrape(client)
        for _ in range(3):
            await client.post("/graphql", json={"query": "query CountMe { __typename }"})
        await client.get("/no/such/path")
        after = await scrape(client)
    labels = {"route": "/graphql", "operation": "CountMe", "status": "200"}
    total = "autos_graph_http_requests_total"
    assert after.value(total, **labels) - before.value(total, **labels) == 3
    count = "autos_graph_http_request_duration_seconds_count"
    histogram = {"route": "/graphql", "operation": "CountMe"}
    assert after.value(count, **histogram) - before.value(count, **histogram) == 3
    unmatched = {"route": "unmatched", "operation": "", "status": "404"}
    assert after.value(total, **unmatched) - before.value(total, **unmatched) == 1


async def test_elasticsearch_cache_and_loader_metrics_move_with_a_real_query(sample_index: str) -> None:
    async with running_app(make_settings(es_index=sample_index)) as app, client_of(app) as client:
        before = await scrape(client)
        for _ in range(2):
            response = await client.post("/graphql", json={"query": CATALOG})
            assert response.status_code == 200
            assert "errors" not in response.json()
        after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    es = "autos_graph_elasticsearch_request_duration_seconds_count"
    assert moved(es, method="POST", endpoint="_search", outcome="2xx") >= 2
    es_seconds = "autos_graph_elasticsearch_request_duration_seconds_sum"
    assert moved(es_seconds, method="POST", endpoint="_search", outcome="2xx") > 0
    # The first query may find the facets cached by an earlier run; the second surely does.
    hits = moved("autos_graph_cache_hits_total", cache="facets")
    assert hits >= 1
    assert hits + moved("autos_graph_cache_misses_total", cache="facets") == 2
    batches = "autos_graph_dataloader_batch_size_count"
    assert moved(batches, loader="years_by_make_model") == 2  # one batch per request, not one per vehicle
    assert moved("autos_graph_dataloader_batch_size_sum", loader="years_by_make_model") >= 2


async def test_rate_limit_rejections_are_counted() -> None:
    settings = make_settings(rate_limit_per_minute=1, redis_url="redis://127.0.0.1:1/0")
    async with running_app(settings) as app, client_of(app) as client:
        before = await scrape(client)
        statuses = [
            (await client.post("/graphql", json={"query": "{ __typename }"})).status_code for _ in range(3)
        ]
        after = await scrape(client)
    assert statuses == [200, 429, 429]
    # Decided on this process's counts alone: no exchange with Redis has succeeded. The failed
    # exchanges themselves are counted in tests/integration/test_rate_limit.py, which drives them.
    name = "autos_graph_rate_limit_rejections_total"
    assert after.value(name, backend="memory") - before.value(name, backend="memory") == 2


async def test_metrics_can_be_switched_off() -> None:
    async with running_app(make_settings(metrics_enabled=False)) as app, client_of(app) as client:
        assert (await client.get("/metrics")).status_code == 404

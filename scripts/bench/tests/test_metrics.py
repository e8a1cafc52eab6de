"""Counting round trips, answered requests and cache hits from /metrics text."""

from __future__ import annotations

import pytest

from scripts.bench.metrics import Counters, parse_samples

BEFORE = """
# HELP autos_graph_http_requests_total HTTP requests
# TYPE autos_graph_http_requests_total counter
autos_graph_http_requests_total{operation="Picker",route="/graphql",status="200"} 10.0
autos_graph_http_requests_total{operation="",route="/metrics",status="200"} 4.0
autos_graph_elasticsearch_request_duration_seconds_count{endpoint="_search",method="POST",outcome="2xx"} 3.0
autos_graph_elasticsearch_request_duration_seconds_count{endpoint="_alias",method="GET",outcome="2xx"} 2.0
autos_graph_elasticsearch_request_duration_seconds_sum{endpoint="_search",method="POST",outcome="2xx"} 0.5
autos_graph_cache_hits_total{cache="manufacturer_groups"} 8.0
autos_graph_cache_misses_total{cache="manufacturer_groups"} 2.0
autos_graph_http_requests_in_progress 1.0
"""

AFTER = """
autos_graph_http_requests_total{operation="Picker",route="/graphql",status="200"} 110.0
autos_graph_http_requests_total{operation="",route="/metrics",status="200"} 6.0
autos_graph_elasticsearch_request_duration_seconds_count{endpoint="_search",method="POST",outcome="2xx"} 53.0
autos_graph_elasticsearch_request_duration_seconds_count{endpoint="_msearch",method="POST",outcome="2xx"} 50.0
autos_graph_elasticsearch_request_duration_seconds_count{endpoint="_alias",method="GET",outcome="2xx"} 9.0
autos_graph_cache_hits_total{cache="manufacturer_groups"} 107.0
autos_graph_cache_misses_total{cache="manufacturer_groups"} 3.0
autos_graph_cache_hits_total{cache="graphql_answers"} 90.0
autos_graph_cache_misses_total{cache="graphql_answers"} 1.0
"""


def test_parse_samples_reads_names_labels_and_values() -> None:
    samples = parse_samples(BEFORE)
    first = samples[0]
    assert first.name == "autos_graph_http_requests_total"
    assert first.labels == {"operation": "Picker", "route": "/graphql", "status": "200"}
    assert first.value == 10.0
    assert samples[-1].labels == {}


def test_label_values_may_hold_escaped_quotes_and_commas() -> None:
    (sample,) = parse_samples('m{a="x\\"y,z",b="2"} 1e3')
    assert sample.labels == {"a": 'x\\"y,z', "b": "2"}
    assert sample.value == 1000.0


def test_counters_leave_out_scrapes_and_background_requests() -> None:
    delta = Counters.from_text(AFTER).minus(Counters.from_text(BEFORE))
    assert delta.http_requests == 100  # /metrics scrapes are not the workload's
    assert delta.elasticsearch_requests == 100  # _alias is the background refresh
    assert delta.per_request(delta.elasticsearch_requests) == pytest.approx(1.0)
    # Reused answers live in the service's memory: they are no Redis reads.
    assert (delta.cache_hits, delta.cache_misses) == (99, 1)


def test_in_progress_and_per_request_without_requests() -> None:
    assert Counters.from_text(BEFORE).in_progress == 1.0
    assert Counters.from_text("").per_request(5.0) is None

"""Request metrics: one series per route, operation name and status, with operation names bounded."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from graph.observability import metrics

ROUTE = "/test-request-metrics"


def counts() -> list[float]:
    return [
        requests_total("Count"),
        requests_total("Count", "500"),
        requests_total(""),
        latency_count("Count"),
    ]


def requests_total(operation: str, status: str = "200") -> float:
    labels = {"route": ROUTE, "operation": operation, "status": status}
    return REGISTRY.get_sample_value("autos_graph_http_requests_total", labels) or 0.0


def latency_count(operation: str) -> float:
    labels = {"route": ROUTE, "operation": operation}
    return REGISTRY.get_sample_value("autos_graph_http_request_duration_seconds_count", labels) or 0.0


def test_requests_are_counted_by_route_operation_and_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_REQUEST_SERIES", metrics._RequestSeries())
    before = counts()
    for _ in range(3):
        metrics.observe_request(route=ROUTE, operation="Count", status=200, seconds=0.01)
    metrics.observe_request(route=ROUTE, operation="Count", status=500, seconds=0.01)
    metrics.observe_request(route=ROUTE, operation=None, status=200, seconds=0.01)
    metrics.observe_request(route=ROUTE, operation="", status=200, seconds=0.01)
    assert [after - first for first, after in zip(before, counts(), strict=True)] == [3, 1, 2, 4]


def test_operation_names_past_the_bound_count_as_other_and_are_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    series = metrics._RequestSeries()
    monkeypatch.setattr(metrics, "_REQUEST_SERIES", series)
    monkeypatch.setattr(metrics, "operation_label", metrics._BoundedLabels(2))
    before = requests_total(metrics.OTHER)
    names = [f"Flood{n}" for n in range(50)]
    for name in names:
        metrics.observe_request(route=ROUTE, operation=name, status=200, seconds=0.01)
    assert requests_total(metrics.OTHER) - before == 48
    assert requests_total("Flood0") >= 1
    assert requests_total("Flood2") == 0
    assert len(series._series) == 2

from __future__ import annotations

import logging

import pytest

from graph.http.probe_log import ProbeFailureLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "autos_graph.health" and r.levelno == logging.WARNING]


def test_a_lasting_failure_is_warned_once_per_interval_with_its_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    probe_log = ProbeFailureLog(interval_seconds=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="autos_graph.health"):
        for _ in range(12):  # a probe every 5 s for a minute
            probe_log.failed(probe="/health/ready", reason="Elasticsearch is not reachable (ConnectionError)")
            clock.now += 5
        [first] = warnings(caplog)
        assert first.getMessage() == "health check failed: Elasticsearch is not reachable (ConnectionError)"
        probe_log.failed(probe="/health/ready", reason="the Elasticsearch cluster is red")
        second = warnings(caplog)[1]
    assert "cluster is red" in second.getMessage()
    context = second.__dict__["context"]
    assert context["failing_for_seconds"] == 60.0
    assert context["failures_not_logged"] == 11


def test_recovery_is_logged_once_and_a_new_failure_is_warned_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    probe_log = ProbeFailureLog(interval_seconds=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="autos_graph.health"):
        probe_log.passed()  # healthy all along: nothing to say
        assert caplog.records == []
        probe_log.failed(probe="/health", reason="down")
        clock.now += 10
        probe_log.passed()
        probe_log.passed()
        probe_log.failed(probe="/health", reason="down again")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "health check failed: down",
        "health check recovered",
        "health check failed: down again",
    ]

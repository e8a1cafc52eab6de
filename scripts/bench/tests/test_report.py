"""The summary's verdicts and ratios, and the notes it keeps across runs."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.bench.report import NOTES_HEADING, add_derived, with_kept_notes


def test_notes_of_the_previous_summary_follow_the_new_one() -> None:
    previous = f"# Benchmarks\n\nold numbers\n\n{NOTES_HEADING}\n\nWhy the search misses.\n"
    assert with_kept_notes("# Benchmarks\n\nnew numbers\n", previous) == (
        f"# Benchmarks\n\nnew numbers\n\n{NOTES_HEADING}\n\nWhy the search misses.\n"
    )


def test_without_notes_the_new_summary_stands_alone() -> None:
    assert with_kept_notes("# Benchmarks\n", "# Benchmarks\n\nold\n") == "# Benchmarks\n"
    assert with_kept_notes("# Benchmarks\n", "") == "# Benchmarks\n"


def _point(workers: int, connections: int, p50: float, rps: float, es: float | None = None) -> dict[str, Any]:
    return {
        "workers": workers,
        "connections": connections,
        "p50_ms": p50,
        "p95_ms": p50,
        "p99_ms": p50,
        "requests_per_second": rps,
        "errors": 0,
        "es_requests_per_request": es,
        "cache_hit_ratio": None,
        "rss_peak_mb": {"1": 100.0},
    }


def _result() -> dict[str, Any]:
    def workload(
        cache: str, runs: list[dict[str, Any]], cold: int = 1, warm: int = 1, reads: int = 1
    ) -> dict[str, Any]:
        return {
            "title": "t",
            "cache": cache,
            "problem": None,
            "runs": runs,
            "es_round_trips_cold": cold,
            "es_round_trips_warm": warm,
            "cache_reads_per_request": reads,
            "paired": None,
        }

    return {
        "workloads": {
            "picker_cached": workload(
                "cached", [_point(1, 1, 0.9, 1000), _point(2, 16, 5.0, 1500), _point(2, 64, 20.0, 1400)], 1, 0
            ),
            "filtered_search": workload("cached", [_point(1, 1, 6.0, 150)], reads=0),
            "nested": workload("cached", [_point(1, 1, 40.0, 20, es=2.1)], cold=3, warm=2),
        },
        "floors": {
            "redis_get": {"latency_ms": {"p50": 0.1}},
            "elasticsearch": [
                {"workload": "filtered_search", "p50_ms": 2.0},
                {"workload": "nested", "p50_ms": 3.0},
                {"workload": "nested", "p50_ms": 4.0},
            ],
            "http": [{"workload": "picker_cached", "workers": 1, "connections": 1, "p50_ms": 0.15}],
        },
        "rss_peak_mb": {"1 worker": {"1": 120.0}, "2 workers": {"2": 151.0}},
        "vin": {"wall_ms": {"p50": 0.4, "p99": 0.9}, "cpu_ms": {"p50": 0.4}},
        "load": {"seconds": 9.0, "documents": 100_000},
    }


def test_ratios_and_verdicts() -> None:
    result = _result()
    add_derived(result)
    floors = result["workloads"]["filtered_search"]["floor"]
    assert floors["data_floor_ms"] == pytest.approx(2.0)
    assert floors["ratio_to_data_floor"] == pytest.approx(3.0)
    nested = result["workloads"]["nested"]["floor"]
    assert nested["data_floor_ms"] == pytest.approx(3.0 + 4.0 + 0.1)  # two ES requests and one Redis GET
    picker = result["workloads"]["picker_cached"]["floor"]
    assert picker["ratio_to_http_floor"] == pytest.approx(6.0)
    verdicts = {t["target"]: (t["measured"], t["verdict"]) for t in result["targets"]}
    assert verdicts["Cached picker p50, 1 connection"] == (0.9, "met")
    assert verdicts["Cached picker throughput, 2 workers"] == (1500, "met")
    assert verdicts["Uncached filtered search vs raw Elasticsearch (p50, 1 connection)"][1] == "missed"
    assert verdicts["Nested query Elasticsearch round trips"] == (3, "met")
    assert verdicts["RSS per worker under load"] == (151.0, "missed")
    assert verdicts["20 VIN instances in-process (p50 per call)"] == (0.4, "met")
    assert verdicts["Full data load into an empty index"] == (9.0, "met")


def test_the_paired_median_decides_the_search_target() -> None:
    result = _result()
    result["workloads"]["filtered_search"]["paired"] = {
        "rounds": [{"api_p50_ms": 2.5, "es_p50_ms": 2.0, "ratio": 1.25}] * 3,
        "median_ratio": 1.25,
    }
    add_derived(result)
    search = next(t for t in result["targets"] if t["target"].startswith("Uncached filtered search"))
    assert (search["measured"], search["verdict"]) == (1.25, "met")

"""The summary's verdicts and ratios, and the notes it keeps across runs."""

from __future__ import annotations

from typing import Any

from scripts.bench.report import NOTES_HEADING, add_derived, render, with_kept_notes


def test_notes_of_the_previous_summary_follow_the_new_one() -> None:
    previous = f"# Benchmarks\n\nold numbers\n\n{NOTES_HEADING}\n\nWhy the search misses.\n"
    assert with_kept_notes("# Benchmarks\n\nnew numbers\n", previous) == (
        f"# Benchmarks\n\nnew numbers\n\n{NOTES_HEADING}\n\nWhy the search misses.\n"
    )


def test_without_notes_the_new_summary_stands_alone() -> None:
    assert with_kept_notes("# Benchmarks\n", "# Benchmarks\n\nold\n") == "# Benchmarks\n"
    assert with_kept_notes("# Benchmarks\n", "") == "# Benchmarks\n"


def _result() -> dict[str, Any]:
    def point(connections: int, p50: float, rps: float, rss: float = 120.0) -> dict[str, Any]:
        return {
            "connections": connections,
            "p50_ms": p50,
            "p95_ms": p50,
            "p99_ms": p50,
            "requests_per_second": rps,
            "errors": 0,
            "rss_peak_mb": rss,
            "es_requests_per_request": 1.0,
            "cache_hit_ratio": None,
        }

    return {
        "started_at": "2026-11-30T15:00:00+00:00",
        "seconds": 800.0,
        "command": "make bench",
        "settings": {"duration_seconds": 5.0, "variants": 6000, "index": "autos-bench"},
        "machine": {
            "load_average_start": [1.0, 1.0, 1.0],
            "load_average_end": [2.0, 2.0, 2.0],
            "cpu_model": "cpu",
            "logical_cpus": 2,
            "memory_gib": 8,
            "os": "Linux",
            "kernel": "6",
            "python": "3.11",
            "packages": {"strawberry-graphql": "0.341"},
            "git_commit": "abc",
            "git_tree_modified": False,
        },
        "services": {"elasticsearch": "8.19", "redis": "7", "node": "v20", "wrk": "wrk 4"},
        "documents": 100_000,
        "race": {
            "workloads": {
                "picker": {
                    "title": "Picker",
                    "api": "graphql",
                    "peer": "apollo",
                    "modes": {
                        "repeated": {
                            "peer_name": "apollo-response-cache",
                            "variants": 1,
                            "autos_graph": [point(1, 0.9, 1000), point(16, 9.0, 1200, rss=151.0)],
                            "peer": [point(1, 0.3, 3000), point(16, 4.0, 3500)],
                        }
                    },
                }
            }
        },
        "memory": {
            "documents_answered": 10_100,
            "distinct_documents": 10_100,
            "rss_fresh_mb": 104.0,
            "rss_after_mb": 149.0,
            "rss_peak_mb": 149.5,
            "connections": 16,
            "errors": 0,
        },
        "round_trips": {
            "nested": {"cold": ["POST /_search", "POST /_msearch", "POST /_msearch"], "warm": []}
        },
        "floors": {"elasticsearch": []},
        "picker_two_workers": [point(1, 0.8, 900), point(16, 7.0, 1500)],
        "vin": {"wall_ms": {"p50": 0.4, "p95": 0.6, "p99": 0.9}, "cpu_ms": {"p50": 0.4}, "vehicles": 10},
        "load": {"seconds": 9.0, "documents": 100_000, "summary_line": "indexed"},
    }


def test_verdicts_beside_the_race() -> None:
    result = _result()
    add_derived(result)
    verdicts = {t["target"]: (t["measured"], t["verdict"]) for t in result["targets"]}
    assert verdicts["Repeated Picker: p50 vs Apollo + response cache (1 connection)"] == (3.0, "missed")
    assert verdicts["RSS of the worker after 10,000 distinct documents"] == (149.0, "met")
    assert verdicts["RSS of the worker under every benchmark load"] == (151.0, "missed")
    assert verdicts["Nested query Elasticsearch round trips, cold"] == (3, "met")
    assert verdicts["Cached picker p50, 1 connection"] == (0.9, "met")
    assert verdicts["Cached picker throughput, 2 workers"] == (1500, "met")
    assert verdicts["20 VIN instances in-process (p50 per call)"] == (0.4, "met")
    assert verdicts["Full data load into an empty index"] == (9.0, "met")


def test_fewer_than_10000_documents_do_not_measure_the_memory_target() -> None:
    result = _result()
    result["memory"]["distinct_documents"] = 9_999
    add_derived(result)
    memory = next(t for t in result["targets"] if t["target"].startswith("RSS of the worker after"))
    assert memory["verdict"] == "not measured"


def test_summary_has_the_side_by_side_table_and_the_chart() -> None:
    result = _result()
    add_derived(result)
    markdown = render(result, chart_name="benchmarks.svg")
    assert "![autos-graph / peer" in markdown
    assert "(benchmarks.svg)" in markdown
    assert "## Repeated (the same request again; Apollo with its response cache)" in markdown
    assert (
        "| Picker | Apollo Server 5 + response cache | 1 | 0.90 | 0.30 | 3.00 × | 1,000 | 3,000 | 0.33 × |"
        in (markdown)
    )
    assert "## Cold" not in markdown  # a mode that did not run has no table
    assert "RSS 149.0 MB after" in markdown


def test_summary_sets_repeated_workloads_against_the_floor_and_states_the_configuration() -> None:
    result = _result()
    repeated = result["race"]["workloads"]["picker"]["modes"]["repeated"]
    repeated["floor"] = [
        {**repeated["peer"][0], "requests_per_second": 4000.0},
        {**repeated["peer"][1], "requests_per_second": 3000.0},
    ]
    result["floor_app"] = {"body_bytes": 2_345}
    result["settings"]["server"] = "k8s/configmap.yaml as deployed (LOG_LEVEL=INFO)"
    add_derived(result)
    markdown = render(result)
    assert "| floor req/s | of floor |" in markdown
    assert "| 4,000 | 0.25 |" in markdown
    assert "| 3,000 | 0.40 |" in markdown
    assert "k8s/configmap.yaml as deployed (LOG_LEVEL=INFO)" in markdown
    assert "2,345-byte body" in markdown
    assert "never\n/dev/null" in markdown or "never /dev/null" in markdown
    verdicts = {t["target"]: t["verdict"] for t in result["targets"]}
    assert verdicts["Repeated Picker: req/s as a fraction of the floor's (1 connection)"] == "missed"
    assert verdicts["Repeated Picker: req/s as a fraction of the floor's (16 connections)"] == "met"


def test_the_first_part_is_held_to_its_share_of_the_whole_search() -> None:
    result = _result()
    add_derived(result)
    first = next(t for t in result["targets"] if t["target"].startswith("Deferred facets"))
    assert first["verdict"] == "not measured"
    for share, verdict in ((0.5, "met"), (0.7, "missed")):
        result["first_part"] = {
            "samples": 200,
            "first_part_ms": {"p50": 5.0 * share},
            "whole_ms": {"p50": 5.0},
            "ratio_p50": share,
        }
        add_derived(result)
        first = next(t for t in result["targets"] if t["target"].startswith("Deferred facets"))
        assert (first["measured"], first["verdict"]) == (share, verdict)
        assert f"first part {5.0 * share:.2f} ms, whole 5.00 ms" in first["note"]

"""Ratios to the peers and the verdicts of issues 15 (cold, literal) and 16 (repeated)."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.bench.race import add_ratios, point_at, race_targets, ratios


def point(connections: int, p50: float, rps: float, errors: int = 0) -> dict[str, Any]:
    return {"connections": connections, "p50_ms": p50, "requests_per_second": rps, "errors": errors}


def entry(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"autos_graph": ours, "peer": theirs}


def race() -> dict[str, Any]:
    return {
        "workloads": {
            "filtered_search": {
                "title": "Filtered search",
                "peer": "apollo",
                "modes": {
                    "repeated": entry(
                        [point(1, 0.5, 1800), point(16, 8.0, 2000)],
                        [point(1, 0.4, 2500), point(16, 7.0, 1900)],
                    ),
                    "cold": entry(
                        [point(1, 3.9, 250), point(16, 40.0, 380)], [point(1, 3.0, 330), point(16, 30.0, 500)]
                    ),
                    "literal": entry(
                        [point(1, 5.0, 200), point(16, 60.0, 260)], [point(1, 3.5, 290), point(16, 33.0, 480)]
                    ),
                },
            },
            "rest_instances": {
                "title": "REST instances",
                "peer": None,
                "modes": {"cold": entry([point(1, 1.0, 900)], [])},
            },
        }
    }


def test_ratios_are_autos_graph_over_the_peer_per_connection_count() -> None:
    rows = ratios(race()["workloads"]["filtered_search"]["modes"]["cold"])
    assert [r["connections"] for r in rows] == [1, 16]
    assert rows[0]["p50_ratio"] == pytest.approx(1.3)
    assert rows[1]["rps_ratio"] == pytest.approx(0.76)


def test_a_run_with_errors_has_no_ratio() -> None:
    broken = entry([point(1, 3.0, 300)], [point(1, 3.0, 300, errors=4)])
    assert point_at(broken["peer"], 1) is None
    assert ratios(broken) == [{"connections": 1, "p50_ratio": None, "rps_ratio": None}]


def test_verdicts_per_workload() -> None:
    data = race()
    add_ratios(data)
    verdicts = {t["target"]: (t["measured"], t["verdict"]) for t in race_targets(data)}
    cold_p50 = verdicts["Cold Filtered search: p50 vs Apollo (1 connection)"]
    assert cold_p50[0] == pytest.approx(1.3)
    assert cold_p50[1] == "met"
    cold_rps = verdicts["Cold Filtered search: req/s vs Apollo (16 connections)"]
    assert cold_rps[0] == pytest.approx(0.76)
    assert cold_rps[1] == "met"
    literal = verdicts["Literal Filtered search: new-document cost, literal p50 − cold p50"]
    assert literal[0] == pytest.approx(1.1)
    assert literal[1] == "met"
    repeated_p50 = verdicts["Repeated Filtered search: p50 vs Apollo + response cache (1 connection)"]
    assert repeated_p50[0] == pytest.approx(1.25)
    assert repeated_p50[1] == "missed"
    repeated_rps = verdicts["Repeated Filtered search: req/s vs Apollo + response cache (16 connections)"]
    assert repeated_rps[0] == pytest.approx(2000 / 1900)
    assert repeated_rps[1] == "met"
    assert not any("REST instances" in name for name in verdicts)  # no peer, no ratio target


def test_missing_and_failed_runs_are_not_measured_never_met() -> None:
    data = race()
    data["workloads"]["filtered_search"]["modes"]["cold"]["peer"][1]["errors"] = 1
    data["workloads"]["filtered_search"]["modes"]["literal"]["autos_graph"] = []
    verdicts = {t["target"]: t["verdict"] for t in race_targets(data)}
    assert verdicts["Cold Filtered search: req/s vs Apollo (16 connections)"] == "not measured"
    assert verdicts["Literal Filtered search: new-document cost, literal p50 − cold p50"] == "not measured"


def test_literal_cost_over_the_limit_is_missed() -> None:
    data = race()
    data["workloads"]["filtered_search"]["modes"]["literal"]["autos_graph"][0]["p50_ms"] = 5.5
    literal = next(t for t in race_targets(data) if t["target"].startswith("Literal"))
    assert literal["measured"] == pytest.approx(1.6)
    assert literal["verdict"] == "missed"
    assert "Apollo: +0.50 ms" in literal["note"]


def test_repeated_workloads_are_set_against_the_floor() -> None:
    measured = race()
    repeated = measured["workloads"]["filtered_search"]["modes"]["repeated"]
    repeated["floor"] = [point(1, 0.1, 6000), point(16, 1.0, 5000, errors=2)]
    add_ratios(measured)
    assert repeated["floor_fractions"] == [
        {"connections": 1, "fraction": pytest.approx(0.3)},
        {"connections": 16, "fraction": None},  # the floor's run had errors
    ]
    verdicts = {
        t["target"]: (t["measured"], t["verdict"]) for t in race_targets(measured) if "floor" in t["target"]
    }
    assert verdicts == {
        "Repeated Filtered search: req/s as a fraction of the floor's (1 connection)": (
            pytest.approx(0.3),
            "missed",
        ),
        "Repeated Filtered search: req/s as a fraction of the floor's (16 connections)": (
            None,
            "not measured",
        ),
    }
    assert "floor_fractions" not in measured["workloads"]["filtered_search"]["modes"]["cold"]

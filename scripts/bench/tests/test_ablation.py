"""The ablation's plan, its arithmetic and its tables."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.bench.ablation import (
    MECHANISMS,
    WHOLE,
    Mechanism,
    check_settings,
    markdown,
    rows,
    run_order,
    summary,
)
from scripts.bench.race_workloads import RaceWorkload
from scripts.bench.rounds import Cell


def test_every_setting_a_mechanism_turns_off_is_one_the_service_reads() -> None:
    check_settings(MECHANISMS)
    with pytest.raises(SystemExit, match="NO_SUCH_SETTING"):
        check_settings([Mechanism("gone", "NO_SUCH_SETTING=0", env={"NO_SUCH_SETTING": "0"})])


def test_deployed_costs_are_in_the_table() -> None:
    names = {m.name for m in MECHANISMS}
    assert {"access log", "rate limiter", "metrics"} <= names


def test_mechanisms_without_a_setting_run_the_launcher() -> None:
    by_name = {m.name: m for m in MECHANISMS}
    assert by_name["lexer"].command()[-3:] == ["scripts.bench.ablation_server", "--without", "lexer"]
    assert by_name["metrics"].command()[-1] == "serve"


def test_the_whole_service_runs_in_the_middle_and_the_others_alternate() -> None:
    names = [WHOLE, "a", "b", "c", "d"]
    assert run_order(names, 0) == ["a", "b", WHOLE, "c", "d"]
    assert run_order(names, 1) == ["d", "c", WHOLE, "b", "a"]


def _point(rps: float, p50: float, errors: int = 0) -> dict[str, Any]:
    return {"requests_per_second": rps, "p50_ms": p50, "p99_ms": p50, "requests": 100, "errors": errors}


def test_gain_is_the_median_of_the_per_round_ratios() -> None:
    cell = Cell(RaceWorkload("by_ids", "vehiclesByIds", None, "{ a }", {}, [{}]), "cold")
    measured = {
        "points": {
            "by_ids:cold": {
                WHOLE: {1: [_point(200, 5.0), _point(100, 9.0), _point(300, 4.0)]},
                "lexer": {1: [_point(100, 9.0), _point(100, 9.0), _point(100, 9.0, errors=3)]},
            }
        },
        "reused": [],
    }
    lexer = next(m for m in MECHANISMS if m.name == "lexer")
    [row] = rows(measured, [lexer], [cell], [1])
    assert row["rounds"] == 2  # the round with errors does not count
    assert row["gain_percent"] == pytest.approx(50.0)  # ratios 2.0 and 1.0
    assert row["rps_on"] == pytest.approx(150.0)
    assert row["saves_us_per_request"] == pytest.approx(1e6 / 100 - 1e6 / 150, abs=0.1)
    # The whole service's own runs spread from 100 to 300 around a median of 200.
    assert row["noise_percent"] == pytest.approx(100.0)
    table = markdown([row])
    assert "| lexer | patch `lexer`: graphql.parse | by_ids:cold (errors) | 1 | 150 | 100 |" in table
    assert "| +50.0 | 100.0 |" in table
    assert "| not told apart from noise |" in summary([row])
    assert "| no spread measured (one round) |" in summary([{**row, "noise_percent": None}])
    steady = {**row, "noise_percent": 4.0}
    assert (
        "| lexer | +50.0 (by_ids:cold, c=1) | +2.0 (picker:cold, c=1) | yes (by_ids:cold, c=1) |"
        in summary([steady, {**row, "workload": "picker:cold", "gain_percent": 2.0}])
    )

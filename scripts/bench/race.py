"""The race against the peers: ratios per workload and mode, and the verdicts of issues 15 and 16.

Pure functions over the `race` part of a result (see run.py), so every ratio
and verdict in docs/benchmarks.md can be checked by a unit test:

    race["workloads"][name] = {"title", "api": "graphql" | "rest", "peer": "apollo" | "express" | None,
                               "modes": {mode: {"peer_name": …, "autos_graph": [point], "peer": [point]}}}

where a point is one wrk run: {"connections", "p50_ms", "requests_per_second", "errors", …}.
A repeated mode also holds "floor": [point], the same script against the fixed-body app
(scripts/bench/floor_app.py) on autos-graph's server stack, and "floor_fractions".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scripts.bench.stats import Verdict, at_least, at_most, ratio

MODES = ("repeated", "cold", "literal")
LATENCY_CONNECTIONS = 1
THROUGHPUT_CONNECTIONS = 16
# Issue 15, cold mode: p50 at most 1.3 × the peer's, requests/s at 16 connections at least 0.75 ×.
COLD_P50_RATIO = 1.3
COLD_RPS_RATIO = 0.75
# Issue 15, literal mode: what a new document costs, literal p50 − cold p50.
LITERAL_EXTRA_MS = 1.5
# Issue 16, repeated mode: p50 at most the peer's and requests/s at least the peer's.
REPEATED_P50_RATIO = 1.0
REPEATED_RPS_RATIO = 1.0
# Issue 29: a repeated request at no less than a third of what its server answers with no work at all.
FLOOR_FRACTION = 1 / 3
PEER_NAMES = {"apollo": "Apollo", "express": "Express"}


def point_at(points: Sequence[dict[str, Any]], connections: int) -> dict[str, Any] | None:
    """The run at `connections`, unless it had errors (an invalid measurement)."""
    found = next((p for p in points if p["connections"] == connections), None)
    return None if found is None or found.get("errors") else found


def ratios(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """autos-graph / peer for p50 and requests/s at every connection count both sides ran."""
    rows = []
    for ours in entry.get("autos_graph", []):
        theirs = point_at(entry.get("peer", []), ours["connections"])
        mine = point_at([ours], ours["connections"])
        rows.append(
            {
                "connections": ours["connections"],
                "p50_ratio": ratio(mine["p50_ms"], theirs["p50_ms"]) if mine and theirs else None,
                "rps_ratio": ratio(mine["requests_per_second"], theirs["requests_per_second"])
                if mine and theirs
                else None,
            }
        )
    return rows


def floor_fractions(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """autos-graph's requests/s over the floor's, at every connection count both ran."""
    rows = []
    for ours in entry.get("autos_graph", []):
        floor = point_at(entry.get("floor", []), ours["connections"])
        mine = point_at([ours], ours["connections"])
        rows.append(
            {
                "connections": ours["connections"],
                "fraction": ratio(mine["requests_per_second"], floor["requests_per_second"])
                if mine and floor
                else None,
            }
        )
    return rows


def add_ratios(race: dict[str, Any]) -> None:
    for workload in race["workloads"].values():
        for entry in workload["modes"].values():
            entry["ratios"] = ratios(entry)
            if "floor" in entry:
                entry["floor_fractions"] = floor_fractions(entry)


def _ratio_at(entry: dict[str, Any] | None, connections: int, key: str) -> float | None:
    if entry is None:
        return None
    rows = entry.get("ratios") or ratios(entry)
    row = next((r for r in rows if r["connections"] == connections), None)
    return None if row is None else row[key]


def _p50(points: Sequence[dict[str, Any]], connections: int) -> float | None:
    found = point_at(points, connections)
    return None if found is None else float(found["p50_ms"])


def _target(
    name: str, limit: str, measured: float | None, unit: str, verdict: Verdict, note: str = ""
) -> dict[str, Any]:
    return {
        "target": name,
        "limit": limit,
        "measured": measured,
        "unit": unit,
        "verdict": verdict,
        "note": note,
    }


def _pair_note(entry: dict[str, Any], connections: int) -> str:
    ours = point_at(entry.get("autos_graph", []), connections)
    theirs = point_at(entry.get("peer", []), connections)
    if ours is None or theirs is None:
        return "a side has no valid run"
    return (
        f"{ours['p50_ms']:.2f} vs {theirs['p50_ms']:.2f} ms p50; "
        f"{ours['requests_per_second']:,.0f} vs {theirs['requests_per_second']:,.0f} req/s"
    )


def floor_targets(race: dict[str, Any]) -> list[dict[str, Any]]:
    """Every repeated workload, peer or not, against the floor at each connection count."""
    targets: list[dict[str, Any]] = []
    for workload in race["workloads"].values():
        entry = workload["modes"].get("repeated")
        if entry is None or "floor" not in entry:
            continue
        for row in entry.get("floor_fractions") or floor_fractions(entry):
            count = row["connections"]
            ours = point_at(entry["autos_graph"], count)
            floor = point_at(entry["floor"], count)
            targets.append(
                _target(
                    f"Repeated {workload['title']}: req/s as a fraction of the floor's "
                    f"({count} connection{'s' if count > 1 else ''})",
                    "≥ 1/3",
                    row["fraction"],
                    "×",
                    at_least(row["fraction"], FLOOR_FRACTION),
                    f"{ours['requests_per_second']:,.0f} vs {floor['requests_per_second']:,.0f} req/s"
                    if ours and floor
                    else "a side has no valid run",
                )
            )
    return targets


def race_targets(race: dict[str, Any]) -> list[dict[str, Any]]:
    """One verdict per workload and target; workloads without a peer have no ratio targets."""
    targets: list[dict[str, Any]] = floor_targets(race)
    for workload in race["workloads"].values():
        peer = workload.get("peer")
        if peer is None:
            continue
        title, who = workload["title"], PEER_NAMES.get(peer, peer)
        modes = workload["modes"]
        cold = modes.get("cold")
        if cold is not None:
            p50 = _ratio_at(cold, LATENCY_CONNECTIONS, "p50_ratio")
            targets.append(
                _target(
                    f"Cold {title}: p50 vs {who} ({LATENCY_CONNECTIONS} connection)",
                    f"≤ {COLD_P50_RATIO:g} ×",
                    p50,
                    "×",
                    at_most(p50, COLD_P50_RATIO),
                    _pair_note(cold, LATENCY_CONNECTIONS),
                )
            )
            rps = _ratio_at(cold, THROUGHPUT_CONNECTIONS, "rps_ratio")
            targets.append(
                _target(
                    f"Cold {title}: req/s vs {who} ({THROUGHPUT_CONNECTIONS} connections)",
                    f"≥ {COLD_RPS_RATIO:g} ×",
                    rps,
                    "×",
                    at_least(rps, COLD_RPS_RATIO),
                    _pair_note(cold, THROUGHPUT_CONNECTIONS),
                )
            )
        literal = modes.get("literal")
        if literal is not None and cold is not None:
            literal_p50 = _p50(literal.get("autos_graph", []), LATENCY_CONNECTIONS)
            cold_p50 = _p50(cold.get("autos_graph", []), LATENCY_CONNECTIONS)
            extra = None if literal_p50 is None or cold_p50 is None else literal_p50 - cold_p50
            peer_literal = _p50(literal.get("peer", []), LATENCY_CONNECTIONS)
            peer_cold = _p50(cold.get("peer", []), LATENCY_CONNECTIONS)
            note = "" if extra is None else f"{literal_p50:.2f} − {cold_p50:.2f} ms"
            if peer_literal is not None and peer_cold is not None:
                note += f"; {who}: {peer_literal - peer_cold:+.2f} ms"
            targets.append(
                _target(
                    f"Literal {title}: new-document cost, literal p50 − cold p50",
                    f"≤ {LITERAL_EXTRA_MS:g} ms",
                    extra,
                    "ms",
                    at_most(extra, LITERAL_EXTRA_MS),
                    note,
                )
            )
        repeated = modes.get("repeated")
        if repeated is not None:
            against = f"{who} + response cache" if peer == "apollo" else who
            p50 = _ratio_at(repeated, LATENCY_CONNECTIONS, "p50_ratio")
            targets.append(
                _target(
                    f"Repeated {title}: p50 vs {against} ({LATENCY_CONNECTIONS} connection)",
                    f"≤ {REPEATED_P50_RATIO:g} ×",
                    p50,
                    "×",
                    at_most(p50, REPEATED_P50_RATIO),
                    _pair_note(repeated, LATENCY_CONNECTIONS),
                )
            )
            rps = _ratio_at(repeated, THROUGHPUT_CONNECTIONS, "rps_ratio")
            targets.append(
                _target(
                    f"Repeated {title}: req/s vs {against} ({THROUGHPUT_CONNECTIONS} connections)",
                    f"≥ {REPEATED_RPS_RATIO:g} ×",
                    rps,
                    "×",
                    at_least(rps, REPEATED_RPS_RATIO),
                    _pair_note(repeated, THROUGHPUT_CONNECTIONS),
                )
            )
    return targets

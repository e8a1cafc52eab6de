"""The race as a chart: autos-graph / peer per workload and mode, an SVG written beside the table.

Hand-written SVG (no plotting library in the bench's dependencies): two panels
of horizontal bars on a log scale around parity (1 ×), p50 at one connection
and requests/s at 16 connections, with the cold-mode targets drawn as lines.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from scripts.bench.race import (
    COLD_P50_RATIO,
    COLD_RPS_RATIO,
    LATENCY_CONNECTIONS,
    MODES,
    THROUGHPUT_CONNECTIONS,
    ratios,
)

COLOURS = {"repeated": "#4c78a8", "cold": "#f58518", "literal": "#54a24b"}
ROW = 18
LABEL_WIDTH = 330
PANEL_WIDTH = 300
GAP = 120
TOP = 64
# Ratios beyond 4 × either way are drawn at the edge, with their value written.
RANGE = 4.0


def bars(result: dict[str, Any]) -> list[tuple[str, str, float | None, float | None]]:
    """(label, mode, p50 ratio at 1 connection, req/s ratio at 16) for every raced workload and mode."""
    rows: list[tuple[str, str, float | None, float | None]] = []
    for workload in result["race"]["workloads"].values():
        if workload.get("peer") is None:
            continue
        for mode in MODES:
            entry = workload["modes"].get(mode)
            if entry is None:
                continue
            by_count = {r["connections"]: r for r in entry.get("ratios") or ratios(entry)}
            p50: float | None = by_count.get(LATENCY_CONNECTIONS, {}).get("p50_ratio")
            rps: float | None = by_count.get(THROUGHPUT_CONNECTIONS, {}).get("rps_ratio")
            rows.append((f"{workload['title']} — {mode}", mode, p50, rps))
    return rows


def position(value: float) -> float:
    """Where a ratio sits across a panel, 0..1: log scale, 1 × in the middle, clamped at RANGE and 1/RANGE."""
    clamped = min(max(value, 1 / RANGE), RANGE)
    return 0.5 + math.log(clamped) / math.log(RANGE) / 2


def _panel(x0: float, title: str, values: list[float | None], target: tuple[float, str]) -> list[str]:
    height = len(values) * ROW
    middle = x0 + PANEL_WIDTH / 2
    at, label = target
    target_x = x0 + position(at) * PANEL_WIDTH
    parts = [
        f'<text x="{x0}" y="{TOP - 28}" class="title">{escape(title)}</text>',
        f'<line x1="{middle:.1f}" y1="{TOP - 8}" x2="{middle:.1f}" y2="{TOP + height}" class="parity"/>',
        f'<text x="{middle:.1f}" y="{TOP - 12}" class="tick" text-anchor="middle">1 ×</text>',
        f'<line x1="{target_x:.1f}" y1="{TOP}" x2="{target_x:.1f}" y2="{TOP + height + 6}" class="mark"/>',
        f'<text x="{target_x:.1f}" y="{TOP + height + 16}" class="tick" text-anchor="middle">'
        f"{escape(label)}</text>",
    ]
    for row, value in enumerate(values):
        y = TOP + row * ROW
        if value is None:
            parts.append(f'<text x="{middle + 4:.1f}" y="{y + 13}" class="value">not measured</text>')
            continue
        end = x0 + position(value) * PANEL_WIDTH
        left, right = min(middle, end), max(middle, end)
        parts.append(
            f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 1):.1f}" height="{ROW - 6}" '
            f'class="bar-{row}"/>'
        )
        text = ("▸ " if value > RANGE or value < 1 / RANGE else "") + f"{value:.2f} ×"
        anchor = f'x="{right + 4:.1f}"' if value >= 1 else f'x="{left - 4:.1f}" text-anchor="end"'
        parts.append(f'<text {anchor} y="{y + 13}" class="value">{text}</text>')
    return parts


def render(result: dict[str, Any]) -> str:
    rows = bars(result)
    p50s = [r[2] for r in rows]
    rpss = [r[3] for r in rows]
    height = TOP + len(rows) * ROW + 48
    width = LABEL_WIDTH + 2 * PANEL_WIDTH + 2 * GAP + 60
    styles = [
        "text { font-family: sans-serif; font-size: 11px; fill: #222; }",
        ".title { font-size: 13px; font-weight: bold; }",
        ".tick, .value { font-size: 10px; fill: #444; }",
        ".mark { stroke: #c00; stroke-dasharray: 3 3; }",
        ".parity { stroke: #222; }",
    ]
    for row, (_label, mode, _p50, _rps) in enumerate(rows):
        styles.append(f".bar-{row} {{ fill: {COLOURS[mode]}; }}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>autos-graph / peer, {escape(result.get('started_at', ''))}</title>",
        "<style>" + " ".join(styles) + "</style>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for row, (label, _mode, _p50, _rps) in enumerate(rows):
        y = TOP + row * ROW + 13
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y}" text-anchor="end">{escape(label)}</text>')
    parts += _panel(
        LABEL_WIDTH,
        f"p50, {LATENCY_CONNECTIONS} connection: autos-graph / peer (lower is better)",
        p50s,
        (COLD_P50_RATIO, f"cold target ≤ {COLD_P50_RATIO:g} ×"),
    )
    parts += _panel(
        LABEL_WIDTH + PANEL_WIDTH + GAP + 30,
        f"req/s, {THROUGHPUT_CONNECTIONS} connections: autos-graph / peer (higher is better)",
        rpss,
        (COLD_RPS_RATIO, f"cold target ≥ {COLD_RPS_RATIO:g} ×"),
    )
    legend_y = height - 6
    for number, mode in enumerate(MODES):
        x = LABEL_WIDTH + number * 110
        parts.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{COLOURS[mode]}"/>'
            f'<text x="{x + 14}" y="{legend_y}">{mode}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

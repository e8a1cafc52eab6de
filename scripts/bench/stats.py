"""The arithmetic of the benchmark: percentiles, ratios to floors and target verdicts.

Pure functions only, so the numbers in a report can be checked by unit tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["met", "missed", "not measured"]


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) with linear interpolation between order statistics.

    Interpolation (numpy's default) rather than nearest rank: with a few hundred
    samples the p99 would otherwise jump between neighbours from run to run.
    """
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within 0..1, got {fraction}")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Latencies in milliseconds."""

    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float


def summarize(samples_ms: Sequence[float]) -> LatencySummary:
    return LatencySummary(
        count=len(samples_ms),
        mean=sum(samples_ms) / len(samples_ms),
        p50=percentile(samples_ms, 0.50),
        p95=percentile(samples_ms, 0.95),
        p99=percentile(samples_ms, 0.99),
        max=max(samples_ms),
    )


def ratio(value: float | None, floor: float | None) -> float | None:
    """`value / floor`, or None when either side was not measured (or the floor is zero)."""
    if value is None or floor is None or floor <= 0:
        return None
    return value / floor


def hit_ratio(hits: float, misses: float) -> float | None:
    total = hits + misses
    return None if total <= 0 else hits / total


def at_most(measured: float | None, limit: float) -> Verdict:
    if measured is None:
        return "not measured"
    return "met" if measured <= limit else "missed"


def at_least(measured: float | None, limit: float) -> Verdict:
    if measured is None:
        return "not measured"
    return "met" if measured >= limit else "missed"


def below(measured: float | None, limit: float) -> Verdict:
    if measured is None:
        return "not measured"
    return "met" if measured < limit else "missed"

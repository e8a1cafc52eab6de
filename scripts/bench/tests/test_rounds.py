"""When a run may meet variants its server answered itself a moment ago, and the per-round ratio."""

from __future__ import annotations

import pytest

from scripts.bench.rounds import median_ratio, overlap


@pytest.mark.parametrize(
    ("start", "count", "other", "other_count", "shared"),
    [
        (0, 100, 100, 100, False),  # one after the other
        (0, 100, 99, 10, True),
        (950, 100, 20, 10, True),  # the first wraps around onto the second
        (950, 50, 0, 100, False),  # ends exactly at the last variant
        (10, 600, 700, 500, True),  # together more than the whole space
        (1_950, 40, 0, 900, False),  # starts past the end: read modulo the space
    ],
)
def test_overlap_modulo_the_variant_space(
    start: int, count: int, other: int, other_count: int, shared: bool
) -> None:
    assert overlap(start, count, other, other_count, 1_000) is shared
    assert overlap(other, other_count, start, count, 1_000) is shared


def test_the_median_of_per_round_ratios_skips_empty_rounds() -> None:
    assert median_ratio([200, 100, 300], [100, 100, 0]) == pytest.approx(1.5)
    assert median_ratio([], []) is None

"""The benchmark's arithmetic: percentiles, ratios and verdicts."""

from __future__ import annotations

import pytest

from scripts.bench.stats import at_least, at_most, below, hit_ratio, percentile, ratio, summarize


def test_percentile_interpolates_between_order_statistics() -> None:
    samples = [4.0, 1.0, 3.0, 2.0]
    assert percentile(samples, 0.0) == 1.0
    assert percentile(samples, 1.0) == 4.0
    assert percentile(samples, 0.5) == pytest.approx(2.5)
    assert percentile(list(map(float, range(1, 101))), 0.99) == pytest.approx(99.01)


def test_percentile_of_one_sample_is_that_sample() -> None:
    assert percentile([7.0], 0.95) == 7.0


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_refuses_fractions_outside_zero_to_one(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        percentile([1.0], fraction)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 0.5)


def test_summary() -> None:
    summary = summarize([1.0, 2.0, 3.0, 4.0, 10.0])
    assert summary.count == 5
    assert summary.mean == pytest.approx(4.0)
    assert summary.p50 == 3.0
    assert summary.max == 10.0
    assert summary.p50 <= summary.p95 <= summary.p99 <= summary.max


def test_ratio_needs_both_sides_and_a_positive_floor() -> None:
    assert ratio(2.6, 2.0) == pytest.approx(1.3)
    assert ratio(None, 2.0) is None
    assert ratio(2.0, None) is None
    assert ratio(2.0, 0.0) is None


def test_hit_ratio() -> None:
    assert hit_ratio(99, 1) == pytest.approx(0.99)
    assert hit_ratio(0, 0) is None


def test_verdicts_keep_the_limit_itself_on_the_right_side() -> None:
    assert at_most(2.0, 2.0) == "met"
    assert at_most(2.01, 2.0) == "missed"
    assert at_least(1000.0, 1000.0) == "met"
    assert at_least(999.9, 1000.0) == "missed"
    assert below(1.0, 1.0) == "missed"  # "under 1 ms" excludes 1 ms
    assert below(0.99, 1.0) == "met"
    assert at_most(None, 1.0) == at_least(None, 1.0) == below(None, 1.0) == "not measured"

"""The race chart: where a ratio sits, and an SVG with one bar per raced workload and mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from scripts.bench.chart import RANGE, bars, position, render
from scripts.bench.race import add_ratios
from scripts.bench.tests.test_race import race


def test_position_is_logarithmic_around_parity_and_clamped() -> None:
    assert position(1.0) == pytest.approx(0.5)
    assert position(RANGE) == pytest.approx(1.0)
    assert position(1 / RANGE) == pytest.approx(0.0)
    assert position(2.0) - 0.5 == pytest.approx(0.5 - position(0.5))
    assert position(400.0) == position(RANGE)


def test_the_svg_has_a_bar_per_raced_workload_and_mode() -> None:
    raced = race()
    add_ratios(raced)
    result = {"race": raced, "started_at": "now"}
    rows = bars(result)
    assert [label for label, *_ in rows] == [
        "Filtered search — repeated",
        "Filtered search — cold",
        "Filtered search — literal",
    ]
    svg = ET.fromstring(render(result))
    namespace = "{http://www.w3.org/2000/svg}"
    texts = [t.text or "" for t in svg.iter(f"{namespace}text")]
    assert "1.30 ×" in texts
    assert "0.76 ×" in texts
    assert sum(1 for r in svg.iter(f"{namespace}rect") if (r.get("class") or "").startswith("bar-")) == 6

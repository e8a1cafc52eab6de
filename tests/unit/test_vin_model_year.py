from __future__ import annotations

import pytest

from datasources.vin.model_year import (
    YEAR_CODES,
    candidate_years,
    position_7_is_alphabetic,
    resolve_year,
    year_code,
)


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (1980, "A"),
        (1981, "B"),
        (1989, "K"),
        (1993, "P"),
        (2000, "Y"),
        (2001, "1"),
        (2009, "9"),
        (2010, "A"),
        (2015, "F"),
        (2026, "T"),
        (2039, "9"),
    ],
)
def test_year_codes(year: int, code: str) -> None:
    assert year_code(year) == code


def test_the_cycle_skips_the_letters_that_look_like_digits() -> None:
    assert len(YEAR_CODES) == 30
    assert not set("IOQUZ0") & set(YEAR_CODES)


def test_position_7_places_a_code_in_its_cycle() -> None:
    assert candidate_years("F") == (1985, 2015)
    assert resolve_year("F", "5") == 1985
    assert resolve_year("F", "C") == 2015
    assert resolve_year("Z", "C") is None
    assert candidate_years("0") == ()


def test_every_year_round_trips() -> None:
    for year in range(1980, 2040):
        position_7 = "A" if position_7_is_alphabetic(year) else "1"
        assert resolve_year(year_code(year), position_7) == year


def test_years_before_1980_have_no_code() -> None:
    with pytest.raises(ValueError, match="1980"):
        year_code(1979)

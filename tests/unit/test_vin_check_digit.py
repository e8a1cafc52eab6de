from __future__ import annotations

import pytest

from datasources.vin.check_digit import VIN_ALPHABET, check_digit, weighted_sum, with_check_digit


def test_the_49_cfr_565_example() -> None:
    assert check_digit("1M8GDM9AXKP042788") == "X"


@pytest.mark.parametrize(
    ("vin", "digit"),
    [("1HGCM82633A004352", "3"), ("JH4KA7561PC008269", "1"), ("5YJ3E1EA7KF317000", "2")],
)
def test_check_digits_of_real_and_edited_vins(vin: str, digit: str) -> None:
    assert check_digit(vin) == digit


def test_position_9_does_not_count() -> None:
    assert check_digit("1M8GDM9A0KP042788") == check_digit("1M8GDM9AXKP042788")
    assert with_check_digit("1M8GDM9A0KP042788") == "1M8GDM9AXKP042788"


def test_the_alphabet_has_no_i_o_q() -> None:
    assert len(VIN_ALPHABET) == 33
    assert not set("IOQ") & set(VIN_ALPHABET)


def test_partial_sums_add_up() -> None:
    vin = "1HGCM82633A004352"
    parts = weighted_sum(vin[:7], first_position=1) + weighted_sum(vin[9:], first_position=10)
    assert parts + weighted_sum(vin[7], first_position=8) == weighted_sum(vin, first_position=1)

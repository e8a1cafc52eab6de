from __future__ import annotations

import pytest

from datasources.vin import decode_vin

# Public example VINs of real vehicles; each check digit was verified independently.
REAL_VINS = [
    ("1M8GDM9AXKP042788", 1989, "Motor Coach Industries", "United States"),
    ("1HGCM82633A004352", 2003, "Honda", "United States"),
    ("JH4KA7561PC008269", 1993, "Acura", "Japan"),
    ("4T1BB3EK5AU118081", 2010, "Toyota", "United States"),
    ("1C41JUEJ7NC002943", 2022, "Jeep", "United States"),
    ("WBSPM9C52BE209978", 2011, "BMW", "Germany"),
    ("SCFFDECNXCGG14038", 2012, "Aston Martin", "United Kingdom"),
    ("5NPEB4AC9DH571382", 2013, "Hyundai", "United States"),
    ("3VWSD29M41M067176", 2001, "Volkswagen", "Mexico"),
    ("JTHFE2C23A2509749", 2010, "Lexus", "Japan"),
    ("1JCMR7849JT185834", 1988, "Jeep", "United States"),
    ("2C3CCACG6CH275007", 2012, "Chrysler", "Canada"),
    ("TRUWT28N251018665", 2005, "Audi", "Hungary"),
    ("5N3ZA0NE1AN908084", 2010, "Infiniti", "United States"),
    ("1G8ZF52801Z322733", 2001, "Saturn", "United States"),
]


@pytest.mark.parametrize(("vin", "year", "maker", "country"), REAL_VINS)
def test_real_vins_decode(vin: str, year: int, maker: str, country: str) -> None:
    decoded = decode_vin(vin)
    assert decoded.valid, decoded.errors
    assert decoded.errors == ()
    assert decoded.model_year == year
    assert year in decoded.model_year_candidates
    assert decoded.manufacturer is not None
    assert maker in decoded.manufacturer
    assert decoded.country == country
    assert decoded.check_digit == decoded.expected_check_digit == vin[8]
    assert decoded.wmi == vin[:3]
    assert decoded.vds == vin[3:9]
    assert decoded.vis == vin[9:]


def test_the_classic_example_in_detail() -> None:
    decoded = decode_vin("1M8GDM9AXKP042788")
    assert decoded.check_digit == "X"
    assert decoded.region == "North America"
    assert decoded.model_year_candidates == (1989, 2019)
    assert decoded.plant_code == "P"
    assert decoded.serial_number == "042788"


def test_input_is_normalised() -> None:
    decoded = decode_vin("  1hgcm8-2633a 004352 ")
    assert decoded.valid
    assert decoded.vin == "1HGCM82633A004352"
    assert decoded.input == "  1hgcm8-2633a 004352 "


def test_a_wrong_check_digit_names_both_digits() -> None:
    decoded = decode_vin("1HGCM82643A004352")
    assert not decoded.valid
    assert decoded.errors == ("check digit: position 9 is '4', expected '3'",)
    assert decoded.check_digit_valid is False
    assert decoded.model_year == 2003  # still decoded: the rest of the VIN is readable


def test_a_european_vin_without_a_check_digit_is_explained() -> None:
    decoded = decode_vin("WP0ZZZ99ZTS392124")
    assert not decoded.valid
    assert decoded.manufacturer == "Porsche"
    assert decoded.region == "Europe"
    assert any("North America" in note for note in decoded.notes)


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_i_o_q_are_rejected_with_their_position(letter: str) -> None:
    decoded = decode_vin(f"1HGCM8263{letter}A004352")
    assert not decoded.valid
    assert not decoded.iso_3779
    assert decoded.errors == (
        f"alphabet: '{letter}' at position 10 is never used in a VIN (I, O and Q read as 1 and 0)",
    )


def test_other_characters_are_rejected() -> None:
    decoded = decode_vin("1HGCM82633A00435*")
    assert decoded.errors == ("alphabet: '*' at position 17 is not a VIN character (A-Z, 0-9)",)


@pytest.mark.parametrize(("vin", "length"), [("1HGCM82633A00435", 16), ("1HGCM82633A0043521", 18)])
def test_wrong_lengths_are_rejected(vin: str, length: int) -> None:
    decoded = decode_vin(vin)
    assert not decoded.valid
    assert decoded.errors[0] == f"length: {length} characters; an ISO 3779 VIN has 17"
    assert decoded.model_year is None
    assert decoded.wmi is None


def test_an_empty_vin() -> None:
    decoded = decode_vin("")
    assert not decoded.valid
    assert decoded.errors == ("length: empty; a VIN has 17 characters",)


@pytest.mark.parametrize(
    ("serial", "format_name"),
    [
        ("5F08C100001", "Ford 1960-1980 (11 characters)"),
        ("124379N100001", "GM 1965-1971 (13 characters)"),
        ("RM23H9A100001", "Chrysler 1966-1980 (13 characters)"),
        ("HLS30-012345", "Japanese frame number 1958-1980"),
    ],
)
def test_pre_1981_numbers_are_not_iso_3779_and_say_what_they_fit(serial: str, format_name: str) -> None:
    decoded = decode_vin(serial)
    assert not decoded.valid
    assert not decoded.iso_3779
    assert format_name in decoded.legacy_formats
    assert any("model year 1981" in note for note in decoded.notes)


def test_a_position_10_that_is_no_year_code() -> None:
    decoded = decode_vin("1HGCM8263ZA004352")
    assert decoded.model_year is None
    assert decoded.model_year_candidates == ()
    assert any("not a model-year code" in note for note in decoded.notes)


def test_small_manufacturers_are_told_apart_by_positions_12_to_14() -> None:
    decoded = decode_vin("ZA9CA05A0KLA12345")
    assert decoded.manufacturer == "Lamborghini"
    assert any("positions 12-14" in note for note in decoded.notes)
    assert decode_vin("ZA9AB01E0NCD39001").manufacturer == "Bugatti"

from __future__ import annotations

import pytest

from datasources.vin.check_digit import VIN_ALPHABET
from datasources.vin.manufacturers import PROFILES, known_profile, profile_for
from datasources.vin.regions import country_of, region_of
from datasources.vin.wmi import MANUFACTURERS_BY_WMI, choose_wmi, describe_wmi


@pytest.mark.parametrize(
    ("wmi", "country", "region"),
    [
        ("1FA", "United States", "North America"),
        ("2HG", "Canada", "North America"),
        ("3VW", "Mexico", "North America"),
        ("5YJ", "United States", "North America"),
        ("7SA", "United States", "North America"),
        ("JHM", "Japan", "Asia"),
        ("KMH", "South Korea", "Asia"),
        ("LVY", "China", "Asia"),
        ("SAJ", "United Kingdom", "Europe"),
        ("TRU", "Hungary", "Europe"),
        ("VF3", "France", "Europe"),
        ("WDB", "Germany", "Europe"),
        ("YV1", "Sweden", "Europe"),
        ("ZFF", "Italy", "Europe"),
        ("9BW", "Brazil", "South America"),
        ("6FP", "Australia", "Oceania"),
        ("AAV", "South Africa", "Africa"),
    ],
)
def test_any_wmi_has_a_country_and_region(wmi: str, country: str, region: str) -> None:
    assert country_of(wmi) == country
    assert region_of(wmi) == region


def test_an_unassigned_prefix_has_no_country() -> None:
    assert country_of("0AA") is None
    assert describe_wmi("0AA").manufacturer is None


def test_shared_wmis_name_every_marque() -> None:
    assert describe_wmi("1C4").manufacturer == "Chrysler / Dodge / Jeep"
    assert describe_wmi("ZA9").small_manufacturer


def test_every_table_wmi_is_well_formed_and_placed() -> None:
    for profile in PROFILES:
        for wmi in profile.wmis:
            assert len(wmi) == 3, (profile.name, wmi)
            assert set(wmi) <= set(VIN_ALPHABET), (profile.name, wmi)
            assert country_of(wmi) is not None, (profile.name, wmi)
            assert profile.name in MANUFACTURERS_BY_WMI[wmi]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mercedes-Benz", "Mercedes-Benz"),
        ("MERCEDES BENZ", "Mercedes-Benz"),
        ("Mercedes", "Mercedes-Benz"),
        ("Ford Motor Company", "Ford"),
        ("VW", "Volkswagen"),
        ("Chevy", "Chevrolet"),
        ("Chevrolet Division of General Motors", "Chevrolet"),
        ("Alfa Romeo", "Alfa Romeo"),
        ("alfa-romeo", "Alfa Romeo"),
        ("Land-Rover", "Land Rover"),
        ("Citroën", "Citroen"),
        ("Austin Healey", "Austin-Healey"),
        ("American Motors", "AMC"),
    ],
)
def test_manufacturer_names_are_normalised(name: str, expected: str) -> None:
    profile = known_profile(name)
    assert profile is not None
    assert profile.name == expected


def test_an_unknown_maker_gets_a_synthetic_wmi_that_belongs_to_nobody() -> None:
    profile = profile_for("Zzyzx Motor Works")
    assert profile.synthetic
    rule = choose_wmi(profile, model="Roadster", year=2001, body_class="Roadster", draw=0)
    assert rule.wmi not in MANUFACTURERS_BY_WMI
    assert country_of(rule.wmi) == "United States"


@pytest.mark.parametrize(
    ("make", "model", "year", "body", "expected"),
    [
        ("Ford", "Mustang", 2010, "Coupe", {"1ZV"}),
        ("Ford", "F-150", 2010, "Pickup", {"1FT", "2FT", "3FT"}),
        ("Chevrolet", "Tahoe", 2010, "SUV", {"1GN", "2GN", "3GN"}),
        ("Toyota", "Camry", 1985, "Sedan", {"JT2"}),
        ("Mercedes-Benz", "E-Class", 2021, "Sedan", {"W1K", "55S"}),
        ("Hummer", "H1", 1995, "SUV", {"137"}),
        ("Tesla", "Model Y", 2023, "SUV", {"7SA"}),
    ],
)
def test_the_wmi_fits_maker_model_year_and_body(
    make: str, model: str, year: int, body: str, expected: set[str]
) -> None:
    profile = profile_for(make)
    chosen = {
        choose_wmi(profile, model=model, year=year, body_class=body, draw=draw).wmi
        for draw in range(0, 2**32, 2**28)
    }
    assert chosen <= expected

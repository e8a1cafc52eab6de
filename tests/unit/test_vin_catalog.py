"""The generator against the real catalog: every manufacturer known, real WMIs, no VIN twice."""

from __future__ import annotations

import pytest

from datasources.catalog.curated import load_catalog
from datasources.catalog.dataset import iter_records
from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin import decode_vin, generate_instances
from datasources.vin.manufacturers import FIRST_ISO_YEAR, known_profile


@pytest.fixture(scope="module")
def records() -> list[VehicleRecord]:
    return list(iter_records("full"))


def test_every_catalog_manufacturer_is_in_the_wmi_table() -> None:
    missing = [each.name for each in load_catalog().manufacturers if known_profile(each.name) is None]
    assert missing == []


# Low-volume makers whose real WMI this table does not know; they get a synthetic one.
WITHOUT_KNOWN_WMI = {"Checker", "Stutz", "McLaren"}


def test_every_manufacturer_built_from_1981_has_a_real_wmi_for_its_years(
    records: list[VehicleRecord],
) -> None:
    uncovered = set()
    for vehicle in records:
        if vehicle.year >= FIRST_ISO_YEAR:
            profile = known_profile(vehicle.manufacturer)
            assert profile is not None
            if not profile.rules_for(year=vehicle.year, body_class=vehicle.body_class, model=vehicle.model):
                uncovered.add(vehicle.manufacturer)
    assert uncovered <= WITHOUT_KNOWN_WMI


@pytest.mark.parametrize(
    ("make", "wmis"),
    [
        ("Ford", {"1FA", "2FA", "3FA", "1ZV", "1FM", "2FM", "1FT", "2FT", "3FT"}),
        ("Chevrolet", {"1G1", "2G1", "3G1", "KL1", "1GN", "2GN", "3GN", "1GC", "2GC", "3GC"}),
        ("Mercedes-Benz", {"WDB", "WDD", "W1K", "55S", "WDC", "4JG", "W1N", "WD3"}),
        ("Volkswagen", {"WVW", "1VW", "3VW", "WV2", "WVG", "1V2", "WV1"}),
        ("Toyota", {"JT2", "1NX", "4T1", "2T1", "JTD", "JT3", "JTE", "JTM", "4T3", "5TD", "2T3", "JT4", "4TA",
                    "5TF", "5TE", "3TM"}),
        ("AMC", {"1AM"}),
        ("Datsun", {"JN1", "JN6"}),
        ("Triumph", {"SAT"}),
        ("Alfa Romeo", {"ZAR", "ZAS"}),
        ("Land Rover", {"SAL"}),
        ("Plymouth", {"1P3", "2P3", "1P4", "2P4"}),
    ],
)  # fmt: skip
def test_catalog_vehicles_carry_their_makers_real_wmis(
    records: list[VehicleRecord], make: str, wmis: set[str]
) -> None:
    modern = [each for each in records if each.manufacturer == make and each.year >= FIRST_ISO_YEAR]
    assert modern, make
    seen = {generate_instances(each, count=1)[0].vin[:3] for each in modern}
    assert seen <= wmis
    assert all(decode_vin(f"{wmi}00000000000000").manufacturer for wmi in seen)


def test_no_two_catalog_vehicles_share_a_vin(records: list[VehicleRecord]) -> None:
    assert len(records) >= 100_000
    owners: dict[str, str] = {}
    for vehicle in records:
        vin = generate_instances(vehicle, count=1)[0].vin
        assert vin not in owners, (vin, owners.get(vin), vehicle.vehicle_id)
        owners[vin] = vehicle.vehicle_id


def test_no_vin_repeats_across_all_instances_of_a_tenth_of_the_catalog(records: list[VehicleRecord]) -> None:
    vins = [instance.vin for vehicle in records[::10] for instance in generate_instances(vehicle, count=20)]
    assert len(set(vins)) == len(vins)


@pytest.mark.slow
def test_no_vin_repeats_across_all_instances_of_the_whole_catalog(records: list[VehicleRecord]) -> None:
    vins = {instance.vin for vehicle in records for instance in generate_instances(vehicle, count=20)}
    assert len(vins) == 20 * len(records)


def test_every_catalog_vin_of_1981_and_later_is_valid(records: list[VehicleRecord]) -> None:
    for vehicle in records[::7]:
        if vehicle.year >= FIRST_ISO_YEAR:
            decoded = decode_vin(generate_instances(vehicle, count=1)[0].vin)
            assert decoded.valid, (vehicle, decoded.errors)
            assert decoded.model_year == vehicle.year

"""Distributions and correlations over 100,000 instances (5,000 vehicles x 20)."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import mean

import pytest

from datasources.vehicles.vehicle_record import VehicleRecord, make_model_year
from datasources.vin import VinInstance, generate_instances
from datasources.vin.conditions import CONDITIONS, MAX_MILES_PER_YEAR, MIN_MILES_PER_YEAR
from datasources.vin.factory_options import OPTION_LISTS
from datasources.vin.palettes import PALETTE_SPLIT_YEAR, PALETTES
from datasources.vin.reference import age_in_years

TOLERANCE = 0.02  # two percentage points
MAKES = (
    ("Ford", "Mustang", "Coupe"),
    ("Chevrolet", "Impala", "Sedan"),
    ("Plymouth", "Fury", "Hardtop"),
    ("Volkswagen", "Beetle", "Convertible"),
    ("Toyota", "Corolla", "Hatchback"),
    ("Mercedes-Benz", "SL", "Roadster"),
    ("Jeep", "Wagoneer", "SUV"),
    ("Ford", "F-100", "Pickup"),
    ("Packard", "Eight", "Sedan"),
    ("Triumph", "Spitfire", "Roadster"),
)
ORDER = ("Project", "Fair", "Good", "Excellent", "Concours")

Sample = list[tuple[VehicleRecord, VinInstance]]


@pytest.fixture(scope="module")
def sample() -> Sample:
    pairs: Sample = []
    for number in range(5_000):
        make, model, body = MAKES[number % len(MAKES)]
        year = 1925 + (number * 7) % 101
        vehicle = VehicleRecord(
            vehicle_id=f"distribution-{number:05d}",
            manufacturer=make,
            model=model,
            year=year,
            body_class=body,
            data_source="nhtsa_vpic",
            instance_count=1 + number % 300,
            make_model_year=make_model_year(make, model, year),
        )
        pairs.extend((vehicle, instance) for instance in generate_instances(vehicle, count=20))
    return pairs


def shares(values: list[str]) -> dict[str, float]:
    counts = Counter(values)
    return {value: count / len(values) for value, count in counts.items()}


def by_condition(sample: Sample) -> dict[str, list[VinInstance]]:
    groups: dict[str, list[VinInstance]] = defaultdict(list)
    for _, instance in sample:
        groups[instance.condition].append(instance)
    return groups


def test_the_sample_is_100_000_instances(sample: Sample) -> None:
    assert len(sample) == 100_000


def test_condition_shares(sample: Sample) -> None:
    observed = shares([instance.condition for _, instance in sample])
    for condition in CONDITIONS:
        assert observed[condition.name] == pytest.approx(condition.share, abs=TOLERANCE), condition.name


def test_registration_states(sample: Sample) -> None:
    observed = shares([instance.state for _, instance in sample])
    assert observed["CA"] == pytest.approx(0.15, abs=TOLERANCE)
    assert observed["TX"] == pytest.approx(0.08, abs=TOLERANCE)
    assert observed["FL"] == pytest.approx(0.07, abs=TOLERANCE)
    assert len(observed) == 51  # every state and DC appears
    assert max(observed, key=lambda state: observed[state]) == "CA"


def test_mileage_is_5_000_to_12_000_miles_per_year_of_age(sample: Sample) -> None:
    for vehicle, instance in sample:
        age = age_in_years(vehicle.year)
        assert MIN_MILES_PER_YEAR * age <= instance.mileage <= MAX_MILES_PER_YEAR * age


def test_cared_for_cars_were_driven_less(sample: Sample) -> None:
    per_year = {
        name: mean(
            instance.mileage / age_in_years(vehicle.year)
            for vehicle, instance in sample
            if instance.condition == name
        )
        for name in ORDER
    }
    assert per_year["Concours"] < per_year["Good"] < per_year["Project"]


def test_matching_numbers_follow_condition(sample: Sample) -> None:
    groups = by_condition(sample)
    rate = {name: mean(each.matching_numbers for each in groups[name]) for name in ORDER}
    high = mean(each.matching_numbers for name in ("Concours", "Excellent") for each in groups[name])
    assert high > 0.8
    assert rate["Project"] < 0.25
    assert high > 3 * rate["Project"]
    assert [rate[name] for name in ORDER] == sorted(rate[name] for name in ORDER)


def test_options_grow_with_condition(sample: Sample) -> None:
    groups = by_condition(sample)
    counts = [mean(len(each.options) for each in groups[name]) for name in ORDER]
    assert counts == sorted(counts)
    assert counts[-1] > counts[0] + 3


def test_premium_options_survive_only_in_good_or_better_cars(sample: Sample) -> None:
    premium = {name for options in OPTION_LISTS for name in options.names[options.basic_count :]}
    basic = {name for options in OPTION_LISTS for name in options.names[: options.basic_count]}
    premium -= basic  # a name basic in one era and premium in another counts as basic
    for _, instance in sample:
        if instance.condition in {"Fair", "Project"}:
            assert not premium & set(instance.options), instance


def test_value_grows_with_condition(sample: Sample) -> None:
    groups = by_condition(sample)
    values = [mean(each.estimated_value for each in groups[name]) for name in ORDER]
    assert values == sorted(values)
    assert values[-1] > 3 * values[0]


def test_value_grows_with_options_within_a_condition(sample: Sample) -> None:
    good = [(vehicle, each) for vehicle, each in sample if each.condition == "Good" and vehicle.year >= 1990]
    few = mean(each.estimated_value for _, each in good if len(each.options) <= 2)
    many = mean(each.estimated_value for _, each in good if len(each.options) >= 5)
    assert many > few


def test_colours_come_from_their_eras_palette(sample: Sample) -> None:
    early = [palette for palette in PALETTES if palette.era_start < PALETTE_SPLIT_YEAR]
    later = [palette for palette in PALETTES if palette.era_start >= PALETTE_SPLIT_YEAR]
    early_colours = {colour for palette in early for colour in palette.exterior.values}
    later_colours = {colour for palette in later for colour in palette.exterior.values}
    assert not early_colours & later_colours
    for vehicle, instance in sample:
        if vehicle.year < PALETTE_SPLIT_YEAR:
            assert instance.exterior_color in early_colours
        else:
            assert instance.exterior_color in later_colours


def test_documented_odometers(sample: Sample) -> None:
    verified = mean(instance.mileage_verified for _, instance in sample)
    expected = sum(condition.share * condition.mileage_verified for condition in CONDITIONS)
    assert verified == pytest.approx(expected, abs=TOLERANCE)

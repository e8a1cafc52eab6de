from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from datasources.vehicles.vehicle_record import VehicleRecord, make_model_year
from datasources.vin import MAX_INSTANCES, VinInstance, decode_vin, generate_instances
from datasources.vin.attributes import draw_instance
from datasources.vin.check_digit import VIN_ALPHABET
from datasources.vin.conditions import CONDITIONS, ConditionClass
from datasources.vin.legacy_formats import FORMATS
from datasources.vin.manufacturers import profile_for
from datasources.vin.random_source import INCREMENT, INSTANCE_DRAWS, MASK, MULTIPLIER, instance_state
from datasources.vin.vehicle_context import vehicle_context

REPO = Path(__file__).resolve().parents[2]


def record(
    make: str, model: str, year: int, body: str, source: str = "nhtsa_vpic", count: int = 12
) -> VehicleRecord:
    return VehicleRecord(
        vehicle_id=f"{make}|{model}|{year}|{body}|{source}",
        manufacturer=make,
        model=model,
        year=year,
        body_class=body,
        data_source=source,
        instance_count=count,
        make_model_year=make_model_year(make, model, year),
    )


RECORDS = [
    record("Ford", "Model T", 1915, "Roadster"),
    record("Packard", "Super Eight", 1938, "Convertible"),
    record("Ford", "Thunderbird", 1957, "Convertible"),
    record("Chevrolet", "Corvette", 1963, "Coupe"),
    record("Ford", "Mustang", 1965, "Convertible"),
    record("Volkswagen", "Beetle", 1967, "Sedan"),
    record("Chevrolet", "Camaro", 1969, "Coupe"),
    record("Plymouth", "Road Runner", 1970, "Hardtop"),
    record("AMC", "Javelin", 1971, "Hardtop"),
    record("Datsun", "240Z", 1972, "Coupe"),
    record("Porsche", "911", 1973, "Targa"),
    record("Mercedes-Benz", "450SL", 1975, "Roadster"),
    record("Triumph", "TR6", 1976, "Roadster"),
    record("Studebaker", "Champion", 1952, "Sedan"),
    record("Triumph", "TR7", 1981, "Coupe"),
    record("DeLorean", "DMC-12", 1982, "Coupe"),
    record("Toyota", "Camry", 1995, "Sedan"),
    record("Lamborghini", "Diablo", 1995, "Coupe"),
    record("Honda", "Odyssey", 2005, "Minivan"),
    record("Ford", "F-150", 2015, "Pickup"),
    record("Ford", "Mustang", 2015, "Coupe"),
    record("Tesla", "Model Y", 2023, "SUV"),
    record("Ram", "1500", 2026, "Pickup"),
    record("Nobody Motors", "Prototype", 2004, "Sedan"),
]


def as_json(instances: list[VinInstance]) -> list[dict[str, object]]:
    return [each.to_dict() for each in instances]


@pytest.mark.parametrize("count", [0, -1, 21, 100])
def test_counts_outside_1_to_20_are_refused(count: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 20"):
        generate_instances(RECORDS[0], count=count)


@pytest.mark.parametrize("count", [1, 8, 20])
def test_counts_inside_are_honoured(count: int) -> None:
    instances = generate_instances(RECORDS[4], count=count)
    assert len(instances) == count
    assert [each.index for each in instances] == list(range(count))


@pytest.mark.parametrize("vehicle", RECORDS, ids=lambda each: each.vehicle_id)
def test_count_n_is_a_prefix_of_count_n_plus_1(vehicle: VehicleRecord) -> None:
    everything = generate_instances(vehicle, count=MAX_INSTANCES)
    for count in range(1, MAX_INSTANCES):
        assert generate_instances(vehicle, count=count) == everything[:count]


def test_the_same_vehicle_gives_the_same_instances() -> None:
    for vehicle in RECORDS:
        assert generate_instances(vehicle, count=20) == generate_instances(vehicle, count=20)


def test_instances_are_the_same_in_another_process_with_another_hash_seed() -> None:
    script = (
        "import json, sys\n"
        "from datasources.vehicles.vehicle_record import VehicleRecord\n"
        "from datasources.vin import generate_instances\n"
        "records = [VehicleRecord(**each) for each in json.load(sys.stdin)]\n"
        "print(json.dumps([[i.to_dict() for i in generate_instances(r, count=20)] for r in records]))\n"
    )
    payload = json.dumps([each.to_document() for each in RECORDS])
    outputs = []
    for hash_seed in ("1", "4242"):
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
        completed = subprocess.run(
            [sys.executable, "-c", script], input=payload, capture_output=True, text=True, env=environment,
            cwd=REPO, check=True,
        )  # fmt: skip
        outputs.append(json.loads(completed.stdout))
    here = [as_json(generate_instances(each, count=20)) for each in RECORDS]
    assert outputs[0] == outputs[1] == here


def test_pinned_output_changes_only_deliberately() -> None:
    # The draw order is part of the contract: users bookmark these VINs.
    mustang = generate_instances(record("Ford", "Mustang", 1965, "Convertible"), count=2)
    model_y = generate_instances(record("Tesla", "Model Y", 2023, "SUV"), count=2)
    assert [each.vin for each in mustang + model_y] == PINNED_VINS


PINNED_VINS = ["5Y08L108512", "5X08L153512", "7SAEWAJE4PA131304", "7SAEWAJMXPA176304"]


@pytest.mark.parametrize(
    "vehicle", [each for each in RECORDS if each.year >= 1981], ids=lambda each: each.vehicle_id
)
def test_1981_and_later_vins_are_valid_iso_3779(vehicle: VehicleRecord) -> None:
    profile = profile_for(vehicle.manufacturer)
    for instance in generate_instances(vehicle, count=20):
        vin = instance.vin
        assert instance.vin_format == "ISO 3779"
        assert len(vin) == 17
        assert set(vin) <= set(VIN_ALPHABET)
        decoded = decode_vin(vin)
        assert decoded.valid, decoded.errors
        assert decoded.model_year == vehicle.year
        assert vin[6].isalpha() == (vehicle.year >= 2010)
        if not profile.synthetic:
            assert vin[:3] in profile.wmis


@pytest.mark.parametrize(
    "vehicle", [each for each in RECORDS if each.year < 1981], ids=lambda each: each.vehicle_id
)
def test_earlier_vehicles_carry_their_eras_format(vehicle: VehicleRecord) -> None:
    formats = {each.name: each for each in FORMATS}
    for instance in generate_instances(vehicle, count=20):
        assert formats[instance.vin_format].pattern.fullmatch(instance.vin), instance.vin
        decoded = decode_vin(instance.vin)
        assert not decoded.iso_3779
        assert instance.vin_format in decoded.legacy_formats


def test_era_formats_by_example() -> None:
    by_vehicle = {each.vehicle_id: generate_instances(each, count=1)[0] for each in RECORDS}

    def shown(make: str, model: str, year: int, body: str) -> VinInstance:
        return by_vehicle[record(make, model, year, body).vehicle_id]

    assert shown("Ford", "Mustang", 1965, "Convertible").vin.startswith("5")  # year digit first
    assert shown("Ford", "Mustang", 1965, "Convertible").vin[2:4] == "08"  # the convertible's body code
    assert shown("Chevrolet", "Camaro", 1969, "Coupe").vin.startswith(
        "124379"
    )  # Chevrolet, Camaro V8, coupe, 1969
    assert shown("Plymouth", "Road Runner", 1970, "Hardtop").vin[:1] == "R"
    assert shown("Volkswagen", "Beetle", 1967, "Sedan").vin.startswith("117")
    assert shown("Datsun", "240Z", 1972, "Coupe").vin_format == "Japanese frame number 1958-1980"
    assert shown("Ford", "Model T", 1915, "Roadster").vin.isdigit()


def test_a_vehicle_never_repeats_a_vin() -> None:
    for vehicle in RECORDS:
        vins = [each.vin for each in generate_instances(vehicle, count=20)]
        assert len(set(vins)) == 20, vehicle


def test_records_differing_only_by_source_never_share_a_vin() -> None:
    sources = ["nhtsa_vpic", "epa_fueleconomy", "nhtsa_recalls", "hagerty_valuation", "classic_registry",
               "auction_results"]  # fmt: skip
    for make, model, year, body in (("Ford", "Mustang", 1966, "Coupe"), ("Honda", "Civic", 1999, "Sedan")):
        vins = [
            each.vin
            for source in sources
            for each in generate_instances(record(make, model, year, body, source), count=20)
        ]
        assert len(set(vins)) == len(vins)


def test_an_instance_stays_inside_its_window_of_the_stream() -> None:
    for vehicle in RECORDS:
        context = vehicle_context(vehicle)
        for index in range(MAX_INSTANCES):
            start = instance_state(context.seed, index)
            _, end = draw_instance(context, start, index=index)
            state, steps = start, 0
            while state != end:
                state = (state * MULTIPLIER + INCREMENT) & MASK
                steps += 1
                assert steps <= INSTANCE_DRAWS, vehicle


def test_attributes_are_well_formed() -> None:
    bands: dict[str, ConditionClass] = {each.name: each for each in CONDITIONS}
    for vehicle in RECORDS:
        for instance in generate_instances(vehicle, count=20):
            condition = bands[instance.condition]
            low, high = condition.rating_tenths
            assert low / 10 <= instance.condition_rating <= high / 10
            assert int(instance.condition_rating + 0.5) == condition.grade
            assert instance.mileage > 0
            assert len(instance.state) == 2
            assert instance.estimated_value > 0
            assert instance.previous_owners >= 1
            assert len(set(instance.options)) == len(instance.options)
            assert instance.drivetrain in {"RWD", "FWD", "AWD", "4WD"}
            assert instance.assembly_plant
            json.dumps(instance.to_dict())


def test_electric_vehicles_have_motors_not_engines() -> None:
    for instance in generate_instances(record("Tesla", "Model Y", 2023, "SUV"), count=20):
        assert "electric" in instance.engine
        assert instance.transmission == "Single-speed direct drive"
        assert instance.drivetrain == ("AWD" if "AWD" in instance.engine else "RWD")

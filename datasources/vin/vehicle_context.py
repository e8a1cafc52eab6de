"""Everything about a vehicle's instances that does not change from one instance to the next.

Built once per `generate_instances` call from the record and the first draws
of the vehicle's stream, so the per-instance work is only draws and string
assembly. Which VIN layout applies is decided here: ISO 3779 from model year
1981, the manufacturer's historic format before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vin.factory_options import OptionList, option_list_for
from datasources.vin.legacy_formats import LegacyLayout, legacy_layout
from datasources.vin.manufacturers import FIRST_ISO_YEAR, ManufacturerProfile, profile_for
from datasources.vin.modern_format import ModernLayout, modern_layout
from datasources.vin.palettes import Family, Palette, palette_for
from datasources.vin.plants import Plant, plants_for, vehicle_plants
from datasources.vin.powertrains import PowertrainTables, powertrain_tables, vehicle_offerings
from datasources.vin.random_source import WeightedTable, vehicle_seed, vehicle_stream
from datasources.vin.reference import age_in_years
from datasources.vin.registration import (
    CURRENT_REGISTRATIONS,
    HISTORIC_PLATE_AGE,
    HISTORIC_REGISTRATIONS,
)
from datasources.vin.serials import source_slot
from datasources.vin.valuation import OPTION_SCALE, vehicle_base_value
from datasources.vin.wmi import choose_wmi

ISO_3779: Final = "ISO 3779"


def _palette_family(profile: ManufacturerProfile) -> Family:
    if profile.legacy == "ford":
        return "ford"
    if profile.legacy == "gm" or profile.name == "GMC":
        return "gm"
    if profile.legacy == "chrysler" or profile.name == "Jeep":
        return "chrysler"
    return "other"


@dataclass(frozen=True, slots=True)
class VehicleContext:
    seed: int
    year: int
    age: int
    vin_format: str
    modern: ModernLayout | None
    legacy: LegacyLayout | None
    plants: tuple[Plant, ...]
    powertrain: PowertrainTables
    palette: Palette
    options: OptionList
    option_scale: float
    base_value: float
    registrations: WeightedTable[str]


def vehicle_context(record: VehicleRecord) -> VehicleContext:
    profile = profile_for(record.manufacturer)
    seed = vehicle_seed(record.vehicle_id)
    stream = vehicle_stream(seed)
    # The order of these draws is part of the output: append new ones, never reorder.
    wmi_draw = stream.next_u32()
    restraint_draw = stream.next_u32()
    serial_draw = stream.next_u32()
    plant_draw = stream.next_u32()
    choice_draw = stream.next_u32()
    engine_draw = stream.next_u32()
    transmission_draw = stream.next_u32()
    drivetrain_draw = stream.next_u32()

    slot = source_slot(record.data_source)
    powertrain = vehicle_offerings(
        powertrain_tables(profile, model=record.model, year=record.year, body_class=record.body_class),
        engine_draw=engine_draw,
        transmission_draw=transmission_draw,
        drivetrain_draw=drivetrain_draw,
    )
    engines = powertrain.engines.values
    modern: ModernLayout | None = None
    legacy: LegacyLayout | None = None
    if record.year >= FIRST_ISO_YEAR:
        rule = choose_wmi(
            profile, model=record.model, year=record.year, body_class=record.body_class, draw=wmi_draw
        )
        modern = modern_layout(
            rule=rule,
            manufacturer=profile.name,
            model=record.model,
            body_class=record.body_class,
            year=record.year,
            engines=engines,
            restraint_draw=restraint_draw,
            serial_offset_draw=serial_draw,
            source_slot=slot,
        )
        all_plants = plants_for(rule.wmi, manufacturer=profile.name, home_country=profile.country)
        vin_format = ISO_3779
    else:
        legacy = legacy_layout(
            profile=profile,
            model=record.model,
            body_class=record.body_class,
            year=record.year,
            engines=engines,
            choice_draw=choice_draw,
            serial_draw=serial_draw,
            source_slot=slot,
        )
        all_plants = legacy.plants
        vin_format = legacy.format.name

    age = age_in_years(record.year)
    return VehicleContext(
        seed=seed,
        year=record.year,
        age=age,
        vin_format=vin_format,
        modern=modern,
        legacy=legacy,
        plants=vehicle_plants(all_plants, draw=plant_draw),
        powertrain=powertrain,
        palette=palette_for(record.year, family=_palette_family(profile)),
        options=option_list_for(record.year),
        option_scale=OPTION_SCALE[profile.market],
        base_value=vehicle_base_value(
            market=profile.market, age=age, body_class=record.body_class, instance_count=record.instance_count
        ),
        registrations=HISTORIC_REGISTRATIONS if age >= HISTORIC_PLATE_AGE else CURRENT_REGISTRATIONS,
    )

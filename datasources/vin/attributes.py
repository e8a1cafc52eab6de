"""Draws one instance from its window of the vehicle's stream.

The draw order below is part of the output (changing it changes every
instance ever shown), so new attributes are appended at the end. Correlations
come from conditioning, not from extra randomness: the condition class picks
the mileage band, the option list and count, the odds of matching numbers and
of a documented odometer, the title brands and the value multiplier.

The LCG step is written out inline rather than called through `LcgStream`:
an instance takes about thirty draws and a Python call costs as much as the
draw itself, which decides whether twenty instances meet their time budget
(docs/vin.md). Each inline step is exactly `LcgStream.next_u32`.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from typing import Final

from datasources.vin.conditions import CONDITION_TABLE, MAX_MILES_PER_YEAR, MIN_MILES_PER_YEAR
from datasources.vin.instance import VinInstance
from datasources.vin.legacy_formats import legacy_vin
from datasources.vin.modern_format import modern_vin
from datasources.vin.powertrains import electric_drivetrain
from datasources.vin.random_source import INCREMENT, MASK, MULTIPLIER
from datasources.vin.reference import REFERENCE_DATE
from datasources.vin.registration import PROJECT_REGISTRATIONS, STATE_TABLE
from datasources.vin.valuation import estimated_value
from datasources.vin.vehicle_context import VehicleContext

_REFERENCE_ORDINAL: Final = REFERENCE_DATE.toordinal()
_UNIT: Final = 2.0**-32
_MANUAL: Final = "manual"  # formats that encode the transmission read any other as automatic
_RANGES: Final = tuple(tuple(range(size)) for size in range(64))


def draw_instance(context: VehicleContext, state: int, *, index: int) -> tuple[VinInstance, int]:
    """Instance `index` drawn from the LCG state at the start of its window;
    also returns the state after its last draw, so tests can check the window is never overrun."""
    a, c, m = MULTIPLIER, INCREMENT, MASK
    s = state

    s = (s * a + c) & m
    condition = CONDITION_TABLE.values[bisect_right(CONDITION_TABLE.thresholds, s)]
    low, high = condition.rating_tenths
    s = (s * a + c) & m
    rating = (low + ((s * (high - low + 1)) >> 32)) / 10
    age = context.age
    low, high = condition.miles_per_year
    s = (s * a + c) & m
    mileage = low * age + ((s * ((high - low) * age + 1)) >> 32)
    s = (s * a + c) & m
    mileage_verified = s * _UNIT < condition.mileage_verified
    s = (s * a + c) & m
    state_code = STATE_TABLE.values[bisect_right(STATE_TABLE.thresholds, s)]
    table = PROJECT_REGISTRATIONS if condition.name == "Project" else context.registrations
    s = (s * a + c) & m
    registration_status = table.values[bisect_right(table.thresholds, s)]
    table = condition.titles
    s = (s * a + c) & m
    title_status = table.values[bisect_right(table.thresholds, s)]
    table = context.palette.exterior
    s = (s * a + c) & m
    exterior = table.values[bisect_right(table.thresholds, s)]
    table = context.palette.interior
    s = (s * a + c) & m
    interior = table.values[bisect_right(table.thresholds, s)]
    powertrain = context.powertrain
    table = powertrain.engines
    s = (s * a + c) & m
    engine = table.values[bisect_right(table.thresholds, s)]
    table = powertrain.transmissions
    s = (s * a + c) & m
    transmission = table.values[bisect_right(table.thresholds, s)]
    table = powertrain.drivetrains
    s = (s * a + c) & m
    drivetrain = (
        electric_drivetrain(engine)
        if powertrain.electric
        else table.values[bisect_right(table.thresholds, s)]
    )

    option_list = context.options
    pool = len(option_list.names) if condition.option_pool == "full" else option_list.basic_count
    low, high = condition.option_count
    s = (s * a + c) & m
    wanted = min(low + ((s * (high - low + 1)) >> 32), pool)
    # A partial Fisher-Yates shuffle: `wanted` distinct options in `wanted` draws.
    order = list(_RANGES[pool])
    for slot in range(wanted):
        s = (s * a + c) & m
        swap = slot + ((s * (pool - slot)) >> 32)
        order[slot], order[swap] = order[swap], order[slot]
    chosen = order[:wanted]
    chosen.sort()
    options = tuple(map(option_list.names.__getitem__, chosen))
    options_value = sum(map(option_list.values.__getitem__, chosen)) * context.option_scale

    s = (s * a + c) & m
    matching_numbers = s * _UNIT < condition.matching_numbers
    s = (s * a + c) & m
    previous_owners = 1 + ((s * (1 + min(age // 6, 11))) >> 32)
    low, high = condition.service_days
    s = (s * a + c) & m
    last_service = date.fromordinal(_REFERENCE_ORDINAL - low - ((s * (high - low + 1)) >> 32))
    plants = context.plants
    s = (s * a + c) & m
    plant_code, plant_location = plants[(s * len(plants)) >> 32]
    s = (s * a + c) & m
    value = estimated_value(
        base=context.base_value,
        condition_factor=condition.value_factor,
        miles_per_year=min(max(mileage // age, MIN_MILES_PER_YEAR), MAX_MILES_PER_YEAR),
        options_value=options_value,
        noise=s * _UNIT,
    )

    if context.modern is not None:
        vin = modern_vin(context.modern, engine=engine, plant_code=plant_code, index=index)
    else:
        assert context.legacy is not None
        vin = legacy_vin(
            context.legacy,
            engine=engine,
            plant_code=plant_code,
            automatic=_MANUAL not in transmission,
            index=index,
        )

    instance = VinInstance(
        index=index,
        vin=vin,
        vin_format=context.vin_format,
        condition=condition.name,
        condition_rating=rating,
        mileage=mileage,
        mileage_verified=mileage_verified,
        state=state_code,
        registration_status=registration_status,
        title_status=title_status,
        exterior_color=exterior,
        interior_color=interior,
        engine=engine,
        transmission=transmission,
        drivetrain=drivetrain,
        options=options,
        matching_numbers=matching_numbers,
        previous_owners=previous_owners,
        last_service_date=last_service,
        assembly_plant=plant_location,
        estimated_value=value,
    )
    return instance, s

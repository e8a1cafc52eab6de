"""What an instance is worth, in 2025 US dollars.

value = new price of the segment x age curve x body style x rarity
        x condition x mileage + options, then +/-10 % of market noise.
The age curve falls like a used car's to a floor, stays there to the 25-year
mark where collector interest starts, climbs to a peak at 65 years and eases
off for pre-war cars; the first four factors are fixed per vehicle and
computed once.
"""

from __future__ import annotations

import math
from typing import Final

from datasources.vin.conditions import MAX_MILES_PER_YEAR, MIN_MILES_PER_YEAR
from datasources.vin.manufacturers import Market

NEW_PRICE: Final[dict[Market, int]] = {
    "mass": 34_000,
    "premium": 52_000,
    "sports": 70_000,
    "luxury": 90_000,
    "exotic": 320_000,
}
OPTION_SCALE: Final[dict[Market, float]] = {
    "mass": 1.0,
    "premium": 1.3,
    "sports": 1.5,
    "luxury": 1.6,
    "exotic": 3.0,
}
BODY_FACTOR: Final[dict[str, float]] = {
    "Convertible": 1.3,
    "Roadster": 1.25,
    "Targa": 1.2,
    "Fastback": 1.15,
    "Hardtop": 1.1,
    "Coupe": 1.05,
    "Pickup": 1.0,
    "SUV": 1.0,
    "Limousine": 1.0,
    "Wagon": 0.95,
    "Sedan": 0.9,
    "Hatchback": 0.85,
    "Minivan": 0.8,
    "Van": 0.8,
}
_FLOOR: Final = 0.3
_COLLECTOR_AGE: Final = 25
_PEAK: Final = 1.6
_PEAK_AGE: Final = 65
_PRE_WAR_FLOOR: Final = 0.8


def age_factor(age: int) -> float:
    """Used-car depreciation to a floor, flat to 25 years, a climb to the muscle-car
    era's peak, then a slow decline: fewer buyers remember pre-war cars."""
    if age <= _COLLECTOR_AGE:
        return max(0.9**age, _FLOOR)
    if age <= _PEAK_AGE:
        return min(_FLOOR + 0.035 * (age - _COLLECTOR_AGE), _PEAK)
    return max(_PEAK - 0.015 * (age - _PEAK_AGE), _PRE_WAR_FLOOR)


def rarity_factor(instance_count: int) -> float:
    """Fewer surviving examples, higher prices: x1.6 for a one-off, x1.2 at 100 known."""
    return 1.0 + 0.6 / (1.0 + math.log10(max(instance_count, 1)))


def mileage_factor(miles_per_year: int) -> float:
    """x1.15 at the gentlest use docs/vin.md allows, x0.85 at the hardest."""
    span = MAX_MILES_PER_YEAR - MIN_MILES_PER_YEAR
    return 1.15 - 0.3 * (miles_per_year - MIN_MILES_PER_YEAR) / span


def vehicle_base_value(*, market: Market, age: int, body_class: str, instance_count: int) -> float:
    return (
        NEW_PRICE[market] * age_factor(age) * BODY_FACTOR.get(body_class, 1.0) * rarity_factor(instance_count)
    )


def estimated_value(
    *, base: float, condition_factor: float, miles_per_year: int, options_value: float, noise: float
) -> int:
    """`noise` is a draw in [0, 1); the result is rounded to $100 like a price guide."""
    value = (base * condition_factor * mileage_factor(miles_per_year) + options_value) * (0.9 + 0.2 * noise)
    return int(round(value, -2))

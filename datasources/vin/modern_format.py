"""17-character VINs (ISO 3779, mandatory in North America from model year 1981).

    1-3   WMI            a real WMI of the manufacturer for that year and body
    4-5   line / series  stable per model (a hash of its name)
    6     body type      stable per body class, shifted per manufacturer
    7     restraints     digit through 2009, letter from 2010 (the cycle rule)
    8     engine         one code per engine the vehicle can have
    9     check digit
    10    model year
    11    plant
    12-17 serial         (small manufacturers: 12-14 maker code, 15-17 serial)

Everything but the engine, plant and serial is fixed per vehicle, and so is
its share of the check-digit sum: a `ModernLayout` holds both, so an instance
costs three table lookups, a modulo and one f-string.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from datasources.vin.check_digit import (
    CHECK_CHARACTERS,
    DIGITS,
    LETTERS,
    TRANSLITERATION,
    VIN_ALPHABET,
    WEIGHTS,
    weighted_sum,
)
from datasources.vin.manufacturers import WmiRule
from datasources.vin.model_year import position_7_is_alphabetic, year_code
from datasources.vin.names import normalise
from datasources.vin.random_source import djb2
from datasources.vin.serials import SerialPlan, serial_plan

FULL_SERIAL: Final = (100_000, 999_999)
SMALL_MAKER_SERIAL: Final = (0, 999)
_BODY_ORDER: Final = (
    "Sedan", "Coupe", "Hardtop", "Convertible", "Roadster", "Targa", "Fastback", "Hatchback", "Wagon",
    "Pickup", "SUV", "Minivan", "Van", "Limousine",
)  # fmt: skip
_ENGINE_WEIGHT: Final = WEIGHTS[7]
_PLANT_WEIGHT: Final = WEIGHTS[10]
# Check-digit sums of every three-digit group in positions 12-14 and 15-17.
_SERIAL_HIGH: Final = tuple(weighted_sum(f"{value:03d}", first_position=12) for value in range(1000))
_SERIAL_LOW: Final = tuple(weighted_sum(f"{value:03d}", first_position=15) for value in range(1000))
PLANT_SUMS: Final[dict[str, int]] = {char: TRANSLITERATION[char] * _PLANT_WEIGHT for char in VIN_ALPHABET}


@dataclass(frozen=True, slots=True)
class ModernLayout:
    head: str  # positions 1-7
    year_code: str  # position 10
    maker_code: str  # positions 12-14 of a small manufacturer, else ""
    engine_codes: dict[str, tuple[str, int]]  # engine -> (position 8, its check-digit sum)
    fixed_sum: int  # check-digit sum of positions 1-7, 10 and a maker code
    serials: SerialPlan


@functools.lru_cache(maxsize=8192)
def _line(model: str) -> int:
    return djb2(normalise(model))


@functools.lru_cache(maxsize=1024)
def _shift(manufacturer: str) -> int:
    return djb2(normalise(manufacturer)) % len(VIN_ALPHABET)


def modern_layout(
    *,
    rule: WmiRule,
    manufacturer: str,
    model: str,
    body_class: str,
    year: int,
    engines: tuple[str, ...],
    restraint_draw: int,
    serial_offset_draw: int,
    source_slot: int,
) -> ModernLayout:
    line = _line(model)
    shift = _shift(manufacturer)
    body_index = _BODY_ORDER.index(body_class) if body_class in _BODY_ORDER else _line(body_class)
    restraints = LETTERS if position_7_is_alphabetic(year) else DIGITS
    head = (
        rule.wmi
        + VIN_ALPHABET[line % 33]
        + VIN_ALPHABET[(line // 33) % 33]
        + VIN_ALPHABET[(body_index + shift) % 33]
        + restraints[(restraint_draw * len(restraints)) >> 32]
    )
    engine_codes = {}
    for index, engine in enumerate(engines):
        code = VIN_ALPHABET[(index * 7 + shift + line) % 33]
        engine_codes[engine] = (code, TRANSLITERATION[code] * _ENGINE_WEIGHT)
    code_10 = year_code(year)
    fixed_sum = weighted_sum(head, first_position=1) + weighted_sum(code_10, first_position=10)
    if rule.maker_code:
        fixed_sum += weighted_sum(rule.maker_code, first_position=12)
    low, high = SMALL_MAKER_SERIAL if rule.maker_code else FULL_SERIAL
    return ModernLayout(
        head=head,
        year_code=code_10,
        maker_code=rule.maker_code,
        engine_codes=engine_codes,
        fixed_sum=fixed_sum,
        serials=serial_plan(offset_draw=serial_offset_draw, slot=source_slot, low=low, high=high),
    )


def modern_vin(layout: ModernLayout, *, engine: str, plant_code: str, index: int) -> str:
    code, code_sum = layout.engine_codes[engine]
    serial = layout.serials.serial(index)
    if layout.maker_code:
        serial_sum = _SERIAL_LOW[serial]
        tail = f"{layout.maker_code}{serial:03d}"
    else:
        serial_sum = _SERIAL_HIGH[serial // 1000] + _SERIAL_LOW[serial % 1000]
        tail = f"{serial:06d}"
    check = CHECK_CHARACTERS[(layout.fixed_sum + code_sum + PLANT_SUMS[plant_code] + serial_sum) % 11]
    return f"{layout.head}{code}{check}{layout.year_code}{plant_code}{tail}"

"""Engines, transmissions and driven wheels that a car of its era could have left the factory with.

Engines are grouped by era and by size (compact cars, standard cars, large
cars and trucks, exotics); the few marques whose engines define them (air-cooled
Volkswagens and Porsches, Subaru boxers, Mazda rotaries, electric makers) get
their own lists. The tables are chosen once per vehicle (`PowertrainTables`)
so an instance costs three weighted draws.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final, Literal

from datasources.vin.manufacturers import ManufacturerProfile, kind_of
from datasources.vin.names import normalise
from datasources.vin.random_source import WeightedTable

Size = Literal["compact", "standard", "large", "exotic"]

ERA_STARTS: Final = (0, 1930, 1955, 1975, 1990, 2010)


def _era(year: int) -> int:
    return sum(1 for start in ERA_STARTS[1:] if year >= start)


def _equal(*names: str) -> WeightedTable[str]:
    return WeightedTable([(name, 1.0) for name in names])


# ENGINES[era][size]: the engines any maker of the era fitted, metric from 1990 on.
ENGINES: Final[tuple[dict[Size, WeightedTable[str]], ...]] = (
    {
        "compact": _equal("177 cu in inline-4", "201 cu in inline-4", "170 cu in inline-4"),
        "standard": _equal("201 cu in inline-4", "224 cu in inline-6", "242 cu in inline-6"),
        "large": _equal("303 cu in inline-6", "314 cu in V8", "384 cu in straight-8"),
        "exotic": _equal("420 cu in straight-8", "341 cu in V8", "452 cu in V16"),
    },
    {
        "compact": _equal("134 cu in inline-4", "201 cu in inline-4", "170 cu in inline-6"),
        "standard": _equal(
            "216 cu in inline-6", "226 cu in inline-6", "221 cu in flathead V8", "239 cu in flathead V8"
        ),
        "large": _equal("248 cu in straight-8", "320 cu in straight-8", "331 cu in V8", "303 cu in V8"),
        "exotic": _equal("356 cu in straight-8", "452 cu in V16", "2.0L V12"),
    },
    {
        "compact": _equal("144 cu in inline-6", "170 cu in inline-6", "153 cu in inline-4"),
        "standard": _equal(
            "200 cu in inline-6", "250 cu in inline-6", "283 cu in V8", "318 cu in V8", "350 cu in V8"
        ),
        "large": _equal("383 cu in V8", "390 cu in V8", "400 cu in V8", "440 cu in V8", "454 cu in V8"),
        "exotic": _equal("3.0L V12", "4.4L V12", "4.7L V8", "3.9L V12"),
    },
    {
        "compact": _equal(
            "1.6L inline-4", "1.8L inline-4", "2.0L inline-4", "2.2L inline-4", "2.3L inline-4"
        ),
        "standard": _equal("2.8L V6", "3.0L V6", "3.8L V6", "4.1L inline-6", "5.0L V8"),
        "large": _equal("5.0L V8", "5.2L V8", "5.7L V8", "6.6L V8", "7.5L V8"),
        "exotic": _equal("4.9L flat-12", "5.2L V12", "3.2L V8", "2.9L twin-turbo V8"),
    },
    {
        "compact": _equal("1.6L inline-4", "1.8L inline-4", "2.0L inline-4", "2.4L inline-4"),
        "standard": _equal("2.5L inline-4", "3.0L V6", "3.5L V6", "3.8L V6", "4.6L V8"),
        "large": _equal("4.7L V8", "5.3L V8", "5.4L V8", "5.7L V8", "6.0L V8", "5.7L HEMI V8"),
        "exotic": _equal("5.5L V12", "6.0L V12", "4.3L V8", "5.0L V10"),
    },
    {
        "compact": _equal(
            "1.5L turbo inline-3",
            "1.5L turbo inline-4",
            "2.0L inline-4",
            "1.6L turbo inline-4",
            "2.5L hybrid inline-4",
        ),
        "standard": _equal(
            "2.0L turbo inline-4", "2.5L inline-4", "3.5L V6", "3.6L V6", "3.0L turbo inline-6"
        ),
        "large": _equal(
            "5.0L V8", "5.3L V8", "6.2L V8", "3.5L twin-turbo V6", "5.7L HEMI V8", "3.0L turbo-diesel V6"
        ),
        "exotic": _equal("3.9L twin-turbo V8", "6.5L V12", "4.0L twin-turbo V8", "5.2L V10"),
    },
)

# From 1955 to 1989 engines were corporate: a Plymouth had Chrysler's V8s, not
# Chevrolet's, and an import had a small metric four or six. FAMILY_ENGINES[family][era][size].
_ImportSizes = dict[Size, WeightedTable[str]]
FAMILY_ENGINES: Final[dict[str, dict[int, _ImportSizes]]] = {
    "ford": {
        2: {
            "compact": _equal("144 cu in inline-6", "170 cu in inline-6", "200 cu in inline-6"),
            "standard": _equal("250 cu in inline-6", "289 cu in V8", "302 cu in V8", "351 cu in V8"),
            "large": _equal("352 cu in V8", "390 cu in V8", "428 cu in V8", "429 cu in V8", "460 cu in V8"),
        },
        3: {
            "compact": _equal("2.3L inline-4", "2.8L V6", "3.3L inline-6"),
            "standard": _equal("3.8L V6", "4.9L inline-6", "5.0L V8", "5.8L V8"),
            "large": _equal("5.0L V8", "5.8L V8", "6.6L V8", "7.5L V8"),
        },
    },
    "gm": {
        2: {
            "compact": _equal("153 cu in inline-4", "194 cu in inline-6", "230 cu in inline-6"),
            "standard": _equal(
                "250 cu in inline-6", "283 cu in V8", "307 cu in V8", "327 cu in V8", "350 cu in V8"
            ),
            "large": _equal("396 cu in V8", "400 cu in V8", "427 cu in V8", "454 cu in V8", "455 cu in V8"),
        },
        3: {
            "compact": _equal("2.5L inline-4", "2.8L V6", "1.8L inline-4"),
            "standard": _equal("3.1L V6", "3.8L V6", "5.0L V8", "5.7L V8"),
            "large": _equal("5.0L V8", "5.7L V8", "6.6L V8", "7.4L V8"),
        },
    },
    "chrysler": {
        2: {
            "compact": _equal("170 cu in Slant-6", "225 cu in Slant-6", "273 cu in V8"),
            "standard": _equal("225 cu in Slant-6", "318 cu in V8", "340 cu in V8", "360 cu in V8"),
            "large": WeightedTable(
                [("383 cu in V8", 4), ("400 cu in V8", 3), ("440 cu in V8", 3), ("426 cu in HEMI V8", 0.4)]
            ),
        },
        3: {
            "compact": _equal("2.2L inline-4", "2.5L inline-4", "2.2L turbo inline-4"),
            "standard": _equal("225 cu in Slant-6", "3.0L V6", "318 cu in V8"),
            "large": _equal("318 cu in V8", "360 cu in V8", "5.9L V8"),
        },
    },
    "amc": {
        2: {
            "compact": _equal("199 cu in inline-6", "232 cu in inline-6"),
            "standard": _equal("258 cu in inline-6", "290 cu in V8", "304 cu in V8"),
            "large": _equal("360 cu in V8", "390 cu in V8", "401 cu in V8"),
        },
        3: {
            "compact": _equal("2.5L inline-4", "121 cu in inline-4"),
            "standard": _equal("258 cu in inline-6", "304 cu in V8"),
            "large": _equal("258 cu in inline-6", "360 cu in V8"),
        },
    },
    "import": {
        1: {
            "compact": _equal("1.1L inline-4", "1.3L inline-4", "1.5L inline-4"),
            "standard": _equal("1.5L inline-4", "2.0L inline-6", "2.5L inline-6"),
            "large": _equal("3.5L inline-6", "4.3L inline-6", "4.6L inline-8"),
        },
        2: {
            "compact": _equal("1.0L inline-4", "1.2L inline-4", "1.3L inline-4", "1.6L inline-4"),
            "standard": _equal(
                "1.6L inline-4", "1.8L inline-4", "2.0L inline-4", "2.2L inline-4", "2.4L inline-6"
            ),
            "large": _equal("2.8L inline-6", "3.0L inline-6", "3.8L inline-6", "4.2L inline-6", "4.5L V8"),
        },
        3: {
            "compact": _equal("1.3L inline-4", "1.5L inline-4", "1.6L inline-4", "1.8L inline-4"),
            "standard": _equal("2.0L inline-4", "2.2L inline-4", "2.3L inline-4", "2.8L inline-6", "3.0L V6"),
            "large": _equal("3.0L inline-6", "3.5L V8", "4.2L inline-6", "5.0L V8"),
        },
    },
}
_CORPORATE: Final = frozenset({"ford", "gm", "chrysler", "amc"})


def _family(profile: ManufacturerProfile) -> str:
    if profile.legacy in _CORPORATE:
        return profile.legacy
    return "us" if profile.country == "United States" else "import"


def _engines(profile: ManufacturerProfile, era: int, size: Size) -> WeightedTable[str]:
    by_era = FAMILY_ENGINES.get(_family(profile), {}).get(era)
    if by_era is not None and size in by_era:
        return by_era[size]
    return ENGINES[era][size]


ELECTRIC_MOTORS: Final = WeightedTable(
    [("Single-motor electric (RWD)", 35), ("Dual-motor electric (AWD)", 55), ("Tri-motor electric (AWD)", 10)]
)
DIRECT_DRIVE: Final = WeightedTable([("Single-speed direct drive", 1.0)])

ELECTRIC_MAKES: Final = frozenset({"tesla", "rivian", "lucid", "polestar"})
ELECTRIC_MODELS: Final = frozenset(
    {
        "mustangmache",
        "f150lightning",
        "boltev",
        "bolteuv",
        "bolt",
        "leaf",
        "ariya",
        "ioniq5",
        "ioniq6",
        "ev6",
        "ev9",
        "etron",
        "etrongt",
        "q4etron",
        "taycan",
        "i3",
        "i4",
        "ix",
        "eqs",
        "eqe",
        "lyriq",
        "hummerev",
        "id4",
        "equinoxev",
        "blazerev",
        "silveradoev",
        "sparkev",
        "cybertruck",
        "q6etron",
        "idbuzz",
        "bz4x",
        "prologue",
        "eqb",
        "rz",
        "i7",
    }
)

_AIR_COOLED_VW: Final = frozenset(
    {
        "beetle",
        "superbeetle",
        "karmannghia",
        "type2",
        "bus",
        "microbus",
        "transporter",
        "type3",
        "squareback",
        "fastback",
        "notchback",
        "thing",
        "type181",
    }
)
_PORSCHE_FLAT_SIX: Final = frozenset(
    {"911", "930", "964", "993", "996", "997", "991", "992", "boxster", "cayman", "911turbo", "carreragt"}
)

# TRANSMISSIONS[era]: (any body, automatic-only bodies)
TRANSMISSIONS: Final[tuple[tuple[WeightedTable[str], WeightedTable[str]], ...]] = (
    (WeightedTable([("3-speed manual", 1.0)]), WeightedTable([("3-speed manual", 1.0)])),
    (
        WeightedTable(
            [
                ("3-speed manual", 65),
                ("3-speed manual with overdrive", 15),
                ("2-speed automatic", 8),
                ("4-speed automatic", 12),
            ]
        ),
        WeightedTable([("3-speed manual", 60), ("4-speed automatic", 40)]),
    ),
    (
        WeightedTable(
            [
                ("3-speed automatic", 45),
                ("2-speed automatic", 10),
                ("3-speed manual", 20),
                ("4-speed manual", 25),
            ]
        ),
        WeightedTable([("3-speed automatic", 80), ("2-speed automatic", 20)]),
    ),
    (
        WeightedTable(
            [
                ("3-speed automatic", 35),
                ("4-speed automatic", 25),
                ("4-speed manual", 15),
                ("5-speed manual", 25),
            ]
        ),
        WeightedTable([("3-speed automatic", 50), ("4-speed automatic", 50)]),
    ),
    (
        WeightedTable(
            [
                ("4-speed automatic", 40),
                ("5-speed automatic", 20),
                ("5-speed manual", 25),
                ("6-speed manual", 10),
                ("6-speed automatic", 5),
            ]
        ),
        WeightedTable([("4-speed automatic", 60), ("5-speed automatic", 30), ("6-speed automatic", 10)]),
    ),
    (
        WeightedTable(
            [
                ("6-speed automatic", 20),
                ("8-speed automatic", 25),
                ("10-speed automatic", 10),
                ("CVT", 20),
                ("7-speed dual-clutch", 8),
                ("6-speed manual", 10),
                ("9-speed automatic", 7),
            ]
        ),
        WeightedTable(
            [
                ("6-speed automatic", 25),
                ("8-speed automatic", 35),
                ("10-speed automatic", 15),
                ("CVT", 15),
                ("9-speed automatic", 10),
            ]
        ),
    ),
)
MODEL_T_TRANSMISSION: Final = WeightedTable([("2-speed planetary", 1.0)])
_AUTOMATIC_ONLY_BODIES: Final = frozenset({"Minivan", "Limousine", "Van"})

_FRONT_DRIVE_MAKES: Final = frozenset({"saab", "citroen", "mini", "audi", "renault", "lancia", "honda"})
_FRONT_DRIVE_MODELS: Final = frozenset(
    {
        "toronado",
        "eldorado",
        "rabbit",
        "golf",
        "scirocco",
        "dasher",
        "jetta",
        "civic",
        "accord",
        "omni",
        "horizon",
    }
)
_REAR_ENGINE_MAKES: Final = frozenset({"porsche"})
_SPORTY_BODIES: Final = frozenset({"Coupe", "Convertible", "Roadster", "Targa", "Fastback"})


@functools.lru_cache(maxsize=64)
def _drive(spec: str) -> WeightedTable[str]:
    pairs = []
    for item in spec.split(","):
        name, _, weight = item.strip().partition("=")
        pairs.append((name, float(weight)))
    return WeightedTable(pairs)


@dataclass(frozen=True, slots=True)
class PowertrainTables:
    engines: WeightedTable[str]
    transmissions: WeightedTable[str]
    drivetrains: WeightedTable[str]
    electric: bool


def _size(profile: ManufacturerProfile, body_class: str) -> Size:
    """Big engines went into trucks, vans, limousines and American SUVs and luxury
    cars; imported SUVs were car-based and smaller."""
    if profile.market == "exotic":
        return "exotic"
    american = _family(profile) != "import"
    if body_class in {"Pickup", "Van", "Limousine"} or (
        american and (body_class == "SUV" or profile.market == "luxury")
    ):
        return "large"
    if body_class == "Hatchback" or (
        not american and profile.market == "mass" and kind_of(body_class) == "car"
    ):
        return "compact"
    return "standard"


def _special_engines(make: str, model: str, year: int) -> WeightedTable[str] | None:
    """The marques whose engine is their identity."""
    if make == "ford" and model == "modelt":
        return _equal("177 cu in inline-4 (20 hp)")
    if make == "ford" and model == "modela":
        return _equal("201 cu in inline-4 (40 hp)")
    if make == "chevrolet" and model == "corvair":
        return _equal("140 cu in air-cooled flat-6", "164 cu in air-cooled flat-6")
    if make == "volkswagen" and model in _AIR_COOLED_VW and year < 1984:
        if year < 1966:
            return _equal("1200 cc air-cooled flat-4")
        if year < 1971:
            return _equal("1300 cc air-cooled flat-4", "1500 cc air-cooled flat-4")
        return _equal("1600 cc air-cooled flat-4", "1700 cc air-cooled flat-4")
    if make == "porsche":
        if model in {"356", "912"}:
            return _equal("1.6L air-cooled flat-4")
        if model == "914":
            return _equal("1.8L air-cooled flat-4", "2.0L air-cooled flat-4")
        if model in _PORSCHE_FLAT_SIX:
            if year < 1999:
                return (
                    _equal(
                        "2.0L air-cooled flat-6",
                        "2.7L air-cooled flat-6",
                        "3.2L air-cooled flat-6",
                        "3.6L air-cooled flat-6",
                    )
                    if year >= 1970
                    else _equal("2.0L air-cooled flat-6")
                )
            return _equal("3.4L flat-6", "3.6L flat-6", "3.8L flat-6", "3.0L twin-turbo flat-6")
    if make == "subaru" and year >= 1972:
        if year < 1990:
            return _equal("1.6L flat-4", "1.8L flat-4", "1.8L turbo flat-4")
        if year < 2010:
            return _equal("2.2L flat-4", "2.5L flat-4", "2.0L turbo flat-4", "3.0L flat-6")
        return _equal("2.0L flat-4", "2.5L flat-4", "2.4L turbo flat-4")
    if make == "mazda" and (model.startswith("rx") or model == "cosmo"):
        return _equal("1.1L twin-rotor Wankel", "1.3L twin-rotor Wankel")
    return None


def _drivetrains(profile: ManufacturerProfile, model: str, year: int, body_class: str) -> WeightedTable[str]:
    make = normalise(profile.name)
    if make == "subaru" and year >= 1990:
        return _drive("AWD=1")
    if make in _REAR_ENGINE_MAKES:
        return _drive("RWD=70, AWD=30") if year >= 1989 else _drive("RWD=1")
    kind = kind_of(body_class)
    if year < 1980:
        if kind != "car":
            return _drive("RWD=70, 4WD=30")
        if make in _FRONT_DRIVE_MAKES or model in _FRONT_DRIVE_MODELS:
            return _drive("FWD=1")
        return _drive("RWD=1")
    if kind == "truck":
        return _drive("4WD=55, RWD=45")
    if body_class == "SUV":
        return _drive("AWD=40, 4WD=35, FWD=25")
    if body_class == "Minivan":
        return _drive("FWD=88, AWD=12")
    if body_class in {"Van", "Limousine"}:
        return _drive("RWD=90, AWD=10")
    if profile.market != "mass" or body_class in _SPORTY_BODIES:
        return _drive("RWD=60, AWD=30, FWD=10")
    # Front-wheel drive took over the family car through the 1980s; all-wheel drive spread after 2010.
    if year < 1990:
        return _drive("FWD=50, RWD=48, AWD=2")
    if year < 2010:
        return _drive("FWD=70, RWD=22, AWD=8")
    return _drive("FWD=62, AWD=28, RWD=10")


def powertrain_tables(
    profile: ManufacturerProfile, *, model: str, year: int, body_class: str
) -> PowertrainTables:
    """Everything the era offered a vehicle of this maker and body (before the vehicle's own choice)."""
    return _era_tables(profile, model, year, body_class)


# Vehicles sharing maker, model, year and body (they differ by data source) share these tables.
@functools.lru_cache(maxsize=16384)
def _era_tables(profile: ManufacturerProfile, model: str, year: int, body_class: str) -> PowertrainTables:
    make = normalise(profile.name)
    model_key = normalise(model)
    era = _era(year)
    if year >= 1996 and (make in ELECTRIC_MAKES or model_key in ELECTRIC_MODELS):
        # Electric drive is decided by the motor count, drawn with the engine.
        return PowertrainTables(
            engines=ELECTRIC_MOTORS, transmissions=DIRECT_DRIVE, drivetrains=_drive("RWD=1"), electric=True
        )
    engines = _special_engines(make, model_key, year) or _engines(profile, era, _size(profile, body_class))
    any_body, automatic_only = TRANSMISSIONS[era]
    if make == "ford" and model_key == "modelt":
        transmissions = MODEL_T_TRANSMISSION
    elif body_class in _AUTOMATIC_ONLY_BODIES and year >= 1975:
        transmissions = automatic_only
    else:
        transmissions = any_body
    if "CVT" in transmissions.values and (profile.market != "mass" or kind_of(body_class) == "truck"):
        # Continuously variable transmissions went into economy cars, not trucks or performance cars.
        transmissions = _without(transmissions, "CVT")
    return PowertrainTables(
        engines=engines,
        transmissions=transmissions,
        drivetrains=_drivetrains(profile, model_key, year, body_class),
        electric=False,
    )


@functools.lru_cache(maxsize=64)
def _without(table: WeightedTable[str], value: str) -> WeightedTable[str]:
    return WeightedTable(
        [(each, weight) for each, weight in zip(table.values, table.weights, strict=True) if each != value]
    )


@functools.lru_cache(maxsize=65536)
def _offered(table: WeightedTable[str], first: int, size: int) -> WeightedTable[str]:
    count = len(table.values)
    picked = [
        (table.values[(first + step) % count], table.weights[(first + step) % count]) for step in range(size)
    ]
    return WeightedTable(picked)


def _choose(table: WeightedTable[str], draw: int, most: int) -> WeightedTable[str]:
    """One to `most` neighbouring entries of `table`, the first picked by weight."""
    first = bisect_right(table.thresholds, draw)
    size = min(1 + (draw & 0xFF) % most, len(table.values))
    return _offered(table, first, size)


def vehicle_offerings(
    tables: PowertrainTables, *, engine_draw: int, transmission_draw: int, drivetrain_draw: int
) -> PowertrainTables:
    """What one model-year actually offered: up to three engines, two transmissions and
    two drivetrains out of its era's tables, so every instance of a vehicle is built
    from the same short list, as the real cars of one model-year were."""
    return PowertrainTables(
        engines=_choose(tables.engines, engine_draw, 3),
        transmissions=_choose(tables.transmissions, transmission_draw, 2),
        drivetrains=_choose(tables.drivetrains, drivetrain_draw, 2),
        electric=tables.electric,
    )


def electric_drivetrain(engine: str) -> str:
    return "AWD" if "AWD" in engine else "RWD"

"""Pre-1981 identification numbers: the era's shorter, manufacturer-specific formats.

Before the 17-character VIN each manufacturer numbered cars its own way. The
formats below follow the real layouts (field order and width; the codes
inside are plausible, not looked up per car). Every format also carries a
pattern, so the decoder can say which historic format a short number fits.

    Ford 1960-1980      5F07C100001      year, plant, body, engine, serial (11)
    Ford 1952-1959      C5FH100001       engine, year, plant, body, serial (10)
    GM 1972-1980        1Q87K2N100001    division, series, body, engine, year, plant, serial (13)
    GM 1965-1971        124378N100001    division, series, body, year, plant, serial (13)
    GM 1955-1964        41847S100001     year, series, body, plant, serial (12)
    Chrysler 1966-1980  RM23H9A100001    car line, price class, body, engine, year, plant, serial (13)
    Chrysler 1960-1965  3341100001       car line, series, year, plant, serial (10 digits)
    AMC 1970-1980       A0M797X100001    AMC, year, transmission, series, body, engine, serial (13)
    Volkswagen          1102345678       type, year, serial (9 digits 1965-1969, type + serial before)
    Porsche             9110100001       type, year, variant, serial (series + serial before 1969)
    Mercedes-Benz       11304410012345   chassis type, variant, transmission, steering, serial (14)
    British             MGBR123456L      maker, model and body letters, serial, L for left-hand drive
    Japanese            HLS30-012345     frame (model) code, serial
    generic 1950-1980   SCK65123456      maker, model and body letters, year, serial
    before 1950         PS38123456       maker and model letters (if any), serial rising with the year
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from datasources.vin.check_digit import LETTERS
from datasources.vin.manufacturers import ManufacturerProfile
from datasources.vin.names import normalise, words
from datasources.vin.plants import HOME_PLANTS, Plant
from datasources.vin.random_source import djb2
from datasources.vin.serials import SerialPlan, serial_plan


@dataclass(frozen=True, slots=True)
class LegacyFormat:
    name: str
    pattern: re.Pattern[str]


def _format(name: str, pattern: str) -> LegacyFormat:
    return LegacyFormat(name=name, pattern=re.compile(pattern))


FORD_1960 = _format("Ford 1960-1980 (11 characters)", r"[0-9][A-Z][0-9]{2}[A-Z][0-9]{6}")
FORD_1952 = _format("Ford 1952-1959 (10 characters)", r"[A-Z][0-9][A-Z]{2}[0-9]{6}")
GM_1972 = _format("GM 1972-1980 (13 characters)", r"[1-9][A-Z][0-9]{2}[A-Z][0-9][A-Z0-9][0-9]{6}")
GM_1965 = _format("GM 1965-1971 (13 characters)", r"[1-9][0-9]{5}[A-Z0-9][0-9]{6}")
GM_1955 = _format("GM 1955-1964 (12 characters)", r"[0-9]{5}[A-Z0-9][0-9]{6}")
CHRYSLER_1966 = _format("Chrysler 1966-1980 (13 characters)", r"[A-Z]{2}[0-9]{2}[A-Z][0-9][A-Z][0-9]{6}")
CHRYSLER_1960 = _format("Chrysler 1960-1965 (10 digits)", r"[0-9]{10}")
AMC_1970 = _format("AMC 1970-1980 (13 characters)", r"A[0-9][A-Z][0-9]{3}[A-Z][0-9]{6}")
VW_1970 = _format("Volkswagen 1970-1980 chassis number (10 digits)", r"[0-9]{10}")
VW_1965 = _format("Volkswagen 1965-1969 chassis number (9 digits)", r"[0-9]{9}")
VW_1949 = _format("Volkswagen 1949-1964 chassis number (9 digits)", r"[0-9]{2}[1-7][0-9]{6}")
PORSCHE_1969 = _format("Porsche 1969-1980 chassis number (10 digits)", r"9[0-9]{9}")
PORSCHE_1950 = _format("Porsche 1950-1968 chassis number (7 digits)", r"[1-9][0-9]{6}")
MERCEDES_1960 = _format("Mercedes-Benz 1960-1980 chassis number (14 digits)", r"[0-9]{14}")
BRITISH = _format("British chassis number 1950-1980", r"[A-Z]{2,4}[0-9]{5,6}[A-Z]?")
JAPANESE = _format("Japanese frame number 1958-1980", r"[A-Z]{1,3}[0-9]{2,3}-?[0-9]{5,6}")
GENERIC = _format("Manufacturer serial number 1950-1980", r"[A-Z]{3}[0-9]{8}")
EARLY = _format("Early serial number (before 1950)", r"([A-Z]{2})?[0-9]{8}")

FORMATS: Final[tuple[LegacyFormat, ...]] = (
    FORD_1960,
    FORD_1952,
    GM_1972,
    GM_1965,
    GM_1955,
    CHRYSLER_1966,
    CHRYSLER_1960,
    AMC_1970,
    VW_1970,
    VW_1965,
    VW_1949,
    PORSCHE_1969,
    PORSCHE_1950,
    MERCEDES_1960,
    BRITISH,
    JAPANESE,
    GENERIC,
    EARLY,
)


def formats_matching(text: str) -> tuple[str, ...]:
    """Names of the historic formats `text` (normalised, upper case) fits."""
    return tuple(each.name for each in FORMATS if each.pattern.fullmatch(text))


# The manufacturers' own plant letters of the time.
FORD_PLANTS: Final[tuple[Plant, ...]] = (
    ("A", "Atlanta, Georgia"),
    ("B", "Oakville, Ontario"),
    ("D", "Dallas, Texas"),
    ("E", "Mahwah, New Jersey"),
    ("F", "Dearborn, Michigan"),
    ("G", "Chicago, Illinois"),
    ("H", "Lorain, Ohio"),
    ("J", "Los Angeles, California"),
    ("K", "Kansas City, Missouri"),
    ("N", "Norfolk, Virginia"),
    ("P", "St. Paul, Minnesota"),
    ("R", "San Jose, California"),
    ("T", "Metuchen, New Jersey"),
    ("U", "Louisville, Kentucky"),
    ("W", "Wayne, Michigan"),
    ("X", "St. Thomas, Ontario"),
    ("Y", "Wixom, Michigan"),
    ("Z", "St. Louis, Missouri"),
)
GM_PLANTS: Final[tuple[Plant, ...]] = (
    ("A", "Lakewood, Georgia"),
    ("B", "Baltimore, Maryland"),
    ("C", "South Gate, California"),
    ("D", "Doraville, Georgia"),
    ("F", "Flint, Michigan"),
    ("G", "Framingham, Massachusetts"),
    ("J", "Janesville, Wisconsin"),
    ("K", "Leeds, Missouri"),
    ("L", "Van Nuys, California"),
    ("N", "Norwood, Ohio"),
    ("R", "Arlington, Texas"),
    ("S", "St. Louis, Missouri"),
    ("T", "Tarrytown, New York"),
    ("U", "Lordstown, Ohio"),
    ("W", "Willow Run, Michigan"),
    ("Y", "Wilmington, Delaware"),
    ("Z", "Fremont, California"),
    ("1", "Oshawa, Ontario"),
    ("2", "Ste. Thérèse, Quebec"),
)
CHRYSLER_PLANTS: Final[tuple[Plant, ...]] = (
    ("A", "Detroit, Michigan (Lynch Road)"),
    ("B", "Hamtramck, Michigan"),
    ("C", "Detroit, Michigan (Jefferson)"),
    ("D", "Belvidere, Illinois"),
    ("E", "Los Angeles, California"),
    ("F", "Newark, Delaware"),
    ("G", "St. Louis, Missouri"),
    ("R", "Windsor, Ontario"),
)
# 1960-1965 Chrysler numbers used digits for the same plants.
CHRYSLER_PLANT_DIGITS: Final[tuple[Plant, ...]] = tuple(
    (str(index + 1), location) for index, (_, location) in enumerate(CHRYSLER_PLANTS)
)

_FORD_ENGINES: Final = {
    "170": "U",
    "200": "T",
    "240": "V",
    "250": "L",
    "260": "F",
    "289": "C",
    "302": "F",
    "351": "H",
    "352": "X",
    "390": "Y",
    "400": "S",
    "427": "R",
    "428": "Q",
    "429": "N",
}
_GM_ENGINES: Final = {
    "250": "D",
    "305": "U",
    "307": "F",
    "350": "L",
    "400": "R",
    "402": "U",
    "454": "W",
    "455": "Y",
    "327": "E",
    "396": "J",
}
_CHRYSLER_ENGINES: Final = {
    "225": "C",
    "273": "D",
    "318": "G",
    "340": "H",
    "360": "K",
    "383": "N",
    "400": "M",
    "426": "R",
    "440": "U",
}
_AMC_ENGINES: Final = {"232": "E", "258": "A", "304": "H", "360": "P", "390": "X", "401": "Z", "121": "G"}

# Two-digit body codes of the time, by body class.
_GM_BODIES: Final = {
    "Coupe": "37",
    "Hardtop": "37",
    "Convertible": "67",
    "Sedan": "69",
    "Wagon": "35",
    "Fastback": "87",
    "Hatchback": "77",
    "Roadster": "67",
    "Targa": "37",
    "Pickup": "80",
    "SUV": "18",
    "Van": "05",
    "Minivan": "05",
    "Limousine": "23",
}
_CHRYSLER_BODIES: Final = {
    "Coupe": "21",
    "Hardtop": "23",
    "Convertible": "27",
    "Sedan": "41",
    "Wagon": "45",
    "Fastback": "29",
    "Hatchback": "29",
    "Roadster": "27",
    "Targa": "23",
    "Pickup": "28",
    "SUV": "48",
    "Van": "47",
    "Minivan": "47",
    "Limousine": "43",
}
_BODY_DIGIT: Final = {
    "Sedan": "4",
    "Coupe": "2",
    "Hardtop": "3",
    "Convertible": "7",
    "Roadster": "8",
    "Targa": "9",
    "Fastback": "5",
    "Hatchback": "6",
    "Wagon": "1",
    "Pickup": "0",
    "SUV": "8",
    "Van": "9",
    "Minivan": "9",
    "Limousine": "4",
}
_MUSTANG_1965: Final = {"Coupe": "07", "Hardtop": "07", "Convertible": "08", "Fastback": "09"}
_MUSTANG_1967: Final = {"Coupe": "01", "Hardtop": "01", "Fastback": "02", "Convertible": "03"}
_GM_SERIES_1965: Final = {
    "camaro": "24",
    "corvette": "94",
    "chevelle": "36",
    "impala": "64",
    "nova": "14",
    "chevyii": "14",
    "elcamino": "36",
    "gto": "42",
    "firebird": "23",
    "lemans": "37",
    "cutlass": "36",
    "skylark": "44",
    "eldorado": "93",
    "devillle": "83",
    "deville": "83",
}
_GM_SERIES_1972: Final = {
    "camaro": "Q",
    "corvette": "Z",
    "nova": "X",
    "chevelle": "D",
    "impala": "L",
    "caprice": "N",
    "montecarlo": "H",
    "vega": "V",
    "elcamino": "D",
    "firebird": "U",
    "cutlass": "J",
    "eldorado": "L",
}
_CHRYSLER_LINES: Final = {
    "roadrunner": "R",
    "gtx": "R",
    "satellite": "R",
    "belvedere": "R",
    "barracuda": "B",
    "cuda": "B",
    "valiant": "V",
    "duster": "V",
    "fury": "P",
    "dart": "L",
    "demon": "L",
    "coronet": "W",
    "charger": "W",
    "superbee": "W",
    "challenger": "J",
    "polara": "D",
    "monaco": "D",
    "newyorker": "C",
    "newport": "C",
    "300": "C",
    "imperial": "Y",
}
_AMC_SERIES: Final = {
    "javelin": "79",
    "amx": "39",
    "gremlin": "46",
    "hornet": "01",
    "matador": "10",
    "rebel": "10",
    "ambassador": "85",
    "pacer": "66",
    "concord": "01",
    "spirit": "43",
    "eagle": "30",
}
_VW_TYPES: Final = {
    "beetle": "11",
    "superbeetle": "13",
    "karmannghia": "14",
    "thing": "18",
    "type181": "18",
    "type2": "22",
    "bus": "22",
    "microbus": "22",
    "transporter": "22",
    "vanagon": "25",
    "type3": "31",
    "squareback": "36",
    "fastback": "31",
    "notchback": "31",
    "rabbit": "17",
    "golf": "17",
    "scirocco": "53",
    "dasher": "32",
    "jetta": "16",
}


@dataclass(frozen=True, slots=True)
class LegacyLayout:
    format: LegacyFormat
    template: str  # str.format fields: engine, plant, serial, trans
    engine_codes: dict[str, str]
    plants: tuple[Plant, ...]
    serials: SerialPlan


@dataclass(frozen=True, slots=True)
class _Vehicle:
    profile: ManufacturerProfile
    model: str
    model_key: str
    body_class: str
    year: int
    engines: tuple[str, ...]
    choice_draw: int  # 32-bit draws of the vehicle: one for its fixed codes, one for its serial offset
    serial_draw: int
    source_slot: int


def _year_window(year: int, *, first_year: int, per_year: int, base: int) -> tuple[int, int]:
    """The serials of one model year in a numbering that rose through the years."""
    low = base + max(year - first_year, 0) * per_year
    return low, low + per_year - 1


def _letter(seed: int) -> str:
    return LETTERS[seed % len(LETTERS)]


def _engine_codes(vehicle: _Vehicle, known: dict[str, str]) -> dict[str, str]:
    """The era's letter for an engine's displacement where one is known, else a letter of its own."""
    codes = {}
    for engine in vehicle.engines:
        displacement = engine.split(" ", 1)[0]
        codes[engine] = known.get(displacement) or _engine_letter(engine)
    return codes


@functools.lru_cache(maxsize=512)
def _engine_letter(engine: str) -> str:
    return _letter(djb2(engine))


def _initials(model: str, count: int) -> str:
    """Letters standing for the model: its words' initials, padded from its name."""
    letters = [char for word in words(model) for char in word[:1] if char.isalpha()]
    letters += [char for char in normalise(model) if char.isalpha()]
    letters += ["A", "B"]
    return "".join(char.upper() if char.upper() in LETTERS else _letter(ord(char)) for char in letters)[
        :count
    ]


def _home(profile: ManufacturerProfile) -> tuple[Plant, ...]:
    return (("", HOME_PLANTS.get(profile.name, profile.country)),)


def _ford(vehicle: _Vehicle) -> LegacyLayout:
    year_digit = str(vehicle.year % 10)
    line = djb2(vehicle.model_key)
    if vehicle.year >= 1960:
        if vehicle.model_key == "mustang":
            table = _MUSTANG_1965 if vehicle.year < 1967 else _MUSTANG_1967
            body = table.get(vehicle.body_class, "01")
        else:
            body = f"{line % 9 + 1}{_BODY_DIGIT.get(vehicle.body_class, '4')}"
        template = f"{year_digit}{{plant}}{body}{{engine}}{{serial:06d}}"
        shape = FORD_1960
    else:
        template = f"{{engine}}{year_digit}{{plant}}{_letter(line + len(vehicle.body_class))}{{serial:06d}}"
        shape = FORD_1952
    return _layout(vehicle, shape, template, _FORD_ENGINES, FORD_PLANTS)


def _gm(vehicle: _Vehicle) -> LegacyLayout:
    year_digit = str(vehicle.year % 10)
    line = djb2(vehicle.model_key)
    body = _GM_BODIES.get(vehicle.body_class, "69")
    division = vehicle.profile.division or "1"
    if vehicle.year >= 1972:
        series = _GM_SERIES_1972.get(vehicle.model_key) or _letter(line)
        template = f"{division}{series}{body}{{engine}}{year_digit}{{plant}}{{serial:06d}}"
        shape = GM_1972
    elif vehicle.year >= 1965:
        series = _GM_SERIES_1965.get(vehicle.model_key) or f"{line % 90 + 10}"
        template = f"{division}{series}{body}{year_digit}{{plant}}{{serial:06d}}"
        shape = GM_1965
    else:
        series = _GM_SERIES_1965.get(vehicle.model_key) or f"{line % 90 + 10}"
        template = f"{year_digit}{series}{body}{{plant}}{{serial:06d}}"
        shape = GM_1955
    return _layout(vehicle, shape, template, _GM_ENGINES, GM_PLANTS)


def _chrysler(vehicle: _Vehicle) -> LegacyLayout:
    year_digit = str(vehicle.year % 10)
    line = _CHRYSLER_LINES.get(vehicle.model_key) or vehicle.profile.division or "C"
    if vehicle.year >= 1966:
        price = "LMHPS"[(vehicle.choice_draw >> 16) % 5]
        body = _CHRYSLER_BODIES.get(vehicle.body_class, "41")
        template = f"{line}{price}{body}{{engine}}{year_digit}{{plant}}{{serial:06d}}"
        return _layout(vehicle, CHRYSLER_1966, template, _CHRYSLER_ENGINES, CHRYSLER_PLANTS)
    line_digit = str(djb2(vehicle.model_key) % 9 + 1)
    series_digit = str((vehicle.choice_draw >> 16) % 9 + 1)
    template = f"{line_digit}{series_digit}{year_digit}{{plant}}{{serial:06d}}"
    return _layout(vehicle, CHRYSLER_1960, template, _CHRYSLER_ENGINES, CHRYSLER_PLANT_DIGITS)


def _amc(vehicle: _Vehicle) -> LegacyLayout:
    series = _AMC_SERIES.get(vehicle.model_key) or f"{djb2(vehicle.model_key) % 90 + 10}"
    body = _BODY_DIGIT.get(vehicle.body_class, "5")
    template = f"A{vehicle.year % 10}{{trans}}{series}{body}{{engine}}{{serial:06d}}"
    return _layout(vehicle, AMC_1970, template, _AMC_ENGINES, _home(vehicle.profile))


def _volkswagen(vehicle: _Vehicle) -> LegacyLayout:
    vw_type = _VW_TYPES.get(vehicle.model_key, "11")
    if vw_type == "11" and vehicle.body_class == "Convertible":
        vw_type = "15"
    elif vw_type == "22" and vehicle.body_class == "Pickup":
        vw_type = "26"
    if vehicle.year >= 1970:
        return _layout(
            vehicle,
            VW_1970,
            f"{vw_type}{vehicle.year % 10}{{serial:07d}}",
            {},
            _home(vehicle.profile),
            serial_range=(0, 9_999_999),
        )
    if vehicle.year >= 1965:
        return _layout(
            vehicle,
            VW_1965,
            f"{vw_type}{vehicle.year % 10}{{serial:06d}}",
            {},
            _home(vehicle.profile),
            serial_range=(0, 999_999),
        )
    # Plain chassis numbers, rising through the years; the type leads so Beetles and buses differ.
    return _layout(
        vehicle,
        VW_1949,
        f"{vw_type}{{serial:07d}}",
        {},
        _home(vehicle.profile),
        serial_range=_year_window(vehicle.year, first_year=1949, per_year=400_000, base=1_000_000),
    )


def _porsche(vehicle: _Vehicle) -> LegacyLayout:
    if vehicle.year >= 1969:
        digits = vehicle.model_key if vehicle.model_key.isdigit() and len(vehicle.model_key) == 3 else "911"
        variant = {"Targa": "1", "Convertible": "3", "Roadster": "3"}.get(vehicle.body_class, "0")
        template = f"{digits}{vehicle.year % 10}{variant}{{serial:05d}}"
        return _layout(vehicle, PORSCHE_1969, template, {}, _home(vehicle.profile), serial_range=(0, 99_999))
    # Plain numbers by body series (coupes, cabriolets, speedsters were numbered apart), rising by year.
    series = str(djb2(vehicle.model_key + vehicle.body_class) % 9 + 1)
    return _layout(
        vehicle,
        PORSCHE_1950,
        f"{series}{{serial:06d}}",
        {},
        _home(vehicle.profile),
        serial_range=_year_window(vehicle.year, first_year=1950, per_year=50_000, base=0),
    )


def _mercedes(vehicle: _Vehicle) -> LegacyLayout:
    line = djb2(vehicle.model_key)
    chassis = f"1{line % 90 + 10}"
    variant = f"{djb2(vehicle.body_class) % 900 + 10:03d}"
    # The transmission digit (1 manual, 2 automatic) follows each instance; 0 is left-hand drive.
    template = f"{chassis}{variant}{{trans_digit}}0{{serial:06d}}"
    serials = _year_window(vehicle.year, first_year=1960, per_year=45_000, base=0)
    return _layout(vehicle, MERCEDES_1960, template, {}, _home(vehicle.profile), serial_range=serials)


def _model_body_letter(vehicle: _Vehicle) -> str:
    return _letter(djb2(vehicle.model_key + vehicle.body_class))


def _british(vehicle: _Vehicle) -> LegacyLayout:
    # Maker, model and body letters, like MG's GHN (MGB roadster) or Austin-Healey's HBJ.
    prefix = (
        _initials(vehicle.profile.name, 1)
        + _initials(vehicle.model, 1)
        + _model_body_letter(vehicle)
        + _letter(vehicle.year)  # the series letter changed with each model year's facelift
    )
    return _layout(vehicle, BRITISH, f"{prefix}{{serial:06d}}L", {}, _home(vehicle.profile))


def _japanese(vehicle: _Vehicle) -> LegacyLayout:
    # The frame code names model and body (HLS30: 240Z, left-hand drive); its serials ran on across years.
    line = djb2(vehicle.model_key + vehicle.body_class)
    frame = f"{_initials(vehicle.model, 1)}{_letter(line >> 5)}{line % 80 + 10}"
    serials = _year_window(vehicle.year, first_year=1955, per_year=38_000, base=0)
    return _layout(
        vehicle, JAPANESE, f"{frame}-{{serial:06d}}", {}, _home(vehicle.profile), serial_range=serials
    )


def _generic(vehicle: _Vehicle) -> LegacyLayout:
    prefix = _initials(vehicle.profile.name, 1) + _initials(vehicle.model, 1) + _model_body_letter(vehicle)
    return _layout(
        vehicle, GENERIC, f"{prefix}{vehicle.year % 100:02d}{{serial:06d}}", {}, _home(vehicle.profile)
    )


def _early(vehicle: _Vehicle) -> LegacyLayout:
    # Ford's Model T carried a plain number; most others prefixed maker and model
    # letters. Serial numbers rose through the years, so each model year gets its own
    # million: the two leading digits follow the year, and two years never share a number.
    if vehicle.model_key == "modelt":
        prefix = ""
    else:
        prefix = _initials(vehicle.profile.name, 1) + _model_body_letter(vehicle)
    first = (vehicle.year % 100) * 1_000_000
    return _layout(
        vehicle,
        EARLY,
        f"{prefix}{{serial:08d}}",
        {},
        _home(vehicle.profile),
        serial_range=(first, first + 999_999),
    )


def _layout(
    vehicle: _Vehicle,
    shape: LegacyFormat,
    template: str,
    engines: dict[str, str],
    plants: tuple[Plant, ...],
    *,
    serial_range: tuple[int, int] = (100_000, 999_999),
) -> LegacyLayout:
    return LegacyLayout(
        format=shape,
        template=template,
        engine_codes=_engine_codes(vehicle, engines),
        plants=plants,
        serials=serial_plan(
            offset_draw=vehicle.serial_draw,
            slot=vehicle.source_slot,
            low=serial_range[0],
            high=serial_range[1],
        ),
    )


# (family, first model year of the family's format); earlier cars get the early serial.
_FAMILIES: Final[dict[str, tuple[Callable[[_Vehicle], LegacyLayout], int]]] = {
    "ford": (_ford, 1952),
    "gm": (_gm, 1955),
    "chrysler": (_chrysler, 1960),
    "amc": (_amc, 1970),
    "vw": (_volkswagen, 1949),
    "porsche": (_porsche, 1950),
    "mercedes": (_mercedes, 1960),
    "british": (_british, 1950),
    "japanese": (_japanese, 1958),
    "generic": (_generic, 1950),
}
_GENERIC_FROM: Final = 1950


def legacy_layout(
    *,
    profile: ManufacturerProfile,
    model: str,
    body_class: str,
    year: int,
    engines: tuple[str, ...],
    choice_draw: int,
    serial_draw: int,
    source_slot: int,
) -> LegacyLayout:
    vehicle = _Vehicle(
        profile=profile,
        model=model,
        model_key=normalise(model),
        body_class=body_class,
        year=year,
        engines=engines,
        choice_draw=choice_draw,
        serial_draw=serial_draw,
        source_slot=source_slot,
    )
    build, first_year = _FAMILIES[profile.legacy]
    if year >= first_year:
        return build(vehicle)
    return _generic(vehicle) if year >= _GENERIC_FROM else _early(vehicle)


def legacy_vin(layout: LegacyLayout, *, engine: str, plant_code: str, automatic: bool, index: int) -> str:
    return layout.template.format(
        engine=layout.engine_codes[engine],
        plant=plant_code,
        serial=layout.serials.serial(index),
        trans="A" if automatic else "M",
        trans_digit="2" if automatic else "1",
    )

"""World Manufacturer Identifiers: which one a generated vehicle carries, and
what any WMI says about who built a vehicle and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from datasources.vin.check_digit import LETTERS, VIN_ALPHABET
from datasources.vin.manufacturers import PROFILES, ManufacturerProfile, WmiRule, kind_of
from datasources.vin.random_source import djb2
from datasources.vin.regions import country_of, prefix_for, region_of

# Real WMIs of makers the generator never produces, so decoding common VINs still names them.
DECODE_ONLY: Final[dict[str, str]] = {
    "1M8": "Motor Coach Industries",
    "1HD": "Harley-Davidson",
    "1FU": "Freightliner",
    "1FV": "Freightliner",
    "1XK": "Kenworth",
    "1XP": "Peterbilt",
    "4V4": "Volvo Trucks",
    "1HT": "International (Navistar)",
    "JH2": "Honda (motorcycles)",
    "JKA": "Kawasaki",
    "JS1": "Suzuki (motorcycles)",
    "JYA": "Yamaha",
    "ZDM": "Ducati",
    "WF0": "Ford (Germany)",
    "SFA": "Ford (United Kingdom)",
    "6FP": "Ford (Australia)",
    "6G1": "Holden",
    "9BW": "Volkswagen (Brazil)",
    "9BG": "Chevrolet (Brazil)",
    "TMB": "Škoda",
    "VSS": "SEAT",
    "UU1": "Dacia",
    "XTA": "Lada",
    "SJN": "Nissan (United Kingdom)",
    "VSK": "Nissan (Spain)",
    "NMT": "Toyota (Turkey)",
    "MA3": "Maruti Suzuki",
    "LFV": "FAW-Volkswagen",
    "LSV": "SAIC Volkswagen",
    "LSG": "SAIC-GM",
    "YV2": "Volvo Trucks",
    "YS2": "Scania",
}


def _manufacturers_by_wmi() -> dict[str, tuple[str, ...]]:
    """WMI -> marques; a small manufacturer is also filed under WMI + its positions 12-14."""
    names: dict[str, list[str]] = {}
    for profile in PROFILES:
        rules = profile.rules + tuple(rule for _, each in profile.model_rules for rule in each)
        for key in sorted({rule.wmi + rule.maker_code for rule in rules} | profile.wmis):
            if profile.name not in names.setdefault(key, []):
                names[key].append(profile.name)
    for wmi, name in DECODE_ONLY.items():
        names.setdefault(wmi, [name])
    return {wmi: tuple(each) for wmi, each in names.items()}


MANUFACTURERS_BY_WMI: Final = _manufacturers_by_wmi()


@dataclass(frozen=True, slots=True)
class WmiInfo:
    wmi: str
    manufacturer: str | None
    country: str | None
    region: str | None
    small_manufacturer: bool


def describe_wmi(wmi: str, *, maker_code: str = "") -> WmiInfo:
    """Who and where, for any WMI; several marques sharing one WMI are all named.
    `maker_code` (positions 12-14) tells small manufacturers sharing a WMI ending in 9 apart."""
    small = len(wmi) == 3 and wmi[2] == "9"
    names = (MANUFACTURERS_BY_WMI.get(wmi + maker_code) if small and maker_code else None) or (
        MANUFACTURERS_BY_WMI.get(wmi)
    )
    return WmiInfo(
        wmi=wmi,
        manufacturer=" / ".join(names) if names else None,
        country=country_of(wmi),
        region=region_of(wmi),
        small_manufacturer=small,
    )


def synthetic_rule(profile: ManufacturerProfile, *, body_class: str) -> WmiRule:
    """A WMI for a maker without a known one: its country's range, two characters
    from its name, never a WMI this module knows to belong to someone else."""
    try:
        prefix = prefix_for(profile.country)
    except KeyError:
        prefix = "1A"
    seed = djb2(profile.name)
    for attempt in range(len(LETTERS)):
        candidate = prefix[0] + LETTERS[(seed + attempt) % len(LETTERS)] + VIN_ALPHABET[(seed >> 8) % 33]
        if candidate[2] != "9" and candidate not in MANUFACTURERS_BY_WMI and country_of(candidate):
            break
    return WmiRule(kind=kind_of(body_class), wmi=candidate, first_year=0, last_year=9999, maker_code="")


def choose_wmi(profile: ManufacturerProfile, *, model: str, year: int, body_class: str, draw: int) -> WmiRule:
    """One of the manufacturer's WMIs for that model, year and body; `draw` (32 bits)
    picks among several, so one vehicle always keeps the same WMI."""
    rules = profile.rules_for(year=year, body_class=body_class, model=model)
    if not rules:
        return synthetic_rule(profile, body_class=body_class)
    # The first WMI listed is the maker's main one: it gets half the vehicles, the rest share the other half.
    if len(rules) == 1 or draw < 1 << 31:
        return rules[0]
    return rules[1 + (((draw - (1 << 31)) * (len(rules) - 1)) >> 31)]

"""Factory colours by era and maker family, named as the brochures of the time named them.

the catalog's contract (docs/vin.md) asks for a pre-1970 palette and a later one; each half is split once
more (before 1930 most cars left the factory black or in dark coach colours;
after 2000 white, black, grey and silver took three quarters of production).
From 1930 the Detroit makers named their own colours (a Mustang came in
Wimbledon White, a Camaro in Marina Blue, a Challenger in Plum Crazy), so Ford,
GM and Chrysler marques get their corporation's names and everyone else a
neutral list. No name is shared between the pre-1970 and later palettes, so
an instance's colour tells its era.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from datasources.vin.random_source import WeightedTable

PALETTE_SPLIT_YEAR: Final = 1970
ERA_STARTS: Final = (0, 1930, 1970, 2000)

Family = Literal["ford", "gm", "chrysler", "other"]
FAMILIES: Final[tuple[Family, ...]] = ("ford", "gm", "chrysler", "other")


@dataclass(frozen=True, slots=True)
class Palette:
    era_start: int
    family: Family
    exterior: WeightedTable[str]
    interior: WeightedTable[str]


def _table(spec: str) -> WeightedTable[str]:
    """'Name=weight, Name=weight' -> a weighted table."""
    pairs = []
    for item in spec.split(","):
        name, _, weight = item.strip().rpartition("=")
        pairs.append((name, float(weight)))
    return WeightedTable(pairs)


_PRE_1930 = _table(
    "Black=40, Brewster Green=12, Coach Maroon=10, Gunmetal Blue=8, Channel Green=7, Vermilion Red=5,"
    " Deep Orchid Blue=6, Cream and Black=4, Fawn Gray=8"
)
_EXTERIORS: Final[dict[tuple[int, Family], WeightedTable[str]]] = {
    (1930, "ford"): _table(
        "Wimbledon White=12, Raven Black=12, Candyapple Red=9, Rangoon Red=6, Arcadian Blue=6,"
        " Caspian Blue=6,"
        " Silver Smoke Gray=5, Tahoe Turquoise=5, Ivy Gold=4, Springtime Yellow=5, Vintage Burgundy=5,"
        " Poppy Red=5, Twilight Turquoise=4, Prairie Bronze=4, Honey Gold=3"
    ),
    (1930, "gm"): _table(
        "Tuxedo Black=12, Ermine White=11, Roman Red=8, Marina Blue=7, Daytona Blue=6, Nassau Blue=5,"
        " Tropical Turquoise=5, Honduras Maroon=6, Goldwood Yellow=4, Sahara Beige=5, Aztec Bronze=4,"
        " Meadow Green=4, Matador Red=5, Bolero Red=4, Glen Green=4"
    ),
    (1930, "chrysler"): _table(
        "Formal Black=12, Alpine White=11, Toreador Red=8, Medium Blue Metallic=7, Light Turquoise=5,"
        " Sandpebble Beige=6, Dark Green Metallic=6, Copper Metallic=5, Citron Gold=5, Frost Turquoise=5,"
        " Sunfire Yellow=4, Light Blue=5, Silver Blue Metallic=5"
    ),
    (1930, "other"): _table(
        "Ebony=14, Old English White=11, British Racing Green=8, Signal Red=8, Pastel Blue=6, Ivory=7,"
        " Pale Primrose Yellow=4, Silver Gray=7, Dove Gray=6, Claret=6, Sand Beige=5, Sea Foam Green=5,"
        " Ice Blue=5, Two-tone Ivory and Green=4"
    ),
    (1970, "ford"): _table(
        "Grabber Blue=5, Grabber Orange=4, Calypso Coral=3, Bright Yellow=4, Medium Ivy Bronze Metallic=5,"
        " Dark Jade Metallic=5, Oxford White=14, Ebony Black=12, Bright Red=10, Light Blue Metallic=7,"
        " Silver Clearcoat Metallic=10, Medium Red Clearcoat=8, Deep Emerald Green=6"
    ),
    (1970, "gm"): _table(
        "Cortez Silver=8, Hugger Orange=4, Citrus Green=3, Mulsanne Blue=5, Classic White=13, Onyx Black=12,"
        " Medium Red=9, Light Sage=4, Dark Brown Metallic=6, Bright Blue Metallic=7, Black Cherry Metallic=6,"
        " Light Saddle Metallic=5, Dark Teal Metallic=6"
    ),
    (1970, "chrysler"): _table(
        "Plum Crazy=4, Sublime=3, Go Mango=3, Top Banana=3, B5 Blue=4, Panther Pink=1, Spinnaker White=13,"
        " Black Velvet=12, Sherwood Green Metallic=6, Burnt Orange Metallic=5, Silver Frost Metallic=9,"
        " Graphic Red=9, Radiant Red=7, Dark Blue Pearlcoat=8"
    ),
    (1970, "other"): _table(
        "Polar White=14, Jet Black=13, Silver Metallic=11, Dark Blue Metallic=9, Medium Green Metallic=6,"
        " Burgundy Metallic=7, Champagne=6, Charcoal Metallic=8, Teal Metallic=5, Hunter Green Pearl=5,"
        " Light Blue Metallic=5, Cherry Red=7, Canary Yellow=2"
    ),
    (2000, "ford"): _table(
        "Oxford White=18, Shadow Black=15, Ingot Silver Metallic=11, Magnetic Metallic=12, Race Red=8,"
        " Velocity Blue=6, Rapid Red Metallic=6, Iconic Silver=6, Carbonized Gray=8, Atlas Blue=5,"
        " Star White Tricoat=5"
    ),
    (2000, "gm"): _table(
        "Summit White=18, Mosaic Black Metallic=14, Silver Ice Metallic=11, Satin Steel Metallic=9,"
        " Red Hot=7, Cajun Red Tintcoat=6, Shadow Gray Metallic=10, Riverside Blue=5,"
        " Iridescent Pearl Tricoat=8, Midnight Blue Metallic=5"
    ),
    (2000, "chrysler"): _table(
        "Bright White=18, Diamond Black Crystal Pearl=15, Granite Crystal Metallic=11,"
        " Billet Silver Metallic=10, Velvet Red Pearl=7, TorRed=5, Destroyer Gray=8, Frostbite=4,"
        " F8 Green=3, Maximum Steel Metallic=8"
    ),
    (2000, "other"): _table(
        "Pearl White Tricoat=14, Super White=8, Midnight Black Mica=12, Crystal Black Pearl=8,"
        " Magnetic Gray Metallic=12, Classic Silver Metallic=11, Deep Crystal Blue Mica=6,"
        " Soul Red Crystal Metallic=5, Lunar Silver Metallic=6, Aegean Blue Metallic=4,"
        " Modern Steel Metallic=8, Cement Gray=3"
    ),
}
_INTERIORS: Final[dict[int, WeightedTable[str]]] = {
    0: _table(
        "Black Leather=35, Brown Leather=20, Gray Mohair=15, Taupe Broadcloth=15, Green Leatherette=15"
    ),
    1930: _table(
        "Black Vinyl=22, Red Vinyl=14, Parchment Vinyl=10, Blue Vinyl=10, Aqua Vinyl=6, Saddle Vinyl=8,"
        " White Vinyl=6, Gray Broadcloth=8, Red Leather=5, Tan Leather=5, Black Leather=6"
    ),
    1970: _table(
        "Black Vinyl=14, Saddle Vinyl=8, Blue Cloth=9, Red Cloth=6, Gray Cloth=16, Tan Leather=10,"
        " Burgundy Velour=6, Black Leather=12, Oxblood Leather=4, Camel Cloth=8, White Leather=3,"
        " Buckskin Vinyl=4"
    ),
    2000: _table(
        "Ebony Cloth=20, Jet Black Leather=18, Graphite Cloth=12, Light Gray Cloth=10, Parchment Leather=9,"
        " Charcoal Synthetic Leather=12, Saddle Brown Leather=7, Red and Black Leather=4,"
        " Ivory Nappa Leather=4, Black Alcantara=4"
    ),
}

PALETTES: Final[tuple[Palette, ...]] = tuple(
    Palette(
        era_start=era,
        family=family,
        exterior=_PRE_1930 if era == 0 else _EXTERIORS[(era, family)],
        interior=_INTERIORS[era],
    )
    for era in ERA_STARTS
    for family in FAMILIES
)
_BY_KEY: Final[dict[tuple[int, Family], Palette]] = {(each.era_start, each.family): each for each in PALETTES}


def palette_for(year: int, *, family: Family) -> Palette:
    era = max(start for start in ERA_STARTS if year >= start)
    return _BY_KEY[(era, family)]

"""Factory colours by era, named as the brochures of the time named them.

DESIGN.md asks for a pre-1970 palette and a later one; each half is split once
more (before 1930 most cars left the factory black or in dark coach colours;
after 2000 white, black, grey and silver took three quarters of production),
and the two halves share no colour name, so an instance's colour tells its era.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from datasources.vin.random_source import WeightedTable

PALETTE_SPLIT_YEAR: Final = 1970


@dataclass(frozen=True, slots=True)
class Palette:
    name: str
    first_year: int
    exterior: WeightedTable[str]
    interior: WeightedTable[str]


def _table(spec: str) -> WeightedTable[str]:
    """'Name=weight, Name=weight' -> a weighted table."""
    pairs = []
    for item in spec.split(","):
        name, _, weight = item.strip().rpartition("=")
        pairs.append((name, float(weight)))
    return WeightedTable(pairs)


PALETTES: Final[tuple[Palette, ...]] = (
    Palette(
        name="pre-1930",
        first_year=0,
        exterior=_table(
            "Black=40, Brewster Green=12, Coach Maroon=10, Gunmetal Blue=8, Channel Green=7,"
            " Vermilion Red=5, Deep Orchid Blue=6, Cream and Black=4, Fawn Gray=8"
        ),
        interior=_table(
            "Black Leather=35, Brown Leather=20, Gray Mohair=15, Taupe Broadcloth=15, Green Leatherette=15"
        ),
    ),
    Palette(
        name="1930-1969",
        first_year=1930,
        exterior=_table(
            "Wimbledon White=9, Raven Black=8, Tuxedo Black=6, Candyapple Red=7, Roman Red=5,"
            " Arcadian Blue=6,"
            " Marina Blue=5, Daytona Blue=5, Tahoe Turquoise=4, Tropical Turquoise=4, Ivy Gold=4,"
            " Springtime Yellow=4, Goldwood Yellow=3, Ermine White=6, Honduras Maroon=4, Sahara Beige=4,"
            " Silver Smoke Gray=4, Meadow Green=3, Aztec Bronze=3, Matador Red=3, Nassau Blue=3"
        ),
        interior=_table(
            "Black Vinyl=22, Red Vinyl=14, Parchment Vinyl=10, Blue Vinyl=10, Aqua Vinyl=6, Saddle Vinyl=8,"
            " White Vinyl=6, Gray Broadcloth=8, Red Leather=5, Tan Leather=5, Black Leather=6"
        ),
    ),
    Palette(
        name="1970-1999",
        first_year=1970,
        exterior=_table(
            "Bright Red=9, Jet Black=10, Polar White=10, Silver Metallic=8, Dark Blue Metallic=8,"
            " Medium Green Metallic=5, Grabber Orange=2, Plum Crazy=2, Harvest Gold=3,"
            " Medium Brown Metallic=4,"
            " Burgundy Metallic=6, Light Blue Metallic=5, Teal Metallic=5, Charcoal Metallic=6, Champagne=5,"
            " Hunter Green Pearl=5, Canary Yellow=2"
        ),
        interior=_table(
            "Black Vinyl=14, Saddle Vinyl=8, Blue Cloth=9, Red Cloth=6, Gray Cloth=16, Tan Leather=10,"
            " Burgundy Velour=6, Black Leather=12, Oxblood Leather=4, Camel Cloth=8, White Leather=3,"
            " Buckskin Vinyl=4"
        ),
    ),
    Palette(
        name="2000-present",
        first_year=2000,
        exterior=_table(
            "Summit White=14, Jet Black Clearcoat=12, Pearl White Tricoat=9, Magnetic Gray Metallic=12,"
            " Ingot Silver Metallic=10, Midnight Black Mica=8, Race Red=6, Deep Crystal Blue Mica=6,"
            " Velocity Blue=4, Soul Red Crystal=3, Cactus Gray=3, Ruby Flare Pearl=3, Oxford White=6,"
            " Army Green=2, Bronze Fire Metallic=2"
        ),
        interior=_table(
            "Ebony Cloth=20, Jet Black Leather=18, Graphite Cloth=12, Light Gray Cloth=10,"
            " Parchment Leather=9, Charcoal Synthetic Leather=12, Saddle Brown Leather=7,"
            " Red and Black Leather=4, Ivory Nappa Leather=4, Black Alcantara=4"
        ),
    ),
)


def palette_for(year: int) -> Palette:
    chosen = PALETTES[0]
    for palette in PALETTES:
        if year >= palette.first_year:
            chosen = palette
    return chosen

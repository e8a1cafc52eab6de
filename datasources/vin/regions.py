"""Where a WMI says a vehicle was built: ISO 3780 regions and country ranges.

The first character names a region, the first two a country. Countries own
ranges of the second character in the ISO 3780 order (A-Z without I, O, Q,
then 1-9 and 0), e.g. SA-SM is the United Kingdom. This works for any WMI,
known manufacturer or not.
"""

from __future__ import annotations

from typing import Final

ISO_3780_ORDER: Final = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"
_POSITION: Final[dict[str, int]] = {char: index for index, char in enumerate(ISO_3780_ORDER)}

_REGION_BY_FIRST: Final[dict[str, str]] = {
    **dict.fromkeys("ABCDEFGH", "Africa"),
    **dict.fromkeys("JKLMNPR", "Asia"),
    **dict.fromkeys("STUVWXYZ", "Europe"),
    **dict.fromkeys("12345", "North America"),
    **dict.fromkeys("67", "Oceania"),
    **dict.fromkeys("890", "South America"),
}

# (first character, second from, second to, country), second characters inclusive in ISO 3780 order.
_COUNTRY_RANGES: Final = (
    ("A", "A", "H", "South Africa"),
    ("A", "J", "N", "Côte d'Ivoire"),
    ("B", "A", "E", "Angola"),
    ("B", "F", "K", "Kenya"),
    ("B", "L", "R", "Tanzania"),
    ("C", "A", "E", "Benin"),
    ("C", "F", "K", "Madagascar"),
    ("C", "L", "R", "Tunisia"),
    ("D", "A", "E", "Egypt"),
    ("D", "F", "K", "Morocco"),
    ("D", "L", "R", "Zambia"),
    ("E", "A", "E", "Ethiopia"),
    ("E", "F", "K", "Mozambique"),
    ("F", "A", "E", "Ghana"),
    ("F", "F", "K", "Nigeria"),
    ("J", "A", "0", "Japan"),
    ("K", "A", "E", "Sri Lanka"),
    ("K", "F", "K", "Israel"),
    ("K", "L", "R", "South Korea"),
    ("K", "S", "0", "Kazakhstan"),
    ("L", "A", "0", "China"),
    ("M", "A", "E", "India"),
    ("M", "F", "K", "Indonesia"),
    ("M", "L", "R", "Thailand"),
    ("M", "S", "0", "Myanmar"),
    ("N", "A", "E", "Iran"),
    ("N", "F", "K", "Pakistan"),
    ("N", "L", "R", "Turkey"),
    ("P", "A", "E", "Philippines"),
    ("P", "F", "K", "Singapore"),
    ("P", "L", "R", "Malaysia"),
    ("R", "A", "E", "United Arab Emirates"),
    ("R", "F", "K", "Taiwan"),
    ("R", "L", "R", "Vietnam"),
    ("R", "S", "0", "Saudi Arabia"),
    ("S", "A", "M", "United Kingdom"),
    ("S", "N", "T", "Germany"),
    ("S", "U", "Z", "Poland"),
    ("S", "1", "4", "Latvia"),
    ("T", "A", "H", "Switzerland"),
    ("T", "J", "P", "Czech Republic"),
    ("T", "R", "V", "Hungary"),
    ("T", "W", "1", "Portugal"),
    ("U", "H", "M", "Denmark"),
    ("U", "N", "T", "Ireland"),
    ("U", "U", "Z", "Romania"),
    ("U", "5", "7", "Slovakia"),
    ("V", "A", "E", "Austria"),
    ("V", "F", "R", "France"),
    ("V", "S", "W", "Spain"),
    ("V", "X", "2", "Serbia"),
    ("V", "3", "5", "Croatia"),
    ("V", "6", "0", "Estonia"),
    ("W", "A", "0", "Germany"),
    ("X", "A", "E", "Bulgaria"),
    ("X", "F", "K", "Greece"),
    ("X", "L", "R", "Netherlands"),
    ("X", "S", "W", "Russia"),
    ("X", "X", "2", "Luxembourg"),
    ("X", "3", "0", "Russia"),
    ("Y", "A", "E", "Belgium"),
    ("Y", "F", "K", "Finland"),
    ("Y", "L", "R", "Malta"),
    ("Y", "S", "W", "Sweden"),
    ("Y", "X", "2", "Norway"),
    ("Y", "3", "5", "Belarus"),
    ("Y", "6", "0", "Ukraine"),
    ("Z", "A", "R", "Italy"),
    ("Z", "X", "2", "Slovenia"),
    ("Z", "3", "5", "Lithuania"),
    ("Z", "6", "0", "Russia"),
    ("1", "A", "0", "United States"),
    ("2", "A", "0", "Canada"),
    ("3", "A", "W", "Mexico"),
    ("3", "X", "7", "Costa Rica"),
    ("3", "8", "9", "Cayman Islands"),
    ("4", "A", "0", "United States"),
    ("5", "A", "0", "United States"),
    ("6", "A", "W", "Australia"),
    ("7", "A", "E", "New Zealand"),
    ("7", "F", "0", "United States"),
    ("8", "A", "E", "Argentina"),
    ("8", "F", "K", "Chile"),
    ("8", "L", "R", "Ecuador"),
    ("8", "S", "W", "Peru"),
    ("8", "X", "2", "Venezuela"),
    ("9", "A", "E", "Brazil"),
    ("9", "F", "K", "Colombia"),
    ("9", "L", "R", "Paraguay"),
    ("9", "S", "W", "Uruguay"),
    ("9", "X", "2", "Trinidad and Tobago"),
    ("9", "3", "9", "Brazil"),
)

# The table above, expanded once into a dict keyed by the first two characters.
_COUNTRY_BY_PREFIX: Final[dict[str, str]] = {
    first + ISO_3780_ORDER[index]: country
    for first, second_from, second_to, country in _COUNTRY_RANGES
    for index in range(_POSITION[second_from], _POSITION[second_to] + 1)
}

_NORTH_AMERICA: Final = frozenset({"United States", "Canada", "Mexico"})


def country_of(wmi: str) -> str | None:
    return _COUNTRY_BY_PREFIX.get(wmi[:2].upper())


def region_of(wmi: str) -> str | None:
    # 7F-70 was given to the United States after ISO put 7 in Oceania.
    if country_of(wmi) in _NORTH_AMERICA:
        return "North America"
    return _REGION_BY_FIRST.get(wmi[:1].upper())


def prefix_for(country: str) -> str:
    """The first two characters of some WMI of `country` (the start of its first range)."""
    for first, second_from, _, name in _COUNTRY_RANGES:
        if name == country:
            return first + second_from
    raise KeyError(country)

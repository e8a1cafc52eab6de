"""Assembly plant codes (VIN position 11) of the larger manufacturers, by WMI.

Each list holds plants that really built that manufacturer's vehicles in the
WMI's country under that code. A WMI not listed gets a code from the VIN
alphabet and its country as the plant's location: honest, if less specific.
"""

from __future__ import annotations

from typing import Final

from datasources.vin.regions import country_of

Plant = tuple[str, str]  # (code, location)

_FORD_US: Final[tuple[Plant, ...]] = (
    ("A", "Atlanta, Georgia"),
    ("D", "Avon Lake, Ohio"),
    ("E", "Louisville, Kentucky (Kentucky Truck)"),
    ("F", "Dearborn, Michigan"),
    ("G", "Chicago, Illinois"),
    ("H", "Lorain, Ohio"),
    ("K", "Claycomo, Missouri"),
    ("L", "Wayne, Michigan (Michigan Truck)"),
    ("N", "Norfolk, Virginia"),
    ("P", "St. Paul, Minnesota"),
    ("T", "Edison, New Jersey"),
    ("U", "Louisville, Kentucky"),
    ("W", "Wayne, Michigan"),
    ("Y", "Wixom, Michigan"),
    ("Z", "Hazelwood, Missouri"),
    ("5", "Flat Rock, Michigan"),
)
_FORD_CA: Final[tuple[Plant, ...]] = (("B", "Oakville, Ontario"), ("X", "St. Thomas, Ontario"))
_FORD_MX: Final[tuple[Plant, ...]] = (("M", "Cuautitlán, Mexico"), ("R", "Hermosillo, Mexico"))
_GM_US: Final[tuple[Plant, ...]] = (
    ("B", "Baltimore, Maryland"),
    ("D", "Doraville, Georgia"),
    ("E", "Linden, New Jersey"),
    ("F", "Fairfax, Kansas"),
    ("J", "Janesville, Wisconsin"),
    ("L", "Van Nuys, California"),
    ("M", "Lansing, Michigan"),
    ("N", "Norwood, Ohio"),
    ("R", "Arlington, Texas"),
    ("T", "Tarrytown, New York"),
    ("U", "Hamtramck, Michigan"),
    ("W", "Willow Run, Michigan"),
    ("Y", "Wilmington, Delaware"),
    ("4", "Orion, Michigan"),
    ("5", "Bowling Green, Kentucky"),
    ("6", "Oklahoma City, Oklahoma"),
    ("7", "Lordstown, Ohio"),
    ("9", "Detroit, Michigan"),
)
_GM_CA: Final[tuple[Plant, ...]] = (("1", "Oshawa, Ontario"), ("2", "Ste. Thérèse, Quebec"))
_GM_MX: Final[tuple[Plant, ...]] = (("S", "Ramos Arizpe, Mexico"), ("G", "Silao, Mexico"))
_CHRYSLER_US: Final[tuple[Plant, ...]] = (
    ("C", "Detroit, Michigan (Jefferson)"),
    ("D", "Belvidere, Illinois"),
    ("F", "Newark, Delaware"),
    ("G", "St. Louis, Missouri"),
    ("N", "Sterling Heights, Michigan"),
    ("S", "Warren, Michigan"),
    ("L", "Toledo, Ohio"),
)
_CHRYSLER_CA: Final[tuple[Plant, ...]] = (("H", "Brampton, Ontario"), ("R", "Windsor, Ontario"))
_CHRYSLER_MX: Final[tuple[Plant, ...]] = (("E", "Saltillo, Mexico"), ("T", "Toluca, Mexico"))

PLANTS: Final[dict[str, tuple[Plant, ...]]] = {
    **dict.fromkeys(("1FA", "1FM", "1FT", "1LN", "1ME", "1ZV", "5LM", "4M2", "1YV"), _FORD_US),
    **dict.fromkeys(("2FA", "2FM", "2FT", "2ME", "2LM", "2MR"), _FORD_CA),
    **dict.fromkeys(("3FA", "3FT", "3LN", "3ME"), _FORD_MX),
    **dict.fromkeys(
        ("1G1", "1G2", "1G3", "1G4", "1G6", "1GC", "1GN", "1GT", "1GK", "1GY", "1GH", "1GM"), _GM_US
    ),
    **dict.fromkeys(("2G1", "2G2", "2G4", "2GC", "2GN", "2GT"), _GM_CA),
    **dict.fromkeys(("3G1", "3GC", "3GN", "3GT", "3G7"), _GM_MX),
    **dict.fromkeys(
        (
            "1B3",
            "1C3",
            "1P3",
            "1C4",
            "1D4",
            "1B4",
            "1P4",
            "1J4",
            "1J8",
            "1JC",
            "1J7",
            "1B7",
            "1D7",
            "1C6",
            "1A8",
            "1AM",
        ),
        _CHRYSLER_US,
    ),
    **dict.fromkeys(("2B3", "2C3", "2P3", "2A3", "2B4", "2C4", "2D4", "2P4", "2E3"), _CHRYSLER_CA),
    **dict.fromkeys(("3D7", "3C6", "3C3", "3A4"), _CHRYSLER_MX),
    **dict.fromkeys(("4T1", "4T3"), (("U", "Georgetown, Kentucky"),)),
    "5TD": (("Z", "Princeton, Indiana"), ("U", "Georgetown, Kentucky")),
    "5TF": (("X", "San Antonio, Texas"), ("Z", "Princeton, Indiana")),
    **dict.fromkeys(("2T1", "2T2", "2T3"), (("C", "Cambridge, Ontario"), ("W", "Woodstock, Ontario"))),
    "1NX": (("Z", "Fremont, California"),),
    "1HG": (("A", "Marysville, Ohio"), ("L", "East Liberty, Ohio")),
    "5FN": (("B", "Lincoln, Alabama"),),
    "5J6": (("L", "East Liberty, Ohio"),),
    "2HG": (("H", "Alliston, Ontario"),),
    "JHM": (("C", "Suzuka, Japan"), ("S", "Sayama, Japan")),
    **dict.fromkeys(("1N4", "1N6", "5N1"), (("C", "Smyrna, Tennessee"), ("N", "Canton, Mississippi"))),
    "3N1": (("L", "Aguascalientes, Mexico"), ("K", "Cuernavaca, Mexico")),
    "WVW": (("W", "Wolfsburg, Germany"), ("E", "Emden, Germany"), ("K", "Osnabrück, Germany")),
    "3VW": (("M", "Puebla, Mexico"),),
    "1VW": (("C", "Chattanooga, Tennessee"), ("V", "New Stanton, Pennsylvania")),
    "WV2": (("H", "Hanover, Germany"),),
    **dict.fromkeys(("4S3", "4S4"), (("3", "Lafayette, Indiana"),)),
    **dict.fromkeys(("5NP", "5NM", "5NT"), (("H", "Montgomery, Alabama"),)),
    **dict.fromkeys(("5XX", "5XY"), (("G", "West Point, Georgia"),)),
    **dict.fromkeys(("4JG", "55S"), (("A", "Vance, Alabama"),)),
    **dict.fromkeys(("5UX", "4US", "5YM"), (("L", "Spartanburg, South Carolina"),)),
    "7JR": (("R", "Ridgeville, South Carolina"),),
    "5YJ": (("F", "Fremont, California"),),
    **dict.fromkeys(("7SA", "7G2"), (("A", "Austin, Texas"),)),
    **dict.fromkeys(("7FC", "7PD"), (("N", "Normal, Illinois"),)),
    "50E": (("A", "Casa Grande, Arizona"),),
    "WP0": (("S", "Stuttgart-Zuffenhausen, Germany"),),
    "WP1": (("L", "Leipzig, Germany"), ("S", "Bratislava, Slovakia")),
    "1G8": (("Z", "Spring Hill, Tennessee"),),
    "5GZ": (("D", "Doraville, Georgia"), ("S", "Spring Hill, Tennessee")),
}

_GENERIC_CODES: Final = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


# Where each marque built its cars when the VIN did not say (pre-1981 numbers without a plant code).
HOME_PLANTS: Final[dict[str, str]] = {
    "Ford": "Dearborn, Michigan",
    "Mercury": "Dearborn, Michigan",
    "Lincoln": "Detroit, Michigan",
    "Edsel": "Dearborn, Michigan",
    "Shelby": "Los Angeles, California",
    "Chevrolet": "Flint, Michigan",
    "Pontiac": "Pontiac, Michigan",
    "Oldsmobile": "Lansing, Michigan",
    "Buick": "Flint, Michigan",
    "Cadillac": "Detroit, Michigan",
    "Plymouth": "Detroit, Michigan",
    "Dodge": "Hamtramck, Michigan",
    "Chrysler": "Detroit, Michigan",
    "Studebaker": "South Bend, Indiana",
    "Packard": "Detroit, Michigan",
    "Hudson": "Detroit, Michigan",
    "Nash": "Kenosha, Wisconsin",
    "AMC": "Kenosha, Wisconsin",
    "Rambler": "Kenosha, Wisconsin",
    "Kaiser": "Willow Run, Michigan",
    "Frazer": "Willow Run, Michigan",
    "Willys": "Toledo, Ohio",
    "Jeep": "Toledo, Ohio",
    "Tucker": "Chicago, Illinois",
    "Cord": "Auburn, Indiana",
    "Auburn": "Auburn, Indiana",
    "Duesenberg": "Indianapolis, Indiana",
    "Pierce-Arrow": "Buffalo, New York",
    "LaSalle": "Detroit, Michigan",
    "Checker": "Kalamazoo, Michigan",
    "Crosley": "Marion, Indiana",
    "International Harvester": "Fort Wayne, Indiana",
    "Hupmobile": "Detroit, Michigan",
    "REO": "Lansing, Michigan",
    "Stutz": "Indianapolis, Indiana",
    "GMC": "Pontiac, Michigan",
    "DeSoto": "Detroit, Michigan",
    "Imperial": "Detroit, Michigan",
    "Ferrari": "Maranello, Italy",
    "Lamborghini": "Sant'Agata Bolognese, Italy",
    "Maserati": "Modena, Italy",
    "Alfa Romeo": "Milan, Italy",
    "Fiat": "Turin, Italy",
    "Lancia": "Turin, Italy",
    "De Tomaso": "Modena, Italy",
    "Porsche": "Stuttgart-Zuffenhausen, Germany",
    "Volkswagen": "Wolfsburg, Germany",
    "Mercedes-Benz": "Sindelfingen, Germany",
    "BMW": "Munich, Germany",
    "Audi": "Ingolstadt, Germany",
    "Opel": "Rüsselsheim, Germany",
    "Volvo": "Torslanda, Sweden",
    "Saab": "Trollhättan, Sweden",
    "Peugeot": "Sochaux, France",
    "Renault": "Flins, France",
    "Citroen": "Paris, France",
    "Datsun": "Oppama, Japan",
    "Nissan": "Oppama, Japan",
    "Toyota": "Toyota City, Japan",
    "Honda": "Suzuka, Japan",
    "Mazda": "Hiroshima, Japan",
    "Subaru": "Ōta, Japan",
    "Mitsubishi": "Okazaki, Japan",
    "Isuzu": "Fujisawa, Japan",
    "Suzuki": "Kosai, Japan",
    "Jaguar": "Coventry, England",
    "Triumph": "Canley, Coventry, England",
    "MG": "Abingdon, England",
    "Austin-Healey": "Abingdon, England",
    "Austin": "Longbridge, England",
    "Mini": "Longbridge, England",
    "Morris": "Cowley, England",
    "Riley": "Abingdon, England",
    "Wolseley": "Cowley, England",
    "Land Rover": "Solihull, England",
    "Rover": "Solihull, England",
    "Rolls-Royce": "Crewe, England",
    "Bentley": "Crewe, England",
    "Lotus": "Hethel, England",
    "Aston Martin": "Newport Pagnell, England",
    "Sunbeam": "Ryton, England",
    "Hillman": "Ryton, England",
    "Jensen": "West Bromwich, England",
    "AC": "Thames Ditton, England",
    "DeLorean": "Dunmurry, Northern Ireland",
    "Yugo": "Kragujevac, Serbia",
}


def plants_for(wmi: str, *, manufacturer: str, home_country: str) -> tuple[Plant, ...]:
    """The listed plants; else three codes at the marque's home plant when the
    WMI is from its home country, or located only by the WMI's country."""
    listed = PLANTS.get(wmi)
    if listed is not None:
        return listed
    country = country_of(wmi)
    home = HOME_PLANTS.get(manufacturer)
    where = home if home and country == home_country else country or "unknown country"
    # Deterministic from the WMI alone, so one WMI always uses the same three codes.
    start = sum(ord(char) for char in wmi) % len(_GENERIC_CODES)
    return tuple((_GENERIC_CODES[(start + step * 11) % len(_GENERIC_CODES)], where) for step in range(3))


def vehicle_plants(plants: tuple[Plant, ...], *, draw: int) -> tuple[Plant, ...]:
    """The one to three plants that built this vehicle (a model-year rarely came from more)."""
    count = min(len(plants), 1 + (draw >> 30) % 3)
    start = (draw & 0xFFFF) % len(plants)
    return tuple(plants[(start + step) % len(plants)] for step in range(count))

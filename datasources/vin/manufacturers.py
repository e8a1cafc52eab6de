"""What the generator knows about each manufacturer: its real WMIs by era and
vehicle kind, its home country, its market segment and its pre-1981 numbering.

WMIs are the real ones (checked against NHTSA's manufacturer list); a
manufacturer whose production ended before 1981 has none, and one this table
does not know gets a clearly synthetic profile (see `profile_for`).
A WMI spec reads 'WMI[/MAKER][:first[-last]]': the years it was used for that
kind, and for small manufacturers (third character 9) the maker code that
ISO 3779 puts in positions 12-14.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final, Literal

from datasources.vin.names import normalise, without_corporate_words

Kind = Literal["car", "mpv", "truck"]
Market = Literal["mass", "premium", "sports", "luxury", "exotic"]
Legacy = Literal[
    "ford", "gm", "chrysler", "amc", "vw", "porsche", "mercedes", "british", "japanese", "generic"
]

FIRST_ISO_YEAR: Final = 1981
OPEN_END: Final = 2100

# Body classes that are registered as multipurpose vehicles or trucks; every other one is a car.
_KIND_BY_BODY: Final[dict[str, Kind]] = {
    "SUV": "mpv",
    "Minivan": "mpv",
    "Van": "mpv",
    "Pickup": "truck",
}


@dataclass(frozen=True, slots=True)
class WmiRule:
    kind: Kind
    wmi: str
    first_year: int
    last_year: int
    maker_code: str  # positions 12-14 for small manufacturers, else ""

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


# Compared and hashed by identity: profiles are table singletons, and caches keyed
# by a profile should not hash its rules on every lookup.
@dataclass(frozen=True, slots=True, eq=False)
class ManufacturerProfile:
    name: str
    country: str
    market: Market
    legacy: Legacy
    rules: tuple[WmiRule, ...]
    # GM division digit, Chrysler car-line letter: the first character of their pre-1981 VINs.
    division: str = ""
    synthetic: bool = False
    # Models built under a WMI of their own (another plant or partner), by normalised model name.
    model_rules: tuple[tuple[str, tuple[WmiRule, ...]], ...] = ()

    @property
    def wmis(self) -> frozenset[str]:
        rules = self.rules + tuple(rule for _, each in self.model_rules for rule in each)
        return frozenset(rule.wmi for rule in rules)

    def rules_for(self, *, year: int, body_class: str, model: str = "") -> tuple[WmiRule, ...]:
        """The WMIs usable for this model, year and body: the model's own first, then
        the body's kind, then cars (a maker that registered an SUV as a car did exactly that)."""
        if self.model_rules and model:
            key = normalise(model)
            for name, rules in self.model_rules:
                if name == key:
                    covering = tuple(rule for rule in rules if rule.covers(year))
                    if covering:
                        return covering
        kind = kind_of(body_class)
        own = tuple(rule for rule in self.rules if rule.kind == kind and rule.covers(year))
        if own:
            return own
        cars = tuple(rule for rule in self.rules if rule.kind == "car" and rule.covers(year))
        return cars or tuple(rule for rule in self.rules if rule.covers(year))


def kind_of(body_class: str) -> Kind:
    return _KIND_BY_BODY.get(body_class, "car")


def _rules(kind: Kind, spec: str) -> tuple[WmiRule, ...]:
    rules: list[WmiRule] = []
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        code, _, years = item.partition(":")
        wmi, _, maker_code = code.partition("/")
        first_text, _, last_text = years.partition("-")
        first = int(first_text) if first_text else FIRST_ISO_YEAR
        last = int(last_text) if last_text else OPEN_END
        rules.append(WmiRule(kind=kind, wmi=wmi, first_year=first, last_year=last, maker_code=maker_code))
    return tuple(rules)


def _plain(
    country: str, legacy: Legacy, makes: tuple[tuple[str, Market], ...]
) -> tuple[ManufacturerProfile, ...]:
    """Marques that ended before 1981: no WMI, only their historic numbering."""
    return tuple(_profile(name, country, market, legacy) for name, market in makes)


def _profile(
    name: str,
    country: str,
    market: Market,
    legacy: Legacy,
    *,
    car: str = "",
    mpv: str = "",
    truck: str = "",
    division: str = "",
    models: dict[str, str] | None = None,
) -> ManufacturerProfile:
    rules = _rules("car", car) + _rules("mpv", mpv) + _rules("truck", truck)
    model_rules = tuple((normalise(model), _rules("car", spec)) for model, spec in (models or {}).items())
    return ManufacturerProfile(
        name=name,
        country=country,
        market=market,
        legacy=legacy,
        rules=rules,
        division=division,
        model_rules=model_rules,
    )


US, JP, DE, UK, IT, FR, SE, KR = (
    "United States",
    "Japan",
    "Germany",
    "United Kingdom",
    "Italy",
    "France",
    "Sweden",
    "South Korea",
)

PROFILES: Final[tuple[ManufacturerProfile, ...]] = (
    # Ford Motor Company
    _profile(
        "Ford",
        US,
        "mass",
        "ford",
        car="1FA; 2FA:1992-2011; 3FA:2006",
        mpv="1FM; 2FM:2007",
        truck="1FT; 2FT:1987-2008; 3FT:2005-2013",
        models={"Mustang": "1FA:1981-2004; 1ZV:2005-2014; 1FA:2015"},
    ),
    _profile("Lincoln", US, "luxury", "ford", car="1LN; 3LN:2006", mpv="5LM:1998; 2LM:2007"),
    _profile(
        "Mercury",
        US,
        "mass",
        "ford",
        car="1ME:1981-2011; 2ME:1992-2011; 3ME:2006-2011",
        mpv="4M2:1993-2011; 2MR:2004-2007",
    ),
    _profile("Edsel", US, "mass", "ford"),
    _profile("Shelby", US, "sports", "ford", car="1FA:1981; 1ZV:2007-2014"),
    # General Motors
    _profile(
        "Chevrolet",
        US,
        "mass",
        "gm",
        division="1",
        car="1G1; 2G1:1986; 3G1:1996; KL1:2004",
        mpv="1GN; 2GN:2005; 3GN:2007",
        truck="1GC; 2GC:1988; 3GC:1999",
    ),
    _profile(
        "Pontiac",
        US,
        "mass",
        "gm",
        division="2",
        car="1G2:1981-2010; 2G2:1986-2010",
        mpv="1GM:1990-2009; 5Y2:2003-2010; 3G7:2001-2005",
    ),
    _profile("Oldsmobile", US, "mass", "gm", division="3", car="1G3:1981-2004", mpv="1GH:1991-2004"),
    _profile("Buick", US, "premium", "gm", division="4", car="1G4; 2G4:1990", mpv="5GA:2004; KL4:2013"),
    _profile("Cadillac", US, "luxury", "gm", division="6", car="1G6", mpv="1GY:1999"),
    _profile("GMC", US, "mass", "generic", mpv="1GK", truck="1GT; 2GT:1988; 3GT:1999"),
    _profile("Saturn", US, "mass", "generic", car="1G8:1991-2010", mpv="5GZ:2002-2010"),
    _profile(
        "Geo",
        US,
        "mass",
        "generic",
        car="1Y1:1989-1997; 2C1:1989-1997; J81:1989-1993",
        mpv="2CN:1989-1997",
        models={"Prizm": "1Y1", "Metro": "2C1", "Spectrum": "J81", "Storm": "J81", "Tracker": "2CN"},
    ),
    _profile(
        "Hummer",
        US,
        "luxury",
        "generic",
        mpv="137:1992-2006; 5GR:2003-2009; 5GT:2006-2010",
        truck="137:1992-2006; 5GT:2009-2010",
        models={"H1": "137:1992-2006", "H2": "5GR:2003-2009", "H3": "5GT:2006-2010"},
    ),
    # Chrysler
    _profile(
        "Chrysler",
        US,
        "premium",
        "chrysler",
        division="C",
        car="1C3; 2C3:1993",
        mpv="1C4; 2C4:1990; 1A8:2004-2009; 3A4:2001-2010",
    ),
    _profile("Imperial", US, "luxury", "chrysler", division="Y", car="2A3:1981-1983"),
    _profile(
        "Dodge",
        US,
        "mass",
        "chrysler",
        division="D",
        car="1B3:1981-2010; 2B3:1990-2010; 1C3:2011; 2C3:2011",
        mpv="2B4:1984-2007; 1B4:1984-2003; 1D4:2004-2010; 2D4:2008-2010; 1C4:2011; 2C4:2011",
        truck="1B7:1981-2001; 1D7:2002-2010; 3D7:1994-2010; 1C6:2011; 3C6:2011",
    ),
    _profile(
        "Plymouth",
        US,
        "mass",
        "chrysler",
        division="P",
        car="1P3:1981-2001; 2P3:1981-1995",
        mpv="2P4:1984-2000; 1P4:1984-2000",
    ),
    _profile("DeSoto", US, "premium", "chrysler", division="S"),
    _profile("Ram", US, "mass", "chrysler", truck="1C6:2011; 3C6:2011", mpv="3C6:2014"),
    _profile(
        "Jeep",
        US,
        "mass",
        "generic",
        mpv="1JC:1981-1988; 1J4:1987-2010; 1J8:2003-2010; 1C4:2011",
        truck="1J7:1986-1992; 1C6:2020",
    ),
    _profile("AMC", US, "mass", "amc", car="1AM:1981-1988"),
    _profile("Eagle", US, "mass", "generic", car="2E3:1988-1998; 4E3:1990-1998"),
    # Independents and defunct American marques (pre-1981 numbering only)
    *_plain(
        US,
        "generic",
        (
            ("Studebaker", "mass"),
            ("Packard", "luxury"),
            ("Hudson", "mass"),
            ("Nash", "mass"),
            ("Kaiser", "mass"),
            ("Frazer", "mass"),
            ("Willys", "mass"),
            ("Tucker", "luxury"),
            ("Cord", "luxury"),
            ("Auburn", "luxury"),
            ("Duesenberg", "exotic"),
            ("Pierce-Arrow", "luxury"),
            ("LaSalle", "luxury"),
            ("Rambler", "mass"),
            ("International Harvester", "mass"),
            ("Checker", "mass"),
            ("Crosley", "mass"),
            ("Hupmobile", "mass"),
            ("REO", "mass"),
            ("Stutz", "luxury"),
            ("Graham", "mass"),
            ("Cunningham", "exotic"),
            ("Marmon", "luxury"),
        ),
    ),
    # New American makers
    _profile("DeLorean", UK, "sports", "british", car="SCE:1981-1983"),
    _profile(
        "Tesla",
        US,
        "luxury",
        "generic",
        car="5YJ:2008",
        mpv="5YJ:2016; 7SA:2022",
        truck="7G2:2024",
        models={"Model Y": "5YJ:2020-2021; 7SA:2022", "Cybertruck": "7G2:2024"},
    ),
    _profile("Fisker", US, "luxury", "generic", car="YH4:2011-2012", mpv="VCF:2023"),
    _profile("Karma", US, "luxury", "generic", car="50G:2018"),
    _profile("Avanti", US, "luxury", "generic", car="12A:1981"),
    _profile("Panoz", US, "sports", "generic", car="1P9/213:1989"),
    _profile("Saleen", US, "exotic", "generic", car="1S9/842:1984"),
    _profile("Vector", US, "exotic", "generic", car="1V9/048:1989"),
    _profile("VinFast", "Vietnam", "premium", "generic", car="RLL:2022", mpv="RLL:2022"),
    _profile("Bricklin", "Canada", "sports", "generic"),
    _profile("Rivian", US, "luxury", "generic", mpv="7PD:2022", truck="7FC:2022"),
    _profile("Lucid", US, "luxury", "generic", car="50E:2022"),
    # Japan
    _profile(
        "Toyota",
        JP,
        "mass",
        "japanese",
        car="JT2:1981-1999; JTD:2000",
        mpv="JT3:1981-2009; JTE:1990; JTM:1996",
        truck="JT4:1981-1995; 4TA:1995-2004; 5TF:2000",
        models={
            "Camry": "JT2:1983-1987; 4T1:1988",
            "Avalon": "4T1:1995",
            "Corolla": "JT2:1981-1985; 1NX:1986-2009; 2T1:1989; JTD:2010",
            "Tacoma": "4TA:1995-2004; 5TE:2005; 3TM:2005",
            "Tundra": "5TF:2000",
            "Sienna": "4T3:1998-2003; 5TD:2004",
            "Highlander": "JTE:2001-2007; 5TD:2008",
            "Sequoia": "5TD:2001",
            "RAV4": "JTM:1996-2008; 2T3:2009",
        },
    ),
    _profile(
        "Lexus", JP, "luxury", "japanese", car="JT8:1990-2006; JTH:1990; 58A:2019", mpv="JTJ:1996; 2T2:2004"
    ),
    _profile("Scion", JP, "mass", "japanese", car="JTK:2004-2016; JTL:2004-2015"),
    _profile(
        "Honda",
        JP,
        "mass",
        "japanese",
        car="JHM",
        mpv="JHL:1997; 5FN:1999",
        truck="2HJ:2006-2014; 5FP:2017",
        models={
            "Accord": "JHM:1981-1982; 1HG:1983",
            "Civic": "JHM:1981-1987; 2HG:1988-2015; 19X:2016; SHH:2017-2021",
            "CR-V": "JHL:1997-2006; 5J6:2007; 2HK:2012",
            "Odyssey": "JHM:1995-1998; 5FN:1999",
            "Pilot": "2HK:2003-2005; 5FN:2006",
        },
    ),
    _profile("Acura", JP, "premium", "japanese", car="JH4:1986; 19U:2004", mpv="2HN:2001-2006; 5J8:2007"),
    _profile(
        "Nissan",
        JP,
        "mass",
        "japanese",
        car="JN1",
        mpv="JN8:1987",
        truck="JN6:1981-1997; 1N6:1983",
        models={
            "Altima": "1N4:1993",
            "Sentra": "JN1:1982-1999; 3N1:2000",
            "Maxima": "JN1:1981-2003; 1N4:2004",
            "Versa": "3N1:2007",
            "Pathfinder": "JN8:1987-2004; 5N1:2005",
            "Armada": "5N1:2004",
            "Quest": "4N2:1993-2002; 5N1:2004",
            "Rogue": "JN8:2008-2013; 5N1:2014",
            "Titan": "1N6:2004",
            "Frontier": "1N6:1998",
        },
    ),
    _profile("Datsun", JP, "mass", "japanese", car="JN1:1981-1986", truck="JN6:1981-1986"),
    _profile(
        "Infiniti", JP, "luxury", "japanese", car="JNK:1990", mpv="JNR:1997-2003; 5N3:2004-2010; JN8:2008"
    ),
    _profile(
        "Mazda",
        JP,
        "mass",
        "japanese",
        car="JM1; 1YV:1988-2012; 3MZ:2014",
        mpv="JM3:1989; 4F2:2001-2011",
        truck="JM2:1981-1993; 4F4:1994-2009",
    ),
    _profile("Subaru", JP, "mass", "japanese", car="JF1; 4S3:1990", mpv="JF2:1998; 4S4:2000"),
    _profile(
        "Mitsubishi",
        JP,
        "mass",
        "japanese",
        car="JA3:1983; 4A3:1989-2012",
        mpv="JA4:1983; 4A4:2004",
        truck="JA7:1983-1996",
    ),
    _profile(
        "Suzuki",
        JP,
        "mass",
        "japanese",
        car="JS2:1985; 2S2:1989-2001; KL5:2004-2008",
        mpv="JS3:1985; 2S3:1989",
    ),
    _profile("Daihatsu", JP, "mass", "japanese", car="JD1:1988-1992", mpv="JD2:1988-1992"),
    _profile(
        "Isuzu",
        JP,
        "mass",
        "japanese",
        car="JAA:1981-1993; J81:1985-1993",
        mpv="JAC:1984; 4S2:1991",
        truck="JAA:1981-1995",
    ),
    # Korea
    _profile(
        "Hyundai", KR, "mass", "generic", car="KMH:1986; 5NP:2006", mpv="KM8:2001; 5NM:2007", truck="5NT:2022"
    ),
    _profile("Kia", KR, "mass", "generic", car="KNA:1994; 5XX:2011", mpv="KND:1995; 5XY:2010"),
    _profile("Genesis", KR, "luxury", "generic", car="KMT:2017", mpv="KMU:2021"),
    _profile("Daewoo", KR, "mass", "generic", car="KLA:1999-2002"),
    # Germany
    _profile(
        "Volkswagen",
        DE,
        "mass",
        "vw",
        car="WVW; 1VW:1981-1988; 3VW:1989; 1VW:2012",
        mpv="WV2; WVG:2004; 1V2:2018",
        truck="WV1",
    ),
    _profile(
        "Audi",
        DE,
        "premium",
        "generic",
        car="WAU",
        mpv="WA1:2007",
        models={"TT": "TRU:2000", "R8": "WUA:2008", "RS 4": "WUA:2007"},
    ),
    _profile("Porsche", DE, "sports", "porsche", car="WP0", mpv="WP1:2003"),
    _profile(
        "BMW",
        DE,
        "premium",
        "generic",
        car="WBA",
        mpv="5UX:2000",
        models={
            "M3": "WBS:1988",
            "M5": "WBS:1988",
            "Z3": "4US:1996-2002",
            "Z4": "4US:2003-2008; WBA:2009",
            "X3": "WBX:2004-2010; 5UX:2011",
            "X1": "WBX:2013",
            "X2": "WBX:2018",
        },
    ),
    _profile(
        "Mercedes-Benz",
        DE,
        "luxury",
        "mercedes",
        car="WDB:1981-2007; WDD:2008-2019; W1K:2020",
        mpv="WDC; W1N:2020",
        models={
            "C-Class": "WDB:1994-2007; WDD:2008-2014; 55S:2015",
            "M-Class": "4JG:1998",
            "GL-Class": "4JG:2007",
            "GLE-Class": "4JG:2016",
            "GLS-Class": "4JG:2017",
            "Sprinter": "WD3:2010",
        },
    ),
    _profile("Smart", DE, "mass", "generic", car="WME:2008"),
    _profile("Maybach", DE, "exotic", "mercedes", car="WDB:2003-2012"),
    _profile("Merkur", DE, "premium", "generic", car="WF1:1985-1989"),
    _profile("Opel", DE, "mass", "generic", car="W0L"),
    # United Kingdom
    _profile("Jaguar", UK, "luxury", "british", car="SAJ", mpv="SAD:2017"),
    _profile("Land Rover", UK, "luxury", "british", mpv="SAL", truck="SAL"),
    _profile("Rover", UK, "premium", "british", car="SAR:1981-2005"),
    _profile("Sterling", UK, "premium", "british", car="SAX:1987-1991"),
    _profile("Triumph", UK, "sports", "british", car="SAT:1981-1984"),
    _profile("MG", UK, "sports", "british", car="SAR:1981-2005"),
    _profile("Austin", UK, "mass", "british", car="SAX:1981-1989"),
    _profile("Mini", UK, "premium", "british", car="SAX:1981-2000; WMW:2002", mpv="WMW:2011"),
    _profile("Lotus", UK, "sports", "british", car="SCC"),
    _profile("Morgan", UK, "sports", "british", car="SA9/004:1981"),
    _profile("Aston Martin", UK, "exotic", "british", car="SCF", mpv="SCF:2021"),
    _profile("Bentley", UK, "exotic", "british", car="SCB", mpv="SJA:2016"),
    _profile("Rolls-Royce", UK, "exotic", "british", car="SCA", mpv="SLA:2019"),
    _profile("McLaren", UK, "exotic", "british", car="SBM:2011"),
    *_plain(
        UK,
        "british",
        (
            ("Austin-Healey", "sports"),
            ("TVR", "sports"),
            ("Sunbeam", "mass"),
            ("Hillman", "mass"),
            ("Morris", "mass"),
            ("Riley", "mass"),
            ("Wolseley", "mass"),
            ("Jensen", "sports"),
            ("AC", "sports"),
        ),
    ),
    # Italy
    _profile("Ferrari", IT, "exotic", "generic", car="ZFF"),
    _profile("Lamborghini", IT, "exotic", "generic", car="ZA9/A12:1981-2003; ZHW:2004", mpv="ZPB:2019"),
    _profile("Maserati", IT, "luxury", "generic", car="ZAM", mpv="ZN6:2017"),
    _profile("Alfa Romeo", IT, "premium", "generic", car="ZAR", mpv="ZAS:2018"),
    _profile("Fiat", IT, "mass", "generic", car="ZFA; 3C3:2012", mpv="ZFB:2016"),
    _profile("Lancia", IT, "premium", "generic", car="ZLA"),
    _profile("De Tomaso", IT, "exotic", "generic"),
    _profile("Iso", IT, "exotic", "generic"),
    _profile("Facel Vega", FR, "exotic", "generic"),
    # France, Sweden and others
    _profile("Peugeot", FR, "mass", "generic", car="VF3"),
    _profile("Renault", FR, "mass", "generic", car="VF1"),
    _profile("Citroen", FR, "mass", "generic", car="VF7"),
    _profile("Bugatti", FR, "exotic", "generic", car="ZA9/D39:1991-1995; VF9/795:2005"),
    _profile("Volvo", SE, "premium", "generic", car="YV1; LVY:2017; 7JR:2019", mpv="YV1; YV4:2003"),
    _profile("Saab", SE, "premium", "generic", car="YS3:1981-2012", mpv="5S3:2005-2009"),
    _profile("Polestar", SE, "premium", "generic", car="LPS:2020", mpv="YSM:2024"),
    _profile("Yugo", "Serbia", "mass", "generic", car="VX1:1985-1992"),
)

# Other spellings people and data sources use for the same marque.
ALIASES: Final[dict[str, str]] = {
    "chevy": "Chevrolet",
    "vw": "Volkswagen",
    "mercedes": "Mercedes-Benz",
    "mercedesbenz": "Mercedes-Benz",
    "benz": "Mercedes-Benz",
    "americanmotors": "AMC",
    "amcjeep": "Jeep",
    "landrover": "Land Rover",
    "rangerover": "Land Rover",
    "rollsroyce": "Rolls-Royce",
    "astonmartin": "Aston Martin",
    "austinhealey": "Austin-Healey",
    "alfaromeo": "Alfa Romeo",
    "alfa": "Alfa Romeo",
    "detomaso": "De Tomaso",
    "piercearrow": "Pierce-Arrow",
    "internationalharvester": "International Harvester",
    "international": "International Harvester",
    "ih": "International Harvester",
    "generalmotors": "Chevrolet",
    "gm": "Chevrolet",
    "chryslerimperial": "Imperial",
    "nissandatsun": "Datsun",
    "datsunnissan": "Datsun",
    "minicooper": "Mini",
    "bmc": "Austin",
    "britishleyland": "Austin",
    "ramtrucks": "Ram",
    "dodgeram": "Ram",
    "teslamotors": "Tesla",
    "lucidmotors": "Lucid",
    "mg": "MG",
    "mgrover": "MG",
}

_BY_KEY: Final[dict[str, ManufacturerProfile]] = {normalise(each.name): each for each in PROFILES}
_BY_KEY.update({alias: _BY_KEY[normalise(target)] for alias, target in ALIASES.items()})


def known_profile(manufacturer: str) -> ManufacturerProfile | None:
    """The table entry for a manufacturer name, tolerant of spelling: exact key,
    then without corporate words ('Ford Motor Company'), then the first word
    ('Chevrolet Division of GM')."""
    key = normalise(manufacturer)
    found = _BY_KEY.get(key) or _BY_KEY.get(without_corporate_words(manufacturer))
    if found is None:
        first_word = next(iter(manufacturer.replace("-", " ").split()), "")
        found = _BY_KEY.get(normalise(first_word))
    return found


@functools.lru_cache(maxsize=1024)
def profile_for(manufacturer: str) -> ManufacturerProfile:
    """The known profile, or a synthetic one that claims no real WMI: a maker
    this table does not know gets generic numbering and, from 1981, a WMI made
    up in the United States range (see wmi.synthetic_wmi)."""
    found = known_profile(manufacturer)
    if found is not None:
        return found
    return ManufacturerProfile(
        name=manufacturer.strip() or "Unknown",
        country=US,
        market="mass",
        legacy="generic",
        rules=(),
        synthetic=True,
    )

"""The five condition classes of the collector market and what follows from each.

Shares are the original backend's (5/15/35/30/15 %). A class fixes the band of
its numeric rating (1.0-5.0; rounding it gives the old backend's integer grade),
the mileage band inside the contract's 5,000-12,000 (docs/vin.md) miles per year of age (cared-for
cars were driven less), how many factory options survive and from which list,
how often the numbers match, how often the odometer is documented, how long
ago it was serviced, the title brands seen, and the value multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from datasources.vin.random_source import WeightedTable

ConditionName = Literal["Concours", "Excellent", "Good", "Fair", "Project"]
OptionPool = Literal["full", "basic"]

MIN_MILES_PER_YEAR: Final = 5_000
MAX_MILES_PER_YEAR: Final = 12_000


@dataclass(frozen=True, slots=True)
class ConditionClass:
    name: ConditionName
    share: float
    grade: int
    rating_tenths: tuple[int, int]
    miles_per_year: tuple[int, int]
    option_count: tuple[int, int]
    option_pool: OptionPool
    matching_numbers: float
    mileage_verified: float
    value_factor: float
    service_days: tuple[int, int]  # how long before the reference date it was last serviced
    titles: WeightedTable[str]


def _titles(
    clean: float, rebuilt: float, salvage: float, bonded: float, bill_of_sale: float
) -> WeightedTable[str]:
    pairs = (
        ("Clean", clean),
        ("Rebuilt", rebuilt),
        ("Salvage", salvage),
        ("Bonded", bonded),
        ("Bill of Sale", bill_of_sale),
    )
    return WeightedTable([(name, weight) for name, weight in pairs if weight > 0])


CONDITIONS: Final[tuple[ConditionClass, ...]] = (
    ConditionClass(
        name="Concours",
        share=0.05,
        grade=5,
        rating_tenths=(45, 50),
        miles_per_year=(5_000, 7_000),
        option_count=(5, 8),
        option_pool="full",
        matching_numbers=0.95,
        mileage_verified=0.95,
        value_factor=1.6,
        service_days=(0, 365),
        titles=_titles(98, 2, 0, 0, 0),
    ),
    ConditionClass(
        name="Excellent",
        share=0.15,
        grade=4,
        rating_tenths=(35, 44),
        miles_per_year=(5_000, 8_500),
        option_count=(4, 7),
        option_pool="full",
        matching_numbers=0.80,
        mileage_verified=0.90,
        value_factor=1.25,
        service_days=(0, 365),
        titles=_titles(95, 4, 1, 0, 0),
    ),
    ConditionClass(
        name="Good",
        share=0.35,
        grade=3,
        rating_tenths=(25, 34),
        miles_per_year=(6_000, 10_500),
        option_count=(2, 5),
        option_pool="full",
        matching_numbers=0.55,
        mileage_verified=0.80,
        value_factor=0.9,
        service_days=(0, 540),
        titles=_titles(90, 6, 2, 1, 1),
    ),
    ConditionClass(
        name="Fair",
        share=0.30,
        grade=2,
        rating_tenths=(15, 24),
        miles_per_year=(7_000, 12_000),
        option_count=(1, 4),
        option_pool="basic",
        matching_numbers=0.35,
        mileage_verified=0.70,
        value_factor=0.6,
        service_days=(30, 900),
        titles=_titles(80, 10, 5, 3, 2),
    ),
    ConditionClass(
        name="Project",
        share=0.15,
        grade=1,
        rating_tenths=(10, 14),
        miles_per_year=(8_000, 12_000),
        option_count=(0, 3),
        option_pool="basic",
        matching_numbers=0.20,
        mileage_verified=0.55,
        value_factor=0.3,
        service_days=(180, 3650),
        titles=_titles(60, 8, 14, 8, 10),
    ),
)

CONDITION_TABLE: Final = WeightedTable([(each, each.share) for each in CONDITIONS])

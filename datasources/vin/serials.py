"""Serial numbers that cannot repeat within one vehicle and rarely meet another's.

A serial range is cut into INSTANCES equal stripes; instance i of every vehicle
lives in stripe i, so two instances of one vehicle never share a serial. Inside
a stripe the vehicle's offset is a random block (a draw from its stream) times
SOURCE_SLOTS plus its data source's slot: the catalog's records of one make,
model, year and body differ only by data source, share every other VIN
position, and so can never share a serial. Any other pair of vehicles would
have to agree on every VIN position and draw the same block, which the
catalog-wide uniqueness test checks never happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

INSTANCES: Final = 20
SOURCE_SLOTS: Final = 8
# The data sources of the unified index (datasources.catalog.dataset); any other shares the last two slots.
KNOWN_SOURCES: Final[dict[str, int]] = {
    "nhtsa_vpic": 0,
    "epa_fueleconomy": 1,
    "nhtsa_recalls": 2,
    "hagerty_valuation": 3,
    "classic_registry": 4,
    "auction_results": 5,
}


@dataclass(frozen=True, slots=True)
class SerialPlan:
    first: int  # instance 0's serial
    stripe: int

    def serial(self, index: int) -> int:
        return self.first + index * self.stripe


def source_slot(data_source: str) -> int:
    known = KNOWN_SOURCES.get(data_source)
    if known is not None:
        return known
    return len(KNOWN_SOURCES) + sum(data_source.encode("utf-8")) % (SOURCE_SLOTS - len(KNOWN_SOURCES))


def serial_plan(*, offset_draw: int, slot: int, low: int, high: int) -> SerialPlan:
    """Serials in [low, high]; `offset_draw` is a 32-bit draw of the vehicle, `slot` its source's slot."""
    stripe = (high - low + 1) // INSTANCES
    blocks = stripe // SOURCE_SLOTS
    return SerialPlan(first=low + ((offset_draw * blocks) >> 32) * SOURCE_SLOTS + slot, stripe=stripe)

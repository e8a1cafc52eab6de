"""Deterministic VIN instances of a vehicle record, and a decoder for any VIN.

See docs/vin.md for the formats, the distributions and the reference date.
"""

from __future__ import annotations

from datasources.vin.decoder import VinDecoding, decode_vin
from datasources.vin.generator import MAX_INSTANCES, MIN_INSTANCES, generate_instances
from datasources.vin.instance import VinInstance
from datasources.vin.reference import REFERENCE_DATE, REFERENCE_YEAR

__all__ = [
    "MAX_INSTANCES",
    "MIN_INSTANCES",
    "REFERENCE_DATE",
    "REFERENCE_YEAR",
    "VinDecoding",
    "VinInstance",
    "decode_vin",
    "generate_instances",
]

"""The fixed 'today' of generated instances.

Ages, mileages and service dates are computed against this date rather than the
clock, so a vehicle's instances are the same today, next year and in any
replica; moving it is a deliberate change that alters every instance.
"""

from __future__ import annotations

from datetime import date
from typing import Final

REFERENCE_YEAR: Final = 2025
REFERENCE_DATE: Final = date(2025, 7, 1)


def age_in_years(model_year: int) -> int:
    """Years of use; a current or next-year model counts as one, so every car has some mileage."""
    return max(1, REFERENCE_YEAR - model_year)

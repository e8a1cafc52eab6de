"""One generated example of a vehicle: what a VIN lookup of a real car would show."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class VinInstance:
    index: int  # 0-based position among the vehicle's instances
    vin: str
    vin_format: str  # "ISO 3779" from model year 1981, else the historic format's name
    condition: str  # Concours, Excellent, Good, Fair or Project
    condition_rating: float  # 1.0-5.0; rounding half up gives the old backend's integer grade
    mileage: int
    mileage_verified: bool
    state: str  # USPS code of the registration state
    registration_status: str  # Active, Historic or Non-Operational
    title_status: str  # Clean, Rebuilt, Salvage, Bonded or Bill of Sale
    exterior_color: str
    interior_color: str
    engine: str
    transmission: str
    drivetrain: str  # RWD, FWD, AWD or 4WD
    options: tuple[str, ...]
    matching_numbers: bool
    previous_owners: int
    last_service_date: date
    assembly_plant: str
    estimated_value: int  # US dollars, 2025

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, options as a list."""
        data = asdict(self)
        data["options"] = list(self.options)
        data["last_service_date"] = self.last_service_date.isoformat()
        return data

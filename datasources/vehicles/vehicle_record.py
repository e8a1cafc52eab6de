"""One vehicle record as stored in the autos-unified index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    vehicle_id: str
    manufacturer: str
    model: str
    year: int
    body_class: str
    data_source: str
    instance_count: int
    make_model_year: str

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, source: Mapping[str, Any]) -> VehicleRecord:
        return cls(
            vehicle_id=str(source["vehicle_id"]),
            manufacturer=str(source["manufacturer"]),
            model=str(source["model"]),
            year=int(source["year"]),
            body_class=str(source["body_class"]),
            data_source=str(source["data_source"]),
            instance_count=int(source["instance_count"]),
            make_model_year=str(source["make_model_year"]),
        )


def make_model_year(manufacturer: str, model: str, year: int) -> str:
    """The denormalised key the old backend grouped by: 'Ford|Mustang|1965'."""
    return f"{manufacturer}|{model}|{year}"

"""GraphQL inputs and enums, and their conversion to the operations' types."""

from __future__ import annotations

from enum import Enum

import strawberry

from datasources.vehicle_filter import MakeModel, SortDirection, SortField, SortOrder, VehicleFilter


@strawberry.enum(description="What vehicles can be sorted by.")
class VehicleSortField(Enum):
    MANUFACTURER = "MANUFACTURER"
    MODEL = "MODEL"
    YEAR = "YEAR"
    BODY_CLASS = "BODY_CLASS"
    INSTANCE_COUNT = "INSTANCE_COUNT"
    DATA_SOURCE = "DATA_SOURCE"


@strawberry.enum
class SortOrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="One sort key; vehicle id is always the final tiebreak.")
class VehicleSort:
    field: VehicleSortField
    direction: SortOrderDirection = SortOrderDirection.ASC

    def to_order(self) -> SortOrder:
        return SortOrder(field=SortField[self.field.value], direction=SortDirection[self.direction.value])


@strawberry.input(description="An exact manufacturer and model pair (case-insensitive).")
class ManufacturerModelInput:
    manufacturer: str
    model: str


@strawberry.input(
    name="VehicleFilter", description="All given conditions must hold; `models` pairs are alternatives."
)
class VehicleFilterInput:
    models: list[ManufacturerModelInput] | None = strawberry.field(
        default=None, description="Any of these manufacturer+model pairs."
    )
    manufacturer: str | None = strawberry.field(
        default=None, description="Manufacturer, exact or word prefix, case-insensitive ('merc')."
    )
    model: str | None = strawberry.field(default=None, description="Model, exact or word prefix.")
    search: str | None = strawberry.field(
        default=None, description="Free text over manufacturer and model; tolerates typos ('mustnag')."
    )
    year_min: int | None = None
    year_max: int | None = None
    body_classes: list[str] | None = None
    data_sources: list[str] | None = None

    def to_filter(self) -> VehicleFilter:
        return VehicleFilter(
            models=tuple(MakeModel(manufacturer=m.manufacturer, model=m.model) for m in self.models or ()),
            manufacturer=self.manufacturer,
            model=self.model,
            search=self.search,
            year_min=self.year_min,
            year_max=self.year_max,
            body_classes=tuple(self.body_classes or ()),
            data_sources=tuple(self.data_sources or ()),
        )


def to_filter(value: VehicleFilterInput | None) -> VehicleFilter | None:
    return value.to_filter() if value is not None else None


def to_orders(values: list[VehicleSort] | None) -> tuple[SortOrder, ...]:
    return tuple(v.to_order() for v in values or ())

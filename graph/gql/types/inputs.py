"""GraphQL inputs and enums, and their conversion to the operations' types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types import get_object_definition
from strawberry.types.arguments import InputContext

from datasources.vehicles.vehicle_filter import MakeModel, SortDirection, SortField, SortOrder, VehicleFilter


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
        default=None,
        description=(
            "Manufacturer, case-insensitive: exact, word prefix ('merc'), or from 3 characters "
            "anywhere inside the name ('vrolet')."
        ),
    )
    model: str | None = strawberry.field(
        default=None,
        description=(
            "Model, case-insensitive: exact, word prefix, or from 3 characters "
            "anywhere inside the name ('stang')."
        ),
    )
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Free text over manufacturer and model; tolerates typos ('mustnag') and, from 3 characters, "
            "matches inside names ('vette')."
        ),
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


# Strawberry converts an input value field by field and resolves each field's
# annotation again on every request, which costs more than the rest of a
# search's GraphQL work (docs/cold-path.md). These inputs are flat and fixed, so each one builds itself from
# graphql-core's coerced value (GraphQL field names, enums already members,
# published defaults filled in) through `from_input`, the hook Strawberry's
# object definitions offer for this. tests/unit/test_input_builders.py holds
# them equal to Strawberry's own conversion.
InputT = TypeVar("InputT")
InputBuilder = Callable[[type[InputT], Mapping[str, Any], InputContext], InputT]


def _optional_list(value: Any) -> list[Any] | None:
    # Copied: graphql-core hands every request the same default list object.
    return None if value is None else list(value)


def _build_model_pair(
    cls: type[ManufacturerModelInput], value: Mapping[str, Any], _: InputContext
) -> ManufacturerModelInput:
    return cls(manufacturer=value["manufacturer"], model=value["model"])


def _build_sort(cls: type[VehicleSort], value: Mapping[str, Any], _: InputContext) -> VehicleSort:
    return cls(field=value["field"], direction=value.get("direction", SortOrderDirection.ASC))


def _build_filter(
    cls: type[VehicleFilterInput], value: Mapping[str, Any], context: InputContext
) -> VehicleFilterInput:
    models = value.get("models")
    return cls(
        models=None
        if models is None
        else [_build_model_pair(ManufacturerModelInput, pair, context) for pair in models],
        manufacturer=value.get("manufacturer"),
        model=value.get("model"),
        search=value.get("search"),
        year_min=value.get("yearMin"),
        year_max=value.get("yearMax"),
        body_classes=_optional_list(value.get("bodyClasses")),
        data_sources=_optional_list(value.get("dataSources")),
    )


def _install(cls: type[InputT], build: InputBuilder[InputT]) -> None:
    get_object_definition(cls, strict=True).from_input = build


_install(ManufacturerModelInput, _build_model_pair)
_install(VehicleSort, _build_sort)
_install(VehicleFilterInput, _build_filter)


def to_filter(value: VehicleFilterInput | None) -> VehicleFilter | None:
    return value.to_filter() if value is not None else None


def to_orders(values: list[VehicleSort] | None) -> tuple[SortOrder, ...]:
    return tuple(v.to_order() for v in values or ())

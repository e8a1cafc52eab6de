"""Vehicles, manufacturer groups and their connections.

Types only convert records (`from_record`) and delegate every field with
arguments to an operation in `resolvers/`. `resolve_reference` is how the
federation subgraph (graph/gql/federation/) resolves an entity by its key.
"""

from __future__ import annotations

from typing import Any

import strawberry

from datasources.vehicles.vehicle_record import VehicleRecord
from datasources.vehicles.vehicle_store import ManufacturerAggregate, ModelAggregate
from graph.gql.context import Info
from graph.gql.types.inputs import VehicleFilterInput, to_filter
from graph.gql.types.node import Node
from graph.gql.types.vin import VinInstance
from resolvers import entities, groups, instances
from resolvers.global_ids import to_global_id
from resolvers.nodes import NodeRecord
from resolvers.pagination import Page
from resolvers.vehicles import VehiclePage


@strawberry.type(description="Relay's page information of a connection.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = strawberry.field(
        description="True when the page was asked for after a cursor (forward pagination only)."
    )
    start_cursor: str | None

    @classmethod
    def from_page(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
        )


@strawberry.type(description="One vehicle record: a manufacturer, model, year, body class and data source.")
class Vehicle(Node):
    vehicle_id: str = strawberry.field(
        description="The record's own id, as the REST v1 endpoints take it (`vehicle(id:)` accepts it too)."
    )
    manufacturer: str
    model: str
    year: int
    body_class: str
    data_source: str
    instance_count: int = strawberry.field(description="How many real cars of this record are known.")
    make_model_year: str
    record: strawberry.Private[VehicleRecord]

    @classmethod
    def from_record(cls, record: VehicleRecord) -> Vehicle:
        return cls(
            id=strawberry.ID(to_global_id("Vehicle", record.vehicle_id)),
            vehicle_id=record.vehicle_id,
            manufacturer=record.manufacturer,
            model=record.model,
            year=record.year,
            body_class=record.body_class,
            data_source=record.data_source,
            instance_count=record.instance_count,
            make_model_year=record.make_model_year,
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: object) -> Vehicle:
        return cls.from_record(
            await entities.vehicle_entity(scope=info.context.data, representation=representation)
        )

    @strawberry.field(
        description="Example cars of this record with VINs (1-20); computed only when selected, never stored."
    )
    def instances(self, count: int | None = 8) -> list[VinInstance]:
        return [
            VinInstance.from_instance(i, record=self.record)
            for i in instances.vehicle_instances(record=self.record, count=count)
        ]

    @strawberry.field(description="The manufacturer's group (batched across vehicles).")
    def group(self, info: Info) -> ManufacturerModelGroup:
        # Nearly always held by the process: answered now, without a coroutine and a loader
        # future per vehicle (a page of vehicles with their groups completes without awaiting).
        held = groups.held_group_of(scope=info.context.data, record=self.record)
        if held is not None:
            return ManufacturerModelGroup.from_aggregate(held)
        # Otherwise through the loader; graphql-core awaits what a resolver returns when it
        # is awaitable (tests/integration/test_vehicle_group.py covers both ways).
        return self._loaded_group(info)  # type: ignore[return-value]

    async def _loaded_group(self, info: Info) -> ManufacturerModelGroup:
        return ManufacturerModelGroup.from_aggregate(
            await groups.group_of(scope=info.context.data, record=self.record)
        )

    @strawberry.field(description="One vehicle for each other model year of the same manufacturer and model.")
    async def other_years(self, info: Info, first: int | None = 10) -> list[Vehicle]:
        records = await groups.other_years(scope=info.context.data, record=self.record, first=first)
        return [Vehicle.from_record(r) for r in records]


@strawberry.type
class VehicleEdge:
    cursor: str
    node: Vehicle


@strawberry.type
class VehicleConnection:
    total_count: int
    page_info: PageInfo
    edges: list[VehicleEdge]
    nodes: list[Vehicle]

    @classmethod
    def from_page(cls, page: VehiclePage) -> VehicleConnection:
        edges = [VehicleEdge(cursor=e.cursor, node=Vehicle.from_record(e.node)) for e in page.edges]
        return cls(
            total_count=page.total,
            page_info=PageInfo.from_page(page),
            edges=edges,
            nodes=[edge.node for edge in edges],
        )


@strawberry.type
class ModelCount:
    model: str
    count: int
    year_min: int
    year_max: int

    @classmethod
    def from_aggregate(cls, aggregate: ModelAggregate) -> ModelCount:
        return cls(
            model=aggregate.model,
            count=aggregate.count,
            year_min=aggregate.year_min,
            year_max=aggregate.year_max,
        )


# A held aggregation's groups are shared by every request that reads it (a decoded
# value lives until its Redis entry expires), so their model lists are built once per
# group object, not per request: `models` is then a plain attribute, and a picker's
# page completes through one completion plan (graph/gql/execution/) instead of the
# executor's field by field path. Keyed by identity, each entry keeping its group
# alive so that an id is never reused while it is a key; emptied when the lists kept
# pass MAX_KEPT_MODELS models (a few MB: about 200 bytes a model).
MAX_KEPT_MODELS = 20_000
_model_lists: dict[int, tuple[ManufacturerAggregate, list[ModelCount]]] = {}
_kept_models = 0


def model_counts(aggregate: ManufacturerAggregate) -> list[ModelCount]:
    global _kept_models
    kept = _model_lists.get(id(aggregate))
    if kept is not None and kept[0] is aggregate:
        return kept[1]
    counts = [ModelCount.from_aggregate(m) for m in aggregate.models]
    if _kept_models + len(counts) > MAX_KEPT_MODELS:
        _model_lists.clear()
        _kept_models = 0
    _model_lists[id(aggregate)] = (aggregate, counts)
    _kept_models += len(counts)
    return counts


@strawberry.type(description="A manufacturer with its models and their counts.")
class ManufacturerModelGroup(Node):
    manufacturer: str
    count: int
    models: list[ModelCount] = strawberry.field(
        description="The manufacturer's models with their counts and year spans."
    )
    aggregate: strawberry.Private[ManufacturerAggregate]

    @classmethod
    def from_aggregate(cls, aggregate: ManufacturerAggregate) -> ManufacturerModelGroup:
        return cls(
            id=strawberry.ID(to_global_id("ManufacturerModelGroup", aggregate.manufacturer)),
            manufacturer=aggregate.manufacturer,
            count=aggregate.count,
            models=model_counts(aggregate),
            aggregate=aggregate,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: object) -> ManufacturerModelGroup:
        return cls.from_aggregate(
            await entities.group_entity(scope=info.context.data, representation=representation)
        )

    @strawberry.field(description="The group's first vehicles (batched across groups).")
    async def vehicles(
        self, info: Info, first: int | None = 10, filter: VehicleFilterInput | None = None
    ) -> VehicleConnection:
        page = await groups.group_vehicles(
            scope=info.context.data, group=self.aggregate, first=first, vehicle_filter=to_filter(filter)
        )
        return VehicleConnection.from_page(page)


@strawberry.type
class ManufacturerModelGroupEdge:
    cursor: str
    node: ManufacturerModelGroup


@strawberry.type
class ManufacturerModelGroupConnection:
    total_count: int
    page_info: PageInfo
    edges: list[ManufacturerModelGroupEdge]
    nodes: list[ManufacturerModelGroup]

    @classmethod
    def from_page(cls, page: groups.GroupPage) -> ManufacturerModelGroupConnection:
        edges = [
            ManufacturerModelGroupEdge(cursor=e.cursor, node=ManufacturerModelGroup.from_aggregate(e.node))
            for e in page.edges
        ]
        return cls(
            total_count=page.total,
            page_info=PageInfo.from_page(page),
            edges=edges,
            nodes=[edge.node for edge in edges],
        )


def to_node(record: NodeRecord | None) -> Vehicle | ManufacturerModelGroup | None:
    if record is None:
        return None
    if isinstance(record, VehicleRecord):
        return Vehicle.from_record(record)
    return ManufacturerModelGroup.from_aggregate(record)

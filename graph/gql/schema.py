"""The GraphQL schema: the Query root and the types it reaches."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.gql.context import Info
from graph.gql.cost.table import annotate as annotate_cost
from graph.gql.types.catalog import (
    ManufacturerModelGroup,
    ManufacturerModelGroupConnection,
    Vehicle,
    VehicleConnection,
    to_node,
)
from graph.gql.types.facets import VehicleFacets
from graph.gql.types.inputs import VehicleFilterInput, VehicleSort, to_filter, to_orders
from graph.gql.types.node import Node
from graph.gql.types.releases import Subscription
from graph.gql.types.vin import VinDecoding
from resolvers import facets as facet_resolvers
from resolvers import groups, instances, nodes, vehicles


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id (Relay), or null when there is none.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return to_node(await nodes.node(scope=info.context.data, global_id=str(id)))

    @strawberry.field(description="Objects by global id in the order asked (null for unknown ids); batched.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        records = await nodes.nodes(scope=info.context.data, ids=[str(i) for i in ids])
        return [to_node(r) for r in records]

    @strawberry.field(
        description="One vehicle by its global id or its vehicleId, or null when there is none."
    )
    async def vehicle(self, info: Info, id: strawberry.ID) -> Vehicle | None:
        record = await vehicles.vehicle(scope=info.context.data, vehicle_id=str(id))
        return Vehicle.from_record(record) if record else None

    @strawberry.field(
        description="Vehicles by global id or vehicleId, in the order asked (null when unknown); one lookup."
    )
    async def vehicles_by_ids(self, info: Info, ids: list[strawberry.ID]) -> list[Vehicle | None]:
        records = await vehicles.vehicles_by_ids(scope=info.context.data, ids=[str(i) for i in ids])
        return [Vehicle.from_record(r) if r else None for r in records]

    @strawberry.field(
        description="Search, filter and sort vehicles; cursor pagination without a depth limit."
    )
    async def vehicles(
        self,
        info: Info,
        filter: VehicleFilterInput | None = None,
        sort: list[VehicleSort] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> VehicleConnection:
        page = await vehicles.search_vehicles(
            scope=info.context.data,
            vehicle_filter=to_filter(filter),
            sort=to_orders(sort),
            first=first,
            after=after,
        )
        return VehicleConnection.from_page(page)

    @strawberry.field(
        description="Manufacturers with their models and counts (cached for CACHE_TTL_SECONDS)."
    )
    async def manufacturer_model_combinations(
        self, info: Info, search: str | None = None, first: int | None = 50, after: str | None = None
    ) -> ManufacturerModelGroupConnection:
        page = await groups.manufacturer_model_combinations(
            scope=info.context.data, search=search, first=first, after=after
        )
        return ManufacturerModelGroupConnection.from_page(page)

    @strawberry.field(description="One manufacturer's group by name (case-insensitive), or null.")
    async def manufacturer(self, info: Info, name: str) -> ManufacturerModelGroup | None:
        group = await groups.manufacturer(scope=info.context.data, name=name)
        return ManufacturerModelGroup.from_aggregate(group) if group else None

    @strawberry.field(description="Counts by manufacturer, body class, data source and decade (cached).")
    async def facets(self, info: Info, filter: VehicleFilterInput | None = None) -> VehicleFacets:
        counts = await facet_resolvers.facets(scope=info.context.data, vehicle_filter=to_filter(filter))
        return VehicleFacets.from_counts(counts)

    @strawberry.field(description="Validate and decode any VIN: check digit, maker, country, model year.")
    def decode_vin(self, vin: str) -> VinDecoding:
        return VinDecoding.from_decoding(instances.decode(vin=vin))


# The types whose fields the cost table names (graph/gql/cost/table.py).
COSTED_TYPES = (Query, Vehicle, ManufacturerModelGroup, VehicleFacets)


def build_schema() -> strawberry.Schema:
    """The schema Strawberry builds from the types; graph/gql/pipeline.py executes against it.

    Strawberry's incremental execution option declares `@defer` and `@stream` (graph/gql/incremental.py).
    """
    annotate_cost(COSTED_TYPES)
    config = StrawberryConfig(enable_experimental_incremental_execution=True)
    return strawberry.Schema(
        query=Query, subscription=Subscription, types=[Vehicle, ManufacturerModelGroup], config=config
    )

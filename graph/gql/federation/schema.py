"""The catalog as a Federation 2 subgraph: the direct clients' schema, entity keys, `_service`, `_entities`.

Served instead of the direct clients' schema when FEDERATION is on: the
subgraph adds root fields and types that direct clients would see in
introspection, so it is a setting, and schema.graphql stays the direct
clients' schema (docs/federation.md). `_entities` resolves each type through
its `resolve_reference` (graph/gql/types/catalog.py), so vehicles come
through the request's by-id loader: one `mget` for any number of them.
"""

from __future__ import annotations

import strawberry

from graph.compat.strawberry import federation_schema
from graph.gql.cost.table import unannotated
from graph.gql.schema import COSTED_TYPES, Query
from graph.gql.types.catalog import ManufacturerModelGroup, PageInfo, Vehicle
from graph.gql.types.node import Node
from resolvers.entities import ENTITY_KEYS, check_representations

# The oldest Federation 2 version with everything the subgraph declares (entity interfaces
# came in 2.3): the widest choice of routers, and no change when Strawberry's default moves.
FEDERATION_VERSION = "2.3"


def build_subgraph_schema() -> strawberry.Schema:
    # Federation 2.3 links no cost specification: the subgraph's SDL shows no @cost/@listSize,
    # whether or not the direct clients' schema was built first (its limits still count them).
    with unannotated(COSTED_TYPES):
        return federation_schema(
            query=Query,
            types=[Vehicle, ManufacturerModelGroup],
            keys={entity: ENTITY_KEYS[entity.__name__] for entity in (Vehicle, ManufacturerModelGroup, Node)},
            # Every subgraph with Relay connections defines PageInfo; shared, they compose.
            shareable=[PageInfo],
            check_representations=check_representations,
            version=FEDERATION_VERSION,
        )


def subgraph_sdl() -> str:
    """The SDL the subgraph serves as `_service { sdl }`, for `autos-graph schema export --federation`."""
    return build_subgraph_schema().as_str() + "\n"

"""Relay's Global Object Identification: the `Node` interface.

In the federation subgraph it is also an entity interface (`@key(fields: "id")`),
resolved by `resolve_reference` to the vehicle or group its id names.
"""

from __future__ import annotations

import strawberry

from graph.gql.context import Info
from resolvers import entities


@strawberry.interface(
    description=(
        "An object with a global id, refetchable with `node(id:)`. Ids are opaque: "
        "base64 of `<Type>:<key>`, unique across types."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description="The global id, unique across every type.")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: object) -> Node:
        # The types implementing Node import this module: theirs is imported when first used.
        from graph.gql.types.catalog import to_node

        record = await entities.node_entity(scope=info.context.data, representation=representation)
        node = to_node(record)
        assert node is not None
        return node

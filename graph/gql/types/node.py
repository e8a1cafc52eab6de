"""Relay's Global Object Identification: the `Node` interface."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description=(
        "An object with a global id, refetchable with `node(id:)`. Ids are opaque: "
        "base64 of `<Type>:<key>`, unique across types."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description="The global id, unique across every type.")

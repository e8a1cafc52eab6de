"""The graphql-core schema under a Strawberry schema, for tests that inspect types and arguments.

Strawberry keeps it in a private attribute and offers no public accessor; this
is the one place the tests reach for it, and tests/unit/test_strawberry_schema.py
fails loudly when an upgrade moves or changes it.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLSchema


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    core = schema._schema
    if not isinstance(core, GraphQLSchema):
        raise TypeError(f"Strawberry's schema no longer holds a graphql-core schema in _schema: {core!r}")
    return core

"""Pins the one private Strawberry attribute the tests use (tests/support/strawberry_schema.py)."""

from __future__ import annotations

from graphql import build_schema as build_from_sdl

from graph.gql.schema import build_schema
from tests.support.strawberry_schema import core_schema


def test_the_core_schema_is_the_one_strawberry_prints() -> None:
    schema = build_schema()
    core = core_schema(schema)
    printed = build_from_sdl(schema.as_str())
    assert core.query_type is not None
    assert core.query_type.name == "Query"
    assert set(core.type_map) == set(printed.type_map)
    assert set(core.query_type.fields) == set(printed.type_map["Query"].fields)  # type: ignore[attr-defined]
    # Strawberry's own field definitions hang off the graphql-core fields the tests read.
    vehicles = core.query_type.fields["vehicles"]
    assert "strawberry-definition" in vehicles.extensions

"""What graph/compat/strawberry.py takes from Strawberry beyond its documented API.

Each test fails when an upgrade changes one of those names: graphql-core's
schema behind Strawberry's, the execution context class and awaitable check
Strawberry runs graphql-core with, the rules its validation adds, where it
keeps its definitions, and the resolver it generates for attribute fields.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    execute,
    parse,
    specified_rules,
)
from graphql import build_schema as build_from_sdl
from graphql.execution import Executor
from strawberry.types import get_object_definition
from strawberry.types.field import StrawberryField

from graph.compat.strawberry import (
    DEFINITION_KEY,
    VALIDATION_RULES,
    ExecutionContext,
    graphql_schema,
    is_awaitable,
    plain_attribute,
    plain_object_class,
)
from graph.gql.schema import build_schema
from graph.gql.types.catalog import Vehicle
from tests.support.benchmark_operations import PICKER

SCHEMA = build_schema()
CORE = graphql_schema(SCHEMA)


def object_type(name: str) -> GraphQLObjectType:
    found = CORE.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


def test_graphql_schema_is_the_graphql_core_schema_strawberry_prints() -> None:
    # Fails loudly if Strawberry stops keeping graphql-core's schema as `_schema`.
    assert isinstance(CORE, GraphQLSchema)
    assert graphql_schema(SCHEMA) is CORE
    printed = build_from_sdl(SCHEMA.as_str())
    assert CORE.query_type is not None
    assert CORE.query_type.name == "Query"
    assert set(CORE.type_map) == set(printed.type_map)
    printed_query = printed.type_map["Query"]
    assert isinstance(printed_query, GraphQLObjectType)
    assert set(CORE.query_type.fields) == set(printed_query.fields)


def test_the_execution_context_is_a_graphql_core_executor() -> None:
    assert issubclass(ExecutionContext, Executor)


def test_resolvers_get_plain_coerced_variables_through_the_execution_context() -> None:
    seen: list[Any] = []
    schema = build_from_sdl("type Query { echo(n: Int): Int }")
    assert schema.query_type is not None

    def echo(_root: object, info: GraphQLResolveInfo[Any], n: int) -> int:
        seen.append(info.variable_values)
        return n

    schema.query_type.fields["echo"].resolve = echo
    document = parse("query ($n: Int = 5) { echo(n: $n) }")
    assert execute(schema, document, executor_class=ExecutionContext).data == {"echo": 5}  # type: ignore[union-attr]
    assert type(seen[0]) is dict
    assert seen[0] == {"n": 5}  # coerced: the default filled in
    # graphql-core's own executor hands its container instead: this is what the class is for.
    assert execute(schema, document).data == {"echo": 5}  # type: ignore[union-attr]
    assert type(seen[1]) is not dict


def test_is_awaitable_recognises_awaitables_and_refuses_plain_values() -> None:
    async def later() -> int:
        return 1

    assert callable(is_awaitable)
    coroutine = later()
    try:
        assert is_awaitable(coroutine) is True
    finally:
        coroutine.close()
    loop = asyncio.new_event_loop()
    try:
        future: Awaitable[int] = loop.create_future()
        assert is_awaitable(future) is True
    finally:
        loop.close()
    for value in (1, "x", None, [later], {"a": 1}, 2.5):
        assert is_awaitable(value) is False


def test_the_validation_rules_are_the_ones_strawberry_adds(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pipeline validates as Strawberry's validate_document does: the rules it is given,
    # then VALIDATION_RULES. Fails if a Strawberry upgrade adds, drops or reorders a rule there.
    seen: list[tuple[Any, ...]] = []
    monkeypatch.setattr(strawberry_schema, "validate", lambda _s, _d, rules: seen.append(tuple(rules)))
    strawberry_schema.validate_document(CORE, parse(PICKER), tuple(specified_rules))
    assert seen == [(*specified_rules, *VALIDATION_RULES)]


def test_strawberry_keeps_its_definitions_under_the_definition_key() -> None:
    vehicle = object_type("Vehicle")
    assert vehicle.extensions[DEFINITION_KEY] is get_object_definition(Vehicle, strict=True)
    manufacturer = vehicle.fields["manufacturer"].extensions[DEFINITION_KEY]
    assert isinstance(manufacturer, StrawberryField)
    assert manufacturer.python_name == "manufacturer"
    assert CORE.query_type is not None
    assert isinstance(CORE.query_type.fields["vehicles"].extensions[DEFINITION_KEY], StrawberryField)


@pytest.mark.parametrize(
    ("type_name", "field_name", "attribute"),
    [
        ("Vehicle", "manufacturer", "manufacturer"),
        ("Vehicle", "vehicleId", "vehicle_id"),
        ("Vehicle", "instances", None),  # a resolver of its own
        ("Vehicle", "group", None),
        ("ManufacturerModelGroup", "manufacturer", "manufacturer"),
    ],
)
def test_plain_attribute_recognises_the_fields_strawberry_resolves_by_reading_an_attribute(
    type_name: str, field_name: str, attribute: str | None
) -> None:
    field = object_type(type_name).fields[field_name]
    assert plain_attribute(field.extensions.get(DEFINITION_KEY), field.resolve) == attribute


def test_plain_attribute_refuses_what_is_not_a_strawberry_field() -> None:
    field = object_type("Vehicle").fields["manufacturer"]
    assert plain_attribute(field.extensions[DEFINITION_KEY], field.resolve) == "manufacturer"
    assert plain_attribute(None, field.resolve) is None
    assert plain_attribute(field.extensions[DEFINITION_KEY], None) is None
    assert plain_attribute(field.extensions[DEFINITION_KEY], lambda *_: None) is None


def test_plain_object_class_is_the_class_strawberry_defined_the_type_from() -> None:
    schema = graphql_schema(build_schema())
    vehicle = schema.get_type("Vehicle")
    assert isinstance(vehicle, GraphQLObjectType)
    assert plain_object_class(vehicle) is Vehicle
    assert plain_object_class(GraphQLObjectType("Foreign", {})) is None

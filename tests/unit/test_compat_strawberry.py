"""What graph/compat/strawberry.py takes from Strawberry beyond its documented API.

Each test fails when an upgrade changes one of those names: graphql-core's
schema behind Strawberry's, the execution context class and awaitable check
Strawberry runs graphql-core with, the rules its validation adds, where it
keeps its definitions, and the resolver it generates for attribute fields.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Sequence
from inspect import isawaitable
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
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
    federation_schema,
    ftv1_recording,
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


# The Federation 2 subgraph's uses of Strawberry (graph/compat/strawberry.py's federation_schema
# and ftv1_recording), on a schema of their own so the catalog's types are not involved.


@strawberry.type
class Part:
    id: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, info: strawberry.Info, **representation: object) -> Part:
        return cls(id=strawberry.ID(str(representation["id"])), name=f"part {representation['id']}")


@strawberry.type
class Bin:
    label: str


@strawberry.type
class PartsQuery:
    part: Part | None = None
    bin: Bin | None = None


def parts_subgraph(checked: list[object] | None = None) -> strawberry.Schema:
    def check(representations: Sequence[object]) -> None:
        # Copied: Strawberry's resolver then pops `__typename` from each and adds `info`.
        (checked if checked is not None else []).extend(dict(r) for r in representations)  # type: ignore[call-overload]

    return federation_schema(
        query=PartsQuery,
        types=[Part],
        keys={Part: ["id"]},
        shareable=[Bin],
        check_representations=check,
        version="2.3",
    )


def test_keys_are_on_the_subgraph_schema_only() -> None:
    before = strawberry.Schema(query=PartsQuery).as_str()
    directives = list(get_object_definition(Part, strict=True).directives or ())
    subgraph = parts_subgraph()
    after = strawberry.Schema(query=PartsQuery).as_str()
    assert '@key(fields: "id"' not in before
    assert after == before
    assert list(get_object_definition(Part, strict=True).directives or ()) == directives
    assert 'type Part @key(fields: "id"' in subgraph.as_str()
    assert "type Bin @shareable {" in subgraph.as_str()
    assert subgraph.as_str().startswith('schema @link(url: "https://specs.apollo.dev/federation/v2.3"')
    assert "_entities(representations: [_Any!]!): [_Entity]!" in subgraph.as_str()
    served = subgraph.execute_sync("{ _service { sdl } }")
    assert served.errors is None
    assert served.data == {"_service": {"sdl": subgraph.as_str()}}


def test_entities_resolve_to_their_types_after_the_representations_are_checked() -> None:
    checked: list[object] = []
    subgraph = parts_subgraph(checked)
    result = subgraph.execute_sync(
        "query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Part { id name } } }",
        variable_values={"r": [{"__typename": "Part", "id": "7"}]},
    )
    assert result.errors is None
    assert result.data == {"_entities": [{"__typename": "Part", "id": "7", "name": "part 7"}]}
    assert checked == [{"__typename": "Part", "id": "7"}]


async def test_ftv1_recording_traces_resolvers_run_as_graphql_core_middleware() -> None:
    schema = build_from_sdl("type Query { part: String }")
    assert schema.query_type is not None
    schema.query_type.fields["part"].resolve = lambda *_: "gear"

    async def run(headers: dict[str, str]) -> dict[str, str]:
        context = SimpleNamespace(request=SimpleNamespace(headers=headers))
        with ftv1_recording(context) as extension:
            outcome = execute(schema, parse("{ part }"), context_value=context, middleware=[extension])
            result = await outcome if isawaitable(outcome) else outcome
        assert result.data == {"part": "gear"}
        traced: dict[str, str] = extension.get_results()
        return traced

    trace = base64.b64decode((await run({"apollo-federation-include-trace": "ftv1"}))["ftv1"])
    # reports.proto's Trace: end_time (3), start_time (4), duration_ns (11), root (14);
    # the root's one child (12) is the field's node: response_name "part", type "String".
    fields = protobuf_fields(trace)
    assert sorted(fields) == [3, 4, 11, 14]
    root = protobuf_fields(fields[14])
    node = protobuf_fields(root[12])
    assert (node[1], node[3], node[13]) == (b"part", b"String", b"Query")
    assert await run({}) == {}


def protobuf_fields(message: bytes | int) -> dict[int, Any]:
    """A protobuf message's fields by number (the last of each), read from the wire format."""
    assert isinstance(message, bytes)

    def varint(position: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = message[position]
            value |= (byte & 0x7F) << shift
            position, shift = position + 1, shift + 7
            if byte < 0x80:
                return value, position

    fields: dict[int, Any] = {}
    position = 0
    while position < len(message):
        tag, position = varint(position)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            fields[number], position = varint(position)
        else:
            assert wire_type == 2, wire_type
            length, position = varint(position)
            fields[number] = message[position : position + length]
            position += length
    return fields

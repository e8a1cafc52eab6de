"""Our input builders (graph/types/inputs.py) give what Strawberry's own conversion gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strawberry
from graphql import FieldNode, OperationDefinitionNode, parse, value_from_ast
from strawberry.types import get_object_definition
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from graph.compat.strawberry import DEFINITION_KEY, graphql_schema
from graph.gql.schema import build_schema
from graph.gql.types.inputs import (
    ManufacturerModelInput,
    SortOrderDirection,
    VehicleFilterInput,
    VehicleSort,
    VehicleSortField,
    to_filter,
    to_orders,
)
from tests.support.execution import execute_planned, pipeline_documents

SCHEMA = build_schema()
BUILT = (ManufacturerModelInput, VehicleSort, VehicleFilterInput)

ARGUMENTS = [
    'filter: {models: [{manufacturer: "Ford", model: "Mustang"}, '
    '{manufacturer: "Dodge", model: "Challenger"}]}',
    "filter: {yearMin: 1965, yearMax: 1975}, sort: [{field: YEAR, direction: DESC}, {field: MODEL}]",
    'filter: {manufacturer: "merc", model: "sl", search: "pagoda", bodyClasses: ["Coupe", "Convertible"]}',
    'filter: {dataSources: ["nhtsa_vpic"], models: []}, sort: []',
    "filter: {models: null, bodyClasses: null}",
    "filter: {}",
    "sort: [{field: INSTANCE_COUNT, direction: ASC}]",
    "first: 5",
]


@contextmanager
def strawberry_conversion() -> Iterator[None]:
    """Strawberry's field-by-field conversion, as without our builders."""
    definitions = [get_object_definition(cls, strict=True) for cls in BUILT]
    saved = [definition.from_input for definition in definitions]
    for definition in definitions:
        definition.from_input = None
    try:
        yield
    finally:
        for definition, build in zip(definitions, saved, strict=True):
            definition.from_input = build


def converted(arguments: str) -> dict[str, Any]:
    schema = graphql_schema(SCHEMA)
    assert schema.query_type is not None
    field_def = schema.query_type.fields["vehicles"]
    operation = parse(f"{{ vehicles({arguments}) {{ totalCount }} }}").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    given = {argument.name.value: argument.value for argument in node.arguments or ()}
    # What graphql-core hands the resolver: literals coerced, defaults filled in.
    coerced = {
        name: value_from_ast(given[name], argument.type) if name in given else argument.default_value
        for name, argument in field_def.args.items()
        if name in given or argument.default_value is not None
    }
    strawberry_field = field_def.extensions[DEFINITION_KEY]
    assert isinstance(strawberry_field, StrawberryField)
    return convert_arguments(
        coerced,
        strawberry_field.arguments,
        scalar_registry=SCHEMA.schema_converter.scalar_registry,
        config=SCHEMA.config,
    )


@pytest.mark.parametrize("arguments", ARGUMENTS)
def test_builders_match_strawberrys_conversion(arguments: str) -> None:
    ours = converted(arguments)
    with strawberry_conversion():
        theirs = converted(arguments)
    assert ours == theirs
    assert to_filter(ours.get("filter")) == to_filter(theirs.get("filter"))
    assert to_orders(ours.get("sort")) == to_orders(theirs.get("sort"))


def test_builders_are_installed() -> None:
    for cls in BUILT:
        assert get_object_definition(cls, strict=True).from_input is not None
    arguments = 'filter: {models: [{manufacturer: "Ford", model: "Mustang"}], yearMin: 1965}'
    filter_input = converted(arguments)["filter"]
    assert isinstance(filter_input, VehicleFilterInput)
    assert filter_input.models == [ManufacturerModelInput(manufacturer="Ford", model="Mustang")]
    assert filter_input.year_min == 1965


def test_lists_are_copied_not_shared() -> None:
    # graphql-core may hand every request the same list object (a published default);
    # a filter must not hold on to it.
    shared = ["Coupe"]
    schema = graphql_schema(SCHEMA)
    assert schema.query_type is not None
    strawberry_field = schema.query_type.fields["vehicles"].extensions[DEFINITION_KEY]
    assert isinstance(strawberry_field, StrawberryField)
    built = convert_arguments(
        {"filter": {"bodyClasses": shared, "dataSources": shared}},
        strawberry_field.arguments,
        scalar_registry=SCHEMA.schema_converter.scalar_registry,
        config=SCHEMA.config,
    )["filter"]
    assert built.body_classes == shared
    assert built.body_classes is not shared
    assert built.data_sources is not shared


async def test_strawberry_builds_inputs_through_the_hook() -> None:
    # The builders are only worth having while Strawberry's conversion calls `from_input`:
    # an upgrade that stops calling it (or changes what it passes) fails here.
    definition = get_object_definition(VehicleSort, strict=True)
    installed = definition.from_input
    assert installed is not None
    calls: list[dict[str, Any]] = []

    def recording(cls: type[VehicleSort], value: Any, context: Any) -> VehicleSort:
        calls.append(dict(value))
        built: VehicleSort = installed(cls, value, context)
        return built

    @strawberry.type
    class Echo:
        @strawberry.field
        def fields(self, sort: list[VehicleSort]) -> list[str]:
            return [f"{order.field.value} {order.direction.value}" for order in sort]

    definition.from_input = recording
    try:
        documents = pipeline_documents(schema=graphql_schema(strawberry.Schema(query=Echo)))
        result = await execute_planned(documents, "{ fields(sort: [{field: YEAR}]) }")
    finally:
        definition.from_input = installed
    assert result.errors is None
    assert result.data == {"fields": ["YEAR ASC"]}
    assert calls == [{"field": VehicleSortField.YEAR, "direction": SortOrderDirection.ASC}]

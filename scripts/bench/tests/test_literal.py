"""Inlining variables: the documents of the literal mode say exactly what the variables said."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, value_from_ast_untyped
from graphql.language import ArgumentNode, OperationDefinitionNode, visit
from graphql.language.visitor import Visitor

from scripts.bench.literal import EnumValue, graphql_literal, inline_variables
from tests.support.benchmark_operations import RACE_FILTERED_SEARCH, RACE_NESTED


class _Arguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: ArgumentNode, *_args: object) -> None:
        self.values.setdefault(node.name.value, value_from_ast_untyped(node.value))


def _arguments(document: str) -> dict[str, Any]:
    collector = _Arguments()
    visit(parse(document), collector)
    return collector.values


def test_literals_of_every_kind() -> None:
    assert graphql_literal(None) == "null"
    assert graphql_literal(True) == "true"
    assert graphql_literal(7) == "7"
    assert graphql_literal(1.5) == "1.5"
    assert graphql_literal(EnumValue("DESC")) == "DESC"
    assert graphql_literal('Mercedes "Benz"\n') == '"Mercedes \\"Benz\\"\\n"'
    assert graphql_literal([1, "a"]) == '[1, "a"]'
    assert graphql_literal({"field": EnumValue("YEAR"), "n": None}) == "{ field: YEAR, n: null }"


def test_values_that_have_no_literal_are_refused() -> None:
    with pytest.raises(ValueError, match="enum value"):
        graphql_literal(EnumValue("not a name"))
    with pytest.raises(ValueError, match="input field"):
        graphql_literal({"bad key": 1})
    with pytest.raises(TypeError):
        graphql_literal(object())


def test_inlined_document_carries_the_variables_values() -> None:
    variables = {
        "filter": {"models": [{"manufacturer": "Ford", "model": "F-150"}], "yearMin": 1990, "yearMax": 1999},
        "sort": [{"field": EnumValue("YEAR"), "direction": EnumValue("DESC")}],
        "first": 10,
    }
    document = inline_variables(RACE_FILTERED_SEARCH, variables)
    assert "$" not in document
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert not operation.variable_definitions
    assert operation.name is not None
    assert operation.name.value == "FilteredSearch"
    assert _arguments(document) == {
        "filter": variables["filter"],
        "sort": [{"field": "YEAR", "direction": "DESC"}],
        "first": 10,
    }


def test_an_absent_variable_is_null_and_an_undeclared_one_an_error() -> None:
    assert _arguments(inline_variables(RACE_NESTED, {}))["search"] is None
    with pytest.raises(ValueError, match="does not declare"):
        inline_variables(RACE_NESTED, {"serch": "Ford"})

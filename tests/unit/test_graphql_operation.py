"""The label of a request (graph/gql/operation_name.py): the operation of the parsed document that runs."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, OperationDefinitionNode, get_operation_ast, parse

from graph.gql.operation_name import ANONYMOUS, UNPARSED, label, label_of_name
from graph.gql.query_limits import LIMITS


def labelled(query: str, operation_name: str | None = None) -> str:
    """As the pipeline labels a request: from the document it parsed for it."""
    document = parse(query, max_tokens=LIMITS.max_tokens)
    return label(get_operation_ast(document, operation_name))


@pytest.mark.parametrize(
    ("query", "operation_name", "expected"),
    [
        ("query Cars { vehicles { totalCount } }", None, "Cars"),
        ("query A { x } query B { y }", "B", "B"),
        ("{ __typename }", None, "anonymous"),
        ("fragment F on Vehicle { id }\nmutation Save { x }", None, "Save"),
        ("subscription Feed { x }", None, "Feed"),
        ("# " + "x" * 9000 + "\nquery Long { x }", None, "Long"),
        # From the parsed document: text inside strings and comments is not a name.
        ('{ manufacturerModelCombinations(search: "query Evil") { totalCount } }', None, "anonymous"),
        ("# query Old\nquery Real { vehicles { totalCount } }", None, "Real"),
        ('{ a(s: """\nquery Doc""") }', None, "anonymous"),
        # Which operation runs is not known, or there is none of that name.
        ("query A { x } query B { y }", None, "unparsed"),
        ("query A { x }", "Nope", "unparsed"),
        ("{ x }", "bad name; drop", "unparsed"),
        ("fragment F on Vehicle { id }", None, "unparsed"),
    ],
)
def test_names_from_the_parsed_document(query: str, operation_name: str | None, expected: str) -> None:
    assert labelled(query, operation_name) == expected


def test_the_selected_operation_is_the_documents_own_node() -> None:
    document = parse("query A { x } query B { y }")
    second = document.definitions[1]
    assert isinstance(second, OperationDefinitionNode)
    assert get_operation_ast(document, "B") is second
    assert get_operation_ast(document, "A") is document.definitions[0]
    assert get_operation_ast(document, None) is None


def test_a_document_that_does_not_parse_is_unparsed() -> None:
    # The pipeline parses, then labels; a syntax error leaves no operation to name.
    with pytest.raises(GraphQLSyntaxError):
        parse("query Broken { x")
    assert label(None) == UNPARSED


@pytest.mark.parametrize(
    ("operation_name", "expected"),
    [
        ("Picker", "Picker"),
        ("_private2", "_private2"),
        ("no such name!", "unparsed"),
        ("2fast", "unparsed"),
        ("x" * 101, "unparsed"),
        ("x" * 100, "x" * 100),
        (None, "anonymous"),
        ("", "anonymous"),
    ],
)
def test_without_a_document_a_well_formed_name_is_taken_as_given(
    operation_name: str | None, expected: str
) -> None:
    # A persisted query's unknown hash: the request's operationName is all there is.
    assert label_of_name(operation_name) == expected


def test_the_labels_are_the_documented_words() -> None:
    assert (ANONYMOUS, UNPARSED) == ("anonymous", "unparsed")

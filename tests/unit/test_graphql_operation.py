from __future__ import annotations

import orjson
import pytest
from graphql import parse

from graph.gql import operation_name
from graph.gql.operation_name import (
    MAX_BODY_BYTES,
    from_body,
    from_query_string,
    remember_parsed,
    remembered,
)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"query": "query Cars { vehicles { totalCount } }"}, "Cars"),
        ({"query": "query A { x } query B { y }", "operationName": "B"}, "B"),
        ({"query": "{ __typename }"}, "anonymous"),
        ({"query": "fragment F on Vehicle { id }\nmutation Save { x }"}, "Save"),
        ({"query": "{ x }", "operationName": "bad name; drop"}, "unparsed"),
        ([{"query": "{ x }"}], "batch"),
        ("just a string", "unparsed"),
        # From the parsed document: text inside strings and comments is not a name.
        ({"query": '{ manufacturerModelCombinations(search: "query Evil") { totalCount } }'}, "anonymous"),
        ({"query": "# query Old\nquery Real { vehicles { totalCount } }"}, "Real"),
        ({"query": '{ a(s: """\nquery Doc""") }'}, "anonymous"),
        ({"query": "query A { x } query B { y }"}, "unparsed"),  # which one runs is not known
        ({"query": "query A { x }", "operationName": "Nope"}, "unparsed"),
        ({"query": "query Broken { x"}, "unparsed"),
        ({"query": "subscription Feed { x }"}, "Feed"),
    ],
)
def test_names_from_a_post_body(payload: object, expected: str) -> None:
    assert from_body(orjson.dumps(payload)) == expected


def test_bodies_that_are_not_json_or_too_large_are_not_parsed() -> None:
    assert from_body(b"{not json") == "unparsed"
    assert from_body(b'{"query": "query Big { x }", "pad": "' + b"x" * MAX_BODY_BYTES + b'"}') == "unparsed"


def test_an_unread_body_has_no_name() -> None:
    assert from_body(b"") is None


def test_names_from_a_get_query_string() -> None:
    assert from_query_string(b"query=query%20Q%20%7B%20x%20%7D&variables=%7B%7D") == "Q"
    assert from_query_string(b"query=query%20Op%20%7Bx%7D&operationName=Op") == "Op"
    assert from_query_string(b"query=%7Bx%7D&operationName=Op") == "unparsed"  # no such operation
    assert from_query_string(b"query=%7B%20a(s%3A%20%22query%20Evil%22)%20%7D") == "anonymous"
    assert from_query_string(b"") is None  # GraphiQL's page


def test_without_a_document_a_well_formed_name_is_taken_as_given() -> None:
    # A persisted query sends a hash instead of the document.
    assert from_body(orjson.dumps({"operationName": "Picker", "extensions": {}})) == "Picker"
    assert from_body(orjson.dumps({"operationName": "no such name!"})) == "unparsed"
    assert from_body(orjson.dumps({"extensions": {}})) == "anonymous"


def test_long_documents_are_named_too() -> None:
    padding = "# " + "x" * 9000 + "\n"
    assert from_body(orjson.dumps({"query": padding + "query Long { x }"})) == "Long"


def test_names_the_app_parsed_for_the_same_document_are_used_without_parsing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "query OnlyParsedByTheApp { vehicles { totalCount } }"
    state: dict[str, object] = {}
    remember_parsed(state, query, parse(query))

    def no_second_parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the edge parsed a document the app had parsed")

    monkeypatch.setattr(operation_name, "parse", no_second_parse)
    known = remembered(state)
    assert from_body(orjson.dumps({"query": query}), known) == "OnlyParsedByTheApp"
    assert from_body(orjson.dumps({"query": query, "operationName": "Other"}), known) == "unparsed"


def test_names_remembered_for_another_document_are_not_used() -> None:
    state: dict[str, object] = {}
    remember_parsed(state, "query Remembered { x }", parse("query Remembered { x }"))
    assert from_body(orjson.dumps({"query": "query Sent { x }"}), remembered(state)) == "Sent"
    assert remembered(None) is None
    assert remembered({}) is None

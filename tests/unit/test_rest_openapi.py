"""The OpenAPI document is valid OpenAPI 3.1 and says what the parser enforces."""

from __future__ import annotations

import re
from typing import Any

import orjson
from openapi_spec_validator import validate

from graph.rest import params
from graph.rest.docs_page import render
from graph.rest.openapi import build_document, document_bytes


def _parameter(name: str) -> dict[str, Any]:
    parameter: dict[str, Any] = build_document()["components"]["parameters"][name]
    return parameter


def test_the_document_is_valid_openapi_3_1() -> None:
    document = orjson.loads(document_bytes())
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_operation_documents_its_errors_and_the_version_header() -> None:
    document = build_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                resolved = response
                if "$ref" in response:
                    resolved = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
                assert "X-API-Version" in resolved["headers"], (method, path, status)


def test_limits_in_the_document_are_the_parser_limits() -> None:
    assert _parameter("detailsSize")["schema"]["maximum"] == params.MAX_SIZE
    assert _parameter("detailsSize")["schema"]["default"] == params.DEFAULT_DETAILS_SIZE
    # Without page and size the picker answers everything, so its size has no default.
    assert "default" not in _parameter("combinationsSize")["schema"]
    assert str(params.DEFAULT_COMBINATIONS_SIZE) in _parameter("combinationsSize")["description"]
    assert "every manufacturer" in _parameter("combinationsPage")["description"]
    assert _parameter("sortBy")["schema"]["enum"] == list(params.SORT_FIELDS)
    assert _parameter("sortOrder")["schema"]["enum"] == list(params.SORT_ORDERS)
    count = _parameter("count")["schema"]
    assert (count["minimum"], count["maximum"], count["default"]) == (1, 20, 8)


def test_the_deep_page_policy_is_documented() -> None:
    description = build_document()["info"]["description"]
    assert "page × size > 10000" in description
    assert "after:" in description


def test_the_docs_page_needs_nothing_from_the_network() -> None:
    page = render(build_document())
    assert "<script" not in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)
    assert "/api/v1/vehicles/details" in page
    assert "<code>sortBy</code>" in page
    # Text from the document is escaped, never markup.
    assert "<strong>Every response</strong>" in page


def test_only_the_instances_endpoint_answers_404() -> None:
    paths = build_document()["paths"]
    with_404 = [path for path, operations in paths.items() if "404" in operations["get"]["responses"]]
    assert with_404 == ["/api/v1/vehicles/{vehicleId}/instances"]

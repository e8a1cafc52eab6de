"""Checks one REST v1 response against the OpenAPI document, as a client generator would read it.

The status must be documented for the operation, the media type must be one
the document names, every required header must be present and valid, and the
body must validate against the schema (with an OpenAPI 3.1 validator, so the
document's own `$ref`s resolve).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
import orjson
from openapi_schema_validator import OAS31Validator

from graph.rest.openapi import build_document


@cache
def document() -> dict[str, Any]:
    # Through JSON, exactly as clients receive it.
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(build_document()))
    return loaded


def _resolve(item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        node: Any = document()
        for part in item["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        item = node
    return item


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, operations in document()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            operation: dict[str, Any] = operations[method.lower()]
            return operation
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def _validate(instance: Any, schema: dict[str, Any], what: str) -> None:
    # The schema is checked inside the document so `#/components/...` references resolve.
    root = {**schema, "components": document()["components"]}
    errors = sorted(OAS31Validator(root).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{what} breaks the document: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5]
    )


def assert_conforms(response: httpx.Response) -> None:
    """Fails with a precise message when the response is not what the document promises."""
    request = response.request
    operation = _operation(request.method, request.url.path)
    status = str(response.status_code)
    responses = operation["responses"]
    assert status in responses, f"{request.method} {request.url.path} answered undocumented {status}"
    documented = _resolve(responses[status])
    for name, header in documented.get("headers", {}).items():
        header = _resolve(header)
        value = response.headers.get(name)
        if header.get("required"):
            assert value is not None, f"{status} answer lacks the required header {name}"
        if value is not None:
            _validate(value, header["schema"], f"header {name}")
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    content = documented.get("content", {})
    assert media_type in content, f"{status} answer has media type {media_type!r}, documented {list(content)}"
    if media_type == "application/json":
        _validate(response.json(), content[media_type]["schema"], f"the {status} body")


def assert_documented_error(response: httpx.Response, status: int) -> None:
    """For answers outside any operation (an unknown path, a wrong method): the Error schema."""
    assert response.status_code == status, response.text
    assert response.headers["x-api-version"] == "v1"
    assert response.headers["content-type"] == "application/json"
    _validate(response.json(), {"$ref": "#/components/schemas/Error"}, f"the {status} body")

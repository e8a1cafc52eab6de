"""The OpenAPI 3.1 document of the v1 shim, built from the same constants the parser enforces.

Built in code rather than kept as a JSON file so a changed limit or sort field
changes the document with it; the contract tests validate every answer of the
shim against this document.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson

from datasources.vehicles.vehicle_filter import MAX_TEXT_LENGTH
from graph.rest import params
from graph.rest.responses import STALE_HEADER
from resolvers.legacy import RESULT_WINDOW

PREFIX = "/api/v1"
ERROR_CODES = [
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
]

DESCRIPTION = f"""\
The REST endpoints of the old Express backend, kept for its clients. They run the
same operations as the GraphQL API at `/graphql`, which new clients should use.

**Every response** under `{PREFIX}`, errors included, carries `X-API-Version: v1`.

**Parameters.** An empty value (`yearMin=`) is the same as leaving the parameter
out. A parameter given more than once is a 400. Integers are plain decimal digits.
Unknown parameters are ignored. Text values are trimmed and hold at most
{MAX_TEXT_LENGTH} characters and no control characters.

**Paging.** `page` starts at 1; `size` is 1 to {params.MAX_SIZE}. A page past the
last one is answered with an empty list. `totalPages` is `ceil(total / size)`.
`/manufacturer-model-combinations` without `page` and `size` answers every
manufacturer on one page (`size` is then the number returned), as the old
picker expects; with either of them it pages ({params.DEFAULT_COMBINATIONS_SIZE} per page by default).

**Deep pages.** `/vehicles/details` serves only the first {RESULT_WINDOW:,} matches
by page number: a request with `page × size > {RESULT_WINDOW}` is answered 400
naming `page`. Narrow the query with filters, or read further with the GraphQL
`vehicles(first:, after:)` cursor pagination, which has no depth limit.

**Caching.** Manufacturer/model counts are aggregations cached for
`CACHE_TTL_SECONDS` (30 s by default), shared with the GraphQL API. While
Elasticsearch is unavailable the last known counts are served with
`{STALE_HEADER}: true`; without them the answer is 503.

**Errors** are JSON `{{"error", "details", "code", "parameter"}}`: `error` is a short
summary, `details` a sentence naming what to correct, `code` the same code the
GraphQL API puts in `extensions.code`, and `parameter` (400 only) the query
parameter at fault. 429 answers come from the rate limiter
(`RATE_LIMIT_PER_MINUTE` per client) or the query-cost budget
(`COST_BUDGET_PER_MINUTE` points per client, shared with GraphQL; a request
costs what the GraphQL operation asking for the same answer costs), with
`Retry-After`.
"""


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _integer(minimum: int, maximum: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


_TEXT: dict[str, Any] = {
    "type": "string",
    "maxLength": MAX_TEXT_LENGTH,
    "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
}
_NAME = {"type": "string", "minLength": 1}


def _query(name: str, schema: dict[str, Any], description: str, *, example: Any = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "schema": schema,
        "description": description,
    }
    if example is not None:
        parameter["example"] = example
    return parameter


def _parameters() -> dict[str, Any]:
    text_filter = "Empty or absent: no filter."
    return {
        "page": _query(
            "page",
            {**_integer(1, params.MAX_PAGE), "default": 1},
            "Page number, from 1.",
        ),
        "combinationsPage": _query(
            "page",
            _integer(1, params.MAX_PAGE),
            "Page number, from 1. Without `page` and `size` the answer holds every manufacturer.",
        ),
        "combinationsSize": _query(
            "size",
            _integer(1, params.MAX_SIZE),
            f"Manufacturers per page; {params.DEFAULT_COMBINATIONS_SIZE} when only `page` is given. "
            "Without `page` and `size` the answer holds every manufacturer.",
        ),
        "detailsSize": _query(
            "size",
            {**_integer(1, params.MAX_SIZE), "default": params.DEFAULT_DETAILS_SIZE},
            f"Vehicles per page; `page × size` must not exceed {RESULT_WINDOW}.",
        ),
        "search": _query(
            "search",
            _TEXT,
            "Free text over manufacturer and model names; every word must match one of "
            "them, allowing typos and word prefixes ('mustnag', 'merc') and, from 3 characters, "
            "text inside a name ('vette').",
            example="ford",
        ),
        "models": _query(
            "models",
            {"type": "string", "pattern": "^[^,:]+:[^,:]+(,[^,:]+:[^,:]+)*$"},
            f"Comma-separated `Manufacturer:Model` pairs (exact names, case-insensitive); a vehicle "
            f"matching any pair is included. At most {params.MAX_MODELS} pairs; each name is trimmed, "
            f"non-empty and at most {MAX_TEXT_LENGTH} characters. One malformed pair is a 400.",
            example="Ford:Mustang,Chevrolet:Camaro",
        ),
        "manufacturer": _query(
            "manufacturer",
            _TEXT,
            "Manufacturer, case-insensitive: exact, word prefix ('merc'), or from 3 characters "
            f"anywhere inside the name ('vrolet'). {text_filter}",
        ),
        "model": _query(
            "model",
            _TEXT,
            "Model, case-insensitive: exact, word prefix, or from 3 characters anywhere inside "
            f"the name ('stang' finds Mustang). {text_filter}",
        ),
        "yearMin": _query(
            "yearMin",
            _integer(params.MIN_YEAR, params.MAX_YEAR),
            "Earliest model year, inclusive; must not be greater than `yearMax`.",
        ),
        "yearMax": _query(
            "yearMax", _integer(params.MIN_YEAR, params.MAX_YEAR), "Latest model year, inclusive."
        ),
        "bodyClass": _query(
            "bodyClass", _TEXT, f"Body class, exact and case-insensitive ('Coupe'). {text_filter}"
        ),
        "dataSource": _query("dataSource", _TEXT, f"Data source, exact. {text_filter}"),
        "sortBy": _query(
            "sortBy",
            {"type": "string", "enum": list(params.SORT_FIELDS)},
            "Sort key; ties are broken by `vehicle_id`. Absent: manufacturer and model "
            "ascending, then newest model year first (the old backend's order).",
        ),
        "sortOrder": _query(
            "sortOrder",
            {"type": "string", "enum": list(params.SORT_ORDERS), "default": "asc"},
            "Direction of `sortBy`; ignored without it.",
        ),
        "count": _query(
            "count",
            {**_integer(params.MIN_COUNT, params.MAX_COUNT), "default": params.DEFAULT_COUNT},
            "How many instances to generate. Instances are deterministic: the first n of "
            "`count=n+1` are those of `count=n`.",
        ),
        "vehicleId": {
            "name": "vehicleId",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
            "description": "A `vehicle_id` as returned by `/vehicles/details`.",
        },
    }


def _schemas() -> dict[str, Any]:
    sort_by = {"type": ["string", "null"], "enum": [*params.SORT_FIELDS, None]}
    return {
        "Error": _object(
            {
                "error": {"type": "string", "description": "Short, stable summary."},
                "details": {"type": "string", "description": "What went wrong and what to correct."},
                "code": {"type": "string", "enum": ERROR_CODES},
                "parameter": {"type": "string", "description": "The query parameter at fault (400 only)."},
            },
            required=["error", "details"],
        ),
        "ModelCount": _object({"model": _NAME, "count": _integer(1)}),
        "ManufacturerModels": _object(
            {
                "manufacturer": _NAME,
                "count": _integer(1),
                "models": {"type": "array", "items": _ref("schemas", "ModelCount")},
            }
        ),
        "CombinationsPage": _object(
            {
                "total": {**_integer(0), "description": "Manufacturers matching, on all pages."},
                "page": _integer(1),
                "size": {
                    **_integer(0),
                    "description": "The page size asked for; unpaged, the number of manufacturers returned.",
                },
                "totalPages": {**_integer(0), "description": "1 when unpaged (0 when nothing matches)."},
                "data": {
                    "type": "array",
                    "description": "A page of manufacturers; unpaged, all of them.",
                    "items": _ref("schemas", "ManufacturerModels"),
                },
            }
        ),
        "Vehicle": _object(
            {
                "vehicle_id": _NAME,
                "manufacturer": _NAME,
                "model": _NAME,
                "year": {"type": "integer"},
                "body_class": _NAME,
                "data_source": _NAME,
                "make_model_year": {"type": "string", "description": "`Manufacturer|Model|Year`."},
                "instance_count": _integer(0),
            }
        ),
        "DetailsQuery": _object(
            {
                "modelCombos": {
                    "type": "array",
                    "description": "The `models` pairs applied: trimmed, de-duplicated, sorted.",
                    "items": _object({"manufacturer": _NAME, "model": _NAME}),
                },
                "filters": _object(
                    {
                        "manufacturer": _NAME,
                        "model": _NAME,
                        "yearMin": {"type": "integer"},
                        "yearMax": {"type": "integer"},
                        "bodyClass": _NAME,
                        "dataSource": _NAME,
                    },
                    required=[],
                )
                | {"description": "The filters applied, trimmed; absent and empty ones are left out."},
                "sortBy": sort_by,
                "sortOrder": {"type": "string", "enum": list(params.SORT_ORDERS)},
            }
        )
        | {"description": "The request as applied, after normalisation."},
        "VinInstance": _object(
            {
                "index": {
                    **_integer(0, params.MAX_COUNT - 1),
                    "description": "Position among the instances.",
                },
                "vin": {"type": "string", "minLength": 1, "maxLength": 17},
                "vin_format": {
                    "type": "string",
                    "description": "`ISO 3779` from 1981, else the era's format.",
                },
                "condition": {"type": "string", "enum": ["Concours", "Excellent", "Good", "Fair", "Project"]},
                "condition_rating": {
                    "type": "number",
                    "minimum": 1,
                    "maximum": 5,
                    "description": "1.0 to 5.0 with one decimal, as GraphQL's `conditionRating` (Float); "
                    "the old backend sent an integer grade, which is this number rounded half up.",
                },
                "mileage": _integer(0),
                "mileage_verified": {"type": "boolean"},
                "state": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "USPS code."},
                "registration_status": {"type": "string", "enum": ["Active", "Historic", "Non-Operational"]},
                "title_status": {
                    "type": "string",
                    "enum": ["Clean", "Rebuilt", "Salvage", "Bonded", "Bill of Sale"],
                },
                "exterior_color": _NAME,
                "interior_color": _NAME,
                "engine": _NAME,
                "transmission": _NAME,
                "drivetrain": {"type": "string", "enum": ["RWD", "FWD", "AWD", "4WD"]},
                "options": {"type": "array", "items": _NAME},
                "matching_numbers": {"type": "boolean"},
                "previous_owners": _integer(1),
                "last_service_date": {"type": "string", "format": "date"},
                "assembly_plant": _NAME,
                "estimated_value": {**_integer(0), "description": "US dollars."},
            }
        )
        | {"description": "One generated example car of the record; deterministic, never stored."},
        "VehicleInstances": _object(
            {
                "vehicle_id": _NAME,
                "manufacturer": _NAME,
                "model": _NAME,
                "year": {"type": "integer"},
                "body_class": _NAME,
                "instance_count": {**_integer(0), "description": "Real cars known for the record."},
                "instances": {
                    "type": "array",
                    "minItems": params.MIN_COUNT,
                    "maxItems": params.MAX_COUNT,
                    "items": _ref("schemas", "VinInstance"),
                },
            }
        ),
        "VehicleDetailsPage": _object(
            {
                "total": {**_integer(0), "description": "Vehicles matching, on all pages (exact)."},
                "page": _integer(1),
                "size": _integer(1, params.MAX_SIZE),
                "totalPages": _integer(0),
                "query": _ref("schemas", "DetailsQuery"),
                "results": {
                    "type": "array",
                    "maxItems": params.MAX_SIZE,
                    "items": _ref("schemas", "Vehicle"),
                },
            }
        ),
    }


_API_VERSION_HEADER = {
    "description": "Always `v1` under /api/v1.",
    "required": True,
    "schema": {"type": "string", "const": "v1"},
}
_RETRY_AFTER_HEADER = {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}


def _response(description: str, schema: dict[str, Any], **headers: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"X-API-Version": _ref("headers", "X-API-Version"), **headers},
        "content": {"application/json": {"schema": schema}},
    }


def _error(description: str, **headers: dict[str, Any]) -> dict[str, Any]:
    return _response(description, _ref("schemas", "Error"), **headers)


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _error("A parameter is invalid; `parameter` names it."),
        "NotFound": _error("No such vehicle, or no such endpoint."),
        "RateLimited": _error(
            "Too many requests from this client, or its query-cost budget is spent.",
            **{"Retry-After": _ref("headers", "Retry-After")},
        ),
        "ServiceUnavailable": _error(
            "Elasticsearch is unavailable (and no last-known value could be served).",
            **{"Retry-After": _ref("headers", "Retry-After")},
        ),
        "InternalError": _error("An unexpected failure; never part of normal operation."),
    }


def _errors(*statuses: str) -> dict[str, Any]:
    names = {
        "400": "BadRequest",
        "404": "NotFound",
        "429": "RateLimited",
        "500": "InternalError",
        "503": "ServiceUnavailable",
    }
    return {status: _ref("responses", names[status]) for status in statuses}


def _operation(
    operation_id: str,
    summary: str,
    description: str,
    parameters: list[str],
    ok: dict[str, Any],
    errors: tuple[str, ...] = ("400", "429", "500", "503"),
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": {"200": ok, **_errors(*errors)},
    }


def _paths() -> dict[str, Any]:
    combinations = _operation(
        "listManufacturerModelCombinations",
        "Manufacturers with their models and record counts",
        "Every manufacturer (by name, ascending) with its models (ascending) and the number of "
        "vehicle records of each, optionally narrowed by `search`: all of them when neither `page` "
        "nor `size` is given, else a page of manufacturers at a time.",
        ["search", "combinationsPage", "combinationsSize"],
        _response(
            "Every manufacturer, or the page asked for.",
            _ref("schemas", "CombinationsPage"),
            **{
                STALE_HEADER: {
                    "description": "`true` when the counts are the last known ones, served during an outage.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            },
        ),
    )
    details = _operation(
        "listVehicleDetails",
        "Vehicle records, filtered, sorted and paged",
        "Vehicle records matching every given filter; `models` pairs are alternatives. "
        f"Pages reach the first {RESULT_WINDOW:,} matches (see the deep-pages note above).",
        [
            "models",
            "manufacturer",
            "model",
            "yearMin",
            "yearMax",
            "bodyClass",
            "dataSource",
            "page",
            "detailsSize",
            "sortBy",
            "sortOrder",
        ],
        _response("A page of vehicles.", _ref("schemas", "VehicleDetailsPage")),
    )
    instances = _operation(
        "listVehicleInstances",
        "Generated example cars (VINs and their attributes) of one vehicle record",
        "`count` instances computed from the record on every call (never stored), the same on every "
        "call and replica. `count` is checked before the vehicle is looked up: a bad `count` is a 400 "
        "even for an unknown id, which is a 404.",
        ["vehicleId", "count"],
        _response("The vehicle and its instances.", _ref("schemas", "VehicleInstances")),
        errors=("400", "404", "429", "500", "503"),
    )
    document = _response("This document.", {"type": "object", "required": ["openapi", "info", "paths"]})
    docs_page = {
        "description": "This document as a self-contained HTML page.",
        "headers": {"X-API-Version": _ref("headers", "X-API-Version")},
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
    return {
        f"{PREFIX}/manufacturer-model-combinations": {"get": combinations},
        f"{PREFIX}/vehicles/details": {"get": details},
        f"{PREFIX}/vehicles/{{vehicleId}}/instances": {"get": instances},
        f"{PREFIX}/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This OpenAPI document",
                "responses": {"200": document, **_errors("429")},
            }
        },
        f"{PREFIX}/docs": {
            "get": {
                "operationId": "getApiDocsPage",
                "summary": "This document, readable in a browser",
                "responses": {"200": docs_page, **_errors("429")},
            }
        },
    }


def build_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "autos-graph REST v1 (legacy)", "version": "1.0.0", "description": DESCRIPTION},
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "parameters": _parameters(),
            "responses": _responses(),
            "headers": {"X-API-Version": _API_VERSION_HEADER, "Retry-After": _RETRY_AFTER_HEADER},
        },
    }


@cache
def document_bytes() -> bytes:
    return orjson.dumps(build_document())

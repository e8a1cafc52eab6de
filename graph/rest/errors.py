"""The shim's error answers: `{"error", "details", "code", "parameter"}`, never a trace.

`error` is a short, stable summary; `details` is the sentence a person reads
(it names the parameter); `code` is the one GraphQL puts in `extensions.code`,
so a client handling both APIs needs one table; `parameter` names the query
parameter to correct on a 400.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.responses import Response

from datasources.elastic.errors import DataSourceUnavailable
from datasources.vehicles.vehicle_filter import InvalidFilter
from graph.gql.errors import BAD_USER_INPUT, INTERNAL_SERVER_ERROR, NOT_FOUND, SERVICE_UNAVAILABLE
from graph.rest.params import ParameterError
from graph.rest.responses import json_response
from resolvers.errors import InvalidArgument, NotFound

log = logging.getLogger("autos_graph.rest")

METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
# Long enough for a node restart or a brief network cut; clients back off by it.
RETRY_AFTER_SECONDS = 5

_HTTP_SUMMARIES = {404: ("Not found", NOT_FOUND), 405: ("Method not allowed", METHOD_NOT_ALLOWED)}


def error_response(
    status: int,
    *,
    error: str,
    details: str,
    code: str,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, str] = {"error": error, "details": details, "code": code}
    if parameter is not None:
        body["parameter"] = parameter
    # An error is no answer to keep, for browsers and shared caches alike.
    return json_response(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def not_found(details: str) -> Response:
    return error_response(404, error="Not found", details=details, code=NOT_FOUND)


def response_for(exc: Exception, *, path: str) -> Response:
    """The answer for an exception an endpoint or the router raised."""
    if isinstance(exc, ParameterError):
        return error_response(
            400, error="Invalid parameter", details=exc.message, code=BAD_USER_INPUT, parameter=exc.parameter
        )
    if isinstance(exc, InvalidArgument | InvalidFilter):
        return error_response(400, error="Invalid parameter", details=str(exc), code=BAD_USER_INPUT)
    if isinstance(exc, NotFound):
        return not_found(str(exc))
    if isinstance(exc, DataSourceUnavailable):
        return error_response(
            503,
            error="Service unavailable",
            details="The vehicle data store is unavailable; retry shortly.",
            code=SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, HTTPException) and exc.status_code in _HTTP_SUMMARIES:
        summary, code = _HTTP_SUMMARIES[exc.status_code]
        details = (
            "No such v1 endpoint; the document at /api/v1/openapi.json lists them"
            if exc.status_code == 404
            else "This endpoint accepts only the methods in the Allow header"
        )
        return error_response(
            exc.status_code, error=summary, details=details, code=code, headers=dict(exc.headers or {})
        )
    log.error("unexpected error in the REST v1 shim", exc_info=exc, extra={"context": {"path": path}})
    return error_response(
        500, error="Internal server error", details="Internal server error.", code=INTERNAL_SERVER_ERROR
    )

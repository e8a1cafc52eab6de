"""The v1 endpoints: parse the parameters, call the shared operation, shape the old body.

Errors are raised, not answered here: ApiV1Boundary turns each into its JSON answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from graph.rest import params
from graph.rest.responses import STALE_HEADER, combinations_body, details_body, json_response
from graph.state import new_data_scope, services_of
from resolvers import legacy


async def manufacturer_model_combinations(request: Request) -> Response:
    query = params.combinations_query(request.query_params)
    page = await legacy.manufacturer_groups_page(
        scope=new_data_scope(services_of(request)),
        search=query.search,
        offset=query.paging.offset,
        limit=query.paging.size,
    )
    headers = {STALE_HEADER: "true"} if page.stale else None
    return json_response(combinations_body(page, query.paging), headers=headers)


async def vehicle_details(request: Request) -> Response:
    query = params.details_query(request.query_params)
    page = await legacy.vehicles_page(
        scope=new_data_scope(services_of(request)),
        vehicle_filter=query.vehicle_filter,
        sort=query.orders,
        offset=query.paging.offset,
        limit=query.paging.size,
    )
    return json_response(details_body(page, query))

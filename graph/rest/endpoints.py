"""The v1 endpoints: parse the parameters, call the shared operation, shape the old body.

Errors are raised, not answered here: ApiV1Boundary turns each into its JSON answer.
"""

from __future__ import annotations

from starlette.requests import Request

from graph.rest import params
from graph.rest.responses import (
    Answer,
    combinations_body,
    details_body,
    instances_body,
)
from graph.state import data_scope_of
from resolvers import legacy
from resolvers.instances import instance_to_dict


async def manufacturer_model_combinations(request: Request) -> Answer:
    query = params.combinations_query(request.query_params)
    page = await legacy.manufacturer_groups_page(
        scope=data_scope_of(request),
        search=query.search,
        offset=query.paging.offset if query.paging else 0,
        limit=query.paging.size if query.paging else None,
    )
    return Answer.of(combinations_body(page, query.paging), stale=page.stale)


async def vehicle_details(request: Request) -> Answer:
    query = params.details_query(request.query_params)
    page = await legacy.vehicles_page(
        scope=data_scope_of(request),
        vehicle_filter=query.vehicle_filter,
        sort=query.orders,
        offset=query.paging.offset,
        limit=query.paging.size,
    )
    return Answer.of(details_body(page, query))


async def vehicle_instances(request: Request) -> Answer:
    # The count is checked first: a bad count is a 400 whether or not the vehicle exists.
    count = params.instance_count(request.query_params)
    found = await legacy.instances_of_vehicle(
        scope=data_scope_of(request), vehicle_id=request.path_params["vehicleId"], count=count
    )
    return Answer.of(instances_body(found.record, [instance_to_dict(i) for i in found.instances]))

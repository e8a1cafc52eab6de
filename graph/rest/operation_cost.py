"""What a v1 request costs: the requested cost of the GraphQL operation that asks for the same answer.

The shim calls the shared resolvers rather than GraphQL, but each endpoint
answers what one GraphQL operation would, so it is charged that operation's
requested cost, under the same table (graph/gql/cost/). Parameters the
endpoint will refuse cost nothing: a 400 runs no search.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, parse
from starlette.datastructures import QueryParams
from starlette.requests import Request

from graph.gql.cost.estimate import requested_cost
from graph.gql.cost.table import MANUFACTURERS
from graph.rest import params

RequestCost = Callable[[Request], int]

COMBINATIONS = (
    "query($search: String, $first: Int) { manufacturerModelCombinations(search: $search, first: $first) "
    "{ totalCount nodes { manufacturer count models { model count } } } }"
)
DETAILS = (
    "query($filter: VehicleFilter, $sort: [VehicleSort!], $first: Int) { "
    "vehicles(filter: $filter, sort: $sort, first: $first) { totalCount "
    "nodes { vehicleId manufacturer model year bodyClass dataSource makeModelYear instanceCount } } }"
)
INSTANCES = (
    "query($id: ID!, $count: Int) { vehicle(id: $id) { vehicleId manufacturer model year bodyClass "
    "instanceCount instances(count: $count) { vin } } }"
)


def _operation(document: str) -> OperationDefinitionNode:
    definition = parse(document).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


class RestCosts:
    """The cost of each v1 endpoint's request, under the schema served."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self._combinations = _operation(COMBINATIONS)
        self._details = _operation(DETAILS)
        self._instances = _operation(INSTANCES)

    def _cost(self, operation: OperationDefinitionNode, variables: dict[str, Any]) -> int:
        return requested_cost(self._schema, operation, {}, variables=variables)

    def combinations(self, request: Request) -> int:
        query = _parsed(params.combinations_query, request.query_params)
        if query is None:
            return 0
        # Without paging every manufacturer comes back: the catalog's.
        first = MANUFACTURERS if query.paging is None else query.paging.size
        return self._cost(self._combinations, {"first": first})

    def details(self, request: Request) -> int:
        query = _parsed(params.details_query, request.query_params)
        return 0 if query is None else self._cost(self._details, {"first": query.paging.size})

    def instances(self, request: Request) -> int:
        count = _parsed(params.instance_count, request.query_params)
        return 0 if count is None else self._cost(self._instances, {"count": count})


def _parsed(parse_params: Callable[[QueryParams], Any], query: QueryParams) -> Any:
    try:
        return parse_params(query)
    except params.ParameterError:
        return None

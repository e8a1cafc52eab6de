"""The pipeline's cost stage: the requested cost, the client's budget before the answer cache, settling after.

The requested cost of an answer key (which names the document, the operation
and the variables) is remembered, so a kept answer is served without an
estimate, as it is without validation or execution. The budget is charged
the requested cost before the answer cache is asked (a refusal runs nothing)
and settled at the actual cost the answer carries, kept or computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson
from cachetools import LRUCache
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode
from starlette.types import Scope

from graph.gql.cost.estimate import requested_cost
from graph.gql.cost.extension import cost_extension, costs_of
from graph.gql.document_cache import CachedDocument
from graph.http.cost_budget import COST_BUDGET_EXHAUSTED, Charge, CostBudget, ThrottleStatus, refusal_message

MAX_KEYS = 50_000


class Admission(NamedTuple):
    """An operation the budget let through (or no budget applies to): what it requested, and its charge.

    A named tuple: one is made per request on the hot path."""

    requested: int
    budget: CostBudget | None = None
    charge: Charge | None = None

    def settle(self, body: bytes, *, actual: int | None = None) -> ThrottleStatus | None:
        """Settles the charge at `actual`, else the actual cost the encoded answer carries; the client's
        status after."""
        if self.budget is None or self.charge is None:
            return None
        return self.budget.settle(self.charge, costs_of(body)[1] if actual is None else actual)


class CostStage:
    def __init__(self, schema: GraphQLSchema, *, max_keys: int = MAX_KEYS) -> None:
        self._schema = schema
        self._requested: LRUCache[str, int] = LRUCache(maxsize=max_keys)

    def admit(
        self,
        budget: CostBudget | None,
        scope: Scope,
        *,
        key: str,
        entry: CachedDocument | None,
        operation: OperationDefinitionNode | None,
        variables: Mapping[str, Any] | None,
    ) -> Admission | Charge:
        """The admission of the operation (`entry` None: it does not validate and costs nothing), or the
        refused charge."""
        requested = (
            0 if entry is None or operation is None else self.requested(key, entry, operation, variables)
        )
        client = None if budget is None else budget.client_of(scope)
        if budget is None or client is None:
            return Admission(requested)
        charge = budget.take(client, requested)
        return Admission(requested, budget, charge) if charge.allowed else charge

    def requested(
        self,
        key: str,
        entry: CachedDocument,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
    ) -> int:
        cost = self._requested.get(key)
        if cost is None:
            fragments = {
                d.name.value: d for d in entry.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            cost = requested_cost(self._schema, operation, fragments, variables=variables or {})
            self._requested[key] = cost
        return cost


def refusal_body(charge: Charge) -> bytes:
    """The GraphQL answer of a refused charge: the coded error, and the cost as every answer has it."""
    error = {
        "message": refusal_message(charge),
        "extensions": {
            "code": COST_BUDGET_EXHAUSTED,
            "requestedQueryCost": charge.requested,
            "currentlyAvailable": charge.status.currently_available,
            "retryAfter": charge.retry_after,
        },
    }
    cost = {**cost_extension(requested=charge.requested, actual=0), "throttleStatus": charge.status.as_dict()}
    return orjson.dumps({"errors": [error], "extensions": {"cost": cost}})

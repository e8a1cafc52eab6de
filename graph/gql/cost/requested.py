"""The requested cost of each answer key, remembered: the budget needs it before the answer cache is asked.

An answer key names the document, the operation and the variables, and so
the requested cost; a kept answer is served without validation or
execution, and this keeps the estimate off that path too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from graph.gql.cost.estimate import requested_cost
from graph.gql.document_cache import CachedDocument

MAX_KEYS = 50_000


class RequestedCosts:
    def __init__(self, schema: GraphQLSchema, *, max_keys: int = MAX_KEYS) -> None:
        self._schema = schema
        self._costs: LRUCache[str, int] = LRUCache(maxsize=max_keys)

    def of(
        self,
        key: str,
        entry: CachedDocument,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
    ) -> int:
        cost = self._costs.get(key)
        if cost is None:
            fragments = {
                d.name.value: d for d in entry.document.definitions if isinstance(d, FragmentDefinitionNode)
            }
            cost = requested_cost(self._schema, operation, fragments, variables=variables or {})
            self._costs[key] = cost
        return cost

"""The executor with compiled completion plans (completion_plans.py beside it) for plain selections.

Plans belong to a document the worker keeps (graph/gql/document_cache.py): the
cache registers each operation of a document it holds, and drops its plans
when it lets the document go, so plans never keep a document alive. A document
the cache does not hold is completed the general way.

A plan is compiled on the second sighting of its (type, field nodes), not on
the first: a document sent once, as clients inlining their values send every
document, would pay for compiling and gain nothing. The exception is a list of
more than one value: its plan completes every item, so compiling it on first
sight costs less than completing the items the general way (the executor's
per-item work, and the first item without a plan). A document sent once with a
page of vehicles or a hundred ids is then completed by plans from its first
request, as a document sent again is.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.gql.execution.completion_plans import Completer, CompletionPlans


class DocumentPlans:
    """The plans of one document, each compiled when its selection is sighted again."""

    # 0 compiles on the first sighting (tests that compare every plan with the executor).
    sightings_before_compiling = 1

    def __init__(self) -> None:
        self.plans = CompletionPlans()
        self._sighted: set[tuple[int, ...]] = set()

    def plan_for(
        self,
        schema: GraphQLSchema,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        fragments: dict[str, FragmentDefinitionNode],
        *,
        many: bool = False,
    ) -> Completer | None:
        """The plan, or None until the selection is sighted again (unless it completes `many` values)."""
        key = (id(return_type), *map(id, field_nodes))
        if self.sightings_before_compiling and not many and key not in self._sighted:
            # Ids are stable here: the cache entry owning these plans holds the document.
            self._sighted.add(key)
            return None
        return self.plans.plan_for(schema, return_type, field_nodes, fragments)


class PlanRegistry:
    """The plans of the documents the document cache holds, by operation."""

    def __init__(self) -> None:
        self._tables: dict[int, tuple[OperationDefinitionNode, DocumentPlans]] = {}

    def __len__(self) -> int:
        return len(self._tables)

    def register(self, operation: OperationDefinitionNode, plans: DocumentPlans) -> None:
        self._tables[id(operation)] = (operation, plans)

    def unregister(self, operation: OperationDefinitionNode) -> None:
        table = self._tables.get(id(operation))
        if table is not None and table[0] is operation:
            del self._tables[id(operation)]

    def tables_for(self, operation: OperationDefinitionNode) -> DocumentPlans | None:
        table = self._tables.get(id(operation))
        return table[1] if table is not None and table[0] is operation else None

    def plan_for(
        self,
        schema: GraphQLSchema,
        return_type: GraphQLOutputType,
        field_nodes: list[FieldNode],
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        *,
        many: bool = False,
    ) -> Completer | None:
        plans = self.tables_for(operation)
        if plans is None:
            return None
        return plans.plan_for(schema, return_type, field_nodes, fragments, many=many)

    def entries(self) -> list[tuple[tuple[Any, ...], Completer | None]]:
        """Every registered document's (type and nodes, plan) pairs: for tests and diagnostics."""
        return [entry for _, plans in self._tables.values() for entry in plans.plans.entries()]


# One registry per worker: documents are per schema, but an operation node is in one document.
PLANS = PlanRegistry()


def register_plans(operation: OperationDefinitionNode, plans: DocumentPlans) -> None:
    PLANS.register(operation, plans)


def unregister_plans(operation: OperationDefinitionNode) -> None:
    PLANS.unregister(operation)


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # Field middleware (a schema extension's `resolve`) must see every field,
        # so plans are used only without it.
        middleware = self.middleware_manager
        if (middleware is None or not middleware.middlewares) and not isinstance(result, Exception):
            plan = PLANS.plan_for(
                self.schema,
                return_type,
                [details.node for details in field_details_list],
                self.fragment_definitions,
                self.operation,
                many=type(result) is list and len(result) > 1,
            )
            if plan is not None:
                try:
                    return plan(result)
                except Exception:  # the general completion below reports it precisely
                    pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

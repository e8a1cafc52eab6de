"""The executor with compiled completion plans (completion_plans.py beside it) for plain selections.

Plans belong to a document the worker keeps (graph/gql/document_cache.py):
each cached document owns its `DocumentPlans`, and the pipeline hands them to
the executor with the document (graphql-core passes extra `execute` arguments
to the executor's constructor), so plans live and die with their document. A
document executed without plans is completed the general way.

A plan is compiled on the second sighting of its (type, field nodes), not on
the first: a document sent once, as clients inlining their values send every
document, would pay for compiling and gain nothing. The exception is a list of
more than one value: its plan completes every item, so compiling it on first
sight costs less than completing the items the general way. A document sent
once with a page of vehicles or a list of ids is then completed by plans from
its first request, as a document sent again is.

Plans never hold a selection with a directive, so a deferred fragment or a
streamed list is left to the executor: the incremental one delivers it in
parts, `WholeAnswerExecutionContext` completes it in place.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, GraphQLOutputType, GraphQLSchema

from graph.compat.graphql_core import FieldDetailsList, PlanningExecutor, WholeAnswerExecutor
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


class PlannedExecutionContext(PlanningExecutor):
    """Completes plain selections through the document's plans (`plans`, passed to `execute`)."""

    def __init__(self, *args: Any, plans: DocumentPlans | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = None if self.has_field_middleware else plans

    def complete_planned(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, result: Any
    ) -> tuple[bool, Any]:
        plans = self.plans
        if plans is None or isinstance(result, Exception):
            return False, None
        plan = plans.plan_for(
            self.schema,
            return_type,
            [details.node for details in field_details_list],
            self.fragment_definitions,
            many=type(result) is list and len(result) > 1,
        )
        if plan is None:
            return False, None
        try:
            return True, plan(result)
        except Exception:  # the general completion reports it precisely
            return False, None


class WholeAnswerExecutionContext(WholeAnswerExecutor, PlannedExecutionContext):
    """The planned executor for a client that cannot read parts: `@defer`/`@stream` completed in place."""

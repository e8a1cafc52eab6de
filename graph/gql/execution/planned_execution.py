"""The executor with compiled completion plans (completion_plans.py beside it) for plain selections."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.gql.execution.completion_plans import CompletionPlans

# Plans depend only on the schema and the parsed documents, so one table serves
# every request of a worker.
PLANS = CompletionPlans()


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
            )
            if plan is not None:
                try:
                    return plan(result)
                except Exception:  # the general completion below reports it precisely
                    pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

"""graphql-core's undocumented names the GraphQL pipeline relies on.

- The lexer's `read_string` and `create_token`, which the string lexer
  (graph/gql/parsing.py) overrides and calls.
- `Visitor.get_enter_leave_for_kind`, its `enter_leave_map` and
  `EnterLeaveVisitor`, through which the combined validation rule
  (graph/gql/combined_rules.py) binds its handlers per kind (`KindBoundRule`).
- The executor's `complete_value` (its signature, with `FieldDetailsList`) and
  `middleware_manager`, which `PlanningExecutor` below routes through
  completion plans, and `does_fragment_condition_match`, with which plans
  collect fields.
- The plain `Executor`'s `execute_collected_root_fields`,
  `execute_collected_subfields` and `handle_stream`, which ignore `@defer` and
  `@stream` (as its docstring says); `WholeAnswerExecutor` takes them in place
  of the incremental executor's, so a client that cannot read parts gets the
  whole answer from one execution.

tests/unit/test_compat_graphql_core.py pins each of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    ASTValidationRule,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Token,
    TokenKind,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetailsList,
    GroupedFieldSet,
    does_fragment_condition_match,
)
from graphql.language import Lexer
from graphql.language.visitor import EnterLeaveVisitor
from graphql.pyutils import Path

from graph.compat.strawberry import ExecutionContext

__all__ = [
    "EnterLeaveVisitor",
    "FieldDetailsList",
    "KindBoundRule",
    "PlanningExecutor",
    "StringReadingLexer",
    "WholeAnswerExecutor",
    "does_fragment_condition_match",
]


class StringReadingLexer(Lexer):
    """A lexer that may read a string literal itself: `plain_string_end` finds where one ends."""

    def plain_string_end(self, body: str, start: int) -> int | None:
        """The index of the closing quote of a string needing no decoding, or None."""
        return None

    def read_string(self, start: int) -> Token:
        end = self.plain_string_end(self.source.body, start)
        if end is None:
            return super().read_string(start)
        return self.create_token(TokenKind.STRING, start, end + 1, self.source.body[start + 1 : end])


class KindBoundRule(ASTValidationRule):
    """A validation rule that binds its enter and leave handlers once per node kind (`bind_kind`)."""

    def bind_kind(self, kind: str) -> EnterLeaveVisitor:
        return super().get_enter_leave_for_kind(kind)

    def get_enter_leave_for_kind(self, kind: str) -> EnterLeaveVisitor:
        try:
            return self.enter_leave_map[kind]
        except KeyError:
            found = self.bind_kind(kind)
            self.enter_leave_map[kind] = found
            return found


class PlanningExecutor(ExecutionContext):
    """Strawberry's executor, asking `complete_planned` before completing a value the general way."""

    @property
    def has_field_middleware(self) -> bool:
        """Whether field middleware runs: it must then see every field, so nothing is planned."""
        middleware = self.middleware_manager
        return middleware is not None and bool(middleware.middlewares)

    def complete_planned(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, result: Any
    ) -> tuple[bool, Any]:
        """(True, completed value) when a plan completed it; (False, None) to complete it generally."""
        return False, None

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        done, value = self.complete_planned(return_type, field_details_list, result)
        if done:
            return value
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)


class WholeAnswerExecutor(ExecutionContext):
    """Strawberry's executor completing deferred fragments and streamed lists in place: one answer.

    graphql-core's plain `Executor` ignores `@defer` and `@stream`; these three
    methods are its own, taken over the incremental executor's.
    """

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> Any:
        return Executor.execute_collected_root_fields(
            self, root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path,
        grouped_field_set: GroupedFieldSet,
        new_defer_usages: Sequence[DeferUsage],
        position_context: Any,
    ) -> Any:
        return Executor.execute_collected_subfields(
            self, parent_type, source_value, path, grouped_field_set, new_defer_usages, None
        )

    def handle_stream(self, *_args: Any) -> bool:
        return False

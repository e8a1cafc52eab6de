"""Introspection switched off (production by default): refused with a coded error that says so.

graphql-core's own rule reports a generic validation failure; clients such as
GraphiQL, codegen or Apollo's explorer show the message, so it names the
setting, and the code lets a client tell "disabled" from "broken".
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule, get_named_type, is_introspection_type

from graph.gql.errors import INTROSPECTION_DISABLED


class IntrospectionDisabledRule(ValidationRule):
    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        # `__typename` stays allowed: clients such as Apollo add it to every selection.
        field_type = get_named_type(self.context.get_type())
        if field_type is not None and is_introspection_type(field_type):
            self.report_error(
                GraphQLError(
                    f"Introspection is disabled on this server (INTROSPECTION=false, the production "
                    f"default), but the query asked for '{node.name.value}'.",
                    nodes=[node],
                    extensions={"code": INTROSPECTION_DISABLED},
                )
            )

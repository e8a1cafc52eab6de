"""Limits on what one GraphQL document may ask for, checked before any resolver runs.

Depth, aliases (counted through fragment spreads) and the requested cost of
the cost directives (graph/gql/cost/: the numbers the SDL shows gateways). The
cost is an upper bound: a page size given by a variable counts as the largest
page allowed, since validation runs before variables are known. Every
rejection carries `extensions.code = QUERY_TOO_COMPLEX`, and no Elasticsearch
call is made.

Introspection (`__schema`, `__type`) is measured on its own terms, since the
standard introspection queries of graphql-js, graphql-core, GraphiQL and Apollo
are legitimately deep: their `TypeRef` fragment nests `ofType` nine times to
unwrap types like `[[Int!]!]!`. Inside a meta field the `ofType` chain is
counted apart from the depth, and both are held to what those queries need
and no more; a meta field counts as one level towards the ordinary depth. An
operation may ask for `__schema` once: a second copy only multiplies the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

from graph.gql.cost.estimate import requested_cost
from graph.gql.errors import QUERY_TOO_COMPLEX


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 25_000
    max_tokens: int = 2_000
    # Every character of the document, comments and whitespace included: the token limit
    # skips them, so without this a document padded with comment passes every other limit.
    max_document_characters: int = 32 * 1024
    max_body_bytes: int = 64 * 1024
    # The standard introspection queries need exactly these (see the module docstring).
    max_introspection_depth: int = 6
    max_of_type_depth: int = 9
    max_schema_fields: int = 1


LIMITS = QueryLimits()

_META_FIELDS = frozenset({"__schema", "__type"})


class _Measure(NamedTuple):
    # Levels of ordinary fields; a meta field is one level, whatever lies below it.
    depth: int = 0
    aliases: int = 0
    # Below a meta field: its levels without `ofType`, and the `ofType` fields on one path.
    introspection_depth: int = 0
    of_type_depth: int = 0
    schema_fields: int = 0


_NOTHING = _Measure()


def _field_measure(field: FieldNode, below: _Measure) -> _Measure:
    name = field.name.value
    depth = below.depth + (name != "ofType")
    if name in _META_FIELDS:
        # A meta field is one level of the ordinary depth; what lies below it counts apart.
        depth, introspection_depth = 1, depth
    else:
        introspection_depth = below.introspection_depth
    return _Measure(
        depth,
        below.aliases + (field.alias is not None),
        introspection_depth,
        # ofType only exists on __Type: it unwraps a type, and its chain is limited on its own.
        below.of_type_depth + (name == "ofType"),
        below.schema_fields + (name == "__schema"),
    )


class _Walker:
    """Measures selection sets; each fragment is measured once, so nested spreads
    cannot make the analysis itself exponential. Validation runs this for every new
    document, so it sums in locals rather than building a measure per selection."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.measured: dict[str, _Measure] = {}

    def measure(self, selection_set: SelectionSetNode | None, seen: frozenset[str]) -> _Measure:
        if selection_set is None:
            return _NOTHING
        depth = aliases = introspection_depth = of_type_depth = schema_fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = _field_measure(selection, self.measure(selection.selection_set, seen))
            elif isinstance(selection, InlineFragmentNode):
                part = self.measure(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value, seen)
            else:
                continue
            aliases += part.aliases
            schema_fields += part.schema_fields
            depth = max(depth, part.depth)
            introspection_depth = max(introspection_depth, part.introspection_depth)
            of_type_depth = max(of_type_depth, part.of_type_depth)
        return _Measure(depth, aliases, introspection_depth, of_type_depth, schema_fields)

    def fragment(self, name: str, seen: frozenset[str]) -> _Measure:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in seen:
            return _NOTHING  # unknown or circular: the standard rules report it
        measure = self.measure(definition.selection_set, seen | {name})
        self.measured[name] = measure
        return measure


class QueryLimitsRule(ASTValidationRule):
    limits = LIMITS

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._schema = context.schema
        self._fragments = {
            d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        measure = _Walker(self._fragments).measure(node.selection_set, frozenset())
        cost = requested_cost(self._schema, node, self._fragments, variables=None)
        limits = self.limits
        problems = []
        if measure.depth > limits.max_depth:
            problems.append(f"depth {measure.depth} exceeds the limit of {limits.max_depth}")
        if measure.aliases > limits.max_aliases:
            problems.append(f"{measure.aliases} aliases exceed the limit of {limits.max_aliases}")
        if cost > limits.max_cost:
            problems.append(f"estimated cost {cost} exceeds the limit of {limits.max_cost}")
        if measure.introspection_depth > limits.max_introspection_depth:
            problems.append(
                f"introspection depth {measure.introspection_depth} exceeds the limit of "
                f"{limits.max_introspection_depth}"
            )
        if measure.of_type_depth > limits.max_of_type_depth:
            problems.append(
                f"{measure.of_type_depth} nested ofType fields exceed the limit of {limits.max_of_type_depth}"
            )
        if measure.schema_fields > limits.max_schema_fields:
            problems.append(
                f"__schema is asked for {measure.schema_fields} times (limit {limits.max_schema_fields})"
            )
        for problem in problems:
            self.report_error(
                GraphQLError(
                    f"Query is too complex: {problem}.",
                    nodes=[node],
                    extensions={"code": QUERY_TOO_COMPLEX},
                )
            )

"""Limits on what one GraphQL document may ask for, checked before any resolver runs.

Depth, aliases (counted through fragment spreads) and a cost that grows with
the page sizes and instance counts asked for. The cost is an upper bound: a
page size given by a variable counts as the largest page allowed, since
validation runs before variables are known. Every rejection carries
`extensions.code = QUERY_TOO_COMPLEX`, and no Elasticsearch call is made.

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
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

from graph.gql.errors import QUERY_TOO_COMPLEX
from resolvers.groups import MAX_GROUPS_PAGE, MAX_OTHER_YEARS
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.vehicles import MAX_IDS


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

# Arguments that multiply the cost of everything below the field: the value
# assumed when the argument is omitted (the field's default) and the largest
# the field accepts (assumed when a variable gives it).
_MULTIPLIERS: dict[str, tuple[str, int, int]] = {
    "vehicles": ("first", 20, MAX_PAGE_SIZE),
    "manufacturerModelCombinations": ("first", 50, MAX_GROUPS_PAGE),
    "otherYears": ("first", 10, MAX_OTHER_YEARS),
    "instances": ("count", 8, 20),
    "vehiclesByIds": ("ids", 1, MAX_IDS),
    # Query.nodes; a connection's `nodes` takes no `ids` and counts once.
    "nodes": ("ids", 1, MAX_IDS),
    # The federation subgraph's entities (resolvers/entities.py takes as many as vehiclesByIds).
    "_entities": ("representations", 1, MAX_IDS),
}


def _multiplier(field: FieldNode) -> int:
    """How many times the field's selection may be resolved (a group's `vehicles` defaults
    to 10, counted as the query's 20: an upper bound is all the limit needs)."""
    rule = _MULTIPLIERS.get(field.name.value)
    if rule is None:
        return 1
    argument_name, default, largest = rule
    for argument in field.arguments or ():
        if argument.name.value != argument_name:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(1, min(int(value.value), largest))
        if isinstance(value, ListValueNode):
            return max(1, min(len(value.values), largest))
        return largest  # a variable: assume the worst
    return default


_META_FIELDS = frozenset({"__schema", "__type"})


class _Measure(NamedTuple):
    cost: int = 0
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
        1 + _multiplier(field) * below.cost,
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
        cost = depth = aliases = introspection_depth = of_type_depth = schema_fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = _field_measure(selection, self.measure(selection.selection_set, seen))
            elif isinstance(selection, InlineFragmentNode):
                part = self.measure(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value, seen)
            else:
                continue
            cost += part.cost
            aliases += part.aliases
            schema_fields += part.schema_fields
            depth = max(depth, part.depth)
            introspection_depth = max(introspection_depth, part.introspection_depth)
            of_type_depth = max(of_type_depth, part.of_type_depth)
        return _Measure(cost, depth, aliases, introspection_depth, of_type_depth, schema_fields)

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
        self._fragments = {
            d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        measure = _Walker(self._fragments).measure(node.selection_set, frozenset())
        limits = self.limits
        problems = []
        if measure.depth > limits.max_depth:
            problems.append(f"depth {measure.depth} exceeds the limit of {limits.max_depth}")
        if measure.aliases > limits.max_aliases:
            problems.append(f"{measure.aliases} aliases exceed the limit of {limits.max_aliases}")
        if measure.cost > limits.max_cost:
            problems.append(f"estimated cost {measure.cost} exceeds the limit of {limits.max_cost}")
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

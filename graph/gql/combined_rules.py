"""Validation rules run as one rule: each node goes only to the rules that handle its kind.

graphql-core validates a document with a fresh instance of each of its ~35
rules inside a `ParallelVisitor`, which finds every rule's `enter_<kind>` /
`leave_<kind>` methods per document (a failing `getattr` for most of them) and
then, at every node, loops over all the rules to skip the ones that have no
method for the node. A new document paid that for every node: most of its
validation time went to rules that had nothing to say.

`combined_rule(rules)` is one `ASTValidationRule` (graphql-core's public rule
API) holding an instance of each rule. Which rule handles which kind is
resolved once per rule set; per document, a kind met for the first time binds
only the handling rules' methods, and a node is passed only to them, in the
rules' order. What a rule returns is honoured as `ParallelVisitor` honours it
(SKIP skips that rule below the node, BREAK ends that rule), so the rules, their
errors and their order are those of graphql-core's own validation.

`rules_for(rules, document)` also leaves out the five rules about variables for
a document whose text has no `$`: without one there is neither a variable
definition nor a variable usage for them to report on, and NoUndefinedVariables
would walk the operation a second time only to find that out.
tests/unit/test_combined_rules.py validates documents both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from graphql import (
    BREAK,
    SKIP,
    ASTValidationRule,
    DocumentNode,
    FragmentDefinitionNode,
    NoFragmentCyclesRule,
    NoUndefinedVariablesRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    UniqueFragmentNamesRule,
    UniqueVariableNamesRule,
    VariablesAreInputTypesRule,
    VariablesInAllowedPositionRule,
)
from graphql.validation import ASTValidationContext

from graph.compat.graphql_core import EnterLeaveVisitor, KindBoundRule

# Rules that report only on variable definitions and usages, both spelled with a `$`.
VARIABLE_RULES: Final[frozenset[type[ASTValidationRule]]] = frozenset(
    {
        NoUndefinedVariablesRule,
        NoUnusedVariablesRule,
        UniqueVariableNamesRule,
        VariablesAreInputTypesRule,
        VariablesInAllowedPositionRule,
    }
)

# Rules that report only on fragment definitions (a spread of an unknown fragment is
# KnownFragmentNames's, which stays).
FRAGMENT_DEFINITION_RULES: Final[frozenset[type[ASTValidationRule]]] = frozenset(
    {NoFragmentCyclesRule, NoUnusedFragmentsRule, UniqueFragmentNamesRule}
)

_NOTHING: Final = EnterLeaveVisitor(None, None)

Handler = Callable[..., Any]
# Per node kind: (rule index, enter method name, leave method name) of the rules handling it.
KindTable = tuple[tuple[int, str | None, str | None], ...]


def _method_name(rule: type, kind: str, direction: str) -> str | None:
    """The method graphql-core's Visitor picks for the kind: `enter_<kind>`, else `enter`."""
    for name in (f"{direction}_{kind}", direction):
        if getattr(rule, name, None):
            return name
    return None


class CombinedRule(KindBoundRule):
    """The rules of `rules`, run in their order over one walk (made by `combined_rule`)."""

    rules: tuple[type[ASTValidationRule], ...] = ()
    _tables: dict[str, KindTable]

    def __init__(self, context: ASTValidationContext) -> None:
        super().__init__(context)
        self.visitors = [rule(context) for rule in self.rules]
        # As ParallelVisitor's: the node a rule asked to skip, or BREAK once it asked to stop.
        self.skipping: list[Any] = [None] * len(self.visitors)

    @classmethod
    def table(cls, kind: str) -> KindTable:
        known = cls._tables.get(kind)
        if known is None:
            rows = []
            for index, rule in enumerate(cls.rules):
                enter, leave = _method_name(rule, kind, "enter"), _method_name(rule, kind, "leave")
                if enter or leave:
                    rows.append((index, enter, leave))
            known = cls._tables[kind] = tuple(rows)
        return known

    def bind_kind(self, kind: str) -> EnterLeaveVisitor:
        return self._bind(self.table(kind))

    def _bind(self, table: KindTable) -> EnterLeaveVisitor:
        if not table:
            return _NOTHING
        visitors = self.visitors
        skipping = self.skipping
        enters = tuple((i, getattr(visitors[i], enter)) for i, enter, _ in table if enter)
        # Every rule that may skip a node of this kind (one with an enter) is un-skipped on leaving it.
        leaves = tuple((i, getattr(visitors[i], leave) if leave else None) for i, _, leave in table)

        def enter_node(node: Any, *args: Any) -> Any:
            for i, fn in enters:
                if not skipping[i]:
                    result = fn(node, *args)
                    if result is None:
                        continue
                    if result is SKIP or result is False:
                        skipping[i] = node
                    elif result is BREAK or result is True:
                        skipping[i] = BREAK
                    else:
                        return result
            return None

        def leave_node(node: Any, *args: Any) -> Any:
            for i, fn in leaves:
                if not skipping[i]:
                    if fn:
                        result = fn(node, *args)
                        if result is None:
                            continue
                        if result is BREAK or result is True:
                            skipping[i] = BREAK
                        elif result is not SKIP and result is not False:
                            return result
                elif skipping[i] is node:
                    skipping[i] = None
            return None

        return EnterLeaveVisitor(enter_node if enters else None, leave_node)


_COMBINED: dict[tuple[type[ASTValidationRule], ...], type[CombinedRule]] = {}


def combined_rule(rules: Sequence[type[ASTValidationRule]]) -> type[CombinedRule]:
    """The one rule running `rules`, made once per rule set."""
    key = tuple(rules)
    known = _COMBINED.get(key)
    if known is None:
        known = type("CombinedRule", (CombinedRule,), {"rules": key, "_tables": {}})
        _COMBINED[key] = known
    return known


def may_use_variables(document: DocumentNode) -> bool:
    """False only when the document's text has no `$` (a document parsed without locations may)."""
    location = document.loc
    return location is None or "$" in location.source.body


def rules_for(
    rules: Sequence[type[ASTValidationRule]], document: DocumentNode
) -> tuple[type[ASTValidationRule], ...]:
    """The rule set to validate the document with: one combined rule."""
    idle: frozenset[type[ASTValidationRule]] = frozenset()
    if not may_use_variables(document):
        idle |= VARIABLE_RULES
    if not any(isinstance(definition, FragmentDefinitionNode) for definition in document.definitions):
        idle |= FRAGMENT_DEFINITION_RULES
    if idle:
        rules = [rule for rule in rules if rule not in idle]
    return (combined_rule(rules),)

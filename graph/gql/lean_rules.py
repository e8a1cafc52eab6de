"""Validation rules whose visitor methods are looked up once per class, not once per document.

graphql-core validates a document with a fresh instance of each of its ~30
rules, and each instance finds its `enter_<kind>` / `leave_<kind>` methods for
every node kind it meets with `getattr`, most of them failing (a rule handles a
few kinds) and each building a named tuple. For a new document that was about
a quarter of the request's time. The subclasses made here answer the same
`get_enter_leave_for_kind` (graphql-core's public visitor API) from names
resolved once per class and kind, and share one empty answer for the kinds a
rule ignores. The rules themselves, their errors and their order are unchanged
(tests/unit/test_lean_rules.py validates documents both ways).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from graphql import ASTValidationRule
from graphql.language.visitor import EnterLeaveVisitor

_NOTHING: Final = EnterLeaveVisitor(None, None)


# Keyed by class (types hash by identity; mypy cannot see that through the Visitor classes).
_NAMES: dict[tuple[int, str], tuple[type, str | None, str | None]] = {}
_LEAN: dict[int, tuple[type[ASTValidationRule], type[ASTValidationRule]]] = {}


def _method_names(rule: type, kind: str) -> tuple[str | None, str | None]:
    """The names of the rule's enter and leave methods for a node kind, as graphql-core picks them."""
    known = _NAMES.get((id(rule), kind))
    if known is not None and known[0] is rule:
        return known[1], known[2]
    enter = f"enter_{kind}" if getattr(rule, f"enter_{kind}", None) else None
    leave = f"leave_{kind}" if getattr(rule, f"leave_{kind}", None) else None
    enter = enter or ("enter" if getattr(rule, "enter", None) else None)
    leave = leave or ("leave" if getattr(rule, "leave", None) else None)
    _NAMES[(id(rule), kind)] = (rule, enter, leave)
    return enter, leave


def _get_enter_leave_for_kind(self: Any, kind: str) -> EnterLeaveVisitor:
    try:
        return self.enter_leave_map[kind]  # type: ignore[no-any-return]
    except KeyError:
        enter, leave = _method_names(type(self), kind)
        found = (
            _NOTHING
            if enter is None and leave is None
            else EnterLeaveVisitor(
                None if enter is None else getattr(self, enter),
                None if leave is None else getattr(self, leave),
            )
        )
        self.enter_leave_map[kind] = found
        return found


def lean_rule(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """The rule's lean subclass, made once per rule."""
    known = _LEAN.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    lean = type(rule.__name__, (rule,), {"get_enter_leave_for_kind": _get_enter_leave_for_kind})
    _LEAN[id(rule)] = (rule, lean)
    return lean


def lean_rules(rules: Sequence[type[ASTValidationRule]]) -> tuple[type[ASTValidationRule], ...]:
    return tuple(lean_rule(rule) for rule in rules)

"""Inlining variables into a GraphQL document: the literal mode's "every request a new document".

A client that builds its query text with the values in it (string formatting,
no variables) sends a document the server has never parsed. This writes such
documents from an operation with variables and one set of their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import orjson

_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnumValue(str):
    """A value written bare in a document (`YEAR`, not `"YEAR"`); a plain string in JSON variables."""

    __slots__ = ()


def graphql_literal(value: object) -> str:
    """`value` as GraphQL literal text (the inverse of how a server coerces a literal)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnumValue):
        if not _NAME.fullmatch(value) or value in ("true", "false", "null"):
            raise ValueError(f"{value!r} is not an enum value name")
        return str(value)
    if isinstance(value, str):
        # A JSON string is a GraphQL string: the same quotes and escapes.
        return orjson.dumps(value).decode()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(graphql_literal(item) for item in value) + "]"
    if isinstance(value, Mapping):
        fields = []
        for name, item in value.items():
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an input field name")
            fields.append(f"{name}: {graphql_literal(item)}")
        return "{ " + ", ".join(fields) + " }"
    raise TypeError(f"no GraphQL literal for {type(value).__name__}")


def inline_variables(document: str, variables: Mapping[str, object]) -> str:
    """The document without variable definitions, each `$name` replaced by its value.

    A variable the values leave out is written as null, as the server would
    read an absent nullable variable.
    """
    head, brace, body = document.partition("{")
    if not brace:
        raise ValueError("not an operation: no selection set")
    definitions = head.find("(")
    if definitions >= 0:
        head = head[:definitions].rstrip() + " "
    unknown = set(variables) - set(_VARIABLE.findall(document))
    if unknown:
        raise ValueError(f"values for variables the document does not declare: {sorted(unknown)}")
    return head + brace + _VARIABLE.sub(lambda m: graphql_literal(variables.get(m.group(1))), body)

"""Schema evolution: which differences from a published schema clients would notice.

graphql-core's `find_breaking_changes` and `find_dangerous_changes` compare two
schemas. A breaking change fails the check, unless it removes a field, an
argument or an enum value that the published schema already marked
`@deprecated(reason: …)` AND that CHANGELOG.md lists under "Deprecated" in a
released version: clients then had at least one release's warning (see
docs/schema-evolution.md). Dangerous changes (a new enum value, a new optional
argument's default) are reported, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from graphql import (
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

# The removals a deprecation can announce; a changed type or a new required argument cannot be.
EXCUSABLE: Final = frozenset(
    {
        BreakingChangeType.FIELD_REMOVED,
        BreakingChangeType.ARG_REMOVED,
        BreakingChangeType.VALUE_REMOVED_FROM_ENUM,
    }
)
_COORDINATE = re.compile(r"^(?:Field|Argument|Enum value) (\S+) was removed\.$")
_RELEASE_HEADING = re.compile(r"^## \[?(?P<version>[0-9][^\]\s]*)\]?")
_LISTED = re.compile(r"`([A-Za-z_]\w*\.[A-Za-z_]\w*(?:\([A-Za-z_]\w*:\))?)`")


@dataclass(slots=True)
class SchemaCheck:
    breaking: list[str] = field(default_factory=list)
    # Removals announced by a deprecation in a released version.
    allowed: list[str] = field(default_factory=list)
    dangerous: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaking


def released_deprecations(changelog: str) -> dict[str, str]:
    """Schema coordinates listed under "### Deprecated" in released versions, with that version.

    Entries under "## Unreleased" do not count: a deprecation has to ship before the removal.
    """
    found: dict[str, str] = {}
    version: str | None = None
    in_deprecated = False
    for line in changelog.splitlines():
        if line.startswith("## "):
            heading = _RELEASE_HEADING.match(line)
            version = heading.group("version") if heading else None
            in_deprecated = False
        elif line.startswith("### "):
            in_deprecated = line[4:].strip().lower() == "deprecated"
        elif in_deprecated and version is not None:
            # `Type.field`: why, and what to use instead. Only the names before the ": " count.
            for coordinate in _LISTED.findall(line.split(": ", 1)[0]):
                found.setdefault(coordinate, version)
    return found


def _deprecated_in(schema: GraphQLSchema, coordinate: str) -> bool:
    """Whether the coordinate (`Type.field`, `Type.field(arg:)`, `Enum.VALUE`) carries @deprecated."""
    match = re.fullmatch(r"(\w+)\.(\w+)(?:\((\w+):\))?", coordinate)
    if match is None:
        return False
    type_name, member, argument = match.groups()
    named = schema.get_type(type_name)
    if isinstance(named, GraphQLEnumType):
        value = named.values.get(member)
        return value is not None and value.deprecation_reason is not None
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        member_field = named.fields.get(member)
        if member_field is None:
            return False
        if argument is None:
            return getattr(member_field, "deprecation_reason", None) is not None
        arg = getattr(member_field, "args", {}).get(argument)
        return arg is not None and arg.deprecation_reason is not None
    return False


def check_schema(*, published_sdl: str, current: GraphQLSchema, changelog: str) -> SchemaCheck:
    published = build_schema(published_sdl)
    announced = released_deprecations(changelog)
    result = SchemaCheck()
    for change in find_breaking_changes(published, current):
        match = _COORDINATE.match(change.description)
        coordinate = match.group(1) if match else None
        if (
            change.type in EXCUSABLE
            and coordinate is not None
            and coordinate in announced
            and _deprecated_in(published, coordinate)
        ):
            result.allowed.append(f"{change.description} (deprecated in {announced[coordinate]})")
        elif change.type in EXCUSABLE and coordinate is not None:
            result.breaking.append(
                f"{change.description} Deprecate it first: @deprecated(reason: …) in one release, "
                f'listed as `{coordinate}` under "### Deprecated" in CHANGELOG.md; remove it in a later one.'
            )
        else:
            result.breaking.append(change.description)
    result.dangerous = [change.description for change in find_dangerous_changes(published, current)]
    return result

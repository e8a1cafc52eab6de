from __future__ import annotations

import re
from pathlib import Path

from graphql import build_schema
from typer.testing import CliRunner

from graph.cli.main import app, render_schema
from graph.gql.schema_evolution import check_schema, released_deprecations

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

PUBLISHED = """
type Query {
  vehicle(id: ID!, locale: String @deprecated(reason: "unused")): Vehicle
  legacyCount: Int @deprecated(reason: "use vehicles.totalCount")
  oldTotal: Int
  sort: Sort
}
type Vehicle { id: ID! year: Int! }
enum Sort { YEAR NAME @deprecated(reason: "use YEAR") }
"""

CHANGELOG_WITH_DEPRECATIONS = """
## Unreleased
### Deprecated
- `Query.oldTotal`: announced now, so it cannot go yet.

## 1.1.0 — 2026-11-01
### Deprecated
- `Query.legacyCount`: use `vehicles.totalCount`.
- `Query.vehicle(locale:)` and `Sort.NAME`.

## 1.0.0 — 2026-10-01
### Added
- `Query.oldTotal` (not a deprecation: another section).
"""


def newest_release() -> str:
    match = re.search(r"^## \[?([0-9][^\]\s]*)", CHANGELOG, flags=re.MULTILINE)
    assert match, "CHANGELOG.md has no released version"
    return match.group(1)


def test_the_code_breaks_nothing_published_in_the_newest_release() -> None:
    published = ROOT / "docs" / "schema" / f"{newest_release()}.graphql"
    assert published.is_file(), f"{published} is missing: copy schema.graphql there when releasing"
    result = check_schema(
        published_sdl=published.read_text(encoding="utf-8"),
        current=build_schema(render_schema()),
        changelog=CHANGELOG,
    )
    assert result.ok, "breaking changes against the last release:\n" + "\n".join(result.breaking)


def test_only_released_deprecations_count() -> None:
    assert released_deprecations(CHANGELOG_WITH_DEPRECATIONS) == {
        "Query.legacyCount": "1.1.0",
        "Query.vehicle(locale:)": "1.1.0",
        "Sort.NAME": "1.1.0",
    }


def test_removing_what_a_release_deprecated_is_allowed() -> None:
    current = build_schema(
        "type Query { vehicle(id: ID!): Vehicle oldTotal: Int sort: Sort } "
        "type Vehicle { id: ID! year: Int! } enum Sort { YEAR }"
    )
    result = check_schema(published_sdl=PUBLISHED, current=current, changelog=CHANGELOG_WITH_DEPRECATIONS)
    assert result.ok, result.breaking
    assert len(result.allowed) == 3
    assert all("(deprecated in 1.1.0)" in line for line in result.allowed)


def test_removing_a_field_without_a_released_deprecation_breaks() -> None:
    current = build_schema(
        "type Query { vehicle(id: ID!, locale: String): Vehicle legacyCount: Int sort: Sort } "
        "type Vehicle { id: ID! year: Int! } enum Sort { YEAR NAME }"
    )
    result = check_schema(published_sdl=PUBLISHED, current=current, changelog=CHANGELOG_WITH_DEPRECATIONS)
    assert not result.ok
    (line,) = result.breaking
    assert line.startswith("Field Query.oldTotal was removed.")
    assert "Deprecate it first" in line


def test_a_deprecation_only_in_the_changelog_is_not_enough() -> None:
    published = PUBLISHED.replace(
        'legacyCount: Int @deprecated(reason: "use vehicles.totalCount")', "legacyCount: Int"
    )
    current = build_schema(
        "type Query { vehicle(id: ID!, locale: String): Vehicle oldTotal: Int sort: Sort } "
        "type Vehicle { id: ID! year: Int! } enum Sort { YEAR NAME }"
    )
    result = check_schema(published_sdl=published, current=current, changelog=CHANGELOG_WITH_DEPRECATIONS)
    assert [line.split(" Deprecate")[0] for line in result.breaking] == [
        "Field Query.legacyCount was removed."
    ]


def test_a_changed_type_is_never_excused() -> None:
    current = build_schema(
        "type Query { vehicle(id: ID!, locale: String): Vehicle legacyCount: Int oldTotal: Int sort: Sort } "
        "type Vehicle { id: ID! year: String! } enum Sort { YEAR NAME }"
    )
    result = check_schema(published_sdl=PUBLISHED, current=current, changelog=CHANGELOG_WITH_DEPRECATIONS)
    assert result.breaking == ["Field Vehicle.year changed type from Int! to String!."]


def test_dangerous_changes_are_reported_not_fatal() -> None:
    current = build_schema(
        "type Query { vehicle(id: ID!, locale: String): Vehicle legacyCount: Int oldTotal: Int sort: Sort } "
        "type Vehicle { id: ID! year: Int! } enum Sort { YEAR NAME PRICE }"
    )
    result = check_schema(published_sdl=PUBLISHED, current=current, changelog=CHANGELOG_WITH_DEPRECATIONS)
    assert result.ok
    assert result.dangerous == ["Enum value Sort.PRICE was added."]


def test_the_command_fails_on_a_breaking_change(tmp_path: Path) -> None:
    published = tmp_path / "published.graphql"
    published.write_text(
        render_schema().replace("type Query {", "type Query {\n  retired: Int", 1), encoding="utf-8"
    )
    runner = CliRunner()
    breaking = runner.invoke(
        app, ["schema", "check", "--against", str(published), "--changelog", str(ROOT / "CHANGELOG.md")]
    )
    assert breaking.exit_code == 1, breaking.output
    assert "BREAKING   Field Query.retired was removed. Deprecate it first" in breaking.output
    same = runner.invoke(
        app,
        [
            "schema",
            "check",
            "--against",
            str(ROOT / "schema.graphql"),
            "--changelog",
            str(ROOT / "CHANGELOG.md"),
        ],
    )
    assert same.exit_code == 0, same.output
    assert "no breaking change against" in same.output

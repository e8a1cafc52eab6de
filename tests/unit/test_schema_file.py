from __future__ import annotations

from pathlib import Path

from graph.cli.main import render_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_regenerated_from_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "schema.graphql is stale: run `make schema` (autos-graph schema export) and commit it"
    )

"""The Federation 2 subgraph schema (graph/gql/federation/schema.py), its export, plans and limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import InterfaceTypeDefinitionNode, ObjectTypeDefinitionNode, parse, print_ast, validate
from typer.testing import CliRunner

from graph.cli.main import app, render_schema
from graph.compat.strawberry import SubgraphService, graphql_schema
from graph.gql.execution.completion_plans import compile_completer
from graph.gql.federation.schema import build_subgraph_schema, subgraph_sdl
from graph.gql.query_limits import QueryLimitsRule
from graph.gql.schema import build_schema
from graph.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def keys_of(sdl: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for definition in parse(sdl).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            found = [print_ast(d) for d in definition.directives or () if d.name.value == "key"]
            if found:
                keys[definition.name.value] = found
    return keys


def test_the_subgraph_declares_its_entities_keys() -> None:
    sdl = subgraph_sdl()
    assert keys_of(sdl) == {
        "ManufacturerModelGroup": [
            '@key(fields: "manufacturer", resolvable: true)',
            '@key(fields: "id", resolvable: true)',
        ],
        "Node": ['@key(fields: "id", resolvable: true)'],
        "Vehicle": ['@key(fields: "id", resolvable: true)', '@key(fields: "vehicleId", resolvable: true)'],
    }
    assert sdl.startswith('schema @link(url: "https://specs.apollo.dev/federation/v2.')
    assert "_entities(representations: [_Any!]!): [_Entity]!" in sdl
    assert "union _Entity = ManufacturerModelGroup | Vehicle" in sdl


def test_schema_graphql_stays_the_direct_clients_schema_whatever_is_built_first() -> None:
    build_subgraph_schema()
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert render_schema() == committed
    assert "@key" not in committed
    assert "_entities" not in committed


def test_schema_export_federation_writes_the_subgraph_sdl(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema", "export", "--federation"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == subgraph_sdl()
    output = tmp_path / "subgraph.graphql"
    written = runner.invoke(app, ["schema", "export", "--federation", "-o", str(output)])
    assert written.exit_code == 0, written.output
    assert output.read_text(encoding="utf-8") == subgraph_sdl()


def test_federation_refuses_trusted_documents_only() -> None:
    with pytest.raises(SettingsError, match="FEDERATION=true needs TRUSTED_DOCUMENTS=off"):
        load_settings(federation=True, trusted_documents="only", trusted_documents_manifest="/dev/null")
    assert load_settings(federation=True).federation


def test_completion_plans_leave_entities_to_the_executor_and_plan_service() -> None:
    core = graphql_schema(build_subgraph_schema())
    assert core.query_type is not None
    entities = parse("{ _entities(representations: []) { ... on Vehicle { id } } }")
    service = parse("{ _service { sdl } }")
    field_nodes = {
        name: document.definitions[0].selection_set.selections  # type: ignore[attr-defined]
        for name, document in (("_entities", entities), ("_service", service))
    }
    # `[_Entity]!` is a list of a union: the executor resolves each entity's type.
    entities_type = core.query_type.fields["_entities"].type
    assert compile_completer(core, entities_type, field_nodes["_entities"], {}) is None
    service_type = core.query_type.fields["_service"].type
    plan = compile_completer(core, service_type, field_nodes["_service"], {})
    assert plan is not None
    assert plan(SubgraphService(sdl="type Query")) == {"sdl": "type Query"}


@pytest.mark.parametrize(
    ("selection", "refused"),
    [
        ("... on Vehicle { id manufacturer model year bodyClass }", False),
        # 500 representations (a variable is counted as the most allowed) of 20 instances: 21 each.
        ("... on Vehicle { instances(count: 20) { vin condition mileage state exteriorColor } }", False),
        # 500 representations of 10 other years with 20 instances each: 211 each.
        ("... on Vehicle { otherYears(first: 10) { instances(count: 20) { vin } } }", True),
    ],
)
def test_query_limits_count_entities_as_their_most_representations(selection: str, refused: bool) -> None:
    core = graphql_schema(build_subgraph_schema())
    document = parse(f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ {selection} }} }}")
    errors = validate(core, document, [QueryLimitsRule])
    assert [e.extensions for e in errors] == ([{"code": "QUERY_TOO_COMPLEX"}] if refused else [])


def test_the_subgraph_sdl_shows_no_cost_directives_even_after_the_direct_schema_is_built() -> None:
    assert "@cost(weight:" in build_schema().as_str()
    sdl = subgraph_sdl()
    assert "@cost" not in sdl
    assert "@listSize" not in sdl
    assert "@cost(weight:" in build_schema().as_str()  # the direct schema keeps them

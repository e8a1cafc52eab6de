"""The ablation's patches find their product names and take the mechanism out.

They run in a child process: a patch changes the product's modules for good.
"""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from scripts.bench.ablation_server import PATCHES, PatchTargetMissing, replace_function

CHECKS = """
import sys
from scripts.bench.ablation_server import apply
changed = apply(sys.argv[1:])
import graphql
from graph.gql import combined_rules, parsing
from graph.gql.execution.planned_execution import DocumentPlans

if "lexer" in changed:
    assert parsing.parse_document("{ a }") == graphql.parse("{ a }")
if "combined_rules" in changed:
    rules = list(graphql.specified_rules)
    assert combined_rules.rules_for(rules, graphql.parse("{ a }")) == tuple(rules)
if "completion_plans" in changed:
    assert DocumentPlans.plan_for.__module__ == "scripts.bench.ablation_server"
    assert DocumentPlans().plan_for(None, None, [], {}, many=True) is None
print(changed)
"""


@pytest.mark.parametrize("name", sorted(PATCHES))
def test_each_patch_finds_its_names_and_takes_the_mechanism_out(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECKS, name], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert name in done.stdout


def test_a_function_imported_by_name_is_replaced_in_its_importer_too() -> None:
    def original() -> str:
        return "original"

    def replacement() -> str:
        return "replacement"

    home = types.ModuleType("bench_test_home")
    home.helper = original  # type: ignore[attr-defined]
    user = types.ModuleType("bench_test_user")
    user.helper_by_name = original  # type: ignore[attr-defined]
    sys.modules.update(bench_test_home=home, bench_test_user=user)
    try:
        assert replace_function("bench_test_home", "helper", replacement, patch="test") == 2
        assert user.helper_by_name is replacement
    finally:
        del sys.modules["bench_test_home"], sys.modules["bench_test_user"]


def test_a_moved_name_fails_naming_it() -> None:
    with pytest.raises(PatchTargetMissing, match=r"graph\.gql\.parsing\.no_such_function"):
        replace_function("graph.gql.parsing", "no_such_function", print, patch="lexer")

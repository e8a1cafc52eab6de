"""autos-graph with one in-process speed mechanism taken out, for the ablation (scripts/bench/ablation.py).

    python -m scripts.bench.ablation_server --without lexer          # the environment autos-graph gets

A mechanism that has no setting is taken out by a patch applied here, before
the app is built, never by a switch in the product: each patch makes the
mechanism's entry point behave as the plain library path it replaces. Then the
real `autos-graph serve` runs in this process (scripts/bench/cli_serve.py), so
everything else is served exactly as deployed.

The patches name product functions. When one moves, the patch fails loudly
with the name it looked for: retarget it in `PATCHES`, one small function each.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

# Every module of these packages is imported before patching, so a function imported by name
# (`from graph.gql.parsing import parse_document`) is replaced in its importers too.
PRODUCT_PACKAGES = ("graph", "resolvers", "loaders", "datasources")


class PatchTargetMissing(RuntimeError):
    """A patch's product name is gone: the product moved it, the patch must follow."""


def _import_product() -> None:
    for name in PRODUCT_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if not module.name.endswith(".__main__"):  # a command line, not a module to load
                importlib.import_module(module.name)


def _attribute(module_name: str, attribute: str, patch: str) -> tuple[ModuleType, Any]:
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise PatchTargetMissing(f"patch {patch!r}: module {module_name} is gone ({error})") from None
    if not hasattr(module, attribute):
        raise PatchTargetMissing(f"patch {patch!r}: {module_name}.{attribute} is gone")
    return module, getattr(module, attribute)


def replace_function(module_name: str, attribute: str, replacement: Any, *, patch: str) -> int:
    """Replace `module_name.attribute` and every module's reference to the same object; the count
    of modules changed."""
    module, original = _attribute(module_name, attribute, patch)
    setattr(module, attribute, replacement)
    changed = 1
    for other in list(sys.modules.values()):
        if other is None or other is module:
            continue
        namespace = getattr(other, "__dict__", {})
        for name, value in list(namespace.items()):
            if value is original:
                setattr(other, name, replacement)
                changed += 1
    return changed


def replace_method(module_name: str, class_name: str, method: str, replacement: Any, *, patch: str) -> int:
    _, owner = _attribute(module_name, class_name, patch)
    if not callable(getattr(owner, method, None)):
        raise PatchTargetMissing(f"patch {patch!r}: {module_name}.{class_name}.{method} is gone")
    setattr(owner, method, replacement)
    return 1


def without_lexer() -> int:
    """Documents parsed by graphql-core's own parser and lexer."""
    import graphql

    def parse_document(query: str, **options: Any) -> Any:
        return graphql.parse(query, **options)

    return replace_function("graph.gql.parsing", "parse_document", parse_document, patch="lexer")


def without_combined_rules() -> int:
    """Documents validated by graphql-core with the rules one by one."""

    def rules_for(rules: Sequence[Any], document: Any) -> tuple[Any, ...]:
        return tuple(rules)

    return replace_function("graph.gql.combined_rules", "rules_for", rules_for, patch="combined_rules")


def without_completion_plans() -> int:
    """Every value completed by the executor's general path, never by a compiled plan."""

    def plan_for(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    return replace_method(
        "graph.gql.execution.planned_execution",
        "DocumentPlans",
        "plan_for",
        plan_for,
        patch="completion_plans",
    )


# name -> the patch that takes the mechanism out; each returns how many places it changed.
PATCHES: dict[str, Callable[[], int]] = {
    "lexer": without_lexer,
    "combined_rules": without_combined_rules,
    "completion_plans": without_completion_plans,
}


def apply(names: Sequence[str]) -> dict[str, int]:
    if names:
        _import_product()
    return {name: PATCHES[name]() for name in names}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--without", action="append", default=[], choices=sorted(PATCHES))
    args = parser.parse_args(argv)
    changed = apply(args.without)
    for name, count in changed.items():
        print(f"ablation: {name} taken out ({count} references replaced)", file=sys.stderr, flush=True)
    from scripts.bench.cli_serve import serve_like_autos_graph

    serve_like_autos_graph()


if __name__ == "__main__":
    main()

"""Every third-party package the code imports is declared in pyproject.toml and pinned in constraints.txt.

A package that arrives only as some other package's dependency can vanish or
change major version when that package is upgraded; declaring what we import
makes the bound ours. The imports are read from the source (every `import`,
including those inside functions), so the check needs no list kept by hand.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The product ships these; they may import only the runtime dependencies.
PRODUCT = ("graph", "resolvers", "loaders", "datasources")
# These run from a checkout with the development extra installed as well.
DEVELOPMENT = ("scripts", "tests")
LOCAL = frozenset((*PRODUCT, *DEVELOPMENT))

# Declared but never imported, each for a reason of its own.
USED_WITHOUT_IMPORT = {
    "pytest-asyncio": "a pytest plugin (asyncio_mode = auto)",
    "pytest-timeout": "a pytest plugin (timeout = 300)",
    "ruff": "the linter `make lint` runs",
    "mypy": "the type checker `make lint` runs",
    "types-psutil": "psutil's type stubs, read by mypy",
    "types-cachetools": "cachetools' type stubs, read by mypy",
    "openapi-python-client": "run as a command to generate the REST client test_python_clients.py uses",
    "granian": "run as a command: the server scripts/bench/servers.py weighs against uvicorn",
}


def normalized(name: str) -> str:
    """A distribution name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return normalized(match.group())


def declared() -> tuple[dict[str, str], dict[str, str]]:
    """(runtime, development) requirements by normalized name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {requirement_name(r): r for r in project["dependencies"]}
    development = {requirement_name(r): r for r in project["optional-dependencies"]["dev"]}
    return runtime, development


def pinned() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, separator, version = line.partition("==")
        if separator:
            pins[normalized(name.strip())] = version.strip()
    return pins


def imported_modules(folder: str) -> Iterator[tuple[str, str]]:
    """(dotted module, "file:line") for every absolute import under `folder`."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, f"{where}:{node.lineno}"
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from opentelemetry import trace` imports the submodule `opentelemetry.trace`.
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", f"{where}:{node.lineno}"


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    return top not in LOCAL and top not in sys.stdlib_module_names


@cache
def providers() -> dict[str, list[str]]:
    """Top-level import names and the distributions installing them (scanning is slow: once)."""
    return {name: list(owners) for name, owners in importlib.metadata.packages_distributions().items()}


@cache
def files_of(distribution: str) -> frozenset[str]:
    return frozenset(str(file) for file in importlib.metadata.files(distribution) or ())


def distribution_of(module: str) -> str:
    """The installed distribution that provides `module`.

    A top-level name usually belongs to one distribution. A namespace package
    (`opentelemetry`) is shared by many, so the module's own files decide:
    the longest prefix of the dotted name that exactly one of them installs.
    """
    parts = module.split(".")
    candidates = providers().get(parts[0], [])
    assert candidates, f"no installed distribution provides {parts[0]!r} (imported as {module})"
    if len(set(map(normalized, candidates))) == 1:
        return normalized(candidates[0])
    for length in range(len(parts), 1, -1):
        path = "/".join(parts[:length])
        owners = {
            normalized(name)
            for name in candidates
            if any(f == f"{path}.py" or f.startswith(f"{path}/") for f in files_of(name))
        }
        if len(owners) == 1:
            return owners.pop()
    raise AssertionError(f"cannot tell which of {sorted(candidates)} provides {module}")


def undeclared(folders: tuple[str, ...], allowed: set[str]) -> list[str]:
    """ "file:line: module (distribution)" for each import under `folders` from outside `allowed`."""
    return sorted(
        {
            f"{where}: {module} ({distribution_of(module)})"
            for folder in folders
            for module, where in imported_modules(folder)
            if third_party(module) and distribution_of(module) not in allowed
        }
    )


def test_the_product_imports_only_runtime_dependencies() -> None:
    runtime, _ = declared()
    missing = undeclared(PRODUCT, set(runtime))
    assert not missing, "imported but not in [project] dependencies:\n" + "\n".join(missing)


def test_scripts_and_tests_import_only_declared_packages() -> None:
    runtime, development = declared()
    missing = undeclared(DEVELOPMENT, set(runtime) | set(development))
    assert not missing, "imported but not declared in pyproject.toml:\n" + "\n".join(missing)


def test_every_declared_package_is_used() -> None:
    runtime, development = declared()
    imported = {
        distribution_of(module)
        for folder in LOCAL
        for module, _ in imported_modules(folder)
        if third_party(module)
    }
    unused = set(runtime) | set(development)
    unused -= imported | set(USED_WITHOUT_IMPORT)
    assert not unused, f"declared in pyproject.toml, imported nowhere: {sorted(unused)}"


def test_declarations_are_compatible_release_bounds_pinned_in_constraints() -> None:
    runtime, development = declared()
    pins = pinned()
    for name, requirement in {**runtime, **development}.items():
        assert "~=" in requirement, f"{requirement}: give a compatible-release bound (~=)"
        assert name in pins, f"{requirement}: pin it with == in constraints.txt"
        bound = release(requirement.split("~=", 1)[1].split(",")[0])
        pin = release(pins[name])
        pin += [0] * (len(bound) - len(pin))
        # `~=X.Y.Z` admits X.Y.* from Z on, `~=X.Y` admits X.* from Y on: the pin must be one of them.
        problem = f"{requirement} does not admit the pinned {name}=={pins[name]}"
        assert pin[: len(bound) - 1] == bound[:-1], problem
        assert pin >= bound, problem


def release(version: str) -> list[int]:
    """The numeric release of a version (`0.64b0` -> [0, 64])."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)", version)
    assert match is not None, version
    return [int(part) for part in match.group(1).split(".")]


def test_namespace_packages_resolve_to_their_own_distribution() -> None:
    # The check above is only as good as this mapping for the shared `opentelemetry` name.
    assert distribution_of("opentelemetry.trace") == "opentelemetry-api"
    assert distribution_of("opentelemetry.sdk.trace.export") == "opentelemetry-sdk"
    assert distribution_of("opentelemetry.instrumentation.redis") == "opentelemetry-instrumentation-redis"
    assert distribution_of("yaml") == "pyyaml"

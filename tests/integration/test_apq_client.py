"""Apollo Client's persisted-queries link and a graphql-codegen manifest, against the served process.

The Node package in tests/apq_client is installed by `make test` (`npm ci`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import served

CLIENT_DIR = Path(__file__).resolve().parents[1] / "apq_client"


def node(*args: str, env: dict[str, str] | None = None) -> str:
    if not (CLIENT_DIR / "node_modules").is_dir():
        pytest.fail("tests/apq_client has no node_modules: run `make test` (or `npm ci` in tests/apq_client)")
    completed = subprocess.run(
        args, cwd=CLIENT_DIR, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def run_client(url: str, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(node("node", "apq.mjs", f"{url}/graphql", *args).splitlines()[-1])
    return report


def steps(exchanges: list[dict[str, Any]]) -> list[tuple[str, bool, int]]:
    return [(e["method"], e["withQuery"], e["status"]) for e in exchanges]


@pytest.mark.usefixtures("cold_redis")
def test_apollo_clients_persisted_queries_link(sample_index: str, tmp_path: Path) -> None:
    with served(index=sample_index, log_path=tmp_path / "server.log") as url:
        report = run_client(url, "apq")
    first, second = report["results"]
    assert first == second
    assert first["data"]["manufacturerModelCombinations"]["nodes"][0]["manufacturer"] == "Ford"
    # The hash alone by GET, unknown; then the document is registered (POST with the text).
    assert steps(report["firstExchanges"]) == [("GET", False, 400), ("POST", True, 200)]
    # Another client: the hash alone by GET, answered, and cacheable by the browser and a CDN.
    assert steps(report["secondExchanges"]) == [("GET", False, 200)]
    answered = report["secondExchanges"][0]
    assert answered["cacheControl"].startswith("public, max-age=")
    assert answered["etag"]
    assert report["firstExchanges"][0]["cacheControl"] == "no-store"


def test_a_codegen_manifest_in_trusted_documents_mode(sample_index: str, tmp_path: Path) -> None:
    output = tmp_path / "generated"
    node("npx", "graphql-codegen", "--config", "codegen.ts", env={"CODEGEN_OUTPUT": f"{output}/"})
    manifest = output / "persisted-documents.json"
    documents = json.loads(manifest.read_text())
    assert len(documents) == 2
    assert all(key.startswith("sha256:") for key in documents)
    with served(
        index=sample_index,
        log_path=tmp_path / "server.log",
        TRUSTED_DOCUMENTS="only",
        TRUSTED_DOCUMENTS_MANIFEST=str(manifest),
    ) as url:
        report = run_client(url, "trusted", str(manifest))
    picker, details, outside = report["results"]
    assert picker["data"]["manufacturerModelCombinations"]["nodes"][0]["manufacturer"] == "Chevrolet"
    assert details == {"data": {"__typename": "Query", "vehicle": None}}
    # Outside the manifest: unknown by hash, and refused when the link sends the text.
    assert outside["codes"] == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert steps(report["outsideExchanges"]) == [("GET", False, 400), ("POST", True, 400)]

"""Apollo Client and urql receive deferred and streamed parts from a served process, as an app would.

Each client is the one users run (tests/clients, installed by `make test`);
the scripts print every result the app is handed until the last part. Apollo
Client reads the graphql-js 17 format through its `GraphQL17Alpha9Handler`;
urql reads it by default. What each shows before the last part is what makes
incremental delivery worth having: the search list without its facets, the
vehicle without its instances, the first items of a streamed list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_real_clients import CLIENTS, run_node
from tests.support.server import served


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert (CLIENTS / "node_modules" / ".package-lock.json").exists(), (
        "the clients are not installed: `make test` runs `npm ci` in tests/clients"
    )
    log = tmp_path_factory.mktemp("incremental-clients") / "serve.log"
    with served(index=sample_index, log_path=log) as url:
        yield url


def _names(data: dict[str, Any]) -> set[str]:
    return {key for key in data if key != "__typename"}


def test_apollo_client_shows_the_list_before_the_deferred_facets_and_instances(server: str) -> None:
    report = run_node("apollo-incremental.mjs", f"{server}/graphql")
    assert {r["contentType"] for r in report["responses"]} == {
        'multipart/mixed; boundary="-"; incrementalSpec=v0.2'
    }
    assert all(r["accept"].startswith("multipart/mixed;incrementalSpec=v0.2") for r in report["responses"])
    # The search: first the list (streaming, networkStatus 9), then with the facets (complete).
    early, done = report["search"]
    assert (early["dataState"], early["networkStatus"]) == ("streaming", 9)
    assert _names(early["data"]) == {"vehicles"}
    assert (done["dataState"], done["networkStatus"]) == ("complete", 7)
    assert done["data"]["vehicles"] == early["data"]["vehicles"]
    assert {m["value"] for m in done["data"]["facets"]["manufacturers"]} == {"Ford"}
    assert done["data"]["facets"]["totalCount"] == done["data"]["vehicles"]["totalCount"]
    # The vehicle: first its record, then its generated instances.
    early, done = report["vehicle"]
    assert "instances" not in early["data"]["vehicle"]
    assert early["data"]["vehicle"]["manufacturer"] == "Ford"
    assert [len(i["vin"]) > 0 for i in done["data"]["vehicle"]["instances"]] == [True] * 3
    # The streamed list: the first two items, then all six in order.
    early, done = report["streamed"]
    assert early["networkStatus"] == 9
    assert len(early["data"]["vehicles"]["nodes"]) == 2
    years = [n["year"] for n in done["data"]["vehicles"]["nodes"]]
    assert len(years) == 6
    assert years == sorted(years)
    assert done["data"]["vehicles"]["nodes"][:2] == early["data"]["vehicles"]["nodes"]
    assert all(not e["errors"] for key in ("search", "vehicle", "streamed") for e in report[key])


def test_urql_shows_the_list_before_the_deferred_facets_and_instances(server: str) -> None:
    report = run_node("urql-incremental.mjs", f"{server}/graphql")
    assert [r["method"] for r in report["requests"]] == ["GET", "GET", "GET"]
    assert all("multipart/mixed" in r["accept"] for r in report["requests"])
    assert {r["contentType"] for r in report["requests"]} == {
        'multipart/mixed; boundary="-"; deferSpec=20220824'
    }
    early, done = report["search"]
    assert early["hasNext"] is True
    assert set(early["data"]) == {"vehicles"}
    assert done["hasNext"] is False
    assert {m["value"] for m in done["data"]["facets"]["manufacturers"]} == {"Ford"}
    early, done = report["vehicle"]
    assert "instances" not in early["data"]["vehicle"]
    assert len(done["data"]["vehicle"]["instances"]) == 3
    # The streamed list's parts arrive: its first two items, then the end. urql 6.0.3 merges the later
    # items of the graphql-js 17 format at the wrong path (docs/clients.md), so only the parts are checked.
    early, done = report["streamed"]
    assert early["hasNext"] is True
    assert len(early["data"]["vehicles"]["nodes"]) == 2
    assert done["hasNext"] is False
    assert all(not e["codes"] for key in ("search", "vehicle", "streamed") for e in report[key])

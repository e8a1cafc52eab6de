"""GraphiQL in a real browser, asserting what a person sees.

Headless Chromium (Debian's package) opens /graphql on a served process: the
schema loads by introspection with no error, the docs explorer lists the Query
fields and opens `Vehicle`, autocomplete offers `manufacturerModelCombinations`
while typing, and a query typed into the editor runs; a query with a deferred
fragment is answered in parts, which GraphiQL's own fetcher reads and merges
into the result it shows. With SCREENSHOT_DIR set,
the docs explorer open on `Vehicle` is saved there as graphiql-docs-vehicle.png
(the picture in docs/).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.server import served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
INTROSPECTION_DIR = Path(__file__).resolve().parents[1] / "support" / "introspection"
GRAPHIQL_INTROSPECTION = INTROSPECTION_DIR / "graphiql.graphql"
SCREENSHOT_NAME = "graphiql-docs-vehicle.png"
TIMEOUT_MS = 20_000


@pytest.fixture
def server(sample_index: str, tmp_path: Path) -> Iterator[str]:
    with served(index=sample_index, log_path=tmp_path / "serve.log", ENVIRONMENT="development") as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 860})
        finally:
            browser.close()


def _graphql_exchanges(page: Page) -> list[tuple[dict[str, Any], Response]]:
    exchanges: list[tuple[dict[str, Any], Response]] = []

    def on_response(response: Response) -> None:
        request = response.request
        if request.method == "POST" and request.url.endswith("/graphql") and request.post_data:
            exchanges.append((json.loads(request.post_data), response))

    page.on("response", on_response)
    return exchanges


def _result(page: Page) -> str:
    return page.inner_text(".result-window")


# GraphiQL takes in an edit (the operation to run, and our page's ?query= link) 100 ms after the
# last keystroke; a person who clicks run sooner gets the previous operation's name sent.
EDIT_TAKEN_IN = """() => {
  const editor = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
  return new URLSearchParams(location.search).get('query') === editor.getValue();
}"""


def _replace_query(page: Page, text: str) -> None:
    page.click(".graphiql-query-editor .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text, delay=15)
    page.wait_for_function(EDIT_TAKEN_IN, timeout=TIMEOUT_MS)


def test_graphiql_loads_the_schema_and_runs_what_a_person_types(page: Page, server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    exchanges = _graphql_exchanges(page)
    page.goto(f"{server}/graphql", wait_until="networkidle")
    page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT_MS)

    # The schema loaded: GraphiQL's own introspection query was answered without errors.
    introspections = [(b, r) for b, r in exchanges if b.get("operationName") == "IntrospectionQuery"]
    assert introspections, "GraphiQL sent no introspection query"
    body, response = introspections[0]
    assert response.status == 200
    answer = response.json()
    assert "errors" not in answer, answer["errors"]
    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"
    # The committed copy (tests/support/introspection) is what this GraphiQL really sends.
    assert body["query"] == GRAPHIQL_INTROSPECTION.read_text()
    assert "error" not in _result(page).lower()

    # The docs explorer lists the Query fields and opens Vehicle.
    page.click('[aria-label="Show Documentation Explorer"]')
    page.click(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is('Query')")
    page.wait_for_selector(".graphiql-doc-explorer-field-name:text-is('manufacturerModelCombinations')")
    query_fields = set(page.locator(".graphiql-doc-explorer-field-name").all_inner_texts())
    assert {"vehicle", "vehicles", "manufacturerModelCombinations", "facets", "node", "nodes"} <= query_fields
    page.click(".graphiql-doc-explorer-field-name:text-is('vehicle')")
    page.click(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is('Vehicle')")
    page.wait_for_selector(".graphiql-doc-explorer-title:text-is('Vehicle')", timeout=TIMEOUT_MS)
    vehicle_fields = set(page.locator(".graphiql-doc-explorer-field-name").all_inner_texts())
    assert {"id", "vehicleId", "manufacturer", "instances", "otherYears", "group"} <= vehicle_fields
    assert "Node" in page.inner_text(".graphiql-doc-explorer-content")  # Implements the Node interface
    screenshot = page.screenshot()
    assert screenshot.startswith(b"\x89PNG")
    if os.environ.get("SCREENSHOT_DIR"):
        (Path(os.environ["SCREENSHOT_DIR"]) / SCREENSHOT_NAME).write_bytes(screenshot)

    # Autocomplete offers the field while typing.
    _replace_query(page, "{ manufacturerMod")
    page.wait_for_selector(".CodeMirror-hints", timeout=TIMEOUT_MS)
    hints = page.locator(".CodeMirror-hints .CodeMirror-hint").all_inner_texts()
    assert "manufacturerModelCombinations" in hints
    page.keyboard.press("Escape")

    # A query typed into the editor runs (closing brackets are the editor's own).
    typed = '{ vehicles(first: 2, filter: { manufacturer: "ford" }) { totalCount nodes { model'
    _replace_query(page, typed)
    page.keyboard.press("Escape")  # a completion list still open would take the next key
    typed_text = page.inner_text(".graphiql-query-editor .CodeMirror-code")
    page.click(".graphiql-execute-button")
    try:
        page.wait_for_function(
            "() => document.querySelector('.result-window')?.innerText.includes('totalCount')",
            timeout=TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        pytest.fail(f"no answer shown for the typed query:\n{typed_text}\nresult pane:\n{_result(page)}")
    sent, response = exchanges[-1]
    assert sent["query"].replace(" ", "") == (typed + "}}}").replace(" ", "")
    answer = response.json()
    assert "errors" not in answer
    vehicles = answer["data"]["vehicles"]
    assert vehicles["totalCount"] > 0
    assert len(vehicles["nodes"]) == 2
    shown = _result(page)
    assert f'"totalCount": {vehicles["totalCount"]}' in shown
    assert all(f'"model": "{n["model"]}"' in shown for n in vehicles["nodes"])
    assert "errors" not in shown

    # Everything the page loaded came from this server: no CDN.
    assert requests
    assert all(url.startswith((server, "data:")) for url in requests)


DEFERRED = """query SearchWithFacets {
  vehicles(filter: { manufacturer: "ford" }, first: 2) { totalCount nodes { model } }
  ... @defer(label: "facets") { facets(filter: { manufacturer: "ford" }) { manufacturers { value count } } }
}"""


def test_graphiql_shows_a_deferred_result_read_from_parts(page: Page, server: str) -> None:
    exchanges = _graphql_exchanges(page)
    page.goto(f"{server}/graphql", wait_until="networkidle")
    page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT_MS)
    # Pasted into the editor, as a person would paste it.
    page.evaluate(
        "(text) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text)",
        DEFERRED,
    )
    page.wait_for_function(EDIT_TAKEN_IN, timeout=TIMEOUT_MS)
    page.click(".graphiql-execute-button")
    try:
        page.wait_for_function(
            "() => document.querySelector('.result-window')?.innerText.includes('manufacturers')",
            timeout=TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        pytest.fail(f"no deferred part shown:\n{_result(page)}")
    sent, response = next((b, r) for b, r in exchanges if b.get("operationName") == "SearchWithFacets")
    assert "multipart/mixed" in response.request.headers["accept"]
    assert response.headers["content-type"].startswith("multipart/mixed")
    shown = _result(page)
    # The list from the first part and the facets from the later one, merged in one result.
    assert '"totalCount": ' in shown
    assert '"value": "Ford"' in shown
    assert "errors" not in shown
    assert sent["query"] == DEFERRED

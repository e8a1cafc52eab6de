"""GraphiQL in a real browser: headless Chromium opens /graphql, runs the example query, sees the result."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import ES_URL

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BIN = Path(sys.executable).parent / "autos-graph"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(sample_index: str) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "ELASTICSEARCH_URL": ES_URL,
        "ES_INDEX": sample_index,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "RATE_LIMIT_PER_MINUTE": "0",
        "ENVIRONMENT": "development",
    }
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_graphiql_runs_the_example_query(server: str) -> None:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium package"
    requests: list[str] = []
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
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{server}/graphql", wait_until="networkidle")
            page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
            editor_text = page.inner_text(".graphiql-query-editor")
            assert "manufacturerModelCombinations" in editor_text
            page.click(".graphiql-execute-button")
            page.wait_for_function(
                "() => document.querySelector('.result-window')?.innerText.includes('totalCount')",
                timeout=20_000,
            )
            result = page.inner_text(".result-window")
        finally:
            browser.close()
    assert '"manufacturerModelCombinations"' in result
    assert '"errors"' not in result
    # Everything the page loaded came from this server: no CDN.
    assert requests
    assert all(url.startswith((server, "data:")) for url in requests)

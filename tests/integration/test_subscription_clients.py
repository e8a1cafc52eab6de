"""graphql-ws and graphql-sse, subscribed on two replicas, hear a `data release` and a `data rollback`.

The clients are the npm packages users run (tests/clients/releases.mjs), each
replica is an `autos-graph serve` process, and the swaps are made by the CLI
in a process of its own, as an operator makes them: no replica is told, each
finds the swap on its own watch of the alias.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import iter_records
from datasources.elastic.index_schema import drop_index
from datasources.releases.release import release
from tests.conftest import ES_URL, TEST_INDEX
from tests.support.server import ServedProcess

ALIAS = f"{TEST_INDEX}-live-releases"
CLIENTS = Path(__file__).resolve().parents[1] / "clients"
NODE = shutil.which("node") or "/usr/bin/node"
BIN = Path(sys.executable).parent / "autos-graph"
# In the range this suite's servers use; two replicas, as deployed.
PORTS = (18560, 18561)
# The target is 1 s from swap to every subscriber; the bound leaves 5x for a loaded machine.
HEARD_WITHIN_SECONDS = 5.0


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await drop_index(es, alias=ALIAS)
    await release(es, alias=ALIAS, source="sample", records=iter_records("sample"))
    yield ALIAS
    await drop_index(es, alias=ALIAS)


@pytest.fixture
def replicas(alias: str, tmp_path: Path) -> Iterator[list[str]]:
    servers = [
        ServedProcess(index=alias, port=port, log_path=tmp_path / f"serve-{port}.log") for port in PORTS
    ]
    try:
        for server in servers:
            server.start()
        yield [server.base_url for server in servers]
    finally:
        for server in servers:
            if server.process is not None and server.process.poll() is None:
                server.stop()


def data_command(*args: str) -> str:
    env = {
        **os.environ,
        "ELASTICSEARCH_URL": ES_URL,
        "ES_INDEX": ALIAS,
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    finished = subprocess.run(
        [str(BIN), "data", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def test_graphql_ws_and_graphql_sse_on_two_replicas_hear_a_release_and_a_rollback(
    alias: str, replicas: list[str]
) -> None:
    assert (CLIENTS / "node_modules" / "graphql-sse").exists(), "`make clients` installs the clients"
    listener = subprocess.Popen(
        [NODE, "releases.mjs", "2", *replicas],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert listener.stdout is not None
        ready = listener.stdout.readline()
        assert json.loads(ready or "{}") == {"ready": True}, listener.stderr.read() if listener.stderr else ""
        data_command("release", "--sample")
        data_command("rollback")
        out, err = listener.communicate(timeout=60)
    finally:
        listener.kill()
    assert listener.returncode == 0, err
    heard: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in out.splitlines():
        event = json.loads(line)
        heard.setdefault((event["client"], event["base"]), []).append(event)
    assert set(heard) == {(client, base) for client in ("graphql-ws", "graphql-sse") for base in replicas}
    for events in heard.values():
        assert [(e["generation"], e["kind"]) for e in events] == [
            (f"{alias}-v2", "RELEASE"),
            (f"{alias}-v1", "ROLLBACK"),
        ]
        assert all(e["documents"] == 1000 for e in events)
        for event in events:
            # liveSince is written just before the swap: this is an upper bound of the delay.
            delay = event["receivedAt"] - datetime.fromisoformat(event["liveSince"]).timestamp()
            assert 0 <= delay < HEARD_WITHIN_SECONDS, event

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner, Result

from datasources.catalog.dataset import SAMPLE_SIZE
from graph.cli.main import app
from tests.conftest import ES_URL, LOCK_INDEX, TEST_INDEX
from tests.unit.test_record_file import MALFORMED_NDJSON_LINES

ALIAS = f"{TEST_INDEX}-cli"
CONCRETE = f"{ALIAS}-v1"


def drop_generations(client: Elasticsearch) -> None:
    for name in client.indices.get(index=f"{ALIAS}-v*", expand_wildcards="open,closed"):
        client.indices.delete(index=name)
    client.options(ignore_status=404).delete(index=LOCK_INDEX, id=ALIAS)


@pytest.fixture
def es_sync() -> Iterator[Elasticsearch]:
    client = Elasticsearch(ES_URL, request_timeout=30)
    drop_generations(client)
    yield client
    drop_generations(client)
    client.close()


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    # The CLI configures process-wide JSON logging, as a console script should;
    # put pytest's handlers back so later tests still capture their logs.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    transport_level = logging.getLogger("elastic_transport").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("elastic_transport").setLevel(transport_level)


def invoke(*args: str, url: str = ES_URL, input: str | None = None) -> Result:
    env = {"ELASTICSEARCH_URL": url, "ES_INDEX": ALIAS, "LOG_LEVEL": "INFO", "REDIS_URL": ""}
    return CliRunner().invoke(app, ["data", *args], env=env, input=input)


def count(es: Elasticsearch) -> int:
    es.indices.refresh(index=ALIAS)
    return int(es.count(index=ALIAS)["count"])


def test_create_index_twice_is_fine(es_sync: Elasticsearch) -> None:
    first = invoke("create-index")
    second = invoke("create-index")
    assert first.exit_code == 0, first.output
    assert f"{ALIAS} -> {CONCRETE}: created" in first.output
    assert second.exit_code == 0, second.output
    assert f"{ALIAS} -> {CONCRETE}: existed" in second.output
    assert '"message":"index existed"' in second.output, "it logs what it did"
    assert list(es_sync.indices.get_alias(name=ALIAS)) == [CONCRETE]


def test_load_goes_live_as_a_release_then_writes_in_place_only_with_live(es_sync: Elasticsearch) -> None:
    first = invoke("load", "--sample")
    assert first.exit_code == 0, first.output
    assert f"{ALIAS}: indexed 1,000, failed 0, rejected 0 (duplicates 0)" in first.output
    assert f"live: {ALIAS} -> {CONCRETE} (was nothing)" in first.output
    assert "ok      documents: 1,000, as the source gave" in first.output
    assert count(es_sync) == SAMPLE_SIZE

    refused = invoke("load", "--sample")
    assert refused.exit_code == 3, refused.output
    assert f"{ALIAS} serves 1,000 documents from {CONCRETE}; nothing was changed" in refused.output
    assert "`autos-graph data release --sample`" in refused.output
    assert list(es_sync.indices.get(index=f"{ALIAS}-v*")) == [CONCRETE]

    in_place = invoke("load", "--sample", "--live")
    assert in_place.exit_code == 0, in_place.output
    assert f"{ALIAS}: indexed 1,000, failed 0, rejected 0 (duplicates 0)" in in_place.output
    assert "written in place" in in_place.output
    assert count(es_sync) == SAMPLE_SIZE
    assert '"message":"bulk progress"' in in_place.output, "log lines when no terminal is attached"
    aliases = es_sync.indices.get_alias(index=CONCRETE)[CONCRETE]["aliases"]
    (revision,) = [name for name in aliases if name != ALIAS]
    assert revision.startswith(f"{CONCRETE}-r"), "a write in place names a new revision for the caches"
    assert list(es_sync.indices.get(index=f"{ALIAS}-v*")) == [CONCRETE]


def test_load_file_reports_rejects_and_duplicates(es_sync: Elasticsearch, tmp_path: Path) -> None:
    upload = tmp_path / "upload.ndjson"
    upload.write_text("\n".join(MALFORMED_NDJSON_LINES) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejected.ndjson"
    result = invoke("load", "--file", str(upload), "--reject-file", str(rejects))
    assert result.exit_code == 0, result.output
    assert f"{ALIAS}: indexed 4, failed 0, rejected 13 (duplicates 1)" in result.output
    assert count(es_sync) == 4
    lines = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [line["line"] for line in lines] == [2, 3, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16, 17]
    assert lines[4]["reason"] == "duplicate vehicle_id 'ok-1' (first on line 1)"


def test_a_file_the_loader_cannot_read_is_one_line(es_sync: Elasticsearch, tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_text("{}\n", encoding="utf-8")
    result = invoke("load", "--file", str(upload), "--reject-file", str(tmp_path / "rejects.ndjson"))
    assert result.exit_code == 1, result.output
    assert (
        "autos-graph: cannot tell the format of upload.txt: use a .ndjson, .jsonl or .csv file"
        in result.output
    )
    assert "Traceback" not in result.output
    assert "ExceptionGroup" not in result.output


def test_load_needs_exactly_one_source() -> None:
    assert invoke("load").exit_code == 2
    assert invoke("load", "--sample", "--full").exit_code == 2


def test_reset_asks_first(es_sync: Elasticsearch) -> None:
    assert invoke("load", "--sample").exit_code == 0
    declined = invoke("reset", input="n\n")
    assert declined.exit_code != 0
    assert "Are you sure?" in declined.output
    assert count(es_sync) == SAMPLE_SIZE
    confirmed = invoke("reset", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert count(es_sync) == 0
    assert invoke("load", "--sample").exit_code == 0, "an empty live generation is replaced by a release"
    forced = invoke("reset", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Are you sure?" not in forced.output
    assert count(es_sync) == 0


def test_bootstrap_loads_the_sample_only_into_an_empty_index(es_sync: Elasticsearch) -> None:
    first = invoke("bootstrap")
    assert first.exit_code == 0, first.output
    assert f"loaded the 1,000-record sample into {CONCRETE}" in first.output
    assert count(es_sync) == SAMPLE_SIZE
    es_sync.delete(index=ALIAS, id=next(iter(es_sync.search(index=ALIAS, size=1)["hits"]["hits"]))["_id"])
    second = invoke("bootstrap")
    assert second.exit_code == 0, second.output
    assert "already holds data" in second.output
    assert count(es_sync) == SAMPLE_SIZE - 1


def test_unreachable_elasticsearch_is_one_line_and_non_zero() -> None:
    # A real process: what an operator sees, without the test runner's exception handling.
    env = {**os.environ, "ELASTICSEARCH_URL": "http://127.0.0.1:9", "ES_INDEX": ALIAS}
    for command in (["create-index"], ["load", "--sample"], ["reset", "--force"], ["bootstrap"]):
        done = subprocess.run(
            [sys.executable, "-m", "graph.cli.main", "data", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, command
        assert done.stderr.strip().count("\n") == 0, done.stderr
        assert done.stderr.startswith("autos-graph: cannot reach Elasticsearch at http://127.0.0.1:9")
        assert "Traceback" not in done.stdout + done.stderr


def test_scripts_wrap_the_cli(es_sync: Elasticsearch) -> None:
    env = {**os.environ, "ELASTICSEARCH_URL": ES_URL, "ES_INDEX": ALIAS}
    root = Path(__file__).resolve().parents[2]
    for script, expected in (
        ("create_autos_index.py", "created"),
        ("load_sample_data.py", "indexed 1,000"),
        ("reset_index.py", "created an empty index"),
    ):
        done = subprocess.run(
            [sys.executable, str(root / "scripts" / script), *(["--force"] if "reset" in script else [])],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout

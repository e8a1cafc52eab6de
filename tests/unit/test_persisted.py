"""Which document a request runs: automatic persisted queries and trusted documents, without HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from datasources.cache.document_store import DocumentStore, StoreBounds
from graph.gql.graphql_http import RequestError, read_post
from graph.gql.persisted import PersistedOperations, PersistedQueryError
from graph.gql.pipeline import GraphQLPipeline
from graph.gql.schema import build_schema
from graph.gql.trusted_documents import TrustedManifest, load_manifest
from tests.conftest import make_settings
from tests.support.execution import answer

DOCUMENT = '{ decodeVin(vin: "1M8GDM9AXKP042788") { valid } }'
HASH = hashlib.sha256(DOCUMENT.encode()).hexdigest()
SDL = build_schema().as_str()


def local_store() -> DocumentStore:
    return DocumentStore(redis=None, bounds=StoreBounds(max_bytes=2**20, max_count=100))


def apq(sha256: object, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


def manifest(tmp_path: Path) -> TrustedManifest:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({f"sha256:{HASH}": DOCUMENT}))
    return load_manifest(path, sdl=SDL, introspection=False)


async def code_of(operations: PersistedOperations, **request: Any) -> str:
    with pytest.raises(PersistedQueryError) as raised:
        await operations.document(**{"query": None, "extensions": None, **request})
    return raised.value.code


async def test_a_document_is_registered_by_hash_and_found_again() -> None:
    operations = PersistedOperations(store=local_store(), manifest=None, trusted_only=False)
    assert await code_of(operations, extensions=apq(HASH)) == "PERSISTED_QUERY_NOT_FOUND"
    document = await operations.document(query=DOCUMENT, extensions=apq(HASH))
    assert document is not None
    assert document.register
    await operations.register(document)
    found = await operations.document(query=None, extensions=apq(HASH))
    assert found is not None
    assert found.text == DOCUMENT
    assert not found.register


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": "not an object"},
        apq(HASH, version=2),
        apq(""),
        apq(42),
    ],
)
async def test_malformed_persisted_query_extensions_are_bad_requests(extensions: dict[str, Any]) -> None:
    operations = PersistedOperations(store=local_store(), manifest=None, trusted_only=False)
    assert await code_of(operations, extensions=extensions) == "BAD_REQUEST"


async def test_a_request_naming_no_document_is_left_to_the_executor() -> None:
    operations = PersistedOperations(store=local_store(), manifest=None, trusted_only=False)
    assert await operations.document(query=None, extensions={"other": 1}) is None
    # A `documentId` that is not a string never gets this far: reading the request refuses it.
    with pytest.raises(RequestError, match="documentId"):
        read_post("application/json", b'{"documentId": 7}')


async def test_trusted_only_runs_the_manifest_and_nothing_else(tmp_path: Path) -> None:
    operations = PersistedOperations(store=local_store(), manifest=manifest(tmp_path), trusted_only=True)
    requests: list[dict[str, Any]] = [
        {"document_id": f"sha256:{HASH}"},
        {"extensions": apq(f"sha256:{HASH}")},
        {"extensions": apq(HASH)},
        {"query": DOCUMENT},
    ]
    for request in requests:
        document = await operations.document(**{"query": None, "extensions": None, **request})
        assert document is not None
        assert document.text == DOCUMENT
        assert document.sha256 == HASH
    other = '{ decodeVin(vin: "x") { valid } }'
    assert await code_of(operations, query=other) == "PERSISTED_QUERY_NOT_IN_LIST"
    registration = {"query": other, "extensions": apq(hashlib.sha256(other.encode()).hexdigest())}
    assert await code_of(operations, **registration) == "PERSISTED_QUERY_NOT_IN_LIST"
    assert await code_of(operations, document_id="sha256:unknown") == "PERSISTED_QUERY_NOT_FOUND"


def test_a_manifest_without_introspection_refuses_introspection_documents(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(orjson.dumps({"schema": "{ __schema { queryType { name } } }"}))
    with pytest.raises(Exception, match="not valid here"):
        load_manifest(path, sdl=SDL, introspection=False)
    assert len(load_manifest(path, sdl=SDL, introspection=True)) == 1


async def test_the_pipeline_runs_the_manifests_documents_as_parsed_at_start_up(tmp_path: Path) -> None:
    trusted = manifest(tmp_path)
    settings = make_settings(
        trusted_documents="only",
        trusted_documents_manifest=str(tmp_path / "persisted-documents.json"),
        introspection=False,
        document_cache_max_bytes=0,
    )
    documents = GraphQLPipeline(build_schema(), settings, manifest=trusted).documents
    entry = documents.parsed(DOCUMENT)
    # Pinned: the manifest's own document, held outside the byte budget (here none at all).
    assert entry.document is trusted.by_text[DOCUMENT].parsed
    assert documents.parsed(DOCUMENT) is entry
    assert len(documents) == 0
    assert documents.validation(entry) == []
    assert await answer(documents, DOCUMENT) == {"data": {"decodeVin": {"valid": True}}}

"""Persisted operations: automatic persisted queries, and trusted documents from a manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from graph.app import create_app
from graph.gql.trusted_documents import ManifestError
from graph.settings import SettingsError
from tests.conftest import app_client, make_settings
from tests.support.graphql import error_codes

PICKER = "query Picker { manufacturerModelCombinations(first: 2) { nodes { manufacturer } } }"
DETAILS = "query Details($id: ID!) { vehicle(id: $id) { id model } }"
OUTSIDE = "{ vehicles(first: 1) { totalCount } }"
# Over the query limits: a manifest is held to them like any request.
TOO_MANY_ALIASES = "{ " + " ".join(f'a{n}: decodeVin(vin: "x") {{ valid }}' for n in range(31)) + " }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(hash_: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hash_}}


async def get_by_hash(client: httpx.AsyncClient, hash_: str, **params: str) -> httpx.Response:
    return await client.get(
        "/graphql",
        params={"extensions": orjson.dumps(apq(hash_)).decode(), **params},
        headers={"Accept": "application/json"},
    )


@pytest.mark.usefixtures("cold_redis")
async def test_automatic_persisted_queries(sample_index: str) -> None:
    settings = make_settings(es_index=sample_index, answer_cache=True)
    unknown = sha256(PICKER)
    async for client in app_client(settings):
        missing = await get_by_hash(client, unknown, operationName="Picker")
        assert error_codes(missing.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        assert missing.headers["cache-control"] == "no-store"  # a CDN must not keep the miss
        registered = await client.post("/graphql", json={"query": PICKER, "extensions": apq(unknown)})
        assert registered.status_code == 200
        by_hash = await get_by_hash(client, unknown, operationName="Picker")
        assert by_hash.status_code == 200
        assert by_hash.json() == registered.json()
        assert by_hash.headers["cache-control"].startswith("public, max-age=")
        assert "etag" in by_hash.headers
    # Registrations are shared by replicas (through Redis).
    async for replica in app_client(settings):
        assert (await get_by_hash(replica, unknown)).json() == registered.json()


async def test_a_registration_with_the_wrong_hash_is_refused(sample_index: str) -> None:
    async for client in app_client(make_settings(es_index=sample_index)):
        wrong = await client.post("/graphql", json={"query": PICKER, "extensions": apq(sha256(OUTSIDE))})
        assert error_codes(wrong.json()) == ["BAD_REQUEST"]
        assert wrong.json()["errors"][0]["message"] == "provided sha does not match query"
        version = await client.post(
            "/graphql",
            json={"query": PICKER, "extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}},
        )
        assert error_codes(version.json()) == ["BAD_REQUEST"]
        # Only a document that runs is registered.
        invalid = "{ nope }"
        await client.post("/graphql", json={"query": invalid, "extensions": apq(sha256(invalid))})
        assert error_codes((await get_by_hash(client, sha256(invalid))).json()) == [
            "PERSISTED_QUERY_NOT_FOUND"
        ]
        spec = await client.post(
            "/graphql",
            json={"extensions": apq("0" * 64)},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert spec.status_code == 400
        assert error_codes(spec.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


def write_manifest(path: Path, documents: dict[str, str]) -> Path:
    path.write_bytes(orjson.dumps(documents))
    return path


async def test_trusted_documents_only(sample_index: str, tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path / "persisted-documents.json", {"picker-1": PICKER, sha256(DETAILS): DETAILS}
    )
    settings = make_settings(
        es_index=sample_index, trusted_documents="only", trusted_documents_manifest=str(manifest)
    )
    async for client in app_client(settings):
        by_id = await get_by_hash(client, "picker-1")
        assert by_id.status_code == 200
        assert by_id.json()["data"]["manufacturerModelCombinations"]["nodes"]
        by_document_id = await client.post(
            "/graphql", json={"documentId": sha256(DETAILS), "variables": {"id": "nope"}}
        )
        assert by_document_id.json()["data"] == {"vehicle": None}
        by_text = await client.post("/graphql", json={"query": PICKER})
        assert by_text.json() == by_id.json()
        by_sha256 = await get_by_hash(client, sha256(PICKER))  # a manifest keyed otherwise
        assert by_sha256.json() == by_id.json()

        outside = await client.post("/graphql", json={"query": OUTSIDE})
        assert error_codes(outside.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        assert "TRUSTED_DOCUMENTS=only" in outside.json()["errors"][0]["message"]
        outside_get = await client.get("/graphql", params={"query": OUTSIDE})
        assert error_codes(outside_get.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        registration = await client.post(
            "/graphql", json={"query": OUTSIDE, "extensions": apq(sha256(OUTSIDE))}
        )
        assert error_codes(registration.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        unknown = await get_by_hash(client, sha256(OUTSIDE))
        assert error_codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        # A request that cannot be read is refused before any document is looked at.
        odd = await client.post("/graphql", json={"query": OUTSIDE, "operationName": 1})
        assert (odd.status_code, error_codes(odd.json())) == (400, ["BAD_REQUEST"])
        batch = await client.post("/graphql", json=[{"query": OUTSIDE}])
        assert (batch.status_code, error_codes(batch.json())) == (400, ["BAD_REQUEST"])


def test_trusted_only_needs_a_manifest() -> None:
    with pytest.raises(SettingsError, match="TRUSTED_DOCUMENTS_MANIFEST"):
        make_settings(trusted_documents="only")


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ({"broken": "{ vehicles("}, "document broken does not parse"),
        ({"unknown-field": "{ nope }"}, "document unknown-field is not valid here"),
        ({"too-many-aliases": TOO_MANY_ALIASES}, "document too-many-aliases is not valid here"),
    ],
)
def test_a_manifest_that_does_not_validate_stops_the_start(
    tmp_path: Path, documents: dict[str, str], message: str
) -> None:
    manifest = write_manifest(tmp_path / "m.json", documents)
    with pytest.raises(ManifestError, match=message):
        create_app(make_settings(trusted_documents="only", trusted_documents_manifest=str(manifest)))


def test_a_manifest_that_is_not_a_map_of_documents_stops_the_start(tmp_path: Path) -> None:
    for content in (b"[]", b"{not json", b'{"a": 1}'):
        (tmp_path / "m.json").write_bytes(content)
        with pytest.raises(ManifestError, match="TRUSTED_DOCUMENTS_MANIFEST"):
            create_app(make_settings(trusted_documents_manifest=str(tmp_path / "m.json")))
    with pytest.raises(ManifestError, match="cannot read"):
        create_app(make_settings(trusted_documents_manifest=str(tmp_path / "absent.json")))

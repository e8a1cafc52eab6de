"""The trusted documents manifest: parsed and validated once, when the process starts.

The manifest is the JSON object a frontend build writes with every operation
it can send, `{"<hash>": "<document>"}`, as graphql-codegen's client preset
does with `persistedDocuments` (docs/persisted-operations.md). With
`TRUSTED_DOCUMENTS=only` nothing else runs; a request then names its document
by hash, or sends its exact text. A manifest that does not parse or does not
validate against this schema (limits included) stops the start-up with the
hash and the first error, rather than failing the first user who sends it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    validate,
)
from graphql import build_schema as schema_from_sdl

from graph.gql.document_cache import validation_rules
from graph.gql.query_limits import LIMITS


class ManifestError(Exception):
    """A manifest the service refuses to start with."""


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    document_id: str
    text: str
    # sha256 of the text: how the answer cache names the document.
    sha256: str
    parsed: DocumentNode


@dataclass(frozen=True, slots=True)
class TrustedManifest:
    by_id: Mapping[str, TrustedDocument]
    by_text: Mapping[str, TrustedDocument]
    # By the sha256 of the text too: what Apollo's link sends when it hashes the document itself.
    by_sha256: Mapping[str, TrustedDocument]

    def __len__(self) -> int:
        return len(self.by_id)


def load_manifest(path: str | Path, *, sdl: str, introspection: bool) -> TrustedManifest:
    """The manifest at `path`, every document parsed and validated against the schema `sdl` describes.

    Validated with the rules requests meet: the standard ones, the query
    limits, and no introspection where it is off.
    """
    try:
        raw = orjson.loads(Path(path).read_bytes())
    except OSError as error:
        raise ManifestError(f"TRUSTED_DOCUMENTS_MANIFEST: cannot read {path}: {error.strerror}") from None
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"TRUSTED_DOCUMENTS_MANIFEST: {path} is not JSON: {error}") from None
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ManifestError(
            f"TRUSTED_DOCUMENTS_MANIFEST: {path} must be a JSON object of hash -> document text"
        )
    schema, rules = schema_from_sdl(sdl), validation_rules(introspection=introspection)
    documents = [_checked(schema, rules, str(key), text, path) for key, text in raw.items()]
    return TrustedManifest(
        by_id={d.document_id: d for d in documents},
        by_text={d.text: d for d in documents},
        by_sha256={d.sha256: d for d in documents},
    )


def _checked(
    schema: GraphQLSchema,
    rules: tuple[type[ASTValidationRule], ...],
    document_id: str,
    text: str,
    path: str | Path,
) -> TrustedDocument:
    where = f"TRUSTED_DOCUMENTS_MANIFEST: {path}: document {document_id}"
    try:
        parsed = parse(text, max_tokens=LIMITS.max_tokens)
    except GraphQLError as error:
        raise ManifestError(f"{where} does not parse: {error.message}") from None
    errors = validate(schema, parsed, rules)
    if errors:
        raise ManifestError(f"{where} is not valid here: {errors[0].message}")
    return TrustedDocument(
        document_id=document_id,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        parsed=parsed,
    )

"""Persisted operations: which document a request runs when it names one by hash.

- Automatic persisted queries (Apollo's protocol): a request with
  `extensions.persistedQuery = {version: 1, sha256Hash}` and no `query` runs
  the registered document, or is answered `PERSISTED_QUERY_NOT_FOUND`; the
  client then sends the text with the hash once (registration), and from then
  on the hash alone, by GET if it likes, so browsers and CDNs cache the answer.
- Trusted documents (`TRUSTED_DOCUMENTS=only`): only the manifest's documents
  run, named by their manifest id (`extensions.persistedQuery.sha256Hash` or
  `documentId`) or sent as their exact text. Anything else is
  `PERSISTED_QUERY_NOT_IN_LIST`, and nothing can be registered.
- Without `only`, the manifest's documents (when one is configured) are known
  by their ids too, so a frontend built with it needs no registration round trip.
- Registering is open to anyone, so it is budgeted: a client (its network, as
  the rate limiter counts it) may send PERSISTED_REGISTRATIONS_PER_MINUTE
  documents the store does not know yet; past that, `RATE_LIMITED` with HTTP
  429 and `Retry-After`. What the store keeps is bounded on its own
  (datasources/cache/document_store.py), and every document's size by the
  document limit, comments included (graph/gql/document_cache.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from datasources.cache.document_store import DocumentStore
from graph.gql.errors import RATE_LIMITED
from graph.gql.trusted_documents import TrustedManifest
from graph.observability.metrics import record_registration_refused

if TYPE_CHECKING:
    from graph.http.rate_limit import RateLimiter

PERSISTED_QUERY_NOT_FOUND: Final = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_IN_LIST: Final = "PERSISTED_QUERY_NOT_IN_LIST"
BAD_REQUEST: Final = "BAD_REQUEST"


class PersistedQueryError(Exception):
    def __init__(self, message: str, *, code: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # Set when the client must wait (HTTP 429): the seconds it is told to.
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    # sha256 of the text, the name answers are cached under.
    sha256: str
    # Sent with its hash by a client that was told PERSISTED_QUERY_NOT_FOUND: to be
    # registered once it has run (as Apollo Server does, only a document that validates).
    register: bool = False


class PersistedOperations:
    def __init__(
        self,
        *,
        store: DocumentStore,
        manifest: TrustedManifest | None,
        trusted_only: bool,
        budget: RateLimiter | None = None,
    ) -> None:
        if trusted_only and manifest is None:
            raise ValueError("trusted-only mode needs a manifest")
        self._store = store
        self._manifest = manifest
        self._trusted_only = trusted_only
        self._budget = budget

    @property
    def trusted_only(self) -> bool:
        return self._trusted_only

    async def document(
        self,
        *,
        query: str | None,
        extensions: Mapping[str, Any] | None,
        document_id: str | None = None,
        client: str = "unknown",
    ) -> Document | None:
        """The document to run; None when the request names none (the executor then says so).

        `client` is the address a registration is budgeted against.
        """
        apq_hash = _apq_hash(extensions)
        named = document_id or apq_hash
        if query is None:
            return None if named is None else await self._by_id(named, apq=apq_hash is not None)
        if self._trusted_only:
            return self._trusted_text(query)
        if apq_hash is not None:
            sha256 = hashlib.sha256(query.encode()).hexdigest()
            if sha256 != apq_hash:
                raise PersistedQueryError("provided sha does not match query", code=BAD_REQUEST)
            if await self._store.get(sha256) is not None:
                return Document(text=query, sha256=sha256)
            self._spend_budget(client)
            return Document(text=query, sha256=sha256, register=True)
        return Document(text=query, sha256=hashlib.sha256(query.encode()).hexdigest())

    async def register(self, document: Document) -> None:
        """Keep a document that ran, so its hash alone runs it from now on, on every replica."""
        if document.register and not self._trusted_only:
            await self._store.put(document.sha256, document.text)

    def _spend_budget(self, client: str) -> None:
        if self._budget is None or self._budget.is_whitelisted(client):
            return
        decision, _ = self._budget.hit(client)
        if not decision.allowed:
            record_registration_refused()
            raise PersistedQueryError(
                f"Too many new persisted documents: more than {decision.limit} per minute from this "
                f"address; retry in {decision.retry_after} s, or send the document without its hash.",
                code=RATE_LIMITED,
                retry_after=decision.retry_after,
            )

    async def _by_id(self, document_id: str, *, apq: bool) -> Document:
        if self._manifest is not None:
            trusted = self._manifest.by_id.get(document_id) or self._manifest.by_sha256.get(document_id)
            if trusted is not None:
                return Document(text=trusted.text, sha256=trusted.sha256)
        if apq and not self._trusted_only:
            text = await self._store.get(document_id)
            if text is not None:
                return Document(text=text, sha256=document_id)
        # Apollo's clients recognise this message (and the code) and register the document.
        raise PersistedQueryError("PersistedQueryNotFound", code=PERSISTED_QUERY_NOT_FOUND)

    def _trusted_text(self, query: str) -> Document:
        assert self._manifest is not None
        trusted = self._manifest.by_text.get(query)
        if trusted is None:
            raise PersistedQueryError(
                "Only the operations of the trusted documents manifest run on this server "
                "(TRUSTED_DOCUMENTS=only); this document is not one of them.",
                code=PERSISTED_QUERY_NOT_IN_LIST,
            )
        return Document(text=trusted.text, sha256=trusted.sha256)


def _apq_hash(extensions: Mapping[str, Any] | None) -> str | None:
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, Mapping):
        raise PersistedQueryError("`extensions.persistedQuery` must be an object.", code=BAD_REQUEST)
    if persisted.get("version") != 1:
        raise PersistedQueryError("Unsupported persisted query version; only version 1 is.", code=BAD_REQUEST)
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not sha256:
        raise PersistedQueryError(
            "`extensions.persistedQuery.sha256Hash` must be a non-empty string.", code=BAD_REQUEST
        )
    return sha256

"""Documents registered by hash (automatic persisted queries): in the process, and in Redis for replicas.

A browser registers a document once (POST with the text and its hash) and
from then on sends the hash alone, often by GET through a CDN that may land
on another replica: so registrations are shared through the cache backend.
The store trusts nothing it is given: the caller checks the hash first.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from aiocache import Cache
from cachetools import LRUCache

log = logging.getLogger(__name__)

# A registration outlives the answers by far: re-registering costs the client a round trip.
REGISTRATION_TTL_SECONDS: Final = 24 * 3600
# The documents kept in the process; the largest allowed document is 64 KiB.
MAX_LOCAL_BYTES: Final = 8 * 2**20
BACKEND_RETRY_SECONDS: Final = 5.0


class DocumentStore:
    def __init__(self, *, backend: Cache | None, max_local_bytes: int = MAX_LOCAL_BYTES) -> None:
        self._backend = backend
        self._local: LRUCache[str, str] = LRUCache(maxsize=max_local_bytes, getsizeof=len)
        self._backend_retry_at = 0.0

    async def get(self, sha256_hash: str) -> str | None:
        document = self._local.get(sha256_hash)
        if document is not None or not self._backend_usable():
            return document
        assert self._backend is not None
        try:
            raw = await self._backend.get(self._key(sha256_hash))
        except Exception as error:  # an unreachable store is an unknown hash: the client re-registers
            self._failed("read", error)
            return None
        if isinstance(raw, bytes):
            raw = raw.decode()
        if not isinstance(raw, str):
            return None
        self._remember(sha256_hash, raw)
        return raw

    async def put(self, sha256_hash: str, document: str) -> None:
        self._remember(sha256_hash, document)
        if not self._backend_usable():
            return
        assert self._backend is not None
        try:
            await self._backend.set(self._key(sha256_hash), document, ttl=REGISTRATION_TTL_SECONDS)
        except Exception as error:  # other replicas will ask the client to register again
            self._failed("write", error)

    def _remember(self, sha256_hash: str, document: str) -> None:
        if len(document) <= self._local.maxsize:
            self._local[sha256_hash] = document

    @staticmethod
    def _key(sha256_hash: str) -> str:
        return f"apq:{sha256_hash}"

    def _backend_usable(self) -> bool:
        return self._backend is not None and time.monotonic() >= self._backend_retry_at

    def _failed(self, operation: str, error: Exception) -> None:
        self._backend_retry_at = time.monotonic() + BACKEND_RETRY_SECONDS
        log.warning(
            f"persisted query store {operation} failed; Redis is skipped for {BACKEND_RETRY_SECONDS:g} s",
            extra={"context": {"error": type(error).__name__}},
        )

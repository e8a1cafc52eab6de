"""An exclusive lock per alias, held in Elasticsearch, so two alias-changing commands never interleave.

Without it a second release's clean-up can delete the first one's generation
while it is still loading. The lock lives in the cluster itself (the CLI may
run where there is no Redis): one document per alias, id = the alias, in a
small index of its own, created with `op_type=create`, so exactly one process
creates it. The document names the holder (host, pid), its command, when it
started, and a lease: the holder renews the lease every quarter of it while it
works, so a holder that died (kill -9, a lost pod) stops renewing and its lock
expires; the next command takes it over with a conditional write
(`if_seq_no`/`if_primary_term`), which only one taker can win.

Expiry is judged by the taker's clock against the holder's: the hosts' clocks
must agree to well within the lease (NTP does; the default lease is 60 s).
A holder that finds its lock gone or taken stops its work (`LockLost`) instead
of carrying on unprotected: its renewals find out within a quarter of the
lease, and before each destructive step the work asks `fence()`, which reads
the lock document and the holder's own lease, so a holder paused past its
lease (a stopped process, a frozen VM) stops at its next step instead of
acting on a lock another command has taken since.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final

from elasticsearch import AsyncElasticsearch, BadRequestError, ConflictError, NotFoundError

from datasources.elastic.fence import Fenced

log = logging.getLogger(__name__)

DEFAULT_LOCK_INDEX: Final = "autos-graph-locks"
DEFAULT_LEASE_SECONDS: Final = 60.0
# Renewals per lease: a holder misses three in a row before its lock can be taken.
RENEWALS_PER_LEASE: Final = 4
# A destructive step is taken only while at least this share of the lease is left. Renewals every
# quarter keep three quarters or more, so only a holder that missed renewals, or was paused, is
# below it; the rest is the time the step has to reach the cluster before another may take over.
FENCE_MARGIN_SHARE: Final = 0.25
# How often a command given --wait asks again.
WAIT_POLL_SECONDS: Final = 1.0

_LOCK_MAPPING: Final[dict[str, Any]] = {
    "dynamic": "strict",
    "properties": {
        "alias": {"type": "keyword"},
        "host": {"type": "keyword"},
        "pid": {"type": "integer"},
        "command": {"type": "keyword"},
        "started_at": {"type": "date"},
        "expires_at": {"type": "date"},
        "token": {"type": "keyword"},
    },
}
_LOCK_SETTINGS: Final[dict[str, Any]] = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


@dataclass(frozen=True, slots=True)
class LockHolder:
    alias: str
    host: str
    pid: int
    command: str
    started: datetime
    expires: datetime
    # Tells this holder's document from a later one's, whatever the host and pid.
    token: str

    def expired(self, *, now: datetime) -> bool:
        return now >= self.expires

    def describe(self) -> str:
        return (
            f"`{self.command}` (pid {self.pid} on {self.host}), "
            f"started {self.started:%Y-%m-%d %H:%M:%S} UTC, lease until {self.expires:%H:%M:%S} UTC"
        )

    def document(self) -> dict[str, Any]:
        return {
            "alias": self.alias,
            "host": self.host,
            "pid": self.pid,
            "command": self.command,
            "started_at": self.started.isoformat(),
            "expires_at": self.expires.isoformat(),
            "token": self.token,
        }

    @classmethod
    def from_document(cls, source: dict[str, Any]) -> LockHolder:
        return cls(
            alias=str(source["alias"]),
            host=str(source["host"]),
            pid=int(source["pid"]),
            command=str(source["command"]),
            started=datetime.fromisoformat(source["started_at"]),
            expires=datetime.fromisoformat(source["expires_at"]),
            token=str(source["token"]),
        )


class ReleaseLocked(Exception):
    """Another command holds the alias's lock; nothing was touched."""

    def __init__(self, holder: LockHolder, *, waited: float = 0.0) -> None:
        self.holder = holder
        after = f" after waiting {waited:.0f} s" if waited else ""
        super().__init__(
            f"{holder.alias} is locked{after} by {holder.describe()}; "
            "nothing was changed. Wait for it to finish, or, if that process is gone, "
            "let its lease expire or run `autos-graph data unlock --force`"
        )


class LockLost(Fenced):
    """The lock was taken from this holder (forced unlock, or a lease that ran out); its work stopped."""


@dataclass(frozen=True, slots=True)
class _Held:
    holder: LockHolder
    seq_no: int
    primary_term: int


def _now() -> datetime:
    return datetime.now(UTC)


async def ensure_lock_index(client: AsyncElasticsearch, *, index: str) -> None:
    if await client.indices.exists(index=index):
        return
    try:
        await client.indices.create(index=index, mappings=_LOCK_MAPPING, settings=_LOCK_SETTINGS)
    except BadRequestError as error:
        # Another command created it between the two calls.
        if error.error != "resource_already_exists_exception":
            raise


async def _read(client: AsyncElasticsearch, *, index: str, alias: str) -> _Held | None:
    try:
        found = await client.get(index=index, id=alias)
    except NotFoundError:
        return None
    return _Held(
        holder=LockHolder.from_document(found["_source"]),
        seq_no=int(found["_seq_no"]),
        primary_term=int(found["_primary_term"]),
    )


async def read_lock(client: AsyncElasticsearch, *, index: str, alias: str) -> LockHolder | None:
    """Who holds the alias's lock (expired or not), or None."""
    if not await client.indices.exists(index=index):
        return None
    held = await _read(client, index=index, alias=alias)
    return None if held is None else held.holder


async def force_unlock(client: AsyncElasticsearch, *, index: str, alias: str) -> LockHolder | None:
    """Delete the alias's lock whoever holds it; returns the holder it had. For an operator who
    knows the holder is gone: a live holder finds its lock gone at its next renewal and stops."""
    if not await client.indices.exists(index=index):
        return None
    held = await _read(client, index=index, alias=alias)
    if held is None:
        return None
    with contextlib.suppress(NotFoundError):
        await client.delete(index=index, id=alias)
    log.warning(
        "release lock forced open", extra={"context": {"alias": alias, "holder": held.holder.document()}}
    )
    return held.holder


class AliasLock:
    """`async with AliasLock(...)`: hold the alias's lock for the body, renew it, release it after.

    Raises `ReleaseLocked` on entry when another live holder has it (after up to
    `wait_seconds`), and `LockLost` out of the body if the lock is taken from it.
    """

    def __init__(
        self,
        client: AsyncElasticsearch,
        *,
        index: str,
        alias: str,
        command: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        wait_seconds: float = 0.0,
    ) -> None:
        self._client = client
        self._index = index
        self._alias = alias
        self._command = command
        self._lease = timedelta(seconds=lease_seconds)
        self._wait_seconds = wait_seconds
        self._token = uuid.uuid4().hex
        self._started = _now()
        self._held: _Held | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._owner: asyncio.Task[Any] | None = None
        self._lost: str | None = None
        # The expired holder this one replaced, if any: worth telling the operator.
        self.took_over: LockHolder | None = None

    def _document(self) -> dict[str, Any]:
        return LockHolder(
            alias=self._alias,
            host=socket.gethostname(),
            pid=os.getpid(),
            command=self._command,
            started=self._started,
            expires=_now() + self._lease,
            token=self._token,
        ).document()

    async def _try_acquire(self) -> LockHolder | None:
        """Take the lock if it is free or expired; else return its live holder."""
        document = self._document()
        try:
            created = await self._client.create(index=self._index, id=self._alias, document=document)
        except ConflictError:
            pass
        else:
            self._hold(document, created.body)
            return None
        current = await _read(self._client, index=self._index, alias=self._alias)
        if current is None:  # released between the two calls: try again at once
            return await self._try_acquire()
        if not current.holder.expired(now=_now()):
            return current.holder
        try:
            taken = await self._client.index(
                index=self._index,
                id=self._alias,
                document=document,
                if_seq_no=current.seq_no,
                if_primary_term=current.primary_term,
            )
        except (ConflictError, NotFoundError):  # another taker won, or it was just released
            return await self._try_acquire()
        self._hold(document, taken.body)
        self.took_over = current.holder
        log.warning(
            "expired release lock taken over",
            extra={"context": {"alias": self._alias, "previous": current.holder.document()}},
        )
        return None

    def _hold(self, document: dict[str, Any], response: dict[str, Any]) -> None:
        self._held = _Held(
            holder=LockHolder.from_document(document),
            seq_no=int(response["_seq_no"]),
            primary_term=int(response["_primary_term"]),
        )

    async def __aenter__(self) -> AliasLock:
        await ensure_lock_index(self._client, index=self._index)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_seconds
        while (holder := await self._try_acquire()) is not None:
            if loop.time() >= deadline:
                raise ReleaseLocked(holder, waited=self._wait_seconds)
            await asyncio.sleep(min(WAIT_POLL_SECONDS, max(deadline - loop.time(), 0.0)))
        log.info(
            "release lock taken",
            extra={"context": {"alias": self._alias, "command": self._command, "index": self._index}},
        )
        self._owner = asyncio.current_task()
        self._renewer = asyncio.create_task(self._renew_until_cancelled(), name="release-lock-renewal")
        return self

    async def _renew_until_cancelled(self) -> None:
        interval = self._lease.total_seconds() / RENEWALS_PER_LEASE
        while True:
            held = self._held
            assert held is not None
            # After failed renewals, try again no later than the lease's end: that is when
            # another command may take the lock, and this one must learn it at once.
            until_expiry = (held.holder.expires - _now()).total_seconds()
            await asyncio.sleep(max(min(interval, until_expiry), 0.0))
            document = self._document()
            try:
                # Bounded, so an unreachable cluster is noticed before the lease ends.
                renewed = await self._client.options(request_timeout=max(interval, 1.0)).index(
                    index=self._index,
                    id=self._alias,
                    document=document,
                    if_seq_no=held.seq_no,
                    if_primary_term=held.primary_term,
                )
            except (ConflictError, NotFoundError):
                self._lose("the lock was removed or taken by another command")
                return
            except Exception as error:  # unreachable for now: keep trying while the lease lasts
                if held.holder.expired(now=_now()):
                    self._lose(f"the lease ran out while Elasticsearch could not be reached ({error})")
                    return
                log.warning(
                    "release lock renewal failed",
                    extra={"context": {"alias": self._alias, "error": str(error)}},
                )
                continue
            self._hold(document, renewed.body)

    async def fence(self, step: str) -> None:
        """Raise `LockLost` unless this holder still holds the lock with lease to spare.

        Awaited just before each destructive step (an index delete, a bulk write, an
        alias swap). The lock document is read, not remembered: it must carry this
        holder's token, and its lease, the one a taker would judge, must have at least
        FENCE_MARGIN_SHARE of it left, counted after the read, since the process may
        have been paused during it.
        """
        if self._lost is not None:
            raise LockLost(f"{self._alias}: {self._lost}; stopped before {step}")
        interval = self._lease.total_seconds() / RENEWALS_PER_LEASE
        try:
            current = await _read(
                self._client.options(request_timeout=max(interval, 1.0)), index=self._index, alias=self._alias
            )
        except Exception as error:
            raise LockLost(
                f"{self._alias}: the lock could not be read ({error}); stopped before {step}"
            ) from error
        if current is None or current.holder.token != self._token:
            raise LockLost(
                f"{self._alias}: the lock was removed or taken by another command; stopped before {step}"
            )
        left = (current.holder.expires - _now()).total_seconds()
        if left < self._lease.total_seconds() * FENCE_MARGIN_SHARE:
            why = "its lease ran out" if left <= 0 else f"its lease ends in {left:.1f} s"
            raise LockLost(
                f"{self._alias}: {why} (renewals missed, or this process was paused); stopped before {step}"
            )

    def _lose(self, why: str) -> None:
        self._lost = why
        log.error("release lock lost", extra={"context": {"alias": self._alias, "why": why}})
        if self._owner is not None:
            self._owner.cancel(msg="release lock lost")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        if self._lost is not None:
            if self._owner is not None:
                self._owner.uncancel()
            raise LockLost(f"{self._alias}: {self._lost}; this command stopped") from exc
        await self._release()

    async def _release(self) -> None:
        """Delete the lock document if it is still this holder's (a renewal that was in flight
        when it was cancelled may have landed, so the token decides, not a remembered seq_no)."""
        try:
            current = await _read(self._client, index=self._index, alias=self._alias)
            if current is None or current.holder.token != self._token:
                return
            with contextlib.suppress(ConflictError, NotFoundError):
                await self._client.delete(
                    index=self._index,
                    id=self._alias,
                    if_seq_no=current.seq_no,
                    if_primary_term=current.primary_term,
                )
        except Exception as error:  # never hide what the body raised; the lease frees it anyway
            log.warning(
                "release lock not released; it expires with its lease",
                extra={"context": {"alias": self._alias, "error": str(error)}},
            )
            return
        log.info("release lock released", extra={"context": {"alias": self._alias}})


__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_LOCK_INDEX",
    "FENCE_MARGIN_SHARE",
    "AliasLock",
    "LockHolder",
    "LockLost",
    "ReleaseLocked",
    "ensure_lock_index",
    "force_unlock",
    "read_lock",
]

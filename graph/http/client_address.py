"""Who the client is: the peer address, or what a trusted proxy says it was.

`X-Forwarded-For` is a list each proxy appends its peer to, so only the
entries added by our own proxies can be believed. Walking it from the right,
the first address that is not one of our proxies is the client; everything
to its left was written by that client and may be forged. The header from a
peer that is not one of our proxies is ignored, and reported
(graph/http/untrusted_forwarding.py): it usually means TRUSTED_PROXIES is missing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from starlette.types import Scope

from graph.http.untrusted_forwarding import UNTRUSTED_FORWARDING
from graph.settings import Network

UNKNOWN = "unknown"
_FORWARDED_FOR = b"x-forwarded-for"
# The resolved address is memoised in the scope: the logger, the metrics and
# the limiter all ask for it during one request.
_SCOPE_KEY = "autos_graph.client_ip"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=4096)
def parse_ip(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket is still that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def in_networks(address: IPAddress, networks: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _forwarded_for(scope: Scope) -> list[str]:
    entries: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == _FORWARDED_FOR:
            entries.extend(value.decode("latin-1").split(","))
    return entries


def _has_forwarded_for(scope: Scope) -> bool:
    # A plain loop: every request without trusted proxies asks, and it is a third of any()'s cost.
    for name, _ in scope.get("headers", ()):  # noqa: SIM110
        if name == _FORWARDED_FOR:
            return True
    return False


def resolve_client_ip(scope: Scope, trusted_proxies: Sequence[Network]) -> str:
    peer = scope.get("client")
    if not peer:
        return UNKNOWN
    current = parse_ip(str(peer[0]))
    if current is None:
        return str(peer[0])
    if not trusted_proxies or not in_networks(current, trusted_proxies):
        if _has_forwarded_for(scope):
            UNTRUSTED_FORWARDING.seen(str(current))
        return str(current)
    for entry in reversed(_forwarded_for(scope)):
        if not in_networks(current, trusted_proxies):
            break
        hop = parse_ip(entry)
        if hop is None:
            # Our proxies write valid addresses; garbage came from the client,
            # so the last hop we could vouch for is the best answer.
            break
        current = hop
    return str(current)


def client_ip(scope: Scope, trusted_proxies: Sequence[Network]) -> str:
    cached = scope.get(_SCOPE_KEY)
    if isinstance(cached, str):
        return cached
    resolved = resolve_client_ip(scope, trusted_proxies)
    scope[_SCOPE_KEY] = resolved
    return resolved

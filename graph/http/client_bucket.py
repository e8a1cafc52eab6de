"""Which bucket a client's requests count in: its network, not its exact address.

An IPv6 host is handed a whole /64 and may rotate through it at will, so
counting exact IPv6 addresses gives it billions of buckets; IPv4 addresses are
scarce and shared behind NATs, so they count one by one. Both prefix lengths
are settings (RATE_LIMIT_IPV4_PREFIX, RATE_LIMIT_IPV6_PREFIX). The bucket of an
address is computed once and remembered (the limiter asks for every request).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from graph.http.client_address import parse_ip


class ClientBuckets:
    def __init__(self, *, ipv4_prefix: int = 32, ipv6_prefix: int = 64) -> None:
        self.ipv4_prefix = ipv4_prefix
        self.ipv6_prefix = ipv6_prefix
        self.of = lru_cache(maxsize=16384)(self._bucket)

    def _bucket(self, address: str) -> str:
        """`address` itself when its network is one host, else the network in CIDR notation."""
        parsed = parse_ip(address)
        if parsed is None:
            return address
        prefix = self.ipv4_prefix if parsed.version == 4 else self.ipv6_prefix
        if prefix == parsed.max_prefixlen:
            return str(parsed)
        return str(ipaddress.ip_network((parsed, prefix), strict=False))

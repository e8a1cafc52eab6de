from __future__ import annotations

import pytest

from graph.http.client_bucket import ClientBuckets


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # IPv4: one address, one bucket
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4 through a dual-stack socket
        ("unknown", "unknown"),  # no peer: counted as one
    ],
)
def test_the_shipped_buckets_are_ipv4_by_32_and_ipv6_by_64(address: str, expected: str) -> None:
    assert ClientBuckets().of(address) == expected


def test_both_prefixes_are_configurable() -> None:
    buckets = ClientBuckets(ipv4_prefix=24, ipv6_prefix=128)
    assert buckets.of("198.51.100.7") == buckets.of("198.51.100.200") == "198.51.100.0/24"
    assert buckets.of("2001:db8::1") == "2001:db8::1"
    assert buckets.of("2001:db8::2") == "2001:db8::2"

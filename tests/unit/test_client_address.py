from __future__ import annotations

import ipaddress

import pytest

from graph.http.client_address import client_ip, resolve_client_ip
from graph.settings import Network

PROXIES: list[Network] = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


def scope(peer: str | None, *forwarded: str) -> dict[str, object]:
    return {
        "type": "http",
        "client": (peer, 5000) if peer else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", ["1.2.3.4"], "203.0.113.9"),  # untrusted peer: its header is ignored
        ("10.0.0.2", ["1.2.3.4"], "1.2.3.4"),
        ("10.0.0.2", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),  # the left part was written by the client
        ("10.0.0.2", ["1.2.3.4, 10.9.9.9"], "1.2.3.4"),  # a chain of our own proxies
        ("10.0.0.2", ["6.6.6.6", "1.2.3.4, 10.1.1.1"], "1.2.3.4"),  # several header lines
        ("10.0.0.2", ["10.3.3.3"], "10.3.3.3"),  # all trusted: the left-most is the client
        ("10.0.0.2", ["not-an-ip"], "10.0.0.2"),  # garbage: the last hop we can vouch for
        ("10.0.0.2", [], "10.0.0.2"),
        ("fd00::1", ["2001:db8::5"], "2001:db8::5"),
        ("::ffff:198.51.100.4", [], "198.51.100.4"),  # IPv4 seen through a dual-stack socket
    ],
)
def test_resolution(peer: str, forwarded: list[str], expected: str) -> None:
    assert resolve_client_ip(scope(peer, *forwarded), PROXIES) == expected


def test_no_trusted_proxies_means_the_header_is_never_read() -> None:
    assert resolve_client_ip(scope("10.0.0.2", "1.2.3.4"), []) == "10.0.0.2"


def test_no_peer_is_unknown() -> None:
    assert resolve_client_ip(scope(None), PROXIES) == "unknown"


def test_the_answer_is_memoised_in_the_scope() -> None:
    request = scope("10.0.0.2", "1.2.3.4")
    assert client_ip(request, PROXIES) == "1.2.3.4"
    request["headers"] = []
    assert client_ip(request, PROXIES) == "1.2.3.4"

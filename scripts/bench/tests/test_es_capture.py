"""The recording proxy's HTTP framing."""

from __future__ import annotations

from scripts.bench.es_capture import split_requests


def test_split_requests_frames_by_content_length_and_keeps_the_rest() -> None:
    first = b"POST /idx/_search HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    second = b"GET /_cluster/health HTTP/1.1\r\nHost: x\r\n\r\n"
    partial = b"POST /_msearch HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}"
    found, rest = split_requests(first + second + partial)
    assert [(method, target) for method, target, _headers, _body in found] == [
        ("POST", "/idx/_search"),
        ("GET", "/_cluster/health"),
    ]
    assert found[0][2]["content-type"] == "application/json"
    assert found[0][3] == b"{}"
    assert found[1][3] == b""
    assert rest == partial

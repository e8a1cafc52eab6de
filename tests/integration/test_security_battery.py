"""The security battery: requests an attacker would send, against `autos-graph serve` as deployed.

Each test is a row (or rows) of docs/security.md's table: what was sent, what
came back. The servers run with k8s/configmap.yaml's values; where a row needs
another setting the fixture says which and why. Every answer is checked for a
coded error or the right status, and never a 5xx or a stack trace; each
server's own log is read at the end for an error that escaped the app (`_served`).
Slow clients are in test_security_battery_slow_clients.py, and Redis full and
Elasticsearch slow in test_security_battery_dependencies.py.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.support.deployed_server import UNSET, deployed_environment
from tests.support.graphql import error_codes, shared_answer
from tests.support.raw_http import raw_request
from tests.support.server import ServedProcess, leaks
from tests.support.server_log import unhandled_errors

GR = "application/graphql-response+json"
JSON = "application/json"
PICKER = "query Picker { manufacturerModelCombinations(first: 2) { nodes { manufacturer count } } }"
ORIGIN = "https://picker.example"


class Server:
    def __init__(self, process: ServedProcess) -> None:
        self.process = process
        self.port = process.port
        self.client = httpx.Client(base_url=process.base_url, timeout=30)

    def log_lines(self) -> list[bytes]:
        return [line for line in self.process.log_path.read_bytes().split(b"\n") if line.strip()]


@pytest.fixture(scope="module")
def run_id() -> str:
    """Keys of this run: the shared Redis keeps answers and rate-limit counts of earlier runs."""
    return uuid.uuid4().hex[:12]


def _served(log_path: Path, index: str, env: dict[str, str]) -> Iterator[Server]:
    process = ServedProcess(index=index, log_path=log_path, env=env, unset=UNSET)
    log_path.write_text("")
    process.start()
    server = Server(process)
    try:
        yield server
    finally:
        server.client.close()
        alive = process.process is not None and process.process.poll() is None
        process.stop()
        text = log_path.read_text(errors="replace")
        assert alive, f"the server died during the battery:\n{text[-3000:]}"
        assert unhandled_errors(text) == [], f"an unhandled error in the server's log:\n{text[-3000:]}"


@pytest.fixture(scope="module")
def deployed(sample_index: str, tmp_path_factory: pytest.TempPathFactory, run_id: str) -> Iterator[Server]:
    """As deployed, but with the rate limiter off: the battery sends hundreds of requests from one
    address, and the limiter's own row runs on `limited`."""
    log = tmp_path_factory.mktemp("deployed") / "server.log"
    yield from _served(log, sample_index, deployed_environment(RATE_LIMIT_PER_MINUTE="0"))


@pytest.fixture(scope="module")
def open_server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Introspection on (as outside production) for its bombs, and one browser origin allowed for
    the CORS rows; the configmap allows none."""
    log = tmp_path_factory.mktemp("open") / "server.log"
    env = deployed_environment(RATE_LIMIT_PER_MINUTE="0", INTROSPECTION="true", CORS_ALLOW_ORIGINS=ORIGIN)
    yield from _served(log, sample_index, env)


@pytest.fixture(scope="module")
def limited(sample_index: str, tmp_path_factory: pytest.TempPathFactory, run_id: str) -> Iterator[Server]:
    """The deployed limit (100 a minute, no trusted proxy), with counts of this run's own."""
    log = tmp_path_factory.mktemp("limited") / "server.log"
    env = deployed_environment(RATE_LIMIT_KEY_PREFIX=f"battery-{run_id}")
    yield from _served(log, sample_index, env)


@pytest.fixture(scope="module")
def trusted(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """TRUSTED_DOCUMENTS=only with a manifest of one document, as production may run it."""
    directory = tmp_path_factory.mktemp("trusted")
    manifest = directory / "persisted-documents.json"
    manifest.write_bytes(orjson.dumps({sha256(PICKER): PICKER}))
    env = deployed_environment(
        RATE_LIMIT_PER_MINUTE="0", TRUSTED_DOCUMENTS="only", TRUSTED_DOCUMENTS_MANIFEST=str(manifest)
    )
    yield from _served(directory / "server.log", sample_index, env)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def report(row: str, status: int, codes: list[str] | None = None) -> None:
    """One line of what came back, for docs/security.md (`make test-faults` shows it)."""
    counted = (
        [
            code if codes.count(code) == 1 else f"{code} x{codes.count(code)}"
            for code in sorted(set(codes or []))
        ]
        if codes
        else []
    )
    print(f"[battery] {row}: {status} {' '.join(counted)}")


def body_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    assert leaks(response.text) == [], response.text
    body: dict[str, Any] = response.json()
    return body


# Query bombs: each is refused by a code before any resolver runs, and answered at once.

_NESTED_OTHER_YEARS = "otherYears(first: 1) { " * 15 + "year" + " }" * 15
BOMBS: dict[str, tuple[str, str]] = {
    "depth": (f'{{ vehicle(id: "x") {{ {_NESTED_OTHER_YEARS} }} }}', "QUERY_TOO_COMPLEX"),
    "aliases": (
        "{ " + " ".join(f'a{n}: decodeVin(vin: "x") {{ valid }}' for n in range(200)) + " }",
        "QUERY_TOO_COMPLEX",
    ),
    "aliases through fragments": (
        "{ ...F ...F } fragment F on Query { "
        + " ".join(f'a{n}: decodeVin(vin: "x") {{ valid }}' for n in range(20))
        + " }",
        "QUERY_TOO_COMPLEX",
    ),
    "fragment cycle": (
        '{ vehicle(id: "x") { ...A } } fragment A on Vehicle { otherYears { ...B } } '
        "fragment B on Vehicle { group { vehicles { nodes { ...A } } } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "fragment self-spread": ("{ ...A } fragment A on Query { ...A }", "GRAPHQL_VALIDATION_FAILED"),
    "repeated directive": (
        "{ __typename " + "@skip(if: false) " * 250 + "}",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "unknown directives": ("{ __typename " + "@a " * 900 + "}", "GRAPHQL_VALIDATION_FAILED"),
    "directives past the token limit": (
        "{ __typename " + "@include(if: true) " * 500 + "}",
        "QUERY_TOO_COMPLEX",
    ),
    "fields past the token limit": ("{ " + "__typename " * 3000 + "}", "QUERY_TOO_COMPLEX"),
    "page sizes past the cost": (
        "{ vehicles(first: 100) { nodes { instances(count: 20) { vin } "
        "otherYears(first: 50) { instances(count: 20) { vin } } } } }",
        "QUERY_TOO_COMPLEX",
    ),
    "introspection as deployed": ("{ __schema { types { name } } }", "INTROSPECTION_DISABLED"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_query_bombs_are_refused_with_a_code(deployed: Server, name: str) -> None:
    document, code = BOMBS[name]
    response = deployed.client.post("/graphql", json={"query": document})
    body = body_of(response)
    assert response.status_code == 200  # application/json keeps 200 (GraphQL over HTTP)
    assert body.get("data") is None
    assert code in error_codes(body), body
    as_graphql_response = deployed.client.post("/graphql", json={"query": document}, headers={"accept": GR})
    assert as_graphql_response.status_code == 400
    assert code in error_codes(body_of(as_graphql_response))
    report(f"bomb {name}", response.status_code, error_codes(body))


_OF_TYPE = "ofType { " * 12 + "name" + " }" * 12
INTROSPECTION_BOMBS = {
    "__schema twice": "{ a: __schema { types { name } } b: __schema { types { name } } }",
    "deep fields": "{ __schema { types { fields { type { fields { type { fields { type { fields "
    "{ name } } } } } } } } } }",
    "ofType chain": f"{{ __schema {{ types {{ fields {{ type {{ {_OF_TYPE} }} }} }} }} }}",
    "__type nesting": '{ __type(name: "Vehicle") { fields { type { fields { type { fields { type '
    "{ fields { type { name } } } } } } } } } }",
}


@pytest.mark.parametrize("name", list(INTROSPECTION_BOMBS))
def test_introspection_bombs_are_refused_where_introspection_is_on(open_server: Server, name: str) -> None:
    body = body_of(open_server.client.post("/graphql", json={"query": INTROSPECTION_BOMBS[name]}))
    assert body.get("data") is None
    assert error_codes(body), body
    assert set(error_codes(body)) == {"QUERY_TOO_COMPLEX"}, body
    report(f"introspection bomb {name}", 200, error_codes(body))
    # The standard introspection query still works there.
    ordinary = body_of(open_server.client.post("/graphql", json={"query": "{ __schema { types { name } } }"}))
    assert ordinary["data"]["__schema"]["types"]


# Bodies: batches and sizes.

BATCHES = {
    "one operation": [{"query": "{ __typename }"}],
    "a thousand operations": [{"query": "{ __typename }"}] * 1000,
    "nested arrays": [[{"query": "{ __typename }"}]],
    "empty": [],
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_batched_bodies_are_refused(deployed: Server, name: str) -> None:
    response = deployed.client.post("/graphql", json=BATCHES[name])
    assert response.status_code == 400
    assert error_codes(body_of(response)) == ["BAD_REQUEST"]
    assert "data" not in response.json()
    report(f"batch {name}", response.status_code, error_codes(response.json()))


def test_oversized_bodies_get_413(deployed: Server) -> None:
    padded = {"query": "{ __typename }" + " " * 70_000}
    response = deployed.client.post("/graphql", json=padded)
    assert (response.status_code, error_codes(body_of(response))) == (413, ["BAD_REQUEST"])

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(100):
            yield b" " * 1000
        yield b'"}'

    chunked = deployed.client.post("/graphql", content=chunks(), headers={"content-type": JSON})
    assert (chunked.status_code, error_codes(body_of(chunked))) == (413, ["BAD_REQUEST"])
    # A Content-Length far past the limit, with the first 70 kB sent: refused once the limit is read.
    lying = raw_request(
        deployed.port,
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000",
        b'{"query": "' + b" " * 70_000,
    )
    assert lying.status == 413
    assert error_codes(orjson.loads(lying.body)) == ["BAD_REQUEST"]
    report("oversized body (70 kB, chunked, lying Content-Length)", lying.status, ["BAD_REQUEST"])


def test_oversized_heads_get_431(deployed: Server) -> None:
    # As deployed, a head is at most REQUEST_HEAD_MAX_BYTES (64 KiB): one huge header, many, or a long URL.
    heads = {
        "one 2 MB header": b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2_000_000,
        "a thousand 100-byte headers": b"GET /health/live HTTP/1.1\r\nHost: x"
        + b"".join(b"\r\nX-H%d: %s" % (n, b"a" * 100) for n in range(1000)),
        "a 70 kB query string": b"GET /graphql?query=%23"
        + b"a" * 70_000
        + b"%0A%7B__typename%7D HTTP/1.1\r\nHost: x",
    }
    for name, head in heads.items():
        answer = raw_request(deployed.port, head)
        assert answer.status == 431, (name, answer)
        assert error_codes(orjson.loads(answer.body)) == ["REQUEST_HEAD_TOO_LARGE"]
        report(f"oversized head: {name}", answer.status, ["REQUEST_HEAD_TOO_LARGE"])
    # A GET whose document is as large as a document may be (comments count) is still read.
    within = raw_request(
        deployed.port, b"GET /graphql?query=%23" + b"a" * 30_000 + b"%0A%7B__typename%7D HTTP/1.1\r\nHost: x"
    )
    assert within.status == 200
    assert orjson.loads(within.body)["data"] == {"__typename": "Query"}


# Methods and content types a browser sends cross-site without asking.


def test_get_never_runs_a_mutation_or_subscription(deployed: Server) -> None:
    mutation = deployed.client.get("/graphql", params={"query": 'mutation { vehicle(id: "x") { id } }'})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert error_codes(body_of(mutation)) == ["BAD_REQUEST"]
    # A subscription runs over neither GET nor POST: the refusal names its two transports.
    subscription = deployed.client.get(
        "/graphql", params={"query": "subscription { catalogReleases { generation } }"}
    )
    assert subscription.status_code == 400
    assert error_codes(body_of(subscription)) == ["BAD_REQUEST"]
    assert "graphql-transport-ws" in body_of(subscription)["errors"][0]["message"]
    report("GET mutation", mutation.status_code, ["BAD_REQUEST"])
    report("GET subscription", subscription.status_code, ["BAD_REQUEST"])


SIMPLE_CONTENT_TYPES = [
    "text/plain",
    "text/plain;charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
]


@pytest.mark.parametrize("content_type", SIMPLE_CONTENT_TYPES)
def test_a_cross_site_simple_post_does_not_execute(deployed: Server, content_type: str) -> None:
    # A form or `fetch(..., {mode: "no-cors"})` may send these from any site without a preflight.
    body = orjson.dumps({"query": "{ vehicles(first: 1) { totalCount } }"})
    response = deployed.client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 415
    assert error_codes(body_of(response)) == ["BAD_REQUEST"]
    assert "data" not in response.json()
    report(f"simple POST {content_type}", response.status_code, ["BAD_REQUEST"])


def test_cors_preflights_admit_the_allowed_origin_only(open_server: Server) -> None:
    def preflight(origin: str, headers: str = "content-type") -> httpx.Response:
        return open_server.client.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": headers,
            },
        )

    allowed = preflight(ORIGIN)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    for refused in (
        preflight("https://evil.example"),
        preflight("null"),
        preflight(ORIGIN + ".evil.example"),
    ):
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    assert preflight(ORIGIN, headers="x-evil").status_code == 400
    # A simple request from another origin is answered without the header, so the browser hides it.
    foreign = open_server.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 200
    assert "access-control-allow-origin" not in foreign.headers


def test_cors_preflights_get_no_grant_as_deployed(deployed: Server) -> None:
    response = deployed.client.options(
        "/graphql", headers={"origin": ORIGIN, "access-control-request-method": "POST"}
    )
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


# Log injection: whatever a client puts in what is logged, each log line stays one JSON object.


def _post_json(body: bytes) -> tuple[bytes, bytes]:
    head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d"
    return head % len(body), body


INJECTIONS: list[tuple[bytes, bytes]] = [
    (b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\x1b[31mforged", b""),
    (b'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: a", "level": "error', b""),
    (b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\tb", b""),
    (b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\x00b", b""),
    (b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: a\rforged", b""),
    (b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: \xe2\x80\xa8forged\xff", b""),
    (b"GET /x%0a%7B%22message%22%3A%22forged%22%7D HTTP/1.1\r\nHost: x", b""),
    (b"GET /graphql%0d%0aforged%1b%e2%80%a8?query=%7B__typename%7D HTTP/1.1\r\nHost: x", b""),
    (b"GET /api/v1/vehicles/%0aforged/instances HTTP/1.1\r\nHost: x", b""),
    _post_json(b'{"query": "{ __typename }", "operationName": "a\\n{\\"message\\":\\"forged\\"}"}'),
    _post_json(b'{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "\\u001b\\n"}}}'),
    (
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\x1b\r\n"
        b"User-Agent: \x1b[2J\x7fforged\r\nReferer: \xe2\x80\xa8forged",
        b"",
    ),
]


def test_control_characters_in_logged_fields_stay_inside_one_json_line(deployed: Server) -> None:
    # INFO logs the probes at DEBUG only: the requests above are logged when they are not probes,
    # so each is also sent to a logged route.
    statuses = []
    for head, body in INJECTIONS:
        statuses.append(raw_request(deployed.port, head, body).status)
        statuses.append(
            raw_request(deployed.port, head.replace(b"/health/live", b"/nothing-here"), body).status
        )
    assert all(status < 500 for status in statuses), statuses
    assert {400, 404} <= set(statuses)
    raw = deployed.process.log_path.read_bytes()
    # And no line break of Unicode's: Python's splitlines and many viewers break lines on these.
    for forbidden in (b"\x1b", b"\x00", b"\r", b"\x7f", b"\xff", "\u2028".encode(), "\x85".encode()):
        assert forbidden not in raw, f"{forbidden!r} was written to the log as it came"
    entries = []
    for line in deployed.log_lines():
        entry = orjson.loads(line)  # a line that is not one JSON object fails here
        assert isinstance(entry, dict), line
        assert {"timestamp", "level", "message", "context"} <= entry.keys(), line
        assert entry["message"] != "forged"
        assert entry["level"] in {"debug", "info", "warning", "error"}
        entries.append(entry)
    request_ids = {e["context"].get("request_id") for e in entries} - {None}
    assert request_ids, "no access line was written"
    assert all(len(rid) == 32 and rid.isalnum() for rid in request_ids), request_ids


# X-Forwarded-For from a peer that is not a trusted proxy picks no bucket.


def test_forwarded_headers_from_an_untrusted_peer_cannot_pick_a_bucket(limited: Server) -> None:
    statuses = []
    for n in range(110):
        spoofed = {
            "x-forwarded-for": f"203.0.113.{n % 250}, 2001:db8::{n:x}",
            "x-real-ip": f"198.51.100.{n % 250}",
            "forwarded": f"for=192.0.2.{n % 250}",
        }
        response = limited.client.get("/graphql", params={"query": "{ __typename }"}, headers=spoofed)
        statuses.append(response.status_code)
    assert statuses[:100] == [200] * 100
    assert statuses[100:] == [429] * 10
    refused = limited.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"x-forwarded-for": "1.1.1.1"}
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert error_codes(body_of(refused)) == ["RATE_LIMITED"]
    report("requests 101-111 with rotating forwarded headers", 429, ["RATE_LIMITED"])


# Cache poisoning: headers the answer cache's key does not hold cannot change what others get.

POISONS: dict[str, dict[str, str]] = {
    "accept graphql-response": {"accept": GR},
    "accept html": {"accept": "text/html"},
    "accept anything": {"accept": "*/*"},
    "forwarded host": {"x-forwarded-host": "evil.example", "x-forwarded-proto": "http", "x-host": "evil"},
    "original url": {"x-original-url": "/api/v1/openapi.json", "x-rewrite-url": "/metrics"},
    "method override": {"x-http-method-override": "POST", "x-method-override": "DELETE"},
    "language and encoding": {"accept-language": "de-DE", "accept-encoding": "gzip, br"},
    "conditional": {"if-none-match": "*", "if-modified-since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    "origin and credentials": {
        "origin": "https://evil.example",
        "cookie": "a=b",
        "authorization": "Bearer x",
    },
}


def _seen(response: httpx.Response) -> tuple[int, str | None, bytes, str | None]:
    return (
        response.status_code,
        response.headers.get("content-type"),
        shared_answer(response.content),
        response.headers.get("vary"),
    )


@pytest.mark.parametrize("name", list(POISONS))
def test_a_poisoned_first_request_does_not_change_the_next_clients_answer(
    deployed: Server, run_id: str, name: str
) -> None:
    # Two texts of one query (the comment differs): the first is asked cleanly, the second is
    # first asked with the poisoning headers; a clean client then gets what it got for the first.
    def document(variant: str) -> str:
        return f"# {run_id} {name} {variant}\n{PICKER}"

    clean = {"accept": JSON}
    expected = deployed.client.get("/graphql", params={"query": document("a")}, headers=clean)
    assert expected.status_code == 200
    assert expected.json()["data"]
    poisoner = deployed.client.get("/graphql", params={"query": document("b")}, headers=POISONS[name])
    assert poisoner.status_code in (200, 304)
    victim = deployed.client.get("/graphql", params={"query": document("b")}, headers=clean)
    assert _seen(victim) == _seen(expected)
    assert victim.headers.get("etag") == expected.headers.get("etag")


@pytest.mark.parametrize("name", list(POISONS))
def test_a_poisoned_first_rest_request_does_not_change_the_next_clients_answer(
    deployed: Server, run_id: str, name: str
) -> None:
    path = f"/api/v1/manufacturer-model-combinations?search=for&page=1&size=3&_={run_id}-{name.split()[0]}"
    poisoner = deployed.client.get(path, headers=POISONS[name])
    victim = deployed.client.get(path)
    assert victim.status_code == 200
    assert victim.headers["content-type"] == JSON
    assert victim.headers["x-api-version"] == "v1"
    assert victim.json()["data"]
    if poisoner.status_code == 200:
        assert poisoner.content == victim.content
    else:
        assert poisoner.status_code == 304


def test_an_etag_names_one_media_type(deployed: Server, run_id: str) -> None:
    params = {"query": f"# {run_id} etag\n{PICKER}"}
    as_json = deployed.client.get("/graphql", params=params, headers={"accept": JSON})
    as_gr = deployed.client.get("/graphql", params=params, headers={"accept": GR})
    assert (as_json.headers["content-type"], as_gr.headers["content-type"]) == (JSON, GR)
    json_tag, gr_tag = as_json.headers["etag"], as_gr.headers["etag"]
    assert json_tag != gr_tag
    for accept, tag, other in ((JSON, json_tag, gr_tag), (GR, gr_tag, json_tag)):
        crossed = deployed.client.get(
            "/graphql", params=params, headers={"accept": accept, "if-none-match": other}
        )
        assert (crossed.status_code, crossed.headers["content-type"]) == (200, accept)
        assert shared_answer(crossed.content) == shared_answer(as_json.content)
        matched = deployed.client.get(
            "/graphql", params=params, headers={"accept": accept, "if-none-match": tag}
        )
        assert matched.status_code == 304
        assert matched.headers["etag"] == tag


# TRUSTED_DOCUMENTS=only: nothing outside the manifest runs, however it is sent.

OUTSIDE = "{ vehicles(first: 1) { totalCount } }"
REFUSALS = {"PERSISTED_QUERY_NOT_IN_LIST", "PERSISTED_QUERY_NOT_FOUND", "BAD_REQUEST"}


def _apq(hash_: str) -> str:
    return orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": hash_}}).decode()


def test_trusted_only_refuses_every_way_around_the_manifest(trusted: Server) -> None:
    client = trusted.client
    attempts: dict[str, httpx.Response] = {
        "ad-hoc POST": client.post("/graphql", json={"query": OUTSIDE}),
        "ad-hoc GET": client.get("/graphql", params={"query": OUTSIDE}),
        "APQ registration": client.post(
            "/graphql", json={"query": OUTSIDE, "extensions": orjson.loads(_apq(sha256(OUTSIDE)))}
        ),
        "APQ hash of an untrusted document": client.get(
            "/graphql", params={"extensions": _apq(sha256(OUTSIDE))}
        ),
        "documentId of an untrusted document": client.post("/graphql", json={"documentId": sha256(OUTSIDE)}),
        "trusted hash, other text": client.post(
            "/graphql", json={"query": OUTSIDE, "extensions": orjson.loads(_apq(sha256(PICKER)))}
        ),
        "trusted text, edited": client.post("/graphql", json={"query": PICKER + " "}),
        "batch of a trusted document": client.post("/graphql", json=[{"query": PICKER}, {"query": OUTSIDE}]),
    }
    codes = {name: error_codes(body_of(response)) for name, response in attempts.items()}
    for name, response in attempts.items():
        report(f"trusted-only {name}", response.status_code, codes[name])
    for name, response in attempts.items():
        assert "data" not in response.json() or response.json()["data"] is None, name
        assert codes[name], (name, response.text)
        assert set(codes[name]) <= REFUSALS, (name, response.text)
    assert codes["batch of a trusted document"] == ["BAD_REQUEST"]
    assert attempts["batch of a trusted document"].status_code == 400
    # The registration stored nothing: the hash is still unknown.
    again = client.get("/graphql", params={"extensions": _apq(sha256(OUTSIDE))})
    assert error_codes(body_of(again)) == ["PERSISTED_QUERY_NOT_FOUND"]
    # The manifest's document runs, by hash and by text.
    by_hash = client.get("/graphql", params={"extensions": _apq(sha256(PICKER))})
    assert by_hash.status_code == 200
    assert by_hash.json()["data"]["manufacturerModelCombinations"]["nodes"]
    assert shared_answer(client.post("/graphql", json={"query": PICKER}).json()) == shared_answer(
        by_hash.json()
    )

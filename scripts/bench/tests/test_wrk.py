"""Reading wrk's output and writing its Lua script."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.bench.wrk import RESULT_MARKER, WrkError, lua_script, parse_output, rotating_lua_script

OUTPUT = (
    "Running 5s test @ http://127.0.0.1:8000/graphql\n"
    "  1 threads and 16 connections\n"
    "  Latency Distribution\n     50%    1.20ms\n     99%    4.50ms\n"
    "  12000 requests in 5.00s, 10.00MB read\n"
    "  Non-2xx or 3xx responses: 3\n"
    "Requests/sec:   2400.00\n"
    f'{RESULT_MARKER}{{"requests":12000,"duration_us":5000000,"bytes":10485760,"mean_us":1300.5,'
    '"p50_us":1200,"p95_us":3000,"p99_us":4500,"max_us":9000,"errors_connect":0,"errors_read":1,'
    '"errors_write":0,"errors_status":3,"errors_timeout":2}\n'
)


def test_parse_output_reads_the_done_hook_line() -> None:
    result = parse_output(OUTPUT, connections=16)
    assert result.connections == 16
    assert result.requests == 12000
    assert result.seconds == pytest.approx(5.0)
    assert result.requests_per_second == pytest.approx(2400.0)
    assert (result.p50_ms, result.p95_ms, result.p99_ms, result.max_ms) == (1.2, 3.0, 4.5, 9.0)
    assert result.mean_ms == pytest.approx(1.3005)
    assert result.bytes_read == 10485760


def test_errors_count_socket_errors_and_non_2xx_answers() -> None:
    result = parse_output(OUTPUT, connections=16)
    assert result.non_2xx == 3
    assert result.errors == 1 + 2 + 3  # read + timeout + non-2xx


def test_output_without_the_result_line_is_an_error() -> None:
    with pytest.raises(WrkError, match="no result line"):
        parse_output("Running 5s test\n", connections=1)


def test_lua_script_sets_method_headers_and_body_from_a_file(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    script = lua_script(method="POST", headers={"Content-Type": "application/json"}, body_path=body)
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert f"io.open([[{body}]]" in script
    assert "done = function(summary, latency, requests)" in script
    assert RESULT_MARKER in script


def test_lua_script_without_body_and_refusing_unsafe_headers() -> None:
    assert "wrk.body" not in lua_script(method="GET", headers={}, body_path=None)
    with pytest.raises(ValueError, match="header"):
        lua_script(method="GET", headers={"X": 'a"b'}, body_path=None)


def test_rotating_script_reads_its_lines_once_and_starts_where_asked(tmp_path: Path) -> None:
    items = tmp_path / "bodies.lines"
    script = rotating_lua_script(
        method="POST", headers={"Content-Type": "application/json"}, items_path=items, vary="body", start=250
    )
    assert f"for line in io.lines([[{items}]])" in script
    assert "local position = 250" in script
    assert "items[position % #items + 1]" in script
    assert "wrk.format(nil, nil, nil, item)" in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert script.count("done = function") == 1


def test_rotating_script_varies_the_path_for_rest() -> None:
    script = rotating_lua_script(method="GET", headers={}, items_path=Path("/tmp/paths"), vary="path")
    assert "wrk.format(nil, item)" in script
    assert "local position = 0" in script
    with pytest.raises(ValueError, match="negative"):
        rotating_lua_script(method="GET", headers={}, items_path=Path("/tmp/p"), vary="path", start=-1)
    with pytest.raises(ValueError, match="cannot be written"):
        rotating_lua_script(method="GET", headers={}, items_path=Path("/tmp/a]]b"), vary="path")

"""Raw Elasticsearch, the context beside the race: the exact request the API sent
(captured on the wire), replayed by wrk straight at Elasticsearch over one
keep-alive connection, so the floor and the API are timed by the same client.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from scripts.bench.es_capture import CapturedRequest
from scripts.bench.wrk import WrkResult, lua_script, run_wrk


def clear_search_caches(*, elasticsearch_url: str, index: str) -> None:
    """Empty the index's shard request cache (size-0 aggregations) and node query cache (filters):
    the side of a race that runs second must not find what the first one left there."""
    request = urllib.request.Request(
        f"{elasticsearch_url}/{index}/_cache/clear?request=true&query=true", method="POST", data=b""
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def time_elasticsearch_request(
    *,
    wrk: str,
    elasticsearch_url: str,
    captured: CapturedRequest,
    work_dir: Path,
    label: str,
    seconds: float,
    connections: int = 1,
) -> WrkResult:
    body_path = work_dir / f"es-{label}.body"
    body_path.write_bytes(captured.body)
    script = work_dir / f"es-{label}.lua"
    headers = {name.title(): value for name, value in captured.headers.items()}
    script.write_text(
        lua_script(method=captured.method, headers=headers, body_path=body_path if captured.body else None)
    )
    return run_wrk(
        binary=wrk,
        url=elasticsearch_url + captured.target,
        script=script,
        connections=connections,
        seconds=seconds,
    )

"""Reading a `multipart/mixed` incremental answer in tests: its parts, and the whole answer they make."""

from __future__ import annotations

import copy
import json
from typing import Any

APOLLO_ACCEPT = "multipart/mixed;incrementalSpec=v0.2,application/json"
DELIMITER = "\r\n---"
CLOSE = "\r\n-----\r\n"


def parts_of(body: str) -> list[dict[str, Any]]:
    """Each part's JSON, checking the framing and each part's media type."""
    assert body.startswith(DELIMITER + "\r\n"), body[:80]
    assert body.endswith(CLOSE), body[-80:]
    parts = []
    for part in body[len(DELIMITER) : -len(CLOSE)].split(DELIMITER):
        headers, _, payload = part.partition("\r\n\r\n")
        assert headers.strip().lower() == "content-type: application/json; charset=utf-8"
        parts.append(json.loads(payload))
    return parts


def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole answer the parts make, as a client assembles it (errors in the order they came)."""
    initial, *later = copy.deepcopy(parts)
    data: dict[str, Any] = initial["data"]
    errors = list(initial.get("errors", []))
    paths = {p["id"]: p["path"] for p in initial.get("pending", [])}
    for part in later:
        paths.update({p["id"]: p["path"] for p in part.get("pending", [])})
        for item in part.get("incremental", []):
            target: Any = data
            for key in [*paths[item["id"]], *item.get("subPath", [])]:
                target = target[key]
            if "items" in item:
                target.extend(item["items"])
            else:
                _merge(target, item["data"])
            errors.extend(item.get("errors", []))
        for done in part.get("completed", []):
            errors.extend(done.get("errors", []))
    return {"data": data, **({"errors": errors} if errors else {})}


def _merge(target: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value

"""Reading a served process's JSON log for what must never happen: an unhandled error, a 500.

A library may log a handled failure with its traceback (elastic-transport does
for each retry); that is the operator's, and is not counted here. What is
counted is uvicorn's line for an exception that escaped the app, and an
access line with status 500.
"""

from __future__ import annotations

import orjson


def unhandled_errors(text: str) -> list[str]:
    found = []
    for line in text.split("\n"):
        if not line:
            continue
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            found.append(line)  # not our JSON: something printed past the logging setup
            continue
        context = entry.get("context", {}) if isinstance(entry, dict) else {}
        if entry.get("message") == "Exception in ASGI application" or context.get("status") == 500:
            found.append(line)
    return found

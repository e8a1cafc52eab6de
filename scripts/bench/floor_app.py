"""The floor: an ASGI app that reads any request and answers 200 with one fixed JSON body.

    FLOOR_BODY_BYTES=4000 python -m scripts.bench.floor_app   # with the environment autos-graph gets

Served on the same stack as autos-graph (`autos-graph serve`'s own uvicorn
options, scripts/bench/cli_serve.py), or by Granian as
`scripts.bench.floor_app:app`, it is what that server costs per request with no
application work: a repeated request to autos-graph can at best approach it.
The body has the size of a typical answer (the harness passes it in
FLOOR_BODY_BYTES), so the bytes on the wire are alike too.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_BODY_BYTES = 2_000
_PREFIX = b'{"data":{"floor":"'
_SUFFIX = b'"}}'


def fixed_body(size: int) -> bytes:
    """A JSON document of exactly `size` bytes (or the smallest one, if `size` is smaller)."""
    return _PREFIX + b"x" * max(0, size - len(_PREFIX) - len(_SUFFIX)) + _SUFFIX


class FloorApp:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        # The request is read to its end, as any app that answers it must.
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] == "http.request"
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


app = FloorApp(fixed_body(int(os.environ.get("FLOOR_BODY_BYTES", DEFAULT_BODY_BYTES))))


def main() -> None:
    from scripts.bench.cli_serve import serve_like_autos_graph

    serve_like_autos_graph(app=app, factory=False)


if __name__ == "__main__":
    main()

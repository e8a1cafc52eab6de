"""Serving an app exactly as `autos-graph serve` serves autos-graph, with one thing swapped.

The floor app and the ablation's variants must run on the server stack the
service is deployed on: uvicorn with the options `autos-graph serve` gives it
(event loop, HTTP protocol, logging, headers, shutdown). Rather than copy
those options, which would drift, this runs the real `autos-graph serve`
command in this process and changes the `uvicorn.Config` it builds (the app,
for the floor). It always serves one worker, as k8s/configmap.yaml deploys:
uvicorn then serves in the calling process, so whatever was patched here
before is what serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class ServeChanged(RuntimeError):
    """`autos-graph serve` no longer builds a `uvicorn.Config`: the harness must follow it."""


@contextmanager
def config_changes(**changes: Any) -> Iterator[dict[str, Any]]:
    """While open, every `uvicorn.Config` is built with `changes` over its own keyword arguments;
    yields the arguments of the last one built (after the changes)."""
    built: dict[str, Any] = {}
    original = uvicorn.Config.__init__

    def changed_init(self: uvicorn.Config, app: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.update(changes)
        if "app" in kwargs:
            app = kwargs.pop("app")
        built.clear()
        built.update(kwargs, app=app)
        original(self, app, *args, **kwargs)

    uvicorn.Config.__init__ = changed_init  # type: ignore[method-assign]
    try:
        yield built
    finally:
        uvicorn.Config.__init__ = original  # type: ignore[method-assign]


def serve_like_autos_graph(**changes: Any) -> dict[str, Any]:
    """Run `autos-graph serve` (settings from the environment) with `changes` to its uvicorn.Config:
    e.g. `app=floor_app.app, factory=False`; once it has served, the arguments the Config was
    built with."""
    from graph.cli.main import app as cli

    with config_changes(**changes, workers=1) as built:
        cli(["serve"], standalone_mode=False)
    if not built:
        raise ServeChanged("`autos-graph serve` returned without building a uvicorn.Config")
    return built

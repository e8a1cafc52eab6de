"""Apollo's inline tracing (FTV1) for a gateway that asks for it with `apollo-federation-include-trace: ftv1`.

The trace (reports.proto's `Trace`: start and end time, duration, a node per
resolver with its timing and errors) is recorded by Strawberry's own FTV1
extension, driven by graph/compat/strawberry.py, and sent base64-encoded as
`extensions.ftv1`. A traced answer carries this request's timings, so the
pipeline neither serves it from nor stores it in the answer cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.datastructures import Headers

from graph.compat.strawberry import ftv1_recording

HEADER = "apollo-federation-include-trace"
FTV1 = "ftv1"


def wants_trace(headers: Headers) -> bool:
    return headers.get(HEADER, "").lower() == FTV1


class InlineTrace:
    """One operation's trace: `middleware` for graphql-core while it runs, `extensions` after."""

    def __init__(self) -> None:
        self.middleware: list[Any] = []
        self.extensions: dict[str, str] = {}

    @contextmanager
    def recording(self, context: object) -> Iterator[None]:
        with ftv1_recording(context) as extension:
            self.middleware = [extension]
            yield
        self.extensions = extension.get_results()

"""GraphiQL's page, served from the service's own files (no CDN at run time)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

STATIC_DIR: Final = Path(__file__).parent / "static"
PAGE: Final = (STATIC_DIR / "graphiql" / "index.html").read_bytes()


def wants_page(accept: str) -> bool:
    """A browser's navigation to the endpoint (a GET carrying no GraphQL request)."""
    return "text/html" in accept or "*/*" in accept

"""A readable HTML page of the OpenAPI document: self-contained, nothing fetched at run time.

Viewers such as Swagger UI load scripts from a CDN; this page is plain HTML
with inline CSS, so it works offline and under a strict Content-Security-Policy.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import orjson

from graph.rest.openapi import build_document

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}h3{font-family:monospace}
code,pre{font-family:ui-monospace,monospace;background:#f5f5f5;border-radius:3px}
code{padding:0 .2em}pre{padding:.8em;overflow:auto;font-size:13px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;overflow-wrap:anywhere;
text-align:left}
.params th:nth-child(1){width:16%}.params th:nth-child(2){width:8%}.params th:nth-child(3){width:30%}
.get{background:#e7f3ff;padding:.1em .4em;border-radius:3px}
"""


def _inline(text: str) -> str:
    """Escaped text with the document's `code` and **bold** marks rendered."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_inline(' '.join(p.split()))}</p>" for p in text.split("\n\n") if p.strip())


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if not isinstance(ref, str):
        return item
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def _constraints(schema: dict[str, Any]) -> str:
    shown = {k: v for k, v in schema.items() if k != "pattern"}
    return ", ".join(f"{k}: {orjson.dumps(v).decode()}" for k, v in shown.items())


def _parameters(document: dict[str, Any], parameters: list[dict[str, Any]]) -> str:
    if not parameters:
        return ""
    rows = []
    for item in parameters:
        p = _resolve(document, item)
        rows.append(
            f"<tr><td><code>{html.escape(p['name'])}</code></td><td>{html.escape(p['in'])}</td>"
            f"<td>{html.escape(_constraints(p['schema']))}</td>"
            f"<td>{_inline(p.get('description', ''))}</td></tr>"
        )
    return (
        "<table class=params><tr><th>parameter</th><th>in</th><th>schema</th><th>description</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _responses(document: dict[str, Any], responses: dict[str, Any]) -> str:
    rows = []
    for status, item in responses.items():
        r = _resolve(document, item)
        schemas = [
            media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] or kind
            for kind, media in r.get("content", {}).items()
        ]
        rows.append(
            f"<tr><td>{html.escape(status)}</td><td>{_inline(r['description'])}</td>"
            f"<td>{html.escape(', '.join(schemas))}</td></tr>"
        )
    return "<table><tr><th>status</th><th>description</th><th>body</th></tr>" + "".join(rows) + "</table>"


def render(document: dict[str, Any]) -> str:
    info = document["info"]
    parts = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(info['title'])}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(info['title'])}</h1>",
        _paragraphs(info["description"]),
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>',
    ]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            parts.append(
                f"<h2><span class={method}>{method.upper()}</span> {html.escape(path)}</h2>"
                f"<p><strong>{_inline(operation['summary'])}</strong></p>"
                f"{_paragraphs(operation.get('description', ''))}"
                f"{_parameters(document, operation.get('parameters', []))}"
                f"{_responses(document, operation['responses'])}"
            )
    parts.append("<h2>Schemas</h2>")
    for name, schema in document["components"]["schemas"].items():
        pretty = orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode()
        parts.append(f"<h3 id={html.escape(name)}>{html.escape(name)}</h3><pre>{html.escape(pretty)}</pre>")
    parts.append("</body></html>")
    return "".join(parts)


@cache
def page_html() -> str:
    return render(build_document())

"""The API reference as one self-contained HTML page, rendered on the server.

yente answers ``/`` with its API documentation. Ours answers ``/`` with the
web workbench; when the workbench is not built, ``/`` serves this page
instead. It is rendered from the app's own OpenAPI document with no
script, style sheet or font from anywhere else, so it works offline like
the rest of the service (FastAPI's ``/docs`` and ``/redoc`` load their
viewers from a CDN and do not).
"""

from __future__ import annotations

from html import escape
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}
h2{margin-top:2em;border-bottom:1px solid #ccc}
.op{margin:1em 0;padding:.6em .8em;border-left:4px solid #4a6fa5;background:#f6f8fb}
.m{font-weight:bold;text-transform:uppercase;margin-right:.5em}
code{background:#eef;padding:0 .2em}
table{border-collapse:collapse;margin:.4em 0}
td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
"""


def _schema_label(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind == "array":
        return f"array of {_schema_label(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_schema_label(s) for s in schema["anyOf"])
    return str(kind or "value")


def _parameters(op: dict[str, Any]) -> str:
    params = op.get("parameters") or []
    if not params:
        return ""
    rows = "".join(
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            escape(str(p.get("name"))),
            escape(str(p.get("in"))),
            escape(_schema_label(p.get("schema", {}))),
            escape(str(p.get("description") or p.get("schema", {}).get("title") or "")),
        )
        for p in params
    )
    return (
        f"<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>{rows}</table>"
    )


def render(openapi: dict[str, Any], *, note: str = "") -> str:
    """The reference page for ``openapi`` (an OpenAPI 3 document)."""
    info = openapi.get("info", {})
    by_tag: dict[str, list[str]] = {}
    for path, item in sorted(openapi.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["Other"])[0]
            body = escape(op.get("description") or "").replace("\n\n", "<br><br>")
            by_tag.setdefault(tag, []).append(
                f'<div class="op"><span class="m">{method}</span><code>{escape(path)}</code>'
                f" &mdash; {escape(op.get('summary') or '')}"
                f"<p>{body}</p>{_parameters(op)}</div>"
            )
    sections = "".join(
        f"<h2>{escape(tag)}</h2>{''.join(ops)}" for tag, ops in sorted(by_tag.items())
    )
    description = escape(info.get("description") or "").replace("\n\n", "<br><br>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info.get('title', 'API'))}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(info.get('title', 'API'))} {escape(str(info.get('version', '')))}</h1>"
        f"{note}<p>{description}</p>"
        '<p>The machine-readable schema is at <a href="/openapi.json">/openapi.json</a>.</p>'
        f"{sections}</body></html>"
    )

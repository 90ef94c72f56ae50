"""/api: the API described for people, rendered by the app from its own OpenAPI document (no CDN, no script).

Each endpoint shows its parameters, what it answers (with the fields of each schema) and an example
request built from the parameters' example values, as a curl command and as a link to try.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, render_template, request

from termtm.web.openapi import spec

bp = Blueprint("apidocs", __name__)


def _schema_name(content: dict[str, Any]) -> tuple[str, bool]:
    """(schema name, is a list) of a JSON response."""
    schema = content.get("application/json", {}).get("schema", {})
    if schema.get("type") == "array":
        return schema["items"]["$ref"].rsplit("/", 1)[-1], True
    return schema.get("$ref", "").rsplit("/", 1)[-1], False


def _constraints(schema: dict[str, Any]) -> str:
    """A parameter's type and limits in words: "integer, 1–100, default 10"."""
    parts = [schema.get("type", "")]
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}–{schema.get('maximum', '')}")
    if "maxLength" in schema:
        parts.append(f"up to {schema['maxLength']} characters")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return ", ".join(p for p in parts if p)


def _file_fields(op: dict[str, Any]) -> list[str]:
    """The names of an operation's uploaded files (multipart fields of binary format), for its curl example."""
    schema = op.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema", {})
    props = schema.get("properties", {})
    return [name for name, prop in props.items() if prop.get("format") == "binary"]


def endpoints(doc: dict[str, Any], base: str) -> list[dict[str, Any]]:
    """Every operation of the document, with its example request URL (base + path + example query)."""
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            params = op.get("parameters", [])
            url = path
            query = {}
            for p in params:
                if "example" not in p:
                    continue
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", quote(p["example"], safe=":"))
                else:
                    query[p["name"]] = p["example"]
            if any(p["name"] == "k" for p in params):
                query["k"] = 3
            example = base + url + ("?" + urlencode(query) if query else "")
            responses = []
            for code, r in op.get("responses", {}).items():
                name, many = _schema_name(r.get("content", {}))
                responses.append({"code": code, "description": r.get("description", ""), "schema": name, "many": many})
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": (method + path).replace("/", "-").replace("{", "").replace("}", ""),
                    "summary": op.get("summary", ""),
                    "params": [{**p, "constraints": _constraints(p.get("schema", {}))} for p in params],
                    "responses": responses,
                    "example": example,
                    "files": _file_fields(op),
                }
            )
    return out


@bp.get("/api")
def api_page():
    """The readable API reference."""
    doc = spec()
    base = request.host_url.rstrip("/") + doc["servers"][0]["url"]
    return render_template(
        "api.html", doc=doc, endpoints=endpoints(doc, base), schemas=doc["components"]["schemas"], base=base
    )

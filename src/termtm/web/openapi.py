"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json and validated in the tests."""

from __future__ import annotations

from typing import Any

_Q = {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 500}}
_K = {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}
_MIN = {"name": "min", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 70}}
_ERR = {
    "description": "bad parameters",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_404 = {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _list_of(ref: str, what: str) -> dict[str, Any]:
    schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}
    return {"description": what, "content": {"application/json": {"schema": schema}}}


def _one(ref: str, what: str) -> dict[str, Any]:
    return {"description": what, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_SEGMENT_FIELDS = {
    "tuid": {"type": "string"},
    "zh": {"type": "string"},
    "en": {"type": "string"},
    "score": {"type": "number"},
}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Term": {
        "type": "object",
        "required": ["lang", "text", "type", "status"],
        "properties": {
            "lang": {"type": "string", "enum": ["zh", "en"]},
            "text": {"type": "string"},
            "pinyin": {"type": "string"},
            "type": {"type": "string"},
            "status": {"type": "string", "enum": ["preferred", "admitted", "deprecated"]},
            "pos": {"type": "string"},
            "note": {"type": "string"},
        },
    },
    "Context": {
        "type": "object",
        "required": ["tuid", "zh", "en"],
        "properties": {"tuid": {"type": "string"}, "zh": {"type": "string"}, "en": {"type": "string"}},
    },
    "Concept": {
        "type": "object",
        "required": ["id", "subject", "definition", "terms", "contexts"],
        "properties": {
            "id": {"type": "string"},
            "subject": {"type": "string"},
            "definition": {"type": "string"},
            "note": {"type": "string"},
            "score": {"type": "number"},
            "terms": {"type": "array", "items": {"$ref": "#/components/schemas/Term"}},
            "contexts": {"type": "array", "items": {"$ref": "#/components/schemas/Context"}},
        },
    },
    "FuzzyMatch": {
        "type": "object",
        "required": ["tuid", "zh", "en", "score", "lang", "exact", "diff"],
        "properties": {
            **_SEGMENT_FIELDS,
            "lang": {"type": "string"},
            "exact": {"type": "boolean"},
            "diff": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"op": {"type": "string"}, "query": {"type": "string"}, "match": {"type": "string"}},
                },
            },
        },
    },
    "ConcordanceLine": {
        "type": "object",
        "required": ["tuid", "zh", "en", "score", "lang", "kwic"],
        "properties": {
            **_SEGMENT_FIELDS,
            "lang": {"type": "string"},
            "kwic": {
                "type": "object",
                "properties": {"left": {"type": "string"}, "match": {"type": "string"}, "right": {"type": "string"}},
            },
        },
    },
    "Neighbour": {
        "type": "object",
        "required": ["tuid", "zh", "en", "score"],
        "properties": {
            **_SEGMENT_FIELDS,
            "lang": {"type": ["string", "null"]},
            "dense": {"type": ["number", "null"]},
            "lexical": {"type": "number"},
        },
    },
    "Segment": {
        "type": "object",
        "required": ["tuid", "zh", "en"],
        "properties": {
            "tuid": {"type": "string"},
            "zh": {"type": "string"},
            "en": {"type": "string"},
            "document": {"type": "string"},
            "article": {"type": "string"},
            "provenance": {"type": "string", "enum": ["printed", "translated", "back-translation", "imported"]},
            "status": {"type": "string", "enum": ["draft", "reviewed", "approved"]},
            "notes": {"type": "array", "items": {"type": "string"}, "description": "translator's notes"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "segments"],
        "properties": {"status": {"type": "string"}, "segments": {"type": "integer"}, "concepts": {"type": "integer"}},
    },
}


def spec() -> dict[str, Any]:
    """The OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "termtm API",
            "version": "1",
            "description": "Chinese/English term base and translation memory of the 反拐通讯 bulletin. "
            "Shapes match the CLI's --json output.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/health": {"get": {"summary": "Liveness and sizes", "responses": {"200": _one("Health", "ok")}}},
            "/terms": {
                "get": {
                    "summary": "Term lookup by Chinese, English or pinyin, best first",
                    "parameters": [_Q, _K],
                    "responses": {"200": _list_of("Concept", "concepts"), "400": _ERR},
                }
            },
            "/terms/{id}": {
                "get": {
                    "summary": "One concept with its contexts",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _one("Concept", "the concept"), "404": _404},
                }
            },
            "/fuzzy": {
                "get": {
                    "summary": "CAT fuzzy matches (Levenshtein percentage), exact first",
                    "parameters": [_Q, _MIN, _K],
                    "responses": {"200": _list_of("FuzzyMatch", "matches"), "400": _ERR},
                }
            },
            "/concordance": {
                "get": {
                    "summary": "Phrase search in both languages with KWIC",
                    "parameters": [_Q, _K],
                    "responses": {"200": _list_of("ConcordanceLine", "lines"), "400": _ERR},
                }
            },
            "/semantic": {
                "get": {
                    "summary": "Nearest segments in meaning, either language (hybrid dense + lexical)",
                    "parameters": [_Q, _K],
                    "responses": {"200": _list_of("Neighbour", "neighbours"), "400": _ERR, "503": _ERR},
                }
            },
            "/segments/{tuid}": {
                "get": {
                    "summary": "One memory segment",
                    "parameters": [{"name": "tuid", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _one("Segment", "the segment"), "404": _404},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }

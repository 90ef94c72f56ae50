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
            "provenance": {"type": "string"},
            "status": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "segments"],
        "properties": {"status": {"type": "string"}, "segments": {"type": "integer"}, "concepts": {"type": "integer"}},
    },
}


_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}
_SCRIPT = {
    "name": "X-Requested-With",
    "in": "header",
    "required": True,
    "description": "any value: with HTTP Basic credentials it stands for the CSRF token a browser form sends",
    "schema": {"type": "string"},
}
_EDITOR = {
    "401": {"description": "not signed in", "content": _ERR["content"]},
    "403": {"description": "not an editor", "content": _ERR["content"]},
}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}

DOCUMENT_SCHEMAS: dict[str, Any] = {
    "Document": {
        "type": "object",
        "required": ["name", "src_lang", "tgt_lang", "state", "units"],
        "properties": {
            "name": {"type": "string"},
            "src_lang": {"type": "string", "enum": ["zh", "en"]},
            "tgt_lang": {"type": "string", "enum": ["zh", "en"]},
            "state": {"type": "string", "enum": ["review", "committed"]},
            "added_by": {"type": "string"},
            "added_at": {"type": "string"},
            "units": {**_COUNTS, "description": "units in the memory by status"},
            "beads": {"type": "integer", "description": "beads awaiting review"},
        },
    },
    "Bead": {
        "type": "object",
        "required": ["position", "src", "tgt", "confidence"],
        "properties": {
            "position": {"type": "integer"},
            "src": {"type": "array", "items": {"type": "integer"}, "description": "0-based source sentence indices"},
            "tgt": {"type": "array", "items": {"type": "integer"}},
            "src_text": {"type": "array", "items": {"type": "string"}},
            "tgt_text": {"type": "array", "items": {"type": "string"}},
            "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "reviewed": {"type": "boolean"},
        },
    },
    "Alignment": {
        "type": "object",
        "required": ["name", "state", "revision", "beads", "review_order"],
        "properties": {
            "name": {"type": "string"},
            "src_lang": {"type": "string"},
            "tgt_lang": {"type": "string"},
            "state": {"type": "string", "enum": ["review", "committed"]},
            "revision": {"type": "integer"},
            "added_by": {"type": "string"},
            "added_at": {"type": "string"},
            "undoable": {"type": "integer"},
            "beads": {"type": "array", "items": {"$ref": "#/components/schemas/Bead"}},
            "review_order": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "bead positions, least confident first",
            },
            "commit": {"$ref": "#/components/schemas/CommitResult"},
        },
    },
    "Finding": {
        "type": "object",
        "required": ["check", "severity", "tuids", "message"],
        "properties": {
            "check": {"type": "string"},
            "severity": {"type": "string", "enum": ["info", "warning", "error"]},
            "tuids": {"type": "array", "items": {"type": "string"}},
            "zh": {"type": "string"},
            "en": {"type": "string"},
            "message": {"type": "string"},
            "suggestion": {"type": "string"},
        },
    },
    "CommitResult": {
        "type": "object",
        "required": ["name", "units", "findings"],
        "properties": {
            "name": {"type": "string"},
            "units": {"type": "integer"},
            "one_sided": {"type": "integer"},
            "terms": _COUNTS,
            "index": {"type": "string"},
            "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
        },
    },
}

_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "src": {"type": "string", "format": "binary", "description": "source file"},
                    "tgt": {"type": "string", "format": "binary", "description": "translation file"},
                    "bilingual": {"type": "string", "format": "binary", "description": "or one TMX/XLIFF file"},
                    "src_lang": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
                    "tgt_lang": {"type": "string", "enum": ["zh", "en"], "default": "en"},
                    "commit": {"type": "string", "enum": ["true", "false"], "default": "false"},
                },
            }
        }
    },
}


def document_paths() -> dict[str, Any]:
    """The /documents endpoints: list, add (multipart), alignment with confidences, commit, remove."""
    return {
        "/documents": {
            "get": {
                "summary": "Every document, with its state and units by status",
                "responses": {"200": _list_of("Document", "documents")},
            },
            "post": {
                "summary": "Add a document pair (aligned; it waits for review unless commit=true); editors only",
                "parameters": [_SCRIPT],
                "requestBody": _UPLOAD,
                "responses": {
                    "201": _one("Alignment", "the alignment"),
                    "400": _ERR,
                    **_EDITOR,
                    "413": {"description": "upload too large", "content": _ERR["content"]},
                },
            },
        },
        "/documents/{name}": {
            "get": {
                "summary": "A document's alignment: beads with confidences, and the order to review them",
                "parameters": [_NAME],
                "responses": {"200": _one("Alignment", "the alignment"), "404": _404},
            },
            "delete": {
                "summary": "Remove a document and all its units (one audited transaction); editors only",
                "parameters": [_NAME, _SCRIPT],
                "responses": {
                    "200": {
                        "description": "removed",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string"}, "removed": {"type": "integer"}},
                                }
                            }
                        },
                    },
                    "404": _404,
                    **_EDITOR,
                },
            },
        },
        "/documents/{name}/commit": {
            "post": {
                "summary": "Move the reviewed alignment into the memory; the editorial checks' findings; editors only",
                "parameters": [
                    _NAME,
                    _SCRIPT,
                    {
                        "name": "seen",
                        "in": "query",
                        "schema": {"type": "integer"},
                        "description": "the revision reviewed: refused (409) if the alignment changed since",
                    },
                ],
                "responses": {
                    "200": _one("CommitResult", "what was committed"),
                    "400": _ERR,
                    "404": _404,
                    "409": {"description": "changed since", "content": _ERR["content"]},
                    **_EDITOR,
                },
            }
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
            **document_paths(),
            "/segments/{tuid}": {
                "get": {
                    "summary": "One memory segment",
                    "parameters": [{"name": "tuid", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _one("Segment", "the segment"), "404": _404},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS | DOCUMENT_SCHEMAS,
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
        },
    }

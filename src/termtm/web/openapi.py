"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json and validated in the tests."""

from __future__ import annotations

from typing import Any

_Q = {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 500}}
_K = {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}
_MIN: dict[str, Any] = {  # Any: /pretranslate overrides its schema's default
    "name": "min",
    "in": "query",
    "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 70},
}


def _error(description: str) -> dict[str, Any]:
    """A response whose body is the {"error": …} JSON every failure answers with."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_ERR = _error("bad parameters")
_BANDS = ("context", "100", "95-99", "85-94", "75-84", "50-74", "new", "repetitions")
_401 = _error("not signed in: send HTTP Basic credentials")
_413 = _error("the upload is larger than MAX_UPLOAD")
_415 = _error("a file of a kind termtm does not read")


def _multipart(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    """A required multipart/form-data request body: every upload endpoint takes its files and fields so."""
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _upload(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An upload of one file (and any extra form fields): /analyze, /pretranslate, /check."""
    return _multipart(
        ["file"], {"file": {"type": "string", "contentMediaType": "application/octet-stream"}, **(extra or {})}
    )


_UPLOAD_ERRORS = {"400": _ERR, "401": _401, "413": _413, "415": _415}
_SIGNED_IN: list[dict[str, list[str]]] = [{"basic": []}]

_404 = _error("not found")


def _q(example: str) -> dict[str, Any]:
    """The query parameter with an example value (the API page builds its example requests from these)."""
    return {**_Q, "example": example}


def _path(name: str, example: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "example": example}


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
    "Band": {
        "type": "object",
        "required": ["segments", "size"],
        "properties": {"segments": {"type": "integer"}, "size": {"type": "integer"}},
    },
    "Analysis": {
        "type": "object",
        "required": ["segments", "size_unit", "bands", "total"],
        "properties": {
            "segments": {"type": "integer"},
            "size_unit": {"type": "string", "enum": ["chars", "words"]},
            "bands": {
                "type": "object",
                "required": list(_BANDS),
                "properties": {b: {"$ref": "#/components/schemas/Band"} for b in _BANDS},
            },
            "total": {"$ref": "#/components/schemas/Band"},
            "weighted": {
                "type": "object",
                "properties": {
                    "weights": {"type": "object", "additionalProperties": {"type": "number"}},
                    "size": {"type": "number"},
                },
            },
        },
    },
    "Finding": {
        "type": "object",
        "required": ["check", "severity", "tuids", "zh", "en", "message", "suggestion"],
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
    "CheckReport": {
        "type": "object",
        "required": ["findings", "counts"],
        "properties": {
            "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            "counts": {"type": "object"},
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
_EDITOR = {"401": _error("not signed in"), "403": _error("not an editor")}
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
            "ocr_proposals": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/OcrProposal"},
                "description": "GET only: OCR corrections proposed from the term base's deprecated variants, "
                "not yet accepted or rejected by a reviewer (never applied without one)",
            },
        },
    },
    "OcrProposal": {
        "type": "object",
        "required": ["side", "index", "bead", "col", "original", "proposed", "reason", "corrected"],
        "properties": {
            "side": {"type": "string", "enum": ["src", "tgt"]},
            "index": {"type": "integer", "description": "0-based sentence index on that side"},
            "bead": {"type": "integer", "description": "position of the bead holding the sentence"},
            "col": {"type": "integer", "description": "1-based character where the wrong form starts"},
            "original": {"type": "string"},
            "proposed": {"type": "string"},
            "reason": {"type": "string"},
            "corrected": {"type": "string", "description": "the sentence with the correction applied"},
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

_DOCUMENT_UPLOAD = _multipart(
    ["name"],
    {
        "name": {"type": "string", "maxLength": 100},
        "src": {"type": "string", "format": "binary", "description": "source file"},
        "tgt": {"type": "string", "format": "binary", "description": "translation file"},
        "bilingual": {"type": "string", "format": "binary", "description": "or one TMX/XLIFF file"},
        "src_lang": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
        "tgt_lang": {"type": "string", "enum": ["zh", "en"], "default": "en"},
        "commit": {"type": "string", "enum": ["true", "false"], "default": "false"},
    },
)


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
                "requestBody": _DOCUMENT_UPLOAD,
                "responses": {
                    "201": _one("Alignment", "the alignment"),
                    "400": _ERR,
                    **_EDITOR,
                    "413": _413,
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
                    "409": _error("changed since"),
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
                    "parameters": [_q("湄公河"), _K],
                    "responses": {"200": _list_of("Concept", "concepts"), "400": _ERR},
                }
            },
            "/terms/{id}": {
                "get": {
                    "summary": "One concept with its contexts",
                    "parameters": [_path("id", "commit")],
                    "responses": {"200": _one("Concept", "the concept"), "404": _404},
                }
            },
            "/fuzzy": {
                "get": {
                    "summary": "CAT fuzzy matches (Levenshtein percentage), exact first",
                    "parameters": [_q("柬埔寨在2007年8月成立了国家反拐工作领导小组。"), _MIN, _K],
                    "responses": {"200": _list_of("FuzzyMatch", "matches"), "400": _ERR},
                }
            },
            "/concordance": {
                "get": {
                    "summary": "Phrase search in both languages with KWIC",
                    "parameters": [_q("Greater Mekong"), _K],
                    "responses": {"200": _list_of("ConcordanceLine", "lines"), "400": _ERR},
                }
            },
            "/semantic": {
                "get": {
                    "summary": "Nearest segments in meaning, either language (hybrid dense + lexical)",
                    "parameters": [_q("victims returned home"), _K],
                    "responses": {"200": _list_of("Neighbour", "neighbours"), "400": _ERR, "503": _ERR},
                }
            },
            "/analyze": {
                "post": {
                    "summary": "Bands of matches of an uploaded document (as `termtm analyze --json`)",
                    "security": _SIGNED_IN,
                    "requestBody": _upload(
                        {"weights": {"type": "string", "description": "price grid: context=0,100=0.1,…"}}
                    ),
                    "responses": {"200": _one("Analysis", "the analysis"), **_UPLOAD_ERRORS},
                }
            },
            "/pretranslate": {
                "post": {
                    "summary": "XLIFF 1.2 of an uploaded document with the memory's matches and term notes",
                    "security": _SIGNED_IN,
                    "parameters": [{**_MIN, "schema": {**_MIN["schema"], "default": 75}}],
                    "requestBody": _upload(),
                    "responses": {
                        "200": {
                            "description": "the XLIFF file",
                            "content": {"application/x-xliff+xml": {"schema": {"type": "string"}}},
                        },
                        **_UPLOAD_ERRORS,
                    },
                }
            },
            "/check": {
                "post": {
                    "summary": "Editorial checks of an uploaded TMX, XLIFF, PO or CSV (as `termtm check` JSON)",
                    "security": _SIGNED_IN,
                    "requestBody": _upload(),
                    "responses": {"200": _one("CheckReport", "findings and counts"), **_UPLOAD_ERRORS},
                }
            },
            **document_paths(),
            "/segments/{tuid}": {
                "get": {
                    "summary": "One memory segment",
                    "parameters": [_path("tuid", "bulletin-2007-12:a01:p000:s00")],
                    "responses": {"200": _one("Segment", "the segment"), "404": _404},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS | DOCUMENT_SCHEMAS,
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
        },
    }

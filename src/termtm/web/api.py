"""JSON API under /api/v1; errors are JSON with 4xx codes."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from termtm.app.search import SearchMode, search
from termtm.formats.inputs import bad_character, quoted
from termtm.model import Segment
from termtm.store import Store
from termtm.web import services
from termtm.web.openapi import spec

bp = Blueprint("api", __name__)


def _store() -> Store:
    return current_app.extensions["termtm.store"]


def _segment_json(s: Segment) -> dict[str, object]:
    return {
        "tuid": s.tuid,
        "zh": s.zh,
        "en": s.en,
        "document": s.document,
        "article": s.article,
        "provenance": s.provenance.value,
        "status": s.status.value,
        "notes": [n for n in s.note.splitlines() if n],
    }


class BadRequest(Exception):
    """A request parameter is missing or out of range."""


@bp.errorhandler(BadRequest)
def _bad_request(err: BadRequest):
    return jsonify(error=str(err)), 400


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return jsonify(error=err.description), err.code


def _params(*allowed: str) -> None:
    """Refuse a parameter the endpoint does not take, or one given twice: a typo should not pass unnoticed."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise BadRequest(f"unknown parameter {quoted(unknown[0])}: {request.path} takes {', '.join(allowed)}")
    repeated = [name for name in allowed if len(request.args.getlist(name)) > 1]
    if repeated:
        raise BadRequest(f"parameter {repeated[0]} is given more than once")


def _query() -> str:
    q = request.args.get("q", "").strip()
    if not q:
        raise BadRequest("give a query as ?q=")
    if len(q) > current_app.config["MAX_QUERY"]:
        raise BadRequest(f"query longer than {current_app.config['MAX_QUERY']} characters")
    bad = bad_character(q)
    if bad:
        raise BadRequest(f"the query contains {bad}: remove it")
    return q


def _k(default: int = 10) -> int:
    try:
        k = int(request.args.get("k", default))
    except ValueError as err:
        raise BadRequest("k must be an integer") from err
    if not 1 <= k <= current_app.config["MAX_K"]:
        raise BadRequest(f"k must be between 1 and {current_app.config['MAX_K']}")
    return k


def _min() -> float:
    try:
        value = float(request.args.get("min", 70))
    except ValueError as err:
        raise BadRequest("min must be a number from 0 to 100") from err
    if not 0 <= value <= 100:
        raise BadRequest("min must be a number from 0 to 100")
    return value


@bp.get("/health")
def health():
    return jsonify(status="ok", segments=_store().count(), concepts=len(services.term_index().termbase))


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/fuzzy")
def fuzzy():
    _params("q", "k", "min")
    q, minimum, k = _query(), _min(), _k(5)
    return jsonify([h.to_json() for h in search(services.searcher(), SearchMode.FUZZY, q, k=k, min_score=minimum)])


@bp.get("/concordance")
def concordance():
    _params("q", "k")
    q, k = _query(), _k()
    return jsonify([h.to_json() for h in search(services.searcher(), SearchMode.CONCORDANCE, q, k=k)])


@bp.get("/semantic")
def semantic():
    _params("q", "k")
    q, k = _query(), _k()
    if not services.semantic_available():
        return jsonify(error="no semantic index: run `termtm build` (with embeddings) first"), 503
    searcher = services.searcher()
    start = time.perf_counter()
    vector = searcher.encode_query(q) if q.strip() else None
    encoded = time.perf_counter()
    hits = search(searcher, SearchMode.SEMANTIC, q, k=k, vector=vector)
    response = jsonify([h.to_json() for h in hits])
    # Encoding the query dominates and is cached per process: say apart what it and the search cost.
    done = time.perf_counter()
    took = {"encode": encoded - start, "search": done - encoded}
    response.headers["Server-Timing"] = ", ".join(f"{name};dur={s * 1000:.2f}" for name, s in took.items())
    return response


@bp.get("/terms")
def terms():
    _params("q", "k")
    return jsonify(services.lookup_terms(_query(), _k()))


@bp.get("/terms/<concept_id>")
def term(concept_id: str):
    found = services.concept(concept_id)
    if found is None:
        return jsonify(error=f"no concept {concept_id}"), 404
    return jsonify(found)


@bp.get("/segments/<path:tuid>")
def segment(tuid: str):
    seg = _store().get(tuid)
    if seg is None:
        return jsonify(error=f"no segment {tuid}"), 404
    return jsonify(_segment_json(seg))

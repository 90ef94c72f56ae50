"""amaGama/tmserver-compatible endpoint, so that Weblate's tmserver/amaGama backends and Virtaal can query us.

The protocol (amaGama docs/api.rst): GET /tmserver/<src>/<tgt>/unit/<text>
with min_similarity (default 70, at least 30) and max_candidates (default 5)
returns a JSON list of {"source", "target", "quality", "rank"}; GET
/tmserver/languages/ lists {"sourceLanguages", "targetLanguages"}. Clients
send codes such as zh_CN, zh-CN, zh_hans (Weblate lower-cases), zh, en, en_US.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from termtm.errors import UnknownLanguage
from termtm.model import Lang
from termtm.web import services

bp = Blueprint("tmserver", __name__)

LANGUAGE_CODES = ["zh", "zh_CN", "zh_Hans", "en", "en_US", "en_GB"]
MAX_CANDIDATES = 100


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    """A bounded integer query parameter; amaGama clamps rather than refuses, and so do we."""
    try:
        value = int(float(request.args.get(name, default)))
    except (ValueError, OverflowError):  # "x", "nan"; "inf", "1e400"
        value = default
    return max(low, min(high, value))


@bp.get("/tmserver/languages/")
def languages():
    return jsonify(sourceLanguages=LANGUAGE_CODES, targetLanguages=LANGUAGE_CODES)


@bp.get("/tmserver/<src>/<tgt>/unit/<path:text>")
def unit(src: str, tgt: str, text: str):
    try:
        source, target = Lang.parse(src), Lang.parse(tgt)
    except UnknownLanguage as err:
        return jsonify(error=str(err)), 404
    if source is target:
        return jsonify(error="source and target language are the same: this memory is Chinese/English"), 404
    minimum = _int_arg("min_similarity", 70, 30, 100)
    k = _int_arg("max_candidates", 5, 1, MAX_CANDIDATES)
    query = text[:500]
    hits = services.searcher().fuzzy(query, k=k * 3, min_score=minimum)
    out = []
    for h in hits:
        if h.lang is not source:  # a Chinese query must match Chinese sources, and the other way round
            continue
        seg = h.segment
        src_text, tgt_text = (seg.zh, seg.en) if source is Lang.ZH else (seg.en, seg.zh)
        out.append({"source": src_text, "target": tgt_text, "quality": round(h.score, 2), "rank": 100.0})
    return jsonify(out[:k])

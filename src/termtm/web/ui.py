"""Pages for translators: lookup (terms, fuzzy, concordance, meaning), a term, a segment, downloads."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, render_template, request, send_file

from termtm.corpus.script import has_han
from termtm.formats.inputs import without_bad_characters
from termtm.formats.tmx import iso_date
from termtm.terms.serialize import deprecated_reason as deprecated_reason_of
from termtm.web import render, services
from termtm.web.auth import current_user

bp = Blueprint("ui", __name__)


@bp.app_template_global()
def ruby(text: str, pinyin: str):
    return render.ruby(text, pinyin)


@bp.app_template_global()
def deprecated_reason(term, terms):
    return deprecated_reason_of(term, terms)


@bp.app_template_global()
def diff_markup(diff):
    return render.diff_markup(diff)


@bp.get("/")
def lookup():
    """The lookup page; `?partial=1` returns only the results, for search-as-you-type (`&sem=0`: without
    the semantic group), `?partial=semantic` only the semantic group."""
    # Pages limit rather than refuse: the query is cut to MAX_QUERY characters and control characters are dropped.
    q = without_bad_characters(request.args.get("q", "")).strip()[: current_app.config["MAX_QUERY"]]
    filters = services.Filters.from_args(request.args)
    try:
        page = max(1, int(request.args.get("cpage", 1)))
    except ValueError:
        page = 1
    partial = request.args.get("partial")
    if q and partial == "semantic":  # search-as-you-type, once typing pauses: the semantic group alone
        results = services.lookup_semantic(q, filters)
    else:  # sem=0: search-as-you-type while typing, which asks for the semantic group apart
        results = services.lookup_all(q, filters, page=page, semantic=request.args.get("sem") != "0") if q else None
    template = "_results.html" if partial else "lookup.html"
    return render_template(
        template,
        q=q,
        results=results,
        filters=filters,
        documents=services.store().documents(),
        total=services.store().count(),
        concepts=len(services.term_index().termbase),
    )


@bp.get("/term/<concept_id>")
def term(concept_id: str):
    """All fields of one concept, and its contexts with the terms highlighted."""
    concept = services.concept(concept_id, contexts_limit=50)
    if concept is None:
        abort(404, f"no concept {concept_id}")
    contexts = [services.highlighted(c, concept_id=concept_id) for c in concept["contexts"]]
    user = current_user()
    return render_template(
        "term.html",
        c=concept,
        obj=services.term_index().termbase.get(concept_id),
        contexts=contexts,
        editor=bool(user and user.role.can_edit()),
    )


@bp.get("/segment/<path:tuid>")
def segment(tuid: str):
    """One segment in its article, with its neighbours and the terms recognised on both sides."""
    seg = services.store().get(tuid)
    if seg is None:
        abort(404, f"no segment {tuid}")
    article = services.store().article(seg.document, seg.article)
    here = next(i for i, s in enumerate(article) if s.tuid == tuid)
    return render_template(
        "segment.html",
        s=seg,
        rec=services.store().record(tuid),
        view=services.highlighted({"tuid": seg.tuid, "zh": seg.zh, "en": seg.en}),
        terms=services.recognised(seg.zh, seg.en),
        article=article,
        here=here,
        prev=article[here - 1] if here else None,
        next=article[here + 1] if here + 1 < len(article) else None,
        status_help=STATUS_HELP,
    )


@bp.get("/favicon.ico")
def favicon():
    """The site icon, where browsers ask for it whatever the page says (no 404 in every page's log)."""
    return current_app.send_static_file("favicon.ico")


STATUS_HELP = {
    "draft": "translated; not yet checked by a second reader",
    "reviewed": "a second reader has checked it against the Chinese",
    "approved": "an editor has signed it off",
}
"""What each rung of the status ladder means, as the segment page's badge explains it."""


@bp.get("/download/<kind>")
def download(kind: str):
    """The memory (TMX) or the term base (TBX, CSV, OmegaT glossary), freshly exported from the store."""
    if kind not in services.DOWNLOADS:
        abort(404, f"no download {kind}: use one of {', '.join(services.DOWNLOADS)}")
    data, name, mimetype = services.export(kind)
    # Sent from memory so that no file handle outlives the request.
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.app_template_filter("when")
def when(tmx_date: str) -> str:
    """20261127T121624Z → 2026-11-27 12:16:24 (UTC), for people; the TMX form stays in exports."""
    return iso_date(tmx_date or "", sep=" ", zone="")


@bp.app_template_filter("lang_of")
def lang_of(text: str) -> str:
    return "zh-Hans" if has_han(text) else "en"


@bp.app_template_filter("isolate")
def isolate(text: str) -> str:
    """Text wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, so that bidi controls in it stay inside.

    For places where no <bdi> element can go, such as <title>: a U+202E in a query cannot reverse the rest.
    """
    return f"\u2068{text}\u2069"

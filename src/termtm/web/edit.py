"""What editors do in the browser: correct and approve a segment, add, edit or deprecate a term; the history.

Forms post back with the CSRF token and the changedate the editor saw, so that a change made by someone
else in the meantime is refused (EditConflict) instead of overwritten.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from termtm.app.segments import change_segment
from termtm.errors import TermTMError
from termtm.formats.tmx import tmx_now
from termtm.model import LANGS, Concept, Status, Term, TermStatus
from termtm.store.editing import NotFound, history, save_concept
from termtm.store.users import Role
from termtm.terms.pinyin import to_pinyin
from termtm.web import services
from termtm.web.auth import require, user_name

bp = Blueprint("edit", __name__)

MAX_FIELD = 2000
"""Longest text an editor may type in one field (a sentence of the bulletin is under 300 characters)."""


def _seen() -> str:
    """The changedate the editor's form showed: mandatory, so that no change skips the conflict check."""
    if "seen" not in request.form:
        abort(400, "the form lacks seen (the date of what you opened): reload the page and redo the change")
    return request.form["seen"]


def _field(name: str, required: bool = False) -> str:
    """A form field, trimmed and length-checked; a missing required field is a 400 that names it."""
    value = request.form.get(name, "").strip()
    if required and not value:
        abort(400, f"the form lacks {name}")
    if len(value) > MAX_FIELD:
        abort(400, f"{name} is longer than {MAX_FIELD} characters")
    return value


_SAVED = {Status.DRAFT: "Saved.", Status.REVIEWED: "Saved as reviewed.", Status.APPROVED: "Saved and approved."}


@bp.post("/segment/<path:tuid>/edit")
@require(Role.EDITOR)
def segment_edit(tuid: str):
    """Save a corrected translation and its status on the ladder (draft, reviewed, approved); editors only."""
    seen = _seen()
    status = request.form.get("status", "draft")
    if status not in Status._value2member_map_:
        abort(400, f"unknown status {status!r}: draft, reviewed or approved")
    try:
        change_segment(
            services.store(),
            tuid,
            en=_field("en", required=True),
            status=Status(status),
            user=user_name(),
            when=tmx_now(),
            seen=seen,
        )
        flash(_SAVED[Status(status)])
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    back = request.form.get("next", "")  # the inline fix on /check returns to the workbench
    if back.startswith("/check") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("ui.segment", tuid=tuid))


@bp.route("/term/new", methods=["GET", "POST"])
@require(Role.EDITOR)
def term_new():
    """Add a concept with a Chinese and an English term; pinyin is filled in when left empty."""
    if request.method == "GET":
        return render_template("term_new.html", form={})
    zh, en = _field("zh"), _field("en")
    concept_id = _field("id") or _slug(en)
    terms = [t for t in (_new_term("zh", zh), _new_term("en", en)) if t]
    concept = Concept(concept_id, _field("subject") or "general", tuple(terms), _field("definition"), _field("note"))
    try:
        save_concept(services.store(), concept, user=user_name(), when=tmx_now(), new=True)
    except TermTMError as err:
        flash(str(err), "error")
        return render_template("term_new.html", form=request.form), 400
    flash(f"Added concept {concept_id}.")
    return redirect(url_for("ui.term", concept_id=concept_id))


@bp.post("/term/<concept_id>/edit")
@require(Role.EDITOR)
def term_edit(concept_id: str):
    """Save a concept's fields and terms: each row's text and status, and an optional new term."""
    seen = _seen()
    old = _stored(concept_id)
    terms = []
    for n, t in enumerate(old.terms):
        text = _field(f"text-{n}") or t.text
        status = request.form.get(f"status-{n}", t.status.value)
        if status not in TermStatus._value2member_map_:
            abort(400, f"unknown term status {status!r}")
        pinyin = t.pinyin if text == t.text else (to_pinyin(text) if t.lang == "zh" else "")
        terms.append(replace(t, text=text, status=TermStatus(status), pinyin=pinyin))
    added = _new_term(request.form.get("new-lang", ""), _field("new-text"), request.form.get("new-status", "admitted"))
    if added:
        terms.append(added)
    subject = _field("subject") or old.subject
    concept = replace(old, subject=subject, terms=tuple(terms), definition=_field("definition"), note=_field("note"))
    _save(concept, seen=seen)
    return redirect(url_for("ui.term", concept_id=concept_id))


@bp.post("/term/<concept_id>/deprecate")
@require(Role.EDITOR)
def term_deprecate(concept_id: str):
    """Mark one term deprecated (kept, struck through, so that checks flag its use)."""
    seen = _seen()
    old = _stored(concept_id)
    lang, text = request.form.get("lang", ""), request.form.get("text", "")
    if not any(t.lang == lang and t.text == text for t in old.terms):
        abort(400, f"concept {concept_id} has no {lang} term {text!r}")
    terms = tuple(
        replace(t, status=TermStatus.DEPRECATED) if (t.lang, t.text) == (lang, text) else t for t in old.terms
    )
    _save(replace(old, terms=terms), seen=seen)
    return redirect(url_for("ui.term", concept_id=concept_id))


@bp.get("/history")
def history_page():
    """Every change, newest first; ?kind=segment|concept|finding&key=… narrows it to one item."""
    kind = request.args.get("kind", "")
    key = request.args.get("key", "")[: current_app.config["MAX_QUERY"]]
    if kind not in ("", "segment", "concept", "finding"):
        abort(400, "kind is segment, concept or finding")
    try:
        limit = min(1000, max(1, int(request.args.get("limit", 200))))
    except ValueError:
        abort(400, "limit is a number")
    entries = history(services.store(), kind or None, key or None, limit=limit)
    return render_template("history.html", entries=entries, kind=kind, key=key)


def _stored(concept_id: str) -> Concept:
    """The concept as the term index has it (fresh: refresh() ran before this request), or a 404."""
    concept = services.term_index().termbase.get(concept_id)
    if concept is None:
        abort(404, f"no concept {concept_id}")
    return concept


def _save(concept: Concept, seen: str) -> None:
    try:
        save_concept(services.store(), concept, user=user_name(), when=tmx_now(), seen=seen)
        flash("Saved.")
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")


def _new_term(lang: str, text: str, status: str = "preferred") -> Term | None:
    """A term typed into a form, or None when the field was left empty."""
    if not text:
        return None
    if lang not in LANGS:
        abort(400, f"unknown language {lang!r}: zh or en")
    if status not in TermStatus._value2member_map_:
        abort(400, f"unknown term status {status!r}")
    return Term(lang, text, status=TermStatus(status), pinyin=to_pinyin(text) if lang == "zh" else "")


def _slug(text: str) -> str:
    """A concept id from the English term: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]

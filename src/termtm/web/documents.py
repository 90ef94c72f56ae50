"""Documents in the browser and the API: the list, the add form, the review screen, commit and remove.

Readers see every document and the state of its review; only editors add, review, commit, re-align and
remove. Every review operation is a small form that is saved as it is made, with the revision the
reviewer saw, so that two reviewers never overwrite each other (store.documents). The same use cases
(app.documents) answer under /api/v1/documents.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from termtm.app import documents as app
from termtm.errors import TermTMError
from termtm.formats.tmx import tmx_now
from termtm.store.documents import REVIEW
from termtm.store.editing import EditConflict, NotFound
from termtm.store.users import Role
from termtm.web import services
from termtm.web.auth import current_user, require, user_name

bp = Blueprint("documents", __name__)
api = Blueprint("documents_api", __name__)

DOUBTFUL = 0.5
"""Beads below this confidence count as doubtful; below HIGH they are shown as worth a look."""
HIGH = 0.8

BILINGUAL = (".tmx", ".xlf", ".xliff")


def encoders() -> app.Encoders:
    """The aligner's encoders, loaded once per process, each request memoising its own texts.

    ALIGN_EMBED = False (termtm.toml or TERMTM_ALIGN_EMBED) aligns on length and dictionary cues only.
    """
    if not current_app.config.get("ALIGN_EMBED", True):
        return app.Encoders()
    from termtm.embed import MemoEmbedder, embedder_from_name, run_encoder_from_name

    ext = current_app.extensions
    if "termtm.align_encoders" not in ext:
        ext["termtm.align_encoders"] = (
            embedder_from_name(current_app.config.get("ALIGN_EMBEDDER")),
            run_encoder_from_name(current_app.config.get("ALIGN_RUNS")),
        )
    embedder, runs = ext["termtm.align_encoders"]
    return app.Encoders(MemoEmbedder(embedder), MemoEmbedder(runs) if runs is not None else None)


def _user() -> str:
    return user_name()


def _file(name: str) -> app.Upload | None:
    """An uploaded file of the form, or None when the field was left empty."""
    f: FileStorage | None = request.files.get(name)
    if f is None or not f.filename:
        return None
    return app.Upload(f.filename, f.read())


def _add_from_request() -> app.ReviewView:
    """Add the document that the form or the multipart request describes."""
    name = request.form.get("name", "").strip()
    bilingual, src, tgt = _file("bilingual"), _file("src"), _file("tgt")
    if bilingual is not None:
        if src is not None or tgt is not None:
            raise TermTMError("give either a file for each language or one bilingual TMX/XLIFF file, not both")
        if not bilingual.filename.lower().endswith(BILINGUAL):
            raise TermTMError(f"{bilingual.filename}: a bilingual file is a TMX or XLIFF file")
        return app.add_bilingual(services.store(), name, bilingual, user=_user(), when=tmx_now())
    if src is None or tgt is None:
        raise TermTMError("give a file for each language (or one bilingual TMX/XLIFF file)")
    return app.add(
        services.store(),
        name,
        src,
        tgt,
        src_lang=request.form.get("src_lang", "zh"),
        tgt_lang=request.form.get("tgt_lang", "en"),
        user=_user(),
        when=tmx_now(),
        encoders=encoders(),
    )


def _commit(name: str, seen: int | None) -> app.CommitResult:
    semantic = services.semantic_available()
    return app.commit(
        services.store(),
        name,
        seen=seen,
        user=_user(),
        when=tmx_now(),
        index=services.index_dir() if semantic else None,
        index_embedder=services.embedder if semantic else None,
    )


def _remove(name: str) -> int:
    semantic = services.semantic_available()
    return app.remove(
        services.store(),
        name,
        user=_user(),
        when=tmx_now(),
        index=services.index_dir() if semantic else None,
        index_embedder=services.embedder if semantic else None,
    )


# Pages


@bp.get("/documents")
def documents_page():
    """Every document with its languages, units by status, who added it and when; the add form for editors."""
    docs = app.list_documents(services.store())
    return render_template("documents.html", docs=docs, form={})


@bp.post("/documents")
@require(Role.EDITOR)
def add_page():
    """Add a document from the form, then open its review."""
    try:
        v = _add_from_request()
    except TermTMError as err:
        flash(str(err), "error")
        docs = app.list_documents(services.store())
        return render_template("documents.html", docs=docs, form=request.form), 400
    flash(f"Aligned {v.record.name}: {len(v.beads)} beads, the least confident first.")
    return redirect(url_for("documents.review", name=v.record.name))


@bp.get("/documents/<name>/review")
def review(name: str):
    """The alignment as two columns of beads coloured by confidence; the least confident first."""
    try:
        v = app.view(services.store(), name)
    except NotFound as err:
        abort(404, str(err))
    order = request.args.get("order", "doubtful")
    rank = {b.position: n for n, b in enumerate(v.doubtful_first())}
    shown = v.doubtful_first() if order != "document" else v.beads
    doubtful = sum(1 for b in v.beads if b.confidence is not None and b.confidence < DOUBTFUL)
    proposals = app.ocr_proposals(services.store(), name)
    by_sentence: dict[tuple[str, int], list[app.OcrProposal]] = {}
    for p in proposals:
        by_sentence.setdefault((p.side, p.index), []).append(p)
    return render_template(
        "review.html",
        v=v,
        proposals=proposals,
        by_sentence=by_sentence,
        shown=shown,
        rank=rank,
        order="document" if order == "document" else "doubtful",
        doubtful=doubtful,
        band=band,
        editable=v.record.state == REVIEW and _can_edit(),
    )


def band(confidence: float | None) -> str:
    """The colour band of a confidence: low, mid, high, or none (no confidence: reviewed or given by a file)."""
    if confidence is None:
        return "none"
    return "low" if confidence < DOUBTFUL else "mid" if confidence < HIGH else "high"


def _can_edit() -> bool:
    user = current_user()
    return user is not None and user.role.can_edit()


@bp.post("/documents/<name>/op")
@require(Role.EDITOR)
def operate(name: str):
    """One review operation from a bead's form, saved at once; back to the same bead."""
    raw = request.form.get("op", "")
    op, *rest = raw.split(":")
    if op in ("accept", "reject") and len(rest) == 3:
        return _decide(name, op, rest[0], rest[1], rest[2])
    params: dict[str, Any] = {"bead": request.form.get("bead", "")}
    if op == "split":
        params |= {"src_at": request.form.get("src_at", ""), "tgt_at": request.form.get("tgt_at", "")}
    elif op == "move" and len(rest) == 2:
        params |= {"side": rest[0], "direction": rest[1]}
    elif op in ("unpair", "correct") and len(rest) == 2:
        params = {"side": rest[0], "index": rest[1]}
        if op == "correct":
            params["text"] = request.form.get(f"text-{rest[0]}-{rest[1]}", "")[:2000]
    try:
        app.operate(services.store(), name, op, params, seen=_seen(), user=_user(), when=tmx_now())
        flash(_done(op))
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    return _back(name)


def _decide(name: str, op: str, side: str, index: str, col: str):
    """Accept (a `correct` of the sentence) or reject (a `reject`) an OCR proposal; back to its bead."""
    if not (index.isdigit() and col.isdigit()):
        abort(400, "the proposal's sentence and place are whole numbers: reload the page")
    decide = app.accept_proposal if op == "accept" else app.reject_proposal
    try:
        p, _ = decide(services.store(), name, side, int(index), int(col), seen=_seen(), user=_user(), when=tmx_now())
        where = f"{'source' if p.side == 'src' else 'target'} sentence {p.index + 1}"
        if op == "accept":
            flash(f"Corrected {p.original} to {p.proposed} in {where}.")
        else:
            flash(f"Rejected the proposal {p.original} → {p.proposed} in {where}: the text stays as it is.")
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    return _back(name)


def _done(op: str) -> str:
    return {
        "merge": "Merged with the next bead.",
        "split": "Split the bead.",
        "move": "Moved the sentence.",
        "unpair": "Marked the sentence as having no counterpart.",
        "correct": "Corrected the sentence.",
    }.get(op, "Saved.")


def _seen() -> int:
    try:
        return int(request.form.get("seen", ""))
    except ValueError:
        abort(400, "the form lacks the revision it was made from: reload the page")


def _back(name: str):
    order = request.form.get("order", "doubtful")
    anchor = f"bead-{request.form.get('bead', '')}" if request.form.get("bead", "").isdigit() else None
    return redirect(url_for("documents.review", name=name, order=order, _anchor=anchor))


@bp.post("/documents/<name>/undo")
@require(Role.EDITOR)
def undo(name: str):
    """Take back the latest operation."""
    try:
        op = app.undo(services.store(), name, seen=_seen(), user=_user(), when=tmx_now())
        flash(f"Undid the last operation ({op}).")
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    return _back(name)


@bp.post("/documents/<name>/commit")
@require(Role.EDITOR)
def commit(name: str):
    """Move the reviewed alignment into the memory and show what the editorial checks found."""
    try:
        result = _commit(name, _seen())
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
        return _back(name)
    flash(f"Committed {name}: {result.units} units are in the memory as drafts.")
    return render_template("document_commit.html", r=result)


@bp.post("/documents/<name>/realign")
@require(Role.EDITOR)
def realign(name: str):
    """Align the document afresh and review it again (a committed one leaves the memory)."""
    try:
        app.realign(services.store(), name, user=_user(), when=tmx_now(), encoders=encoders())
        flash(f"Re-aligned {name}: it waits for review.")
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    return redirect(url_for("documents.review", name=name))


@bp.post("/documents/<name>/remove")
@require(Role.EDITOR)
def remove(name: str):
    """Remove the document and all its units."""
    try:
        n = _remove(name)
        flash(f"Removed {name} and its {n} units.")
    except NotFound as err:
        abort(404, str(err))
    except TermTMError as err:
        flash(str(err), "error")
    return redirect(url_for("documents.documents_page"))


# API under /api/v1/documents


@api.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return jsonify(error=err.description), err.code


@api.errorhandler(NotFound)
def _not_found(err: NotFound):
    return jsonify(error=str(err)), 404


@api.errorhandler(EditConflict)
def _conflict(err: EditConflict):
    return jsonify(error=str(err)), 409


@api.errorhandler(TermTMError)
def _bad(err: TermTMError):
    return jsonify(error=str(err)), 400


@api.get("")
def api_list():
    return jsonify([d.to_json() for d in app.list_documents(services.store())])


@api.post("")
@require(Role.EDITOR)
def api_add():
    """Add a document from a multipart request (src and tgt files, or one bilingual file); commit=true commits."""
    v = _add_from_request()
    out = _alignment_json(v)
    if request.form.get("commit", "").lower() in ("1", "true", "yes"):
        out["commit"] = _commit(v.record.name, v.record.revision).to_json()
        out["state"] = "committed"
    return jsonify(out), 201


@api.get("/<name>")
def api_get(name: str):
    return jsonify(_alignment_json(app.view(services.store(), name)))


def _alignment_json(v: app.ReviewView) -> dict[str, Any]:
    """The alignment with the OCR corrections still awaiting the reviewer's decision."""
    out = v.to_json()
    out["ocr_proposals"] = [p.to_json() for p in app.ocr_proposals(services.store(), v.record.name)]
    return out


@api.post("/<name>/commit")
@require(Role.EDITOR)
def api_commit(name: str):
    seen = request.args.get("seen") or request.form.get("seen")
    return jsonify(_commit(name, int(seen) if seen and seen.isdigit() else None).to_json())


@api.delete("/<name>")
@require(Role.EDITOR)
def api_remove(name: str):
    return jsonify(name=name, removed=_remove(name))

"""The lookup page for translators."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

bp = Blueprint("ui", __name__)


@bp.get("/")
def lookup():
    q = request.args.get("q", "").strip()[: current_app.config["MAX_QUERY"]]
    store = current_app.extensions["termtm.store"]
    results = store.concordance(q, limit=50) if q else []
    return render_template("lookup.html", q=q, results=results, total=store.count())

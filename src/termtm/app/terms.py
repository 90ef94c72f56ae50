"""The term base as the translator and the terminologist use it: lookup, the attestation report, candidates.

`termtm terms lookup` and the API's /terms answer from `lookup_terms`, in the one JSON shape of
`terms.serialize`; `termtm terms report` and `termtm terms extract` come from `terms_report` and
`extract_terms`. A caller that answers many lookups (the web app) keeps one `TermLookup` per store
version; the CLI opens one per command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from termtm.config import Settings
from termtm.errors import TermTMError
from termtm.store import Store
from termtm.terms import TermBase, TermIndex
from termtm.terms.attest import Key, Unattested, concept_tuids, unattested
from termtm.terms.completeness import Gap, uncovered
from termtm.terms.extract import Candidate, extract, precision_at, split_holdout
from termtm.terms.serialize import concept_json


def require_termbase(store: Store) -> TermBase:
    """The store's term base, or an error that says how to get one."""
    termbase = store.termbase()
    if not len(termbase):
        raise TermTMError("the store has no term base: run `termtm build` first")
    return termbase


@dataclass(frozen=True, slots=True)
class TermLookup:
    """A store's term base prepared for lookup, with where each term occurs in the memory."""

    store: Store
    index: TermIndex
    contexts: dict[Key, list[str]]

    @classmethod
    def open(cls, store: Store, termbase: TermBase | None = None) -> TermLookup:
        """Index the store's term base (or `termbase`, when the caller has read it already)."""
        return cls(store, TermIndex(store.termbase() if termbase is None else termbase), store.contexts())

    @property
    def termbase(self) -> TermBase:
        return self.index.termbase


def lookup_terms(terms: TermLookup, query: str, k: int = 10) -> list[dict[str, Any]]:
    """Concepts matching a Chinese, English or pinyin query, best first, each with its match score and up to
    five memory contexts (the shape of `termtm terms lookup --json` and of the API's /terms)."""
    termbase, contexts = terms.termbase, terms.contexts
    return [
        concept_json(h.concept, concept_tuids(h.concept.id, termbase, contexts), terms.store.get, score=h.score)
        for h in terms.index.lookup(query, limit=k)
    ]


def concept(terms: TermLookup, concept_id: str, contexts_limit: int = 20) -> dict[str, Any] | None:
    """One concept with up to `contexts_limit` memory contexts, or None when there is no such concept."""
    found = terms.termbase.get(concept_id)
    if found is None:
        return None
    tuids = concept_tuids(found.id, terms.termbase, terms.contexts)
    return concept_json(found, tuids, terms.store.get, limit=contexts_limit)


def pinyin_table(store: Store) -> list[tuple[str, str, str]]:
    """Every Chinese term as (concept id, term, pinyin), in the term base's order."""
    return [(c.id, t.text, t.pinyin) for c, t in require_termbase(store).terms("zh")]


@dataclass(frozen=True, slots=True)
class SubjectCount:
    """How many concepts a subject holds, and their Chinese and English terms."""

    concepts: int = 0
    zh_terms: int = 0
    en_terms: int = 0


@dataclass(frozen=True, slots=True)
class TermsReport:
    """Chinese terms the memory does not show, candidates no concept covers, and the term base by subject."""

    unattested: list[Unattested]
    uncovered: list[Gap]
    subjects: dict[str, SubjectCount] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Nothing left to look at: every term attested (a deprecated OCR error seen in the raw text is
        expected to be missing from the cleaned memory) and every candidate covered or excluded."""
        hard = [u for u in self.unattested if not (u.status.value == "deprecated" and u.in_raw)]
        return not hard and not self.uncovered

    def to_json(self) -> dict[str, Any]:
        """The shape of `termtm terms report --json`."""
        return {
            "unattested": [
                {"concept": u.concept_id, "text": u.text, "status": u.status.value, "in_raw": u.in_raw}
                for u in self.unattested
            ],
            "uncovered": [{"text": g.text, "kind": g.kind, "tuid": g.tuid} for g in self.uncovered],
            "subjects": {
                k: {"concepts": v.concepts, "zh_terms": v.zh_terms, "en_terms": v.en_terms}
                for k, v in self.subjects.items()
            },
        }


def terms_report(settings: Settings, store: Store) -> TermsReport:
    """Attestation and completeness of the term base against the memory (and the raw OCR bulletin under the
    project root, when present, which tells an OCR error from a term that is simply missing)."""
    from termtm.build import Paths

    paths = Paths(settings.root)
    raw = paths.raw.read_text(encoding="utf-8") if paths.raw.exists() else ""
    termbase = require_termbase(store)
    missing = unattested(termbase, store.contexts(), raw)  # contexts are kept current by build and import
    gaps = uncovered(termbase, [r.segment for r in store.records()], paths.glossary / "exclusions.yaml")
    subjects: dict[str, SubjectCount] = {}
    for c in termbase:
        was = subjects.get(c.subject, SubjectCount())
        subjects[c.subject] = SubjectCount(
            was.concepts + 1, was.zh_terms + len(c.terms_in("zh")), was.en_terms + len(c.terms_in("en"))
        )
    return TermsReport(missing, gaps, subjects)


@dataclass(frozen=True, slots=True)
class Extraction:
    """Proposed term pairs, best first; with a hold-out, the hidden concepts and the precision against them."""

    candidates: list[Candidate]
    k: int
    held_out: TermBase | None = None
    precision: float | None = None


def extract_terms(store: Store, *, k: int = 50, holdout: float = 0.0, seed: int = 1) -> Extraction:
    """Candidate term pairs from the memory that the term base lacks; with `holdout`, a seeded share of the
    concepts is hidden first and the candidates are scored against it (precision at k)."""
    termbase = require_termbase(store)
    segs = [(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    known, held = split_holdout(termbase, holdout, seed)
    cands = extract(segs, known, limit=k)
    precision = precision_at(cands, held, k) if held is not None else None
    return Extraction(cands, k, held, precision)

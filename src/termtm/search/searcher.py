"""One library interface over the three engines: fuzzy, concordance and semantic lookups of a memory."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from termtm.embed import Embedder, embedder_for_index
from termtm.errors import TermTMError
from termtm.model import Lang, Segment
from termtm.search import concordance as conc
from termtm.search import fuzzy as fz
from termtm.search.hybrid import LEXICAL_WEIGHT, Ranking, fuse
from termtm.search.indexset import LexicalSet
from termtm.search.lexical import Analyzer, LexicalIndex
from termtm.search.memorytext import MemoryText
from termtm.search.querycache import QUERIES
from termtm.search.semantic import VectorIndex

if TYPE_CHECKING:
    from termtm.store import Store

logger = logging.getLogger(__name__)

# Each engine proposes this many times k segments to the fusion, so that a segment ranked low by one
# engine and high by the other can still reach the top k.
_POOL_FACTOR = 5
_MIN_POOL = 50


@dataclass(frozen=True, slots=True)
class Hit:
    """A segment and its score; `to_json` gives the shape the CLI and the API print."""

    segment: Segment
    score: float

    def to_json(self) -> dict[str, Any]:
        """{"tuid", "zh", "en", "score", …} with the engine's own fields after these."""
        return {"tuid": self.segment.tuid, "zh": self.segment.zh, "en": self.segment.en, "score": self.score}


@dataclass(frozen=True, slots=True)
class FuzzyHit(Hit):
    """A fuzzy match: score is the match percentage (0-100); diff goes from the query to the match."""

    lang: Lang
    exact: bool
    diff: tuple[fz.DiffOp, ...]

    def to_json(self) -> dict[str, Any]:
        """Adds lang, exact and diff as [{"op", "query", "match"}]."""
        diff = [{"op": d.op, "query": d.query, "match": d.match} for d in self.diff]
        return {**Hit.to_json(self), "lang": self.lang.value, "exact": self.exact, "diff": diff}


@dataclass(frozen=True, slots=True)
class ConcordanceHit(Hit):
    """A concordance line: the side the phrase was found on and its keyword-in-context snippet."""

    lang: Lang
    kwic: conc.Kwic

    def to_json(self) -> dict[str, Any]:
        """Adds lang and kwic as {"left", "match", "right"}."""
        kwic = {"left": self.kwic.left, "match": self.kwic.match, "right": self.kwic.right}
        return {**Hit.to_json(self), "lang": self.lang.value, "kwic": kwic}


@dataclass(frozen=True, slots=True)
class SemanticHit(Hit):
    """A semantic neighbour: score by the chosen ranking, with its dense and lexical parts."""

    lang: Lang | None  # the side nearest to the query (None when only the lexical score found it)
    dense: float | None
    lexical: float

    def to_json(self) -> dict[str, Any]:
        """Adds lang, dense and lexical."""
        lang = self.lang.value if self.lang else None
        return {**Hit.to_json(self), "lang": lang, "dense": self.dense, "lexical": self.lexical}


class Searcher:
    """Fuzzy, concordance and semantic search over one memory (segments in memory order)."""

    def __init__(
        self,
        segments: Sequence[Segment] | None,
        *,
        index_dir: Path | None = None,
        embedder: Embedder | None = None,
        user_words: Iterable[str] = (),
        lexical_weight: float = LEXICAL_WEIGHT,
        mapped: LexicalSet | None = None,
    ) -> None:
        if segments is None and mapped is None:
            raise ValueError("a Searcher needs segments or a mapped lexical set")
        self.mapped = mapped
        if segments is not None:
            self.__dict__["segments"] = list(segments)
        self.index_dir = index_dir
        self._embedder = embedder
        self.analyzer = Analyzer(user_words)
        self.lexical_weight = lexical_weight

    @classmethod
    def from_store(
        cls,
        store: Store,
        index_dir: Path | None = None,
        *,
        embedder: Embedder | None = None,
        user_words: Iterable[str] = (),
    ) -> Searcher:
        """A searcher over every stored segment; semantic search reads the index in index_dir."""
        return cls([r.segment for r in store.records()], index_dir=index_dir, embedder=embedder, user_words=user_words)

    @classmethod
    def from_index(
        cls,
        mapped: LexicalSet,
        index_dir: Path | None = None,
        *,
        embedder: Embedder | None = None,
        user_words: Iterable[str] = (),
    ) -> Searcher:
        """A searcher whose fuzzy and concordance lookups answer from the mapped lexical set (no build, no
        segment list: hits are read from the mapped columns)."""
        return cls(None, index_dir=index_dir, embedder=embedder, user_words=user_words, mapped=mapped)

    @cached_property
    def segments(self) -> list[Segment]:
        """Every segment in memory order. A mapped searcher makes the list on first use only (semantic search
        and the analysis' context check need it; fuzzy and concordance do not)."""
        assert self.mapped is not None  # an in-memory searcher set the list in __init__
        return [row.segment() for row in self.mapped.rows()]

    @cached_property
    def _originals(self) -> tuple[list[str], list[str]]:
        return [s.zh for s in self.segments], [s.en for s in self.segments]

    @cached_property
    def _doc_of(self) -> dict[str, int]:
        return {s.tuid: i for i, s in enumerate(self.segments)}

    def segment_of(self, tuid: str) -> Segment | None:
        """One segment of this memory by tuid (a mapped searcher reads it from the mapped columns)."""
        if self.mapped is not None:
            return self.mapped.segment(tuid)
        doc = self._doc_of.get(tuid)
        return None if doc is None else self.segments[doc]

    def position(self, tuid: str) -> int | None:
        """A segment's index in memory order (None when it is not in this memory)."""
        return self._doc_of.get(tuid)

    @cached_property
    def text(self) -> MemoryText:
        """The folded memory and its lexical indexes (built on first use)."""
        return MemoryText(*self._originals)

    def fuzzy(self, query: str, k: int = 5, min_score: float = fz.DEFAULT_MIN_SCORE) -> list[FuzzyHit]:
        """CAT fuzzy matches at or above min_score percent, best first, exact matches first."""
        if self.mapped is not None:
            return [
                FuzzyHit(seg, m.score, m.lang, m.exact, m.diff) for seg, m in self.mapped.fuzzy(query, k, min_score)
            ]
        return [
            FuzzyHit(self.segments[m.doc], m.score, m.lang, m.exact, m.diff)
            for m in fz.search(self.text, query, self._originals, k=k, min_score=min_score)
        ]

    def concordance(self, query: str, k: int = 20) -> list[ConcordanceHit]:
        """Segments containing the phrase in either language, in memory order, with KWIC snippets."""
        if self.mapped is not None:
            return [ConcordanceHit(seg, 100.0, m.lang, m.kwic) for seg, m in self.mapped.concordance(query, k)]
        return [
            ConcordanceHit(self.segments[m.doc], 100.0, m.lang, m.kwic)
            for m in conc.search(self.text, query, self._originals, k=k)
        ]

    def semantic(
        self, query: str, k: int = 10, *, ranking: Ranking = Ranking.HYBRID, vector: np.ndarray | None = None
    ) -> list[SemanticHit]:
        """Nearest segments in meaning, in either language; `vector` skips encoding (benchmarks time it apart)."""
        if not query.strip() or k <= 0:
            return []
        pool = max(k * _POOL_FACTOR, _MIN_POOL)
        if self.mapped is not None:
            return self._semantic_mapped(query, k, pool, vector)
        dense: dict[int, float] = {}
        sides: dict[int, Lang] = {}
        if ranking is not Ranking.LEXICAL:
            vector = self.encode_query(query) if vector is None else vector
            dense, sides = self._dense(vector, pool)
        lexical = self.lexical.top(self.analyzer.tokens(query), pool) if ranking is not Ranking.DENSE else {}
        if ranking is Ranking.HYBRID and vector is not None:
            dense.update(self._dense_of(vector, [d for d in lexical if d not in dense]))
        return [
            SemanticHit(
                self.segments[d],
                round(s, 4),
                sides.get(d),
                round(dense[d], 4) if d in dense else None,
                round(lexical.get(d, 0.0), 4),
            )
            for d, s in fuse(dense, lexical, ranking, self.lexical_weight)[:k]
        ]

    def _semantic_mapped(self, query: str, k: int, pool: int, vector: np.ndarray | None) -> list[SemanticHit]:
        """Dense neighbours of a mapped memory, read through their tuids: no segment list, no BM25 index is
        built in the process (both would cost each worker seconds and hundreds of MB at 1M segments), so
        the ranking is the dense one whatever was asked (the lexical engines answer fuzzy and concordance)."""
        assert self.mapped is not None
        vector = self.encode_query(query) if vector is None else vector
        best: dict[str, tuple[float, Lang]] = {}
        for row, score in self.vectors.search(vector, 2 * pool):  # two sides per segment
            tuid, side, _ = self.vectors.entries[row]
            if score > best.get(tuid, (-2.0, Lang.ZH))[0]:
                best[tuid] = (score, Lang.ZH if side == "zh" else Lang.EN)
        hits = []
        for tuid, (score, lang) in sorted(best.items(), key=lambda item: -item[1][0]):
            segment = self.mapped.segment(tuid)  # None: deleted since the index was built
            if segment is not None:
                hits.append(SemanticHit(segment, round(score, 4), lang, round(score, 4), 0.0))
                if len(hits) == k:
                    break
        return hits

    def encode_query(self, query: str) -> np.ndarray:
        """The query's embedding (e5 'query:' prefix on the default embedder), encoded once per process
        while it stays among the recent queries (search.querycache)."""
        return QUERIES.encode(self.embedder, query)

    @cached_property
    def vectors(self) -> VectorIndex:
        """The persisted FAISS index; a clear error when it was never built."""
        index = VectorIndex.load(self.index_dir, mapped=True) if self.index_dir else None
        if index is None:
            raise TermTMError(
                f"no semantic index in {self.index_dir}: run `termtm build`, "
                "or `termtm import FILE --index` for an imported memory"
            )
        if self.mapped is not None:  # counting would materialise every segment
            return index
        missing = len(self._doc_of.keys() - {tuid for tuid, _, _ in index.entries})
        if missing:
            logger.warning("%d segments are not in the semantic index: run `termtm build` to add them", missing)
        return index

    @cached_property
    def embedder(self) -> Embedder:
        """The embedder the index was built with (queries must use the same model)."""
        name = self.vectors.model
        if self._embedder is None:
            self._embedder = embedder_for_index(name)
        if self._embedder.name != name:
            raise TermTMError(
                f"the semantic index was built with {name}, not {self._embedder.name}: "
                "search with the same embedder or rebuild the index"
            )
        return self._embedder

    @cached_property
    def lexical(self) -> LexicalIndex:
        """BM25 over both sides of each segment (built on first semantic search)."""
        return LexicalIndex([self.analyzer.tokens(s.zh) + self.analyzer.tokens(s.en) for s in self.segments])

    @cached_property
    def _rows_of(self) -> dict[int, list[int]]:
        rows: dict[int, list[int]] = {}
        for row, (tuid, _, _) in self.vectors.live():
            doc = self._doc_of.get(tuid)
            if doc is not None:
                rows.setdefault(doc, []).append(row)
        return rows

    def _dense(self, vector: np.ndarray, pool: int) -> tuple[dict[int, float], dict[int, Lang]]:
        """Best cosine per segment over its two sides (results merged per segment), and that side."""
        dense: dict[int, float] = {}
        sides: dict[int, Lang] = {}
        for row, score in self.vectors.search(vector, 2 * pool):  # two sides per segment
            tuid, side, _ = self.vectors.entries[row]
            doc = self._doc_of.get(tuid)
            if doc is not None and score > dense.get(doc, -2.0):
                dense[doc], sides[doc] = score, Lang.parse(side)
        return dense, sides

    def _dense_of(self, vector: np.ndarray, docs: list[int]) -> dict[int, float]:
        """Exact cosines of segments that only the lexical engine proposed."""
        out = {}
        for doc in docs:
            rows = self._rows_of.get(doc)
            if rows:
                out[doc] = float((self.vectors.reconstruct(rows) @ vector).max())
        return out

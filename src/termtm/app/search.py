"""Searching the memory: the use case behind `termtm search`, the API's search endpoints and the lookup page.

One way to build the searcher (the term base's Chinese terms kept whole for the tokenizer) and one way to
ask it, so that a query gets the same hits on the command line and in the browser. A caller that serves
many queries (the web app) keeps one searcher per store version; the CLI opens one per command.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import numpy as np

from termtm.embed import Embedder
from termtm.errors import TermTMError
from termtm.search import ConcordanceHit, FuzzyHit, Ranking, Searcher, SemanticHit
from termtm.search.indexset import LexicalSet, is_lexical_fresh
from termtm.store import Store
from termtm.terms import TermBase

SearchHit = FuzzyHit | ConcordanceHit | SemanticHit


class SearchMode(StrEnum):
    """Which search: CAT fuzzy matches, concordance (the phrase inside segments), or similar in meaning."""

    FUZZY = "fuzzy"
    CONCORDANCE = "concordance"
    SEMANTIC = "semantic"


def open_searcher(
    store: Store,
    index: Path | None,
    *,
    embedder: Embedder | None = None,
    termbase: TermBase | None = None,
    require_memory: bool = False,
    mapped: bool = False,
    stale: bool = False,
) -> Searcher:
    """A searcher over every stored segment, its semantic index in `index`, the term base's Chinese terms
    given to the tokenizer as words (so that 湄公河委员会 is one word, not three); `termbase` saves reading
    it again when the caller holds it. With `require_memory`, an empty store is an error that says what to do.

    With `mapped`, fuzzy and concordance lookups map the lexical index set in `index` when it is up to the
    store (`termtm index build`), instead of building the indexes of the whole memory in this process.
    With `stale` too, a set of this store that is behind it is mapped as well: a server that keeps it in step
    (web.services.refresh) answers from it for the moment an update takes, rather than build a 1M index."""
    if require_memory and store.count() == 0:
        raise TermTMError("the memory is empty: run `termtm build` or `termtm import` first")
    terms = store.termbase() if termbase is None else termbase
    words = [t.text for _, t in terms.terms("zh")]
    if mapped and index is not None and (is_lexical_fresh(index, store.version()) or stale):
        lexical = LexicalSet.open(index)
        if lexical is not None and (lexical.store_id is None or lexical.store_id == store.identity()):
            return Searcher.from_index(lexical, index, embedder=embedder, user_words=words)
    return Searcher.from_store(store, index, embedder=embedder, user_words=words)


def search(
    searcher: Searcher,
    mode: SearchMode | str,
    query: str,
    *,
    k: int = 10,
    min_score: float = 70.0,
    ranking: Ranking | str = Ranking.HYBRID,
    vector: np.ndarray | None = None,
) -> Sequence[SearchHit]:
    """The hits of one search, best first (concordance: in memory order). `min_score` applies to fuzzy
    search only, `ranking` and `vector` (the query already encoded, so a caller can time the two apart) to
    semantic search only."""
    mode = SearchMode(mode)
    if mode is SearchMode.FUZZY:
        return searcher.fuzzy(query, k=k, min_score=min_score)
    if mode is SearchMode.CONCORDANCE:
        return searcher.concordance(query, k=k)
    return searcher.semantic(query, k=k, ranking=Ranking(ranking), vector=vector)

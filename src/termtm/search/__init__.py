"""Lookups over the memory: CAT fuzzy matches, concordance with KWIC, semantic (hybrid dense + lexical) search."""

from __future__ import annotations

from termtm.search.hybrid import Ranking
from termtm.search.searcher import ConcordanceHit, FuzzyHit, Hit, Searcher, SemanticHit
from termtm.search.semantic import IndexUpdate, is_fresh, sync_index, update_index

__all__ = [
    "ConcordanceHit",
    "FuzzyHit",
    "Hit",
    "IndexUpdate",
    "Ranking",
    "Searcher",
    "SemanticHit",
    "is_fresh",
    "sync_index",
    "update_index",
]

"""Fusion of dense and lexical scores into one ranking (pure functions, no index here)."""

from __future__ import annotations

from enum import StrEnum

# Share of the lexical score in the hybrid score. Dense cosines of e5 bunch up (0.75-0.90 for most
# pairs), so they are first spread to 0-1 over the candidate pool; the lexical score is already the
# share of the query matched (0-1). On bench/semantic_eval.py's known answers, 0.5 lifts keyword queries
# (names, numbers) from recall@1 0.64 (dense) to 0.88, and leaves cross-language sentence queries where
# dense puts them (0.916 / 0.931 against 0.917 / 0.931); 0.3 gave 0.86 on keywords.
LEXICAL_WEIGHT = 0.5


class Ranking(StrEnum):
    """How semantic search ranks: fused, embeddings only, or BM25 only."""

    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


def fuse(
    dense: dict[int, float], lexical: dict[int, float], ranking: Ranking, weight: float = LEXICAL_WEIGHT
) -> list[tuple[int, float]]:
    """(doc, score) best first. Dense scores are cosines, lexical ones the share of the query matched (0-1);
    hybrid spreads the cosines of the pool to 0-1 and mixes in the lexical share with `weight`."""
    if ranking is Ranking.DENSE:
        scored = dict(dense)
    elif ranking is Ranking.LEXICAL:
        scored = dict(lexical)
    else:
        spread = _spread(dense)
        scored = {d: (1 - weight) * spread.get(d, 0.0) + weight * lexical.get(d, 0.0) for d in dense.keys() | lexical}
    return sorted(scored.items(), key=lambda item: (-item[1], item[0]))


def _spread(scores: dict[int, float]) -> dict[int, float]:
    """Min-max to 0-1 (all 1.0 when the pool has one distinct score)."""
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in scores.items()}

"""Dynamic-programming sentence alignment with embeddings, length and anchor cues.

In the spirit of Vecalign and Bertalign: each bead (a group of source and
target sentences) is scored by the cosine similarity of the concatenated
sentences' embeddings, a length-ratio likelihood, and overlap of numbers and
Latin tokens; the best monotone path through the bead lattice wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from termtm.align import cues
from termtm.embed import Embedder

BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3))

SKIP_COST = 1.2
"""Cost of leaving a sentence unaligned (1-0 or 0-1): above a poor 1-1 match, below a wrong one."""

MERGE_PENALTY = {(1, 1): 0.0, (2, 1): 0.08, (1, 2): 0.08, (2, 2): 0.2, (3, 1): 0.2, (1, 3): 0.2}
"""Prior against many-to-many beads, so that they win only when they fit clearly better."""

W_EMBED, W_LENGTH, W_ANCHOR = 1.0, 0.12, 0.4


@dataclass(frozen=True, slots=True)
class Bead:
    """Indices of the source and target sentences aligned together."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]


def format_beads(beads: Sequence[Bead]) -> str:
    """Beads in the gold format of the MAC set: '[0,1]:[0]' per line."""
    return "".join(f"[{','.join(map(str, b.src))}]:[{','.join(map(str, b.tgt))}]\n" for b in beads)


class _Scorer:
    """Scores beads, encoding each concatenation at most once."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str], embedder: Embedder | None, ratio: float) -> None:
        self.src, self.tgt, self.embedder, self.ratio = src, tgt, embedder, ratio
        self._vec: dict[tuple[str, int, int], np.ndarray] = {}
        self._nums = [cues.numbers(s) for s in src], [cues.numbers(t) for t in tgt]
        self._latin = [cues.latin_tokens(s) for s in src], [cues.latin_tokens(t) for t in tgt]

    def prefetch(self, spans: set[tuple[str, int, int]]) -> None:
        """Encode all needed concatenations in one batch per side."""
        if self.embedder is None:
            return
        for side, texts in (("s", self.src), ("t", self.tgt)):
            todo = sorted(k for k in spans if k[0] == side and k not in self._vec)
            if not todo:
                continue
            vecs = self.embedder.encode([" ".join(texts[i:j]) for _, i, j in todo])
            for key, vec in zip(todo, vecs, strict=True):
                self._vec[key] = vec

    def cost(self, i: int, di: int, j: int, dj: int) -> float:
        if di == 0 or dj == 0:
            return SKIP_COST * (di + dj)
        src_len = sum(cues.text_length(s) for s in self.src[i : i + di])
        tgt_len = sum(cues.text_length(t) for t in self.tgt[j : j + dj])
        cost = W_LENGTH * cues.length_cost(src_len, tgt_len, self.ratio)
        if self.embedder is not None:
            sim = float(self._vec[("s", i, i + di)] @ self._vec[("t", j, j + dj)])
            cost += W_EMBED * (1.0 - sim) * 2
        # Scale by the sentences covered, so that one 2-2 bead is not cheaper than two
        # equally good 1-1 beads merely because it is one bead.
        cost = cost * (di + dj) / 2 + MERGE_PENALTY[(di, dj)]
        nums = cues.overlap(set().union(*self._nums[0][i : i + di]), set().union(*self._nums[1][j : j + dj]))
        latin = cues.overlap(set().union(*self._latin[0][i : i + di]), set().union(*self._latin[1][j : j + dj]))
        return cost - W_ANCHOR * (nums + latin) / 2


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    embedder: Embedder | None = None,
    ratio: float | None = None,
    band: int | None = None,
) -> list[Bead]:
    """Align two sentence lists; every sentence of both sides is in exactly one bead, in order."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    ratio = ratio or cues.length_ratio(list(src), list(tgt))
    band = band if band is not None else max(8, abs(n - m) + 6)
    scorer = _Scorer(src, tgt, embedder, ratio)

    def in_band(i: int, j: int) -> bool:
        # The diagonal scaled to both lengths; beads far off it cannot be right.
        return abs(i * m / n - j) <= band + 3

    spans: set[tuple[str, int, int]] = set()
    for i in range(n + 1):
        for j in range(m + 1):
            if not in_band(i, j):
                continue
            for di, dj in BEAD_TYPES:
                if di and dj and i + di <= n and j + dj <= m:
                    spans.add(("s", i, i + di))
                    spans.add(("t", j, j + dj))
    scorer.prefetch(spans)

    inf = float("inf")
    best = np.full((n + 1, m + 1), inf)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    best[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i, j] == inf or not in_band(i, j):
                continue
            for di, dj in BEAD_TYPES:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                c = best[i, j] + scorer.cost(i, di, j, dj)
                if c < best[ni, nj]:
                    best[ni, nj] = c
                    back[(ni, nj)] = (di, dj)
    if best[n, m] == inf:  # the band was too narrow for this pair; retry without it
        return align_sentences(src, tgt, embedder=embedder, ratio=ratio, band=max(n, m))
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        di, dj = back[(i, j)]
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    beads.reverse()
    return beads

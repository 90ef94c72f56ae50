"""Align two lists of sentences: anchors first, then many-to-many beads near them.

1. Every sentence is encoded once. Stage one searches a band around the
   diagonal with 1-1, 1-2 and 2-1 beads and gaps, scored by embedding margin,
   length and quotation marks: a cheap, reliable path of anchors.
2. Stage two searches a narrow window around that path with every bead type
   up to 1-5 and 2-4, adding the dictionary, number and Latin-token cues.
   Merged sentences use the normalised sum of their parts' embeddings,
   blended with a run encoder's exact encoding of the run (span_vectors).
3. Every bead of the chosen path gets its posterior probability under the
   same model (dp.bead_marginals): the review screen shows the least
   confident beads first.

Empty lines are left out of the search and come back as one-sided beads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from termtm.align.dp import Bead, CostCache, Gap, Window, bead_marginals, best_path
from termtm.align.features import Side, merged_vectors
from termtm.align.lexicon import Lexicon, default_lexicon
from termtm.align.scoring import (
    BEAD_TYPES,
    EMBEDDING_MODEL,
    LEXICAL_MODEL,
    RUNS_MODEL,
    BeadScorer,
    SpanVectors,
    Weights,
)
from termtm.corpus.script import CHINESE_SHARE, is_han
from termtm.embed import Embedder
from termtm.embed.base import Kind
from termtm.errors import AlignmentError
from termtm.model import Lang

ANCHOR_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1))
"""Stage one's beads: enough for its path to follow the common 1-2 splits instead of cutting corners."""

BAND_MIN, BAND_SHARE, BAND_MAX = 25, 0.08, 250
"""Stage one searches this share of the longer side either side of the diagonal, within these bounds:
the bound keeps time and memory linear in the length of long documents."""

WINDOW_MARGIN = 4
"""Stage two searches this many rows and columns either side of the stage-one path."""

KNN = 4
"""Neighbours averaged for margin scoring, as in LASER's ratio margin."""

EMBED_KIND: Kind = "query"
"""e5 prefix for both sides; chosen on MAC-Dev, where it separates translations from neighbours better."""

RUN_WEIGHT = 1 / 3
"""Share of the run encoder's cosine in a bead's similarity (MAC-Dev, leave-one-chapter-out: 1/3 and 1/4
scored alike, 1/2 lower)."""

MAX_RUN = max(max(t) for t in BEAD_TYPES)
"""The longest run of sentences a bead holds on one side."""

EXACT_RUN = 3
"""The run encoder encodes every run of up to this many sentences, as Bertalign does; longer runs (rare in
gold beads) sum its vectors of their parts. Encoding runs of 4 and 5 too would more than double its work
for 0.002 of MAC-Dev F1 (leave-one-chapter-out)."""


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    embedder: Embedder | None = None,
    src_lang: Lang = Lang.ZH,
    tgt_lang: Lang = Lang.EN,
    weights: Weights | None = None,
    lexicon: Lexicon | None = None,
    ratio: float | None = None,
    runs: Embedder | None = None,
) -> list[Bead]:
    """Align two sentence lists; every sentence of both sides is in exactly one bead, in order.

    `ratio` (target characters per source character) defaults to the inputs' own;
    pass the whole document's when aligning it paragraph by paragraph.
    `runs` is a fast second encoder that encodes every run of sentences a bead
    could hold (see span_vectors); with it the bead model is RUNS_MODEL.
    Raises AlignmentError when the inputs look like the other language than declared.
    """
    check_languages(src, tgt, src_lang, tgt_lang)
    keep_s = [k for k, t in enumerate(src) if t.strip()]
    keep_t = [k for k, t in enumerate(tgt) if t.strip()]
    s_texts, t_texts = [src[k] for k in keep_s], [tgt[k] for k in keep_t]
    if not s_texts or not t_texts:
        beads = [Bead((i,), (), 1.0) for i in range(len(s_texts))] + [Bead((), (j,), 1.0) for j in range(len(t_texts))]
    else:
        if lexicon is None and Lang.ZH in (src_lang, tgt_lang) and src_lang != tgt_lang:
            lexicon = default_lexicon()
        s_side = Side.of(s_texts, chinese=src_lang is Lang.ZH, lexicon=lexicon)
        t_side = Side.of(t_texts, chinese=tgt_lang is Lang.ZH, lexicon=lexicon)
        model = weights or (LEXICAL_MODEL if embedder is None else RUNS_MODEL if runs else EMBEDDING_MODEL)
        beads = _align(s_side, t_side, embedder, model, ratio, runs)
    return _restore_empty(beads, keep_s, keep_t, len(src), len(tgt))


def _align(
    src: Side,
    tgt: Side,
    embedder: Embedder | None,
    w: Weights,
    ratio: float | None,
    runs: Embedder | None,
) -> list[Bead]:
    """Stage one (anchors in a band), then stage two (all bead types near the anchors)."""
    n, m = len(src), len(tgt)
    s_vecs = t_vecs = None
    if embedder is not None:
        s_vecs, t_vecs = span_vectors(src, embedder, runs), span_vectors(tgt, embedder, runs)
    band = Window.band(n, m, band_width(n, m))
    knn = neighbourhoods(s_vecs.vecs, t_vecs.vecs, band) if s_vecs is not None and t_vecs is not None else None
    gap = Gap(w.gap_open, w.gap_extend)

    def scorer(ratio: float, cheap: bool) -> BeadScorer:
        bead_scorer = BeadScorer(src, tgt, w, src_vecs=s_vecs, tgt_vecs=t_vecs, ratio=ratio, cheap=cheap)
        if knn is not None:
            bead_scorer.set_neighbourhood(*knn)
        return bead_scorer

    # Stage one goes without the per-bead Python cues (dictionary, numbers), unless it has nothing else.
    anchors = best_path(
        n, m, band, ANCHOR_TYPES, scorer(ratio or _plausible_ratio(src, tgt), knn is not None).row_costs, gap
    )
    fine = scorer(ratio or _anchored_ratio(anchors, src, tgt), False)
    window = Window.around(_cells(anchors), n, m, WINDOW_MARGIN)
    costs = CostCache(fine.row_costs)
    beads = best_path(n, m, window, BEAD_TYPES, costs, gap)
    marginals = bead_marginals(n, m, window, BEAD_TYPES, costs, gap, beads, CONFIDENCE_TEMPERATURE)
    return [Bead(b.src, b.tgt, p) for b, p in zip(beads, marginals, strict=True)]


CONFIDENCE_TEMPERATURE = 1.0
"""Temperature of the bead posteriors (costs are divided by it before the forward-backward sums).

At 1 the posteriors are already calibrated on MAC-Dev (6 chapters, 1,368 beads): the expected calibration
error over ten bins is 0.019, against 0.065, 0.16 and 0.39 at 1.5, 2 and 3, so the bead's marginal is its
confidence as it is, with no fitted mapping. A Platt or logistic mapping with bead shape, sentence lengths and
the neighbours' marginals (leave-one-chapter-out on MAC-Dev) changed the ranking of the wrong beads by at most
0.02 of their share, and was not adopted.
"""


def span_vectors(side: Side, embedder: Embedder, runs: Embedder | None = None) -> SpanVectors:
    """Each sentence's embedding; with a run encoder, also every run of up to MAX_RUN sentences.

    A run's vector then joins the normalised sum of the embedder's vectors of
    its parts with the run encoder's vector of the run's own text (of up to
    EXACT_RUN sentences), weighted so that a cosine is (1 - RUN_WEIGHT) of the
    one and RUN_WEIGHT of the other. Summed vectors cannot tell where inside a
    run the meaning lies; an exact encoding of the run can, and a fast encoder
    (USE: the 1,962 runs of MAC-Dev 003, 270 + 386 sentences, in about 4 s)
    makes that affordable, where e5 takes a minute for them. On MAC-Dev,
    leave-one-chapter-out, strict F1 rose from 0.876 to 0.897.
    """
    vecs = embedder.encode(list(side.texts), kind=EMBED_KIND)
    if runs is None:
        return SpanVectors(vecs)
    keep, add = float(np.sqrt(1 - RUN_WEIGHT)), float(np.sqrt(RUN_WEIGHT))
    blended: dict[int, np.ndarray] = {}
    singles = runs.encode(list(side.texts), kind=EMBED_KIND)
    for k in range(1, min(MAX_RUN, len(side)) + 1):
        if k == 1:
            exact = singles
        elif k <= EXACT_RUN:
            exact = runs.encode([side.joined(i, k) for i in range(len(side) - k + 1)], kind=EMBED_KIND)
        else:
            exact = merged_vectors(singles, k)
        blended[k] = np.concatenate([merged_vectors(vecs, k) * keep, exact * add], axis=1).astype(np.float32)
    return SpanVectors.with_runs(blended)


def band_width(n: int, m: int) -> int:
    """How far from the diagonal stage one looks, for n source and m target sentences."""
    return min(BAND_MAX, max(BAND_MIN, int(BAND_SHARE * max(n, m)), abs(n - m) // 4))


EN_PER_ZH = 4.0
"""English characters per Chinese character in translation (MAC-Dev: 4.07)."""

RATIO_SLACK = 2.0
"""A text's own length ratio is trusted within this factor of EN_PER_ZH; beyond, one side is likely incomplete."""


def _plausible_ratio(src: Side, tgt: Side) -> float:
    """The texts' length ratio, pulled back toward the usual one when a side looks truncated."""
    ratio = max(tgt.length(0, len(tgt)), 1.0) / max(src.length(0, len(src)), 1.0)
    if src.chinese == tgt.chinese:
        return ratio
    usual = EN_PER_ZH if src.chinese else 1 / EN_PER_ZH
    return float(np.clip(ratio, usual / RATIO_SLACK, usual * RATIO_SLACK))


def _anchored_ratio(anchors: Sequence[Bead], src: Side, tgt: Side) -> float:
    """The length ratio over the sentences stage one aligned, which ignores text missing on one side."""
    s_len = sum(src.length(b.src[0], len(b.src)) for b in anchors if b.src and b.tgt)
    t_len = sum(tgt.length(b.tgt[0], len(b.tgt)) for b in anchors if b.src and b.tgt)
    return t_len / s_len if s_len and t_len else _plausible_ratio(src, tgt)


def neighbourhoods(s_vecs: np.ndarray, t_vecs: np.ndarray, band: Window, k: int = KNN) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's mean cosine to its k most similar sentences on the other side, within the band."""
    n, m = len(s_vecs), len(t_vecs)
    s_top = np.full((n, k), np.nan)
    t_top = np.full((m, k), -1.0)
    for i in range(n):
        j0, j1 = int(band.lo[i]), min(int(max(band.hi[i], band.hi[i + 1])), m - 1) + 1
        sims = t_vecs[j0:j1] @ s_vecs[i]
        best = np.sort(sims)[::-1][:k]
        s_top[i, : len(best)] = best
        # Keep each target's k best: replace its current worst where this row beats it.
        worst = np.argmin(t_top[j0:j1], axis=1)
        rows = np.arange(j0, j1)
        beats = sims > t_top[rows, worst]
        t_top[rows[beats], worst[beats]] = sims[beats]
    t_top[t_top < -0.5] = np.nan
    return np.nan_to_num(np.nanmean(s_top, axis=1)), np.nan_to_num(np.nanmean(t_top, axis=1))


def _cells(beads: Sequence[Bead]) -> list[tuple[int, int]]:
    """Lattice cells that a path of beads passes through."""
    cells = [(0, 0)]
    i = j = 0
    for b in beads:
        i, j = i + len(b.src), j + len(b.tgt)
        cells.append((i, j))
    return cells


def _restore_empty(beads: Sequence[Bead], keep_s: list[int], keep_t: list[int], n: int, m: int) -> list[Bead]:
    """Map beads back to the input's line numbers; each empty line becomes a one-sided bead where it stands."""
    empty_s = sorted(set(range(n)) - set(keep_s))
    empty_t = sorted(set(range(m)) - set(keep_t))
    out: list[Bead] = []
    for bead in [*beads, Bead((), ())]:
        src = tuple(keep_s[i] for i in bead.src)
        tgt = tuple(keep_t[j] for j in bead.tgt)
        limit_s = src[0] if src else (n if not bead.tgt and not bead.src else None)
        limit_t = tgt[0] if tgt else (m if not bead.tgt and not bead.src else None)
        while empty_s and limit_s is not None and empty_s[0] < limit_s:
            out.append(Bead((empty_s.pop(0),), (), 1.0))
        while empty_t and limit_t is not None and empty_t[0] < limit_t:
            out.append(Bead((), (empty_t.pop(0),), 1.0))
        if src or tgt:
            out.append(Bead(src, tgt, bead.confidence))
    return out


def check_languages(src: Sequence[str], tgt: Sequence[str], src_lang: Lang, tgt_lang: Lang) -> None:
    """Refuse inputs that are clearly the other way round from the declared languages.

    Only a clear swap is an error: a Chinese paragraph that is all names or
    acronyms in Latin letters is normal, so mere doubt lets the alignment run.
    """
    if src_lang is tgt_lang:
        return
    s_zh, t_zh = _han_share(src), _han_share(tgt)
    if s_zh is None or t_zh is None:
        return
    s_is, t_is = s_zh >= SCRIPT_THRESHOLD, t_zh >= SCRIPT_THRESHOLD
    if s_is != (src_lang is Lang.ZH) and t_is != (tgt_lang is Lang.ZH):
        looks = {True: "Chinese", False: "English"}
        raise AlignmentError(
            f"the source looks {looks[s_is]} and the target {looks[t_is]}, but they were declared "
            f"{src_lang} and {tgt_lang}: the inputs seem swapped; give them the other way round "
            f"or pass --src-lang {Lang.ZH if s_is else Lang.EN} --tgt-lang {Lang.ZH if t_is else Lang.EN}"
        )


SCRIPT_THRESHOLD = CHINESE_SHARE
"""A text is Chinese if at least this share of its letters are Han characters (corpus.script.is_chinese)."""

MIN_LETTERS = 20
"""Fewer letters than this on a side is too little to judge its language."""


def _han_share(texts: Sequence[str]) -> float | None:
    """Share of Han characters among a text's letters; None if it has too few letters to tell."""
    letters = [c for t in texts for c in t if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return None
    return sum(1 for c in letters if is_han(c)) / len(letters)

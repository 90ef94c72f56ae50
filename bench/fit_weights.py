"""Fit the aligner's bead model on MAC-Dev: logistic regression over candidate beads.

Every bead the second stage could consider near the gold path (within the
same margin the aligner uses) is a training example: positive if it is a gold
bead, negative otherwise. Features are scoring.FEATURES; each bead type gets
its own intercept. The printed tuples are what scoring.RUNS_MODEL (with the
default run encoder; scoring.EMBEDDING_MODEL with --runs none) and
LEXICAL_MODEL hold.

    python bench/fit_weights.py [--loco] [--runs use|none]

With --loco it instead scores the model honestly on MAC-Dev: each chapter is
aligned with a model fitted on the other five, and strict and lax figures are
pooled. Fitted on the chapters it is scored on, the model looks better than
that (0.900 against 0.897 with the run encoder; 0.892 against 0.876 without),
and the leave-one-out figure is the one to compare ideas with.

Only MAC-Dev is read: every other gold set stays held out.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from align_eval import HEADER, Counts, format_row, read_set

from termtm.align import Bead, align_sentences
from termtm.align.dp import Window
from termtm.align.features import SentenceCues
from termtm.align.lexicon import default_lexicon
from termtm.align.scoring import BEAD_INDEX, BEAD_TYPES, EMBEDDING_MODEL, FEATURES, BeadScorer
from termtm.align.sentences import WINDOW_MARGIN, band_width, neighbourhoods, span_vectors
from termtm.embed import Embedder, MemoEmbedder, embedder_from_name, run_encoder_from_name

UNSEEN_PENALTY = 2.0
"""Log-odds below the rarest seen bead type given to types without a single gold example."""

L2 = 1e-3
"""Ridge penalty: keeps rarely seen bead types' intercepts finite."""


Examples = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(features, bead-type index, label) of candidate beads."""


def examples(embedder: Embedder, runs: Embedder | None = None) -> Examples:
    """(features, bead-type index, label) of every candidate bead near the gold paths of MAC-Dev."""
    return _concat([chapter_examples(embedder, *chapter, runs=runs) for chapter in read_set("mac/dev")])


def _concat(parts: list[Examples]) -> Examples:
    """The examples of several chapters as one set."""
    x, types, y = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return x, types, y


def chapter_examples(
    embedder: Embedder, src: list[str], tgt: list[str], gold: list[Bead], runs: Embedder | None = None
) -> Examples:
    """The candidate beads of one chapter near its gold path, labelled."""
    xs, ts, ys = [], [], []
    s_side = SentenceCues.of(src, chinese=True, lexicon=default_lexicon())
    t_side = SentenceCues.of(tgt, chinese=False, lexicon=default_lexicon())
    s_vecs, t_vecs = span_vectors(s_side, embedder, runs), span_vectors(t_side, embedder, runs)
    scorer = BeadScorer(s_side, t_side, EMBEDDING_MODEL, src_vecs=s_vecs, tgt_vecs=t_vecs)
    n, m = len(src), len(tgt)
    scorer.set_neighbourhood(*neighbourhoods(s_vecs.vecs, t_vecs.vecs, Window.band(n, m, band_width(n, m))))
    cells, i, j = [(0, 0)], 0, 0
    for b in gold:
        i, j = i + len(b.src), j + len(b.tgt)
        cells.append((i, j))
    window = Window.around(cells, n, m, WINDOW_MARGIN)
    gold_starts = {(b.src[0], b.tgt[0], len(b.src), len(b.tgt)) for b in gold if b.src and b.tgt}
    for i in range(n):
        for a, b in BEAD_TYPES:
            j0, j1 = int(window.lo[i]), min(int(window.hi[i]), m - b) + 1
            if i + a > n or j1 <= j0:
                continue
            xs.append(scorer.features(i, a, b, j0, j1))
            ts.append(np.full(j1 - j0, BEAD_INDEX[(a, b)]))
            ys.append(np.array([(i, j, a, b) in gold_starts for j in range(j0, j1)], dtype=float))
    return np.concatenate(xs), np.concatenate(ts), np.concatenate(ys)


def fit(x: np.ndarray, types: np.ndarray, y: np.ndarray, steps: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method on the L2-regularised log-likelihood; returns (coefficients, per-type intercepts)."""
    design = np.hstack([x, np.eye(len(BEAD_TYPES))[types]])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(design @ w)))
        grad = design.T @ (p - y) + L2 * w
        hess = (design * (p * (1 - p))[:, None]).T @ design + L2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef, intercepts = w[: x.shape[1]], w[x.shape[1] :]
    # Types MAC-Dev never shows (Chinese 3-1, 4-1) get a prior below every type it does show.
    unseen = np.array([not y[types == k].any() for k in range(len(BEAD_TYPES))])
    intercepts[unseen] = intercepts[~unseen].min() - UNSEEN_PENALTY
    return coef, intercepts


EMBEDDING_ONLY = ("margin", "cosine", "weakest_part", "local_margin")
"""Features that need an embedder: zero for the model used without one."""


def leave_one_chapter_out(embedder: Embedder, runs: Embedder | None = None) -> Counts:
    """Pooled counts of MAC-Dev with each chapter aligned by a model fitted on the others."""
    data = read_set("mac/dev")
    parts = [chapter_examples(embedder, *chapter, runs=runs) for chapter in data]
    counts = Counts()
    for k, (src, tgt, gold) in enumerate(data):
        coef, intercepts = fit(*_concat(parts[:k] + parts[k + 1 :]))
        weights = replace(EMBEDDING_MODEL, coefficients=tuple(coef), intercepts=tuple(intercepts))
        start = time.perf_counter()
        counts.add(align_sentences(src, tgt, embedder=embedder, weights=weights, runs=runs), gold)
        counts.seconds += time.perf_counter() - start
        counts.sentences += len(src)
    return counts


def main() -> None:
    """Fit and print both models' coefficients: with embeddings, and without (--no-embed); or score with --loco."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loco", action="store_true", help="score each chapter with a model fitted on the others")
    ap.add_argument("--runs", help="the run encoder: use (default; fits RUNS_MODEL) or none (EMBEDDING_MODEL)")
    args = ap.parse_args()
    embedder = MemoEmbedder(embedder_from_name())
    run_encoder = run_encoder_from_name(args.runs)
    runs = MemoEmbedder(run_encoder) if run_encoder else None
    if args.loco:
        print(HEADER)
        print(format_row("mac/dev", "loco", leave_one_chapter_out(embedder, runs)))
        return
    x, types, y = examples(embedder, runs)
    print(f"{len(y)} candidate beads, {int(y.sum())} gold")
    with_embeddings = "RUNS_MODEL" if runs else "EMBEDDING_MODEL"
    for label, x_used in ((with_embeddings, x), ("LEXICAL_MODEL", _without_embeddings(x))):
        coef, intercepts = fit(x_used, types, y)
        print(f"{label}: " + ", ".join(f"{name} {c:.3f}" for name, c in zip(FEATURES, coef, strict=True)))
        print(f"    coefficients=({', '.join(f'{c:.3f}' for c in coef)}),")
        print(f"    intercepts=({', '.join(f'{c:.3f}' for c in intercepts)}),")


def _without_embeddings(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[:, [FEATURES.index(name) for name in EMBEDDING_ONLY]] = 0.0
    return out


if __name__ == "__main__":
    main()

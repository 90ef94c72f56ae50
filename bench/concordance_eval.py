"""Benchmark: concordance (phrase search with KWIC) on memories of 7.4k, 100k and 1M segments.

    python bench/concordance_eval.py [OUT_DIR] [--queries N]

Memories are the fuzzy protocol's tm7k/tm100k and the synthetic 1M of bench/memories.py. Queries (seed 7)
are phrases cut from memory sentences, so every query has hits: Chinese phrases of 2-6 characters, the same
phrases converted to Traditional (OpenCC s2t), English phrases of 1-3 words, and single English words; k=20.
Reported per memory: build time of the index, its memory, p50/p95 latency over all queries, and a check that
the hits of 50 queries equal a linear scan over the folded text (first k in memory order).
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from memories import Timer, load_tsv, pct, protocol_files, rss_mb, segments, synthesise

from termtm.corpus.script import HAN_RANGES, has_han
from termtm.search import Searcher
from termtm.search.normalize import fold

K = 20


def make_queries(pairs: list[tuple[str, str]], n: int) -> list[str]:
    """n phrases, a quarter of each kind, cut from random sentences of the 7.4k memory."""
    import opencc

    rng = random.Random(7)
    s2t = opencc.OpenCC("s2t")
    out: list[str] = []
    while len(out) < n:
        zh, en = rng.choice(pairs)
        kind = len(out) % 4
        if kind in (0, 1):
            runs = [r for r in re.findall(f"[{HAN_RANGES}]{{2,}}", zh)]
            if not runs:
                continue
            run = rng.choice(runs)
            size = rng.randint(2, min(6, len(run)))
            start = rng.randint(0, len(run) - size)
            phrase = run[start : start + size]
            out.append(phrase if kind == 0 else s2t.convert(phrase))
        else:
            words = re.findall(r"[A-Za-z]+", en)
            if len(words) < 3:
                continue
            size = 1 if kind == 3 else rng.randint(2, 3)
            start = rng.randint(0, len(words) - size)
            out.append(" ".join(words[start : start + size]))
    return out


def linear(pairs_folded: list[tuple[str, str]], q: str) -> list[int]:
    """First K segments whose folded Chinese or English holds the folded phrase (English at a word start)."""
    f = fold(q)
    pattern = re.compile(r"(?<!\w)" + re.escape(f))
    hits = []
    han = has_han(f)
    for i, (zh, en) in enumerate(pairs_folded):
        in_zh = f in zh and (han or len(f) > 1)
        if in_zh or (not han and pattern.search(en)):
            hits.append(i)
            if len(hits) == K:
                break
    return hits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="/tmp/termtm-fuzzy", type=Path)
    ap.add_argument("--queries", type=int, default=400)
    args = ap.parse_args()
    out = protocol_files(args.out)
    small = load_tsv(out / "tm7k.tsv")
    queries = make_queries(small, args.queries)
    rows = ["| memory | build | memory | p50 / p95 | mean hits | equal to linear scan |", "|---|---|---|---|---|---|"]
    big = load_tsv(out / "tm100k.tsv")
    for name, pairs in [("7.4k", small), ("100k", big), ("1M (synthetic)", None)]:
        if pairs is None:
            pairs = synthesise(big, 1_000_000)
        before = rss_mb()
        with Timer() as build:
            searcher = Searcher(segments(pairs))
            text = searcher.text
            _ = text.zh_chars.grams, text.zh_unigrams, text.en_words.grams, text.en_word_pairs
            text.words_with_prefix("a")
        mb = rss_mb() - before
        lat, hits = [], 0
        for q in queries:
            with Timer() as t:
                found = searcher.concordance(q, k=K)
            lat.append(t.seconds)
            hits += len(found)
        folded = list(zip(text.zh, text.en, strict=True))
        index_of = {s.tuid: i for i, s in enumerate(searcher.segments)}
        agree = sum(
            sorted(index_of[h.segment.tuid] for h in searcher.concordance(q, k=K)) == linear(folded, q)
            for q in queries[:50]
        )
        p50, p95 = pct(lat)
        rows.append(
            f"| {name} ({len(pairs):,}) | {build.seconds:.1f} s | +{mb:.0f} MB | {p50:.2f} / {p95:.2f} ms | "
            f"{hits / len(queries):.1f} | {agree}/50 |"
        )
        print(rows[-1], flush=True)
        del searcher, text, folded
    print(
        f"\nconcordance, k={K}, {len(queries)} queries (zh 2-6 chars, the same in Traditional, en 2-3 words, "
        "en 1 word as prefix), one process, 2 cores"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()

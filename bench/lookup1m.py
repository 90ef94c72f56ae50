"""Benchmark (issue 26): fuzzy and concordance lookups on the mapped 1M set, this checkout against an earlier
one, each in a process of its own on the same set (the set's format did not change).

    python bench/lookup1m.py [--work /work/cache/serve1m/m1000000] [--before /work/wt/before/src] [--passes 3]

(--before: e.g. `git worktree add --detach /work/wt/before 2720155`, the code before the count filter
read only the short lists.) Uses the store and lexical set that bench/serve1m.py made. The queries are the
serve1m benchmark's kind, drawn from the store (seed 3): 150 Chinese units and 50 English ones for fuzzy
(k 5, 70%), and bench/mapped_lexical.concordance_queries for concordance (k 20). Each process opens the
set, runs one lookup of each kind to load what the first one loads (jieba), then every query `--passes`
times; the two checkouts run in turn twice, and the second round is reported (the first reads the set's
pages into the page cache). Per engine: mean, p50, p95 and max (ms) and the slowest queries. The hits
(tuids and scores, snippets) of the two processes must be equal: the filters only save work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mapped_lexical import concordance_queries

SRC = Path(__file__).resolve().parents[1] / "src"


def queries(work: Path) -> dict[str, list[str]]:
    """The serve1m kind of queries, from the store."""
    with sqlite3.connect(work / "mem.db") as con:
        rows = con.execute("SELECT zh, en FROM segments").fetchall()
    sample = random.Random(3).sample(rows, 400)
    return {
        "fuzzy": [zh for zh, _ in sample[:150]] + [en for _, en in sample[150:200]],
        "concordance": concordance_queries(sample, 200),
    }


def child(work: str, passes: int) -> None:
    """In the process of one checkout: time every query, print the figures and the hits as JSON."""
    from termtm.search.concordance import kwic
    from termtm.search.indexset import LexicalSet

    qs = queries(Path(work))
    ls = LexicalSet.open(Path(work) / "mem.index")
    assert ls is not None
    ls.fuzzy("warm-up", 1)
    kwic("反拐工作领导小组" * 8, 30, 32, 15)
    run = {
        "fuzzy": lambda q: [(s.tuid, m.score) for s, m in ls.fuzzy(q, 5, 70)],
        "concordance": lambda q: [(s.tuid, m.kwic.left, m.kwic.right) for s, m in ls.concordance(q, 20)],
    }
    out: dict = {}
    for name, fn in run.items():
        times: list[float] = []
        hits = []
        per_query: dict[str, float] = {}
        for p in range(passes):
            for q in qs[name]:
                t = time.perf_counter()
                found = fn(q)
                took = time.perf_counter() - t
                times.append(took)
                per_query[q] = max(per_query.get(q, 0.0), took)
                if p == 0:
                    hits.append(found)
        ms = np.array(times) * 1000
        slow = sorted(per_query.items(), key=lambda kv: -kv[1])[:5]
        out[name] = {
            "lookups": len(ms),
            "mean": round(float(ms.mean()), 2),
            "p50": round(float(np.percentile(ms, 50)), 2),
            "p95": round(float(np.percentile(ms, 95)), 2),
            "max": round(float(ms.max()), 1),
            "slowest": [[q[:40], round(t * 1000, 1)] for q, t in slow],
            "hits": hits,
        }
    print(json.dumps(out, ensure_ascii=False))


def measure(src: Path, work: Path, passes: int) -> dict:
    env = {**os.environ, "PYTHONPATH": f"{src}:{Path(__file__).resolve().parent}"}
    code = f"import lookup1m; lookup1m.child({str(work)!r}, {passes})"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/work/cache/serve1m/m1000000"))
    ap.add_argument("--before", type=Path, default=Path("/work/wt/before/src"))
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    for _ in range(2):  # the first round reads the set's pages into the page cache for both
        before = measure(args.before, args.work, args.passes)
        now = measure(SRC, args.work, args.passes)
    report: dict = {}
    for name in ("fuzzy", "concordance"):
        same = before[name].pop("hits") == now[name].pop("hits")
        ratio = {k: round(before[name][k] / now[name][k], 2) for k in ("mean", "p50", "p95", "max")}
        report[name] = {"before": before[name], "now": now[name], "before/now": ratio, "same hits": same}
        print(f"{name}: before {before[name]['mean']} ms mean, p95 {before[name]['p95']}, max {before[name]['max']}; "
              f"now {now[name]['mean']} ms mean, p95 {now[name]['p95']}, max {now[name]['max']}; "
              f"before/now {ratio}; same hits: {same}", flush=True)  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

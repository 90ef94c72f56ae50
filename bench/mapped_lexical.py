"""Benchmark: the memory-mapped lexical index set against today's per-process build, in one run (issue 26).

    nice -n 15 python bench/mapped_lexical.py [--sizes 100000,1000000] [--cache /work/cache/index1m]

For each memory (the fuzzy protocol's tm100k, and the synthetic 1M of bench/memories.py) in a SQLite store:
  baseline  a fresh process does what a worker does today: Searcher.from_store, first fuzzy and concordance
            lookups build the indexes; build time, RSS/USS/PSS, fuzzy and concordance p50/p95
  build     `sync_lexical` writes the set (one segment) from the store
  mapped    a fresh process maps it (LexicalSet.open + Searcher.from_index): map time, RSS/USS/PSS after
            mapping and after the queries, p50/p95; its hits are compared with the baseline's
  import    10,000 new units inserted into the store; `sync_lexical` adds them as a segment (time until
            searchable), then the mapped lookups again over two segments, and `compact` time
Memory figures come from /proc/PID/smaps_rollup: USS = private pages, PSS = private + shared/sharers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memories import load_tsv, pct, protocol_files, synthesise

K_FUZZY, K_CONC = 5, 20


def smaps() -> dict[str, float]:
    """RSS, PSS and USS of this process in MB."""
    out: dict[str, float] = {}
    with open(f"/proc/{os.getpid()}/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0].rstrip(":") in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                out[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {
        "rss": round(out["Rss"], 1),
        "pss": round(out["Pss"], 1),
        "uss": round(out["Private_Clean"] + out["Private_Dirty"], 1),
    }


def make_store(url: str, pairs: list[tuple[str, str]], document: str = "mem", start: int = 0) -> None:
    """Insert the pairs as segments in one transaction (executemany: the benchmark's shortcut for a 1M import)."""
    from sqlalchemy import insert

    from termtm.store import open_store
    from termtm.store.repository import bump_version
    from termtm.store.schema import segments

    store = open_store(url)
    rows = [
        {
            "tuid": f"{document}:{start + i}",
            "zh": zh,
            "en": en,
            "document": document,
            "article": "",
            "paragraph": start + i,
            "sentence": 0,
            "kind": "body",
            "provenance": "imported",
            "status": "draft",
            "origin": "",
            "note": "",
            "creationdate": "20260101T000000Z",
            "changedate": "20260101T000000Z",
            "changeid": "",
        }
        for i, (zh, en) in enumerate(pairs)
    ]
    with store.engine.begin() as conn:
        for i in range(0, len(rows), 50_000):
            conn.execute(insert(segments), rows[i : i + 50_000])
        bump_version(conn)
    store.engine.dispose()


def fuzzy_queries(protocol: Path) -> list[str]:
    """The protocol's 200 perturbed and 50 exact Chinese queries and its English reverse queries."""
    data = json.loads((protocol / "queries.json").read_text(encoding="utf-8"))
    return [q["q"] for q in data["queries"]] + [q.get("q", "") for q in data.get("reverse", [])]


def concordance_queries(pairs: list[tuple[str, str]], n: int = 200) -> list[str]:
    """Phrases cut from random sentences: Chinese 2-6 characters, English 1-3 words (a quarter each kind)."""
    rng = random.Random(7)
    out: list[str] = []
    while len(out) < n:
        zh, en = rng.choice(pairs)
        if len(out) % 2 == 0:
            runs = re.findall(r"[\u4e00-\u9fff]{2,}", zh)
            if runs:
                run = rng.choice(runs)
                size = rng.randint(2, min(6, len(run)))
                s = rng.randint(0, len(run) - size)
                out.append(run[s : s + size])
        else:
            words = re.findall(r"[A-Za-z]+", en)
            if len(words) >= 3:
                size = rng.randint(1, 3)
                s = rng.randint(0, len(words) - size)
                out.append(" ".join(words[s : s + size]))
    return out


def child(mode: str, url: str, index: str, queries_path: str) -> None:
    """One serving-like process: build (baseline) or map (mapped), then answer every query; print JSON."""
    from termtm.search import Searcher
    from termtm.search.indexset import LexicalSet
    from termtm.store import open_store

    qs = json.loads(Path(queries_path).read_text(encoding="utf-8"))
    out: dict = {"start": smaps()}
    t0 = time.perf_counter()
    if mode == "baseline":
        store = open_store(url)
        searcher = Searcher.from_store(store)
        out["load_s"] = round(time.perf_counter() - t0, 2)
        searcher.fuzzy("warm-up 预热", k=1)
        searcher.concordance("预热", k=1)
        searcher.concordance("warm up", k=1)
        out["ready_s"] = round(time.perf_counter() - t0, 2)
    else:
        mapped = LexicalSet.open(Path(index))
        assert mapped is not None
        searcher = Searcher.from_index(mapped)
        out["ready_s"] = round(time.perf_counter() - t0, 4)
    out["ready"] = smaps()
    results: dict[str, list] = {"fuzzy": [], "concordance": []}
    lat: dict[str, list[float]] = {"fuzzy": [], "concordance": []}
    for q in qs["fuzzy"]:
        t = time.perf_counter()
        hits = searcher.fuzzy(q, k=K_FUZZY)
        lat["fuzzy"].append(time.perf_counter() - t)
        results["fuzzy"].append([(h.segment.tuid, h.score) for h in hits])
    for q in qs["concordance"]:
        t = time.perf_counter()
        hits2 = searcher.concordance(q, k=K_CONC)
        lat["concordance"].append(time.perf_counter() - t)
        results["concordance"].append([h.segment.tuid for h in hits2])
    # a second pass: the first touches each page once (page cache, not yet this process's mapping)
    lat2: dict[str, list[float]] = {"fuzzy": [], "concordance": []}
    for kind, fn in (("fuzzy", searcher.fuzzy), ("concordance", searcher.concordance)):
        for q in qs[kind]:
            t = time.perf_counter()
            fn(q)
            lat2[kind].append(time.perf_counter() - t)
    out["after"] = smaps()
    out["p"] = {k: [round(x, 2) for x in pct(v)] for k, v in lat.items()}
    out["p_warm"] = {k: [round(x, 2) for x in pct(v)] for k, v in lat2.items()}
    out["results"] = results
    print(json.dumps(out))


def run_child(mode: str, url: str, index: Path, queries_path: Path) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--url",
        url,
        "--index",
        str(index),
        "--queries",
        str(queries_path),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(size: int, protocol: Path, cache: Path, report: list[str]) -> None:
    from termtm.app.lexical_index import compact_lexical, sync_lexical
    from termtm.search.indexset import status
    from termtm.store import open_store

    base = load_tsv(protocol / "tm100k.tsv")
    t = time.perf_counter()
    pairs = base[:size] if size <= len(base) else synthesise(base, size)
    made = time.perf_counter() - t
    folder = cache / f"mem{size}"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "store.db"
    url = f"sqlite:///{db}"
    index = folder / "store.index"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    import shutil

    shutil.rmtree(index, ignore_errors=True)
    t = time.perf_counter()
    make_store(url, pairs)
    stored = time.perf_counter() - t
    qpath = folder / "queries.json"
    qs = {"fuzzy": fuzzy_queries(protocol), "concordance": concordance_queries(base[:7000])}
    qpath.write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
    print(f"[{size}] memory made in {made:.0f} s, stored in {stored:.0f} s", flush=True)

    baseline = run_child("baseline", url, index, qpath)
    print(f"[{size}] baseline ready in {baseline['ready_s']} s, {baseline['ready']}", flush=True)
    store = open_store(url)
    t = time.perf_counter()
    built = sync_lexical(index, store)
    build_s = time.perf_counter() - t
    disk = status(index)["bytes"] / 1e6
    print(f"[{size}] set built in {build_s:.1f} s ({disk:.0f} MB)", flush=True)
    mapped = run_child("mapped", url, index, qpath)
    mapped2 = run_child("mapped", url, index, qpath)  # a second process: the set's pages already cached
    same_f = sum(a == b for a, b in zip(baseline["results"]["fuzzy"], mapped["results"]["fuzzy"], strict=True))
    same_c = sum(
        a == b for a, b in zip(baseline["results"]["concordance"], mapped["results"]["concordance"], strict=True)
    )

    # an import of 10,000 new units (variants of the base memory with a marker) made searchable by a delta
    rng = random.Random(11)
    new = [(zh + "（新）", en + " (new)") for zh, en in rng.sample(base, 10_000)]
    make_store(url, new, document="import", start=0)
    t = time.perf_counter()
    delta = sync_lexical(index, store)
    delta_s = time.perf_counter() - t
    after = run_child("mapped", url, index, qpath)
    from termtm.search import Searcher
    from termtm.search.indexset import LexicalSet

    probe = Searcher.from_index(LexicalSet.open(index))  # type: ignore[arg-type]
    found = sum(probe.fuzzy(zh, k=1)[0].segment.tuid == f"import:{i}" for i, (zh, _) in enumerate(new[:200]))
    t = time.perf_counter()
    compacted = compact_lexical(index)
    compact_s = time.perf_counter() - t
    store.engine.dispose()

    n = len(qs["fuzzy"])
    fmt = lambda p: f"{p[0]:.2f} / {p[1]:.2f}"  # noqa: E731
    report += [
        f"### {size:,} segments (memory made in {made:.0f} s, stored in {stored:.0f} s)",
        "",
        "| | baseline (build in process) | mapped (first process) | mapped (second process) |",
        "|---|---|---|---|",
        f"| ready (load + build, or map) | {baseline['ready_s']} s (store read {baseline['load_s']} s) | "
        f"{mapped['ready_s'] * 1000:.0f} ms | {mapped2['ready_s'] * 1000:.0f} ms |",
        f"| RSS / PSS / USS when ready, MB | {baseline['ready']['rss']} / {baseline['ready']['pss']} / "
        f"{baseline['ready']['uss']} | {mapped['ready']['rss']} / {mapped['ready']['pss']} / {mapped['ready']['uss']}"
        f" | {mapped2['ready']['rss']} / {mapped2['ready']['pss']} / {mapped2['ready']['uss']} |",
        f"| RSS / PSS / USS after the queries, MB | {baseline['after']['rss']} / {baseline['after']['pss']} / "
        f"{baseline['after']['uss']} | {mapped['after']['rss']} / {mapped['after']['pss']} / {mapped['after']['uss']}"
        f" | {mapped2['after']['rss']} / {mapped2['after']['pss']} / {mapped2['after']['uss']} |",
        f"| fuzzy p50 / p95 ms (first pass) | {fmt(baseline['p']['fuzzy'])} | {fmt(mapped['p']['fuzzy'])} | "
        f"{fmt(mapped2['p']['fuzzy'])} |",
        f"| fuzzy p50 / p95 ms (second pass) | {fmt(baseline['p_warm']['fuzzy'])} | "
        f"{fmt(mapped['p_warm']['fuzzy'])} | {fmt(mapped2['p_warm']['fuzzy'])} |",
        f"| concordance p50 / p95 ms (first pass) | {fmt(baseline['p']['concordance'])} | "
        f"{fmt(mapped['p']['concordance'])} | {fmt(mapped2['p']['concordance'])} |",
        f"| concordance p50 / p95 ms (second pass) | {fmt(baseline['p_warm']['concordance'])} | "
        f"{fmt(mapped['p_warm']['concordance'])} | {fmt(mapped2['p_warm']['concordance'])} |",
        "",
        f"- set built by `sync_lexical` in {build_s:.1f} s ({built.kind}), {disk:.0f} MB on disk; mapped hits equal "
        f"the baseline's for {same_f}/{n} fuzzy and {same_c}/{len(qs['concordance'])} concordance queries",
        f"- import of 10,000 units: searchable after {delta_s:.1f} s ({delta.kind}: {delta.added} added, "
        f"{delta.segments} segments); {found}/200 probed found as top fuzzy match; over two segments fuzzy "
        f"{fmt(after['p_warm']['fuzzy'])} ms, concordance {fmt(after['p_warm']['concordance'])} ms (second pass); "
        f"USS {after['after']['uss']} MB",
        f"- `compact` of the two segments: {compact_s:.1f} s ({compacted.units:,} units)",
        "",
    ]
    print("\n".join(report[-18:]), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--cache", type=Path, default=Path("/work/cache/index1m"))
    ap.add_argument("--child")
    ap.add_argument("--url")
    ap.add_argument("--index")
    ap.add_argument("--queries")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.url, args.index, args.queries)
        return
    protocol = protocol_files(args.cache / "protocol")
    report = [f"mapped lexical index set, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", ""]
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(size, protocol, args.cache, report)
    print("\n".join(report))


if __name__ == "__main__":
    main()

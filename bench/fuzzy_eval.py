"""Benchmark: termtm's fuzzy matcher on the peers' protocol, beside translate-toolkit's matcher, in one run.

    python bench/fuzzy_eval.py [OUT_DIR] [--no-1m] [--toolkit-queries N]

OUT_DIR (default /tmp/termtm-fuzzy) receives tm7k.tsv, tm100k.tsv and queries.json from
../shared/bench/fuzzy_protocol.py. For 7.4k and 100k (and a synthetic 1M, see bench/memories.py) it prints
build time, memory, p50/p95 latency over the 250 queries (200 perturbed, 50 exact; k=5, min 70) and the share
of perturbed queries recovered as the protocol defines it: the top match is the original sentence, or a unit
with the same English (variants of one sentence tie in the larger memories). Then translate-toolkit's
matcher on the same memories, as shipped (defaults but min_similarity=70) and patched (ties ordered,
max_length=1000): latency, recall, queries that raised (ties at 100k make its heap compare units:
TypeError), speed ratio against termtm, and agreement with termtm on the top match.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from memories import Timer, load_tsv, pct, protocol_files, rss_mb, segments, synthesise

from termtm.search import Searcher


def recovered(top_zh: str | None, top_en: str | None, q: dict) -> bool:
    """The protocol's definition: top match is the original, or a unit with the same English."""
    return top_zh == q["orig"] or (top_en is not None and top_en == q["en"])


def run_termtm(pairs, queries) -> dict:
    """Build the index and run every query; return figures and the top match of each query."""
    before = rss_mb()
    with Timer() as build:
        searcher = Searcher(segments(pairs))
        _ = searcher.text.zh_chars.grams, searcher.text.en_words.grams
    lat, tops = [], []
    for q in queries:
        with Timer() as t:
            hits = searcher.fuzzy(q["q"], k=5, min_score=70)
        lat.append(t.seconds)
        tops.append((hits[0].segment.zh, hits[0].segment.en, hits[0].score) if hits else (None, None, None))
    return {"build": build.seconds, "mb": rss_mb() - before, "lat": lat, "tops": tops}


def run_toolkit(pairs, queries, *, patched: bool) -> dict:
    """translate-toolkit's matcher (linear scan over length-sorted units) on the same memory.

    As shipped: defaults (max_length=70) but min_similarity=70. Patched: units made orderable so that equal
    scores no longer raise, and max_length=1000 so that long sentences are compared at all.
    """
    from translate.search.match import matcher
    from translate.storage import base

    store = base.TranslationStore()
    for zh, en in pairs:
        unit = base.TranslationUnit(zh)
        unit.target = en
        store.addunit(unit)
    if patched:
        base.TranslationUnit.__lt__ = lambda a, b: id(a) < id(b)  # any order breaks the heap's ties
    try:
        with Timer() as build:
            m = matcher(store, max_candidates=5, min_similarity=70, max_length=1000 if patched else 70)
        lat, tops, errors = [], [], 0
        for q in queries:
            with Timer() as t:
                try:
                    hits = m.matches(q["q"])
                except TypeError:  # equal scores make heapq compare two units
                    hits, errors = [], errors + 1
            lat.append(t.seconds)
            tops.append((str(hits[0].source), str(hits[0].target)) if hits else (None, None))
    finally:
        if patched:
            del base.TranslationUnit.__lt__
    return {
        "build": build.seconds,
        "lat": lat,
        "tops": tops,
        "errors": errors,
        "label": "translate-toolkit, ties ordered, max_length=1000" if patched else "translate-toolkit as shipped",
    }


def report(name: str, queries: list[dict], ours: dict, toolkits: list[dict]) -> list[str]:
    """Table rows for one memory."""
    perturbed = [i for i, q in enumerate(queries) if q["kind"] == "perturbed"]
    exact = [i for i, q in enumerate(queries) if q["kind"] == "exact"]
    rec = sum(recovered(*ours["tops"][i][:2], queries[i]) for i in perturbed) / len(perturbed)
    ex = sum(ours["tops"][i][2] == 100.0 and ours["tops"][i][0] == queries[i]["orig"] for i in exact) / len(exact)
    p50, p95 = pct(ours["lat"])
    rows = [
        f"| termtm | {name} | {p50:.2f} / {p95:.2f} ms | {100 * rec:.1f}% | exact query at 100% first: "
        f"{100 * ex:.0f}%; index built in {ours['build']:.1f} s, +{ours['mb']:.0f} MB |"
    ]
    for tk in toolkits:
        n = len(tk["lat"])
        idx = [i for i in perturbed if i < n]
        tk_rec = sum(recovered(*tk["tops"][i], queries[i]) for i in idx) / len(idx)
        t50, t95 = pct(tk["lat"])
        same = sum(tk["tops"][i][0] == ours["tops"][i][0] for i in range(n)) / n
        same_en = sum(tk["tops"][i][1] == ours["tops"][i][1] for i in range(n)) / n
        rows.append(
            f"| {tk['label']} | {name} | {t50:.2f} / {t95:.2f} ms | {100 * tk_rec:.1f}% | "
            f"{tk['errors']} of {n} queries raised TypeError; slower than termtm {t50 / p50:.0f}x (p50), "
            f"{t95 / p95:.0f}x (p95); same top unit as termtm {100 * same:.1f}%, same English "
            f"{100 * same_en:.1f}% |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="/tmp/termtm-fuzzy", type=Path)
    ap.add_argument("--no-1m", action="store_true", help="skip the synthetic 1M memory")
    ap.add_argument("--toolkit-queries", type=int, default=250, help="queries for the toolkit (it is slow)")
    args = ap.parse_args()
    out = protocol_files(args.out)
    queries = json.loads((out / "queries.json").read_text(encoding="utf-8"))["queries"]
    rows = ["| engine | memory | p50 / p95 | perturbed recovered | notes |", "|---|---|---|---|---|"]
    for name, file in [("7.4k", "tm7k.tsv"), ("100k", "tm100k.tsv")]:
        pairs = load_tsv(out / file)
        ours = run_termtm(pairs, queries)
        tks = [run_toolkit(pairs, queries[: args.toolkit_queries], patched=p) for p in (False, True)]
        rows += report(f"{name} ({len(pairs):,})", queries, ours, tks)
        print("\n".join(rows[-3:]), flush=True)
    if not args.no_1m:
        with Timer() as syn:
            pairs = synthesise(load_tsv(out / "tm100k.tsv"), 1_000_000)
        ours = run_termtm(pairs, queries)
        rows += report(f"1M ({len(pairs):,}, synthesised in {syn.seconds:.0f} s)", queries, ours, [])
    print("\nfuzzy matching, k=5, min 70%, 250 queries (200 perturbed + 50 exact) per memory, one process, 2 cores")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

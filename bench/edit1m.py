"""Benchmark (issue 26): an editor's change to one unit of the served 1M memory, made straight in the store
(as another host or the editing page would), while 8 clients query `termtm serve --workers 4`.

    python bench/edit1m.py [--work /work/cache/serve1m/m1000000] [--seconds 180] [--out edit1m.json]

Uses the memory bench/serve1m.py made (its store, lexical set and semantic index). The edit is journalled
with the store version it makes (the `changes` table), so each index reads that one unit and marks its old
rows dead (no rebuild, no comparison with the whole store); a worker of a mapped memory this large makes the
update in a background thread (web.services.BACKGROUND_SYNC_FROM) while it answers from the indexes it has.
(Before the journal, both indexes compared the whole store with what they held: 107 s or more at 1M.)
Reported: when fresh connections find the new English by concordance and by meaning, whether the old
English still finds the unit, the background clients' requests, errors and p50/p95, the workers' memory,
and the indexes' dead counts after.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve1m import Server, load_cell, path_of, request, smaps

STAMP = time.strftime("%H%M%S")
NEW_EN = f"Editors of the bulletin revised this sentence at {STAMP} for the benchmark."  # new at each run


def main() -> None:
    from termtm.model import Status
    from termtm.store import open_store
    from termtm.store.editing import edit_segment

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/work/cache/serve1m/m1000000"))
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--tuid", default="mem:7")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    info = json.loads((args.work / "info.json").read_text())
    store = open_store(info["url"])
    before = store.get(args.tuid)
    assert before is not None, args.tuid
    src = Path(__file__).resolve().parents[1] / "src"
    server = Server(src, args.work, info["url"], info["index"], 4)
    out: dict = {"tuid": args.tuid, "old_en": before.en, "new_en": NEW_EN}
    try:
        out["first_answer_s"] = server.wait()
        sample = info["memory_sample"]
        mix = [zh for zh, _, _ in sample[:100]]
        bg: dict = {}
        worker = threading.Thread(target=lambda: bg.update(load_cell(server.port, "fuzzy", mix, 8, args.seconds)))
        worker.start()
        time.sleep(2)
        t0 = time.monotonic()
        edit_segment(store, args.tuid, en=NEW_EN, status=Status.APPROVED, user="bench", when="20261206T090000Z")
        checks = {
            "concordance": path_of("concordance", f"revised this sentence at {STAMP}"),
            "semantic": path_of("semantic", NEW_EN),
        }
        found: dict[str, float] = {}
        while len(found) < len(checks) and time.monotonic() - t0 < args.seconds - 5:
            for kind, path in checks.items():
                if kind not in found:
                    status, _, body = request(server.port, path, timeout=120)
                    if status == 200 and f'"{args.tuid}"' in body.decode("utf-8"):  # "mem:5", not "mem:512"
                        found[kind] = round(time.monotonic() - t0, 1)
            time.sleep(0.2)
        out["searchable_s"] = found
        _, _, body = request(server.port, path_of("concordance", before.en[:60]))
        out["old_english_still_finds_it"] = f'"{args.tuid}"' in body.decode("utf-8")
        worker.join()
        out["background"] = bg
        out["memory"] = {pid: smaps(pid) for pid in server.first}
    finally:
        server.stop()
        (args.work / "edit1m-server.log").write_text("".join(server.log), encoding="utf-8")
    semantic = json.loads((Path(info["index"]) / "semantic.json").read_text())
    lexical = json.loads((Path(info["index"]) / "lexical" / "manifest.json").read_text())
    out["semantic_dead_rows"] = len(semantic.get("dead", ()))
    out["semantic_segments"] = [s["vectors"] for s in semantic["segments"]]
    out["lexical_segments"] = [(s["units"], bool(s.get("dead"))) for s in lexical["segments"]]
    text = json.dumps(out, indent=1, ensure_ascii=False)
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

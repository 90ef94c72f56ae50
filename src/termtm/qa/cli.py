"""Inputs of `termtm check`: which units to check and which term base to check them against."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from termtm.errors import TermTMError
from termtm.model import TermBase
from termtm.qa.model import Unit
from termtm.qa.sources import raw_units


def load_units(args: argparse.Namespace, paths: Any, open_store: Callable[[argparse.Namespace], Any]) -> list[Unit]:
    """Units of FILE, of the raw OCR bulletin (--raw), or of the store."""
    if args.raw:
        if args.file:
            raise TermTMError("give either FILE or --raw, not both")
        if not paths.raw.exists():
            raise TermTMError(f"{paths.raw} is missing: run from the project root or pass --root")
        return raw_units(paths.raw.read_text(encoding="utf-8"))
    if args.file:
        from termtm.model import Lang
        from termtm.qa.sources import file_units

        path = Path(args.file)
        if not path.exists():
            raise TermTMError(f"{path}: no such file")
        src = Lang.parse(args.src_lang) if args.src_lang else None
        tgt = Lang.parse(args.tgt_lang) if args.tgt_lang else None
        return file_units(path.read_bytes(), path.name, src, tgt)
    units = [Unit(r.segment.tuid, r.segment.zh, r.segment.en) for r in open_store(args).records()]
    if not units:
        raise TermTMError("the store is empty: run `termtm build` first, or give a FILE")
    return units


def termbase_for(args: argparse.Namespace, paths: Any, open_store: Callable[[argparse.Namespace], Any]) -> TermBase:
    """The store's term base, or glossary/ when the store has none (checking a file before any build)."""
    termbase = open_store(args).termbase()
    if len(termbase):
        return termbase
    if paths.glossary.is_dir():
        from termtm.terms import load_glossary

        return load_glossary(paths.glossary)
    raise TermTMError("no term base: run `termtm build`, or run from a project root that has glossary/")

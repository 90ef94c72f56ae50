"""The store's memory and term base written in any format of the registry (formats.registry).

The build writes its TMX through here, `termtm export` and the web downloads too (through app.transfer),
so that the three write the same bytes for the same store.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from termtm.errors import TermTMError
from termtm.formats.registry import Export, Format, Kind, by_name
from termtm.store import Store


def memory_export(store: Store, when: str, document: str | None = None) -> Export:
    """The stored memory (or one document of it), with each unit's dates and editor."""
    records = list(store.records(document))
    return Export(
        when,
        segments=[r.segment for r in records],
        dates={r.segment.tuid: (r.creationdate, r.changedate) for r in records},
        changeids={r.segment.tuid: r.changeid for r in records if r.changeid},
    )


def terms_export(store: Store, when: str) -> Export:
    """The stored term base with its contexts (and the memory, whose units give TBX its context sentences)."""
    termbase = store.termbase()
    if not len(termbase):
        raise TermTMError("the store has no term base: run `termtm build` (or import a TBX/CSV) first")
    return Export(when, segments=[r.segment for r in store.records()], termbase=termbase, contexts=store.contexts())


def export_bytes(store: Store, fmt: Format, when: str, document: str | None = None) -> tuple[bytes, int]:
    """The store in format `fmt` (a memory format: the memory, or one `document`; a term format: the whole term
    base, whatever `document` says), and how many units or concepts that is."""
    export = memory_export(store, when, document) if fmt.kind is Kind.MEMORY else terms_export(store, when)
    return fmt.write(export), export.count(fmt.kind)


def export_file(store: Store, fmt: Format, out: Path, when: str, document: str | None = None) -> int:
    """Write the store to `out` in format `fmt`; return the number of units or concepts written."""
    data, n = export_bytes(store, fmt, when, document)
    write_if_changed(out, data)
    return n


def export_tmx(store: Store, out: Path, when: str, document: str | None = None) -> int:
    """Write the store (or one document of it) as TMX; return the number of units."""
    return export_file(store, by_name("tmx"), out, when, document)


def export_terms(store: Store, fmt: str, out: Path, date: str) -> int:
    """Write the stored term base in the term format named `fmt` (tbx, tbx2, term-csv, omegat; csv is term-csv);
    return the number of concepts."""
    entry = by_name("term-csv" if fmt == "csv" else fmt)
    if entry.kind is not Kind.TERMS:
        raise TermTMError(f"{fmt} is not a term base format: use tbx, tbx2, csv or omegat")
    return export_file(store, entry, out, date)


def write_if_changed(path: Path, data: bytes) -> None:
    """Write only on change, so that an idempotent build leaves files (and mtimes) alone."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # a temporary file of its own (not NAME.tmp), so that two exports to one path never share one
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        tmp.chmod(0o644)  # mkstemp's 0600 is for the moment of writing, not for the export
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)

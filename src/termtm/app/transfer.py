"""Use cases that move files in and out of the store: import a memory or a term base, export either.

The format of a file is the registry's business (formats.registry): these functions take the store and
the user's values, do the work all or nothing, and return what happened for the CLI (or a page) to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.app.indexes import held
from termtm.config import Settings
from termtm.errors import TermTMError
from termtm.exports import export_bytes, write_if_changed
from termtm.formats.inputs import check_size
from termtm.formats.registry import HEAD_BYTES, Contents, Format, Kind, by_name, sniff
from termtm.formats.tmx import tmx_now
from termtm.model import Lang, ParaKind, Provenance, Segment, Status
from termtm.search.indexset import LexicalUpdate
from termtm.search.semantic import Addition
from termtm.store import Store

if TYPE_CHECKING:
    from termtm.embed import Embedder
    from termtm.search import IndexUpdate

EXPORT_NAMES = {"csv": "term-csv"}
"""`termtm export --format` and the downloads call the term CSV `csv`, as they did before the registry."""


@dataclass(frozen=True, slots=True)
class IndexResult:
    """What became of the semantic index: updated (`update`), or left alone with a `warning` (another store's)."""

    directory: Path
    update: IndexUpdate | None = None
    warning: str = ""


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: `count` units into document `name` (kind memory) or concepts into term collection
    `name` (kind terms), with the store's added/changed/removed figures; `skipped` counts what the file held
    that is not imported (untranslated or fuzzy units, language sections in other languages)."""

    kind: Kind
    format: str
    name: str
    count: int
    added: int
    changed: int
    removed: int
    skipped: dict[str, int]
    index: IndexResult | None = None
    lexical: LexicalUpdate | None = None


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote: `count` units (kind memory) or concepts (kind terms) to `path`."""

    kind: Kind
    format: str
    path: Path
    count: int


def import_file(
    settings: Settings,
    store: Callable[[], Store],
    path: Path,
    *,
    document: str | None = None,
    replace_existing: bool = False,
    terms: bool = False,
    src: Lang | None = None,
    tgt: Lang | None = None,
    index: bool = False,
    approved_only: bool = False,
) -> Imported:
    """Import a memory (TMX, XLIFF, PO, CSV) as a document, or a term base (TBX, term CSV, OmegaT glossary) as
    a term collection, all or nothing; the format is sniffed (`terms` says the file is a term base).

    `store` opens the store: it is called once the file has been read whole, so that a missing, oversize or
    broken file never opens (or creates) one. A semantic index that exists is brought up to date after a
    memory import (`index` creates one). With `approved_only`, an XLIFF brings only its approved units.
    """
    if not path.is_file():
        raise TermTMError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
    check_size(path.stat().st_size, path.name)  # before reading: an oversize file is never loaded
    data = path.read_bytes()
    fmt = sniff(path.name, data[:HEAD_BYTES], Kind.TERMS if terms else None)
    name = document or path.stem
    if fmt.kind is Kind.TERMS:
        return _import_terms(store, fmt, path, data, name, replace_existing)
    contents = fmt.read(data, path.name, src=src, tgt=tgt, approved_only=approved_only)
    segs = _segments(contents, name, path.name)
    return _import_memory(settings, store(), fmt, contents, segs, name, replace_existing, index)


def _import_memory(
    settings: Settings,
    store: Store,
    fmt: Format,
    contents: Contents,
    segs: list[Segment],
    name: str,
    replace_existing: bool,
    index: bool,
) -> Imported:
    """Store the units of a memory file as document `name`; update the semantic index if there is one."""
    if name in dict(store.documents()) and not replace_existing:
        raise TermTMError(f"document {name!r} is already in the store: pass --replace or --document NAME")
    directory = settings.index_dir
    keep_lexical = (directory / "lexical" / "manifest.json").exists()  # keep an existing mapped set in step
    keep_semantic = index or (directory / "semantic.json").exists()  # and an existing semantic index
    lexical = result = None
    # The indexes' locks are held from before the commit until both are updated: serving workers that see
    # the new store version meanwhile answer from the indexes they have instead of updating them too.
    with held(directory, lexical=keep_lexical, semantic=keep_semantic):
        before = store.version()
        added, changed, removed = store.replace_document(name, segs, tmx_now())
        # a document new to the store, added whole: the indexes read its units alone (Addition says when
        # that is exact: the indexes stamped `before` and the store one change further)
        addition = Addition(name, before) if added == len(segs) and not changed and not removed else None
        if keep_lexical:
            from termtm.app.lexical_index import sync_lexical

            lexical = sync_lexical(directory, store, added=addition)
        if keep_semantic:
            from termtm.embed import MemoEmbedder, embedder_from_name

            embedder = MemoEmbedder(embedder_from_name(settings.embedder))
            result = update_search_index(directory, store, embedder, addition)
    return Imported(Kind.MEMORY, fmt.name, name, len(segs), added, changed, removed, contents.skipped, result, lexical)


def _segments(contents: Contents, document: str, origin: str) -> list[Segment]:
    """The units of a memory file as draft segments of `document`, in file order, tuids `document:unit id`."""
    return [
        Segment(
            tuid=f"{document}:{u.id}",
            zh=u.zh,
            en=u.en,
            document=document,
            sentence=n,
            kind=ParaKind.BODY,
            provenance=Provenance.IMPORTED,
            status=Status.DRAFT,
            props={"origin": origin},
        )
        for n, u in enumerate(contents.units)
    ]


def _import_terms(
    opener: Callable[[], Store], fmt: Format, path: Path, data: bytes, name: str, replace_existing: bool
) -> Imported:
    """Import a term base file as the term collection `name`, with the contexts the memory gives its terms."""
    from termtm.terms.attest import find_contexts

    contents = fmt.read(data, path.name, prefix=collection_prefix(name))
    concepts = [replace(c, origin=path.name) for c in contents.concepts]
    store = opener()
    if name in dict(store.collections()) and not replace_existing:
        raise TermTMError(f"term collection {name!r} is already in the store: pass --replace or --document NAME")
    segs = [(r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()]
    # the concepts and their contexts in one transaction: a crash leaves both or neither
    added, changed, removed = store.replace_concepts(name, concepts, contexts=lambda tb: find_contexts(tb, segs))
    return Imported(Kind.TERMS, fmt.name, name, len(concepts), added, changed, removed, contents.skipped)


def collection_prefix(name: str) -> str:
    """The prefix of a term collection's concept ids: its name in lower case, letters and digits, a letter first."""
    prefix = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "imported"
    return prefix if prefix[0].isalpha() else f"t{prefix}"


def update_search_index(
    directory: Path, store: Store, embedder: Embedder, added: Addition | None = None
) -> IndexResult:
    """Bring the semantic index in `directory` up to date with the store; only text missing from its cache is
    encoded (`added`: the store's last change added that document whole). An index of another store is left
    alone, with a warning to show."""
    from termtm.search import sync_index
    from termtm.search.semantic import IndexOfAnotherStore

    try:
        return IndexResult(directory, update=sync_index(directory, store, embedder, added))
    except IndexOfAnotherStore as err:
        return IndexResult(directory, warning=str(err))


def export_format(name: str) -> Format:
    """The registry entry for an export's format name (`csv` is the term CSV, as it always was)."""
    return by_name(EXPORT_NAMES.get(name, name))


def export_data(store: Store, fmt_name: str, document: str | None = None) -> tuple[bytes, Format, int]:
    """The store in the named format, dated now: its bytes, the format, and how many units or concepts."""
    fmt = export_format(fmt_name)
    data, n = export_bytes(store, fmt, tmx_now(), document)
    return data, fmt, n


def export(store: Store, fmt_name: str, out: Path, document: str | None = None) -> Exported:
    """Write the memory (a memory format; or one `document` of it) or the term base (a term format) to `out`."""
    data, fmt, n = export_data(store, fmt_name, document)
    write_if_changed(out, data)
    return Exported(fmt.kind, fmt.name, out, n)

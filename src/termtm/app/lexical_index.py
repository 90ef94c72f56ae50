"""Keep the mapped lexical index set (search.indexset) up to the store: build it, add imports, compact it.

An update reads the store's journal (Store.changed_between) for the units changed since the set's stamp:
their rows as they are now go into one new small segment, and the units the set holds under those tuids
are marked dead. When the journal cannot say (a large change, or a set too far behind), the update
compares 64-bit hashes of every stored row with those the set holds instead. Past `REBUILD_SHARE` of the
memory changed, one full build is cheaper than a large delta.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
from sqlalchemy import select

from termtm.errors import TermTMError
from termtm.search import indexset
from termtm.search.indexset import LexicalSet, LexicalUpdate, lexical_dir, read_manifest
from termtm.search.mapped import IndexRow, row_hash
from termtm.search.semantic import Addition, index_lock
from termtm.store import Store
from termtm.store.repository import memory_rows
from termtm.store.schema import segments

REBUILD_SHARE = 0.5
_CHUNK = 50_000


class LexicalOfAnotherStore(TermTMError):
    """The lexical index directory holds the index of a different store."""


def store_rows(store: Store, document: str | None = None, tuids: Collection[str] | None = None) -> Iterator[IndexRow]:
    """Every stored unit (or one document's, or those of these tuids that are stored) as an IndexRow, in
    memory order (as Store.records sorts, with the database id)."""
    c = segments.c
    q = select(
        c.tuid, c.zh, c.en, c.document, c.article, c.paragraph, c.sentence, c.id,
        c.kind, c.provenance, c.status, c.note, c.origin,
    )  # fmt: skip
    if document is not None:
        q = q.where(c.document == document)
    with store.engine.connect() as conn:
        for r in memory_rows(conn, q, tuids):
            yield IndexRow._make(r)


def build_lexical(index_dir: Path, store: Store) -> LexicalUpdate:
    """Rebuild the set from the store as one segment."""
    version, identity = store.version(), store.identity()
    with index_lock(lexical_dir(index_dir)):
        return indexset.build(index_dir, list(store_rows(store)), store_version=version, store_id=identity)


def sync_lexical(
    index_dir: Path, store: Store, *, rebuild_share: float = REBUILD_SHARE, added: Addition | None = None
) -> LexicalUpdate:
    """Bring the set up to the store's version: build it if absent, else add what changed as a new segment.

    The version is read before the rows (as semantic.sync_index does): a write in between leaves the set
    stamped older than what it holds, so it is synced once more rather than looking fresh while stale.
    With `added` (the store's last change added that document whole), a set stamped `added.since` takes
    the document's rows as its new segment, without reading and hashing every stored row; so does any change
    whose units the store's journal names (an editor's edit at 1M: a second, where comparing took minutes).
    """
    start = time.perf_counter()
    version, identity = store.version(), store.identity()
    directory = lexical_dir(index_dir)
    with index_lock(directory):
        meta = read_manifest(directory)
        if meta is not None and meta.get("store", identity) != identity:
            raise LexicalOfAnotherStore(
                f"the lexical index in {directory} was built for another store: not updated "
                "(set TERMTM_INDEX_DIR or index_dir to this store's own index directory)"
            )
        if meta is not None and meta.get("store_version") == version:
            indexset.collect(directory, meta)  # what a killed update left (its lock is ours now)
            units = sum(e["units"] for e in meta["segments"])
            return LexicalUpdate("fresh", 0, 0, len(meta["segments"]), units, round(time.perf_counter() - start, 3))
        if added is not None and meta is not None and added.follows(meta.get("store_version"), version):
            rows = list(store_rows(store, added.document))
            if len(rows) <= rebuild_share * sum(e["units"] for e in meta["segments"]):
                return indexset.apply_delta(index_dir, rows, {}, store_version=version, store_id=identity)
        current = LexicalSet.open(index_dir) if meta is not None else None
        touched = store.changed_between(meta.get("store_version"), version) if meta is not None else None
        if current is not None and touched is not None and len(touched) <= rebuild_share * max(len(current), 1):
            rows = list(store_rows(store, tuids=touched))
            update = indexset.apply_delta(
                index_dir, rows, current.units_of(touched), store_version=version, store_id=identity
            )
            return dataclasses.replace(update, journal=True)
        if current is None:
            return indexset.build(index_dir, list(store_rows(store)), store_version=version, store_id=identity)
        new, dead = _delta(current, store)
        if len(new) > rebuild_share * max(len(current), 1):
            return indexset.build(index_dir, list(store_rows(store)), store_version=version, store_id=identity)
        return indexset.apply_delta(index_dir, new, dead, store_version=version, store_id=identity)


def _delta(current: LexicalSet, store: Store) -> tuple[list[IndexRow], dict[str, np.ndarray]]:
    """Rows the set lacks (new or changed), and per segment the local ids of units the store lost or changed."""
    parts = current.parts
    alive = [p.alive() for p in parts]
    known = np.concatenate([np.asarray(p.row_hash)[a] for p, a in zip(parts, alive, strict=True)] or [np.zeros(0)])
    known_sorted = np.sort(known.astype(np.uint64))
    added: list[IndexRow] = []
    stored: list[np.ndarray] = []
    chunk: list[IndexRow] = []

    def flush() -> None:
        hashes = np.fromiter((row_hash(r) for r in chunk), dtype=np.uint64, count=len(chunk))
        stored.append(hashes)
        pos = np.minimum(np.searchsorted(known_sorted, hashes), max(len(known_sorted) - 1, 0))
        new = (known_sorted[pos] != hashes) if len(known_sorted) else np.ones(len(chunk), dtype=bool)
        added.extend(chunk[i] for i in np.flatnonzero(new))
        chunk.clear()

    for row in store_rows(store):
        chunk.append(row)
        if len(chunk) == _CHUNK:
            flush()
    if chunk:
        flush()
    in_store = np.sort(np.concatenate(stored)) if stored else np.zeros(0, dtype=np.uint64)
    dead: dict[str, np.ndarray] = {}
    for p, a in zip(parts, alive, strict=True):
        hashes = np.asarray(p.row_hash)[a]
        gone = ~np.isin(hashes, in_store, assume_unique=False)
        if gone.any():
            dead[p.directory.name] = a[gone]
    return added, dead


def compact_lexical(index_dir: Path) -> LexicalUpdate:
    """Merge the set's segments into one (the store is not read)."""
    return indexset.compact(index_dir)

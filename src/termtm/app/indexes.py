"""Keeping a store's derived indexes in step with it: the mapped lexical set and the semantic index together.

Two kinds of caller bring them up to the store. An import holds their locks from before it commits until
both are updated (`held`), so that no serving worker sees the new store version while the indexes are
still being written and starts the same update itself. A serving worker (`sync`, with `wait` false) finds
the locks taken and goes on answering from the indexes it has mapped, instead of making a request wait:
the new units become searchable when the importer switches the manifests, and no request fails or stalls.
The locks are always taken in one order, lexical then semantic, so that two updaters cannot deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from termtm.app.lexical_index import LexicalOfAnotherStore, sync_lexical
from termtm.embed import Embedder
from termtm.search.indexset import lexical_dir
from termtm.search.semantic import IndexOfAnotherStore, index_lock, is_fresh, sync_index
from termtm.store import Store

logger = logging.getLogger(__name__)


def _directories(index_dir: Path, *, lexical: bool, semantic: bool) -> list[Path]:
    """The lock directories of the indexes named, in the one order they are locked."""
    return ([lexical_dir(index_dir)] if lexical else []) + ([index_dir] if semantic else [])


@contextmanager
def held(index_dir: Path, *, lexical: bool, semantic: bool, wait: bool = True) -> Iterator[bool]:
    """Hold the locks of the named indexes (waiting for them unless `wait` is false: then the context
    yields False, holding none, when another process or thread updates one of them)."""
    with ExitStack() as stack:
        for directory in _directories(index_dir, lexical=lexical, semantic=semantic):
            if not stack.enter_context(index_lock(directory, wait=wait)):
                yield False
                return
        yield True


def sync(
    index_dir: Path,
    store: Store,
    embedder: Callable[[], Embedder],
    *,
    lexical: bool,
    semantic: bool,
    wait: bool = True,
) -> bool:
    """Bring the named indexes up to the store; False when `wait` is false and another updater holds them.

    `embedder` is called only if the semantic index needs encoding work (a fresh one needs no model).
    An index that belongs to another store is left alone with a warning (the caller then searches without it).
    """
    with held(index_dir, lexical=lexical, semantic=semantic, wait=wait) as mine:
        if not mine:
            return False
        if lexical:
            try:
                sync_lexical(index_dir, store)
            except LexicalOfAnotherStore as err:
                logger.warning("%s", err)
        if semantic and not is_fresh(index_dir, store.version()):
            try:
                sync_index(index_dir, store, embedder())
            except IndexOfAnotherStore as err:
                logger.warning("%s", err)
        return True

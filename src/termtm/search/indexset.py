"""The lexical index set: immutable mapped segments named by one manifest, switched by an atomic rename.

Layout (in the store's index directory, beside the semantic index):
  lexical/manifest.json        format, generation G, store version and identity, the segments of G with
                               their dead lists, and the files of G-1 (kept for processes still reading it)
  lexical/seg-NNNNNN/          one index segment (search.mapped), never changed once written
  lexical/dead-G-seg-NNNNNN.npy  the units of a segment deleted or changed by generation G (bool per unit)
  lexical/.lock                held while a process updates the set (the semantic index's lock pattern)

An update writes its new files under temporary names, fsyncs them, renames them into place, replaces
manifest.json (the switch), and only then deletes files that neither the new nor the previous manifest
names. A process killed at any moment leaves the previous manifest in force over files that are all there;
leftovers of the killed update are deleted by the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from termtm.errors import TermTMError
from termtm.faults import checkpoint
from termtm.model import Segment
from termtm.search import concordance as conc
from termtm.search import fuzzy as fz
from termtm.search.mapped import IndexRow, MappedSegment, fsync_dir, load_array, save_array, write_segment
from termtm.search.semantic import index_lock

MANIFEST = "manifest.json"
FORMAT = 1


def lexical_dir(index_dir: Path) -> Path:
    """Where the lexical set lives inside an index directory."""
    return index_dir / "lexical"


@dataclass(frozen=True, slots=True)
class LexicalUpdate:
    """What an update did: fresh (nothing), built, delta (segment added), compacted, or stamped (version only)."""

    kind: str
    added: int
    dead: int
    segments: int
    units: int
    seconds: float
    journal: bool = False
    """The changed units were named by the store's journal, not found by comparing every stored row."""

    def to_json(self) -> dict[str, Any]:
        """The update as a JSON object."""
        return asdict(self)


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The current manifest of the lexical set in `directory` (the lexical/ folder), or None."""
    path = directory / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def is_lexical_fresh(index_dir: Path, version: int) -> bool:
    """Is there a lexical set, and does it reflect store version `version`?"""
    meta = read_manifest(lexical_dir(index_dir))
    return meta is not None and meta.get("store_version") == version


class LexicalSet:
    """The mapped segments of one manifest, searched as one memory (fuzzy and concordance)."""

    def __init__(self, directory: Path, meta: dict[str, Any], parts: list[MappedSegment]) -> None:
        self.directory, self.meta, self.parts = directory, meta, parts
        self.store_version: int | None = meta.get("store_version")
        self.store_id: int | None = meta.get("store")
        self.generation: int = int(meta["generation"])
        self._texts = [(p.text, p.originals) for p in parts]

    @classmethod
    def open(cls, index_dir: Path) -> LexicalSet | None:
        """Map the current set in `index_dir` (None when there is none).

        Every file is mapped now, so a later update deleting it cannot pull it from under a reader (a
        mapping keeps its file's pages). If an update switches and deletes files between reading the
        manifest and mapping them, the new manifest is read again.
        """
        directory = lexical_dir(index_dir)
        meta = read_manifest(directory)
        while meta is not None:
            try:
                return cls(directory, meta, [_open_part(directory, entry) for entry in meta["segments"]])
            except FileNotFoundError:
                newer = read_manifest(directory)
                if newer == meta:
                    raise
                meta = newer
        return None

    def __len__(self) -> int:
        return sum(len(p) - (int(p.dead.sum()) if p.dead is not None else 0) for p in self.parts)

    def _order(self, part: int, doc: int) -> tuple[str, str, int, int, int]:
        return self.parts[part].order(doc)

    def fuzzy(
        self, query: str, k: int = 5, min_score: float = fz.DEFAULT_MIN_SCORE
    ) -> list[tuple[Segment, fz.FuzzyMatch]]:
        """Fuzzy matches over every segment of the set, ranked as one memory would rank them."""
        found = fz.search_parts(self._texts, query, k=k, min_score=min_score, order=self._order)
        return [(self.parts[i].row(m.doc).segment(), m) for i, m in found]

    def concordance(self, query: str, k: int = 20) -> list[tuple[Segment, conc.ConcordanceMatch]]:
        """Concordance lines over every segment of the set, in memory order."""
        found = conc.search_parts(self._texts, query, k=k, order=self._order)
        return [(self.parts[i].row(m.doc).segment(), m) for i, m in found]

    def segment(self, tuid: str) -> Segment | None:
        """One live unit by tuid, from the mapped columns (no database access), or None."""
        for part in reversed(self.parts):  # a changed unit lives in the newest segment
            local = part.locate(tuid)
            if local is not None:
                return part.row(local).segment()
        return None

    def units_of(self, tuids: Iterable[str]) -> dict[str, np.ndarray]:
        """The live units of these tuids: {segment name: local ids}, as apply_delta marks them dead."""
        found: dict[str, list[int]] = {}
        for tuid in tuids:
            for part in self.parts:
                local = part.locate(tuid)
                if local is not None:
                    found.setdefault(part.directory.name, []).append(local)
        return {name: np.array(sorted(ids), dtype=np.int64) for name, ids in found.items()}

    def rows(self) -> Iterator[IndexRow]:
        """Every live unit, in memory order (segments merged by the memory-order key)."""
        ordered = sorted((p.order(int(i)), n, int(i)) for n, p in enumerate(self.parts) for i in p.alive())
        for _, n, i in ordered:
            yield self.parts[n].row(i)

    def tuids(self) -> Iterator[str]:
        """The live tuids (segment by segment)."""
        for p in self.parts:
            tuids = p.columns["tuid"]
            yield from (tuids[int(i)] for i in p.alive())


def _open_part(directory: Path, entry: dict[str, Any]) -> MappedSegment:
    dead = load_array(directory / entry["dead"]) if entry.get("dead") else None
    return MappedSegment(directory / entry["name"], dead)


def _files(meta: dict[str, Any] | None) -> set[str]:
    """The names (in lexical/) that a manifest's generation uses."""
    if meta is None:
        return set()
    return {e["name"] for e in meta["segments"]} | {e["dead"] for e in meta["segments"] if e.get("dead")}


def _next_segment_name(directory: Path) -> str:
    taken = [int(p.name[4:]) for p in directory.glob("seg-*") if p.name[4:].isdigit()]
    return f"seg-{max(taken, default=0) + 1:06d}"


def _switch(directory: Path, meta: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """Make `meta` the current manifest (fsynced temp file, atomic rename), then delete what no reader needs."""
    meta = {**meta, "previous": sorted(_files(previous))}
    tmp = directory / (MANIFEST + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta, indent=1) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    checkpoint("lexical.manifest")
    os.replace(tmp, directory / MANIFEST)
    fsync_dir(directory)
    checkpoint("lexical.switched")
    collect(directory, meta)


def collect(directory: Path, meta: dict[str, Any]) -> None:
    """Delete segments and dead lists that neither the current nor the previous generation names."""
    keep = _files(meta) | set(meta.get("previous", ())) | {MANIFEST, ".lock"}
    for path in directory.iterdir():
        if path.name in keep:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _write_new_segment(directory: Path, rows: Sequence[IndexRow]) -> str:
    """Write a segment under a temporary name and rename it into place; return its name."""
    name = _next_segment_name(directory)
    tmp = directory / f"{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    write_segment(tmp, rows)
    os.replace(tmp, directory / name)
    fsync_dir(directory)
    checkpoint("lexical.segment")
    return name


def _base_meta(generation: int, store_version: int | None, store_id: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"format": FORMAT, "generation": generation, "store_version": store_version}
    if store_id is not None:
        meta["store"] = store_id
    return meta


def build(
    index_dir: Path, rows: Sequence[IndexRow], *, store_version: int | None = None, store_id: int | None = None
) -> LexicalUpdate:
    """Replace the set by one segment of `rows` (in memory order). The caller holds the lock."""
    start = time.perf_counter()
    directory = lexical_dir(index_dir)
    directory.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(directory)
    name = _write_new_segment(directory, rows)
    meta = _base_meta(_generation(previous) + 1, store_version, store_id)
    meta["segments"] = [{"name": name, "units": len(rows), "dead": None}]
    _switch(directory, meta, previous)
    return LexicalUpdate("built", len(rows), 0, 1, len(rows), round(time.perf_counter() - start, 3))


def _generation(meta: dict[str, Any] | None) -> int:
    return int(meta["generation"]) if meta else 0


def apply_delta(
    index_dir: Path,
    added: Sequence[IndexRow],
    dead: dict[str, np.ndarray],
    *,
    store_version: int | None,
    store_id: int | None,
) -> LexicalUpdate:
    """Add a segment of `added` rows and mark units dead ({segment name: local ids}). The caller holds the lock.

    With nothing to add or kill, only the store version stamp changes (a manifest switch, no new files).
    """
    start = time.perf_counter()
    directory = lexical_dir(index_dir)
    previous = read_manifest(directory)
    if previous is None:
        raise TermTMError(f"no lexical index in {index_dir}: run `termtm index build`")
    generation = _generation(previous) + 1
    entries = []
    killed = 0
    for entry in previous["segments"]:
        new_dead = dead.get(entry["name"])
        if new_dead is not None and len(new_dead):
            mask = np.zeros(entry["units"], dtype=bool)
            if entry.get("dead"):
                mask |= np.asarray(load_array(directory / entry["dead"]))
            killed += int((~mask[new_dead]).sum())
            mask[new_dead] = True
            if mask.all():  # nothing of it is alive: drop it from the set
                continue
            name = f"dead-{generation}-{entry['name']}.npy"
            tmp = directory / (name + ".tmp")
            save_array(tmp, mask)
            os.replace(tmp, directory / name)
            entry = {**entry, "dead": name}
        entries.append(entry)
    if added:
        entries.append({"name": _write_new_segment(directory, added), "units": len(added), "dead": None})
    else:
        fsync_dir(directory)
    meta = _base_meta(generation, store_version, store_id if store_id is not None else previous.get("store"))
    meta["segments"] = entries
    _switch(directory, meta, previous)
    kind = "delta" if added or killed else "stamped"
    units = sum(e["units"] for e in entries)
    return LexicalUpdate(kind, len(added), killed, len(entries), units, round(time.perf_counter() - start, 3))


def compact(index_dir: Path) -> LexicalUpdate:
    """Merge every live unit of the set into one segment (from the mapped files: the store is not read)."""
    start = time.perf_counter()
    with index_lock(lexical_dir(index_dir)):
        current = LexicalSet.open(index_dir)
        if current is None:
            raise TermTMError(f"no lexical index in {index_dir}: run `termtm index build`")
        if len(current.parts) == 1 and current.parts[0].dead is None:
            n = len(current)
            return LexicalUpdate("fresh", 0, 0, 1, n, round(time.perf_counter() - start, 3))
        rows = list(current.rows())
        done = build(index_dir, rows, store_version=current.store_version, store_id=current.store_id)
    return LexicalUpdate("compacted", 0, 0, done.segments, done.units, round(time.perf_counter() - start, 3))


def status(index_dir: Path) -> dict[str, Any]:
    """The set's manifest with sizes: units and dead per segment, bytes on disk."""
    directory = lexical_dir(index_dir)
    meta = read_manifest(directory)
    if meta is None:
        return {"index": str(directory), "exists": False}
    segments = []
    for entry in meta["segments"]:
        dead = int(np.asarray(load_array(directory / entry["dead"])).sum()) if entry.get("dead") else 0
        size = sum(p.stat().st_size for p in (directory / entry["name"]).iterdir())
        segments.append({"name": entry["name"], "units": entry["units"], "dead": dead, "bytes": size})
    return {
        "index": str(directory),
        "exists": True,
        "generation": meta["generation"],
        "store_version": meta.get("store_version"),
        "segments": segments,
        "units": sum(s["units"] - s["dead"] for s in segments),
        "dead": sum(s["dead"] for s in segments),
        "bytes": sum(s["bytes"] for s in segments),
    }

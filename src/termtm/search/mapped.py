"""One index segment on disk: the folded text, its postings and the units' columns as .npy files, memory-mapped.

Every process that opens a segment maps the same files, so the operating system keeps one copy of their
pages for all of them, and opening costs a few hundred file opens instead of a build. The arrays are the
very ones `MemoryText` builds in memory (it builds them here too, once), so lookups find the same
candidates and the same scores.

A segment directory holds, for its units in memory order (local ids 0..n-1):
  <column>.bytes.npy / <column>.offsets.npy   UTF-8 strings (tuid, zh, en, folded zh and en, English word
                                              units, document, article, kind, provenance, status, note, origin)
  paragraph, sentence, dbid .npy              the rest of the memory-order key (document, article, paragraph,
                                              sentence, database id)
  tuid_hash, row_hash, tuid_order .npy        64-bit hashes of each tuid and of each whole row, to locate a
                                              unit by tuid and to tell what changed in the store
  <side>.lengths, <side>.by_length .npy       per side (zh, en): unit counts and their stable sort order
  <postings>.keys/.offsets/.docs[/.weights]   zh.grams, zh.units_count, en.grams, en.pairs, zh.unigrams
  vocab.words.*, vocab.ids.npy                English words (sorted) with the character each stands for
  meta.json                                   unit count and format
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, overload

import numpy as np

from termtm.model import ParaKind, Provenance, Segment, Status
from termtm.search.memorytext import MemoryText, SideUnits
from termtm.search.postings import Postings, Vocabulary, word_code_points

FORMAT = 1


class IndexRow(NamedTuple):
    """What the index keeps of one stored unit: its texts, the memory-order key and what a hit shows."""

    tuid: str
    zh: str
    en: str
    document: str
    article: str
    paragraph: int
    sentence: int
    dbid: int
    kind: str
    provenance: str
    status: str
    note: str
    origin: str

    @classmethod
    def of(cls, seg: Segment, dbid: int) -> IndexRow:
        """The row of a Segment (dbid: its database id, the last part of the memory order)."""
        return cls(
            seg.tuid,
            seg.zh,
            seg.en,
            seg.document,
            seg.article,
            seg.paragraph,
            seg.sentence,
            dbid,
            seg.kind.value,
            seg.provenance.value,
            seg.status.value,
            seg.note,
            seg.props.get("origin", ""),
        )

    def order(self) -> tuple[str, str, int, int, int]:
        """The memory-order key, as `Store.records` sorts."""
        return (self.document, self.article, self.paragraph, self.sentence, self.dbid)

    def segment(self) -> Segment:
        """The Segment this row stands for."""
        return Segment(
            self.tuid,
            self.zh,
            self.en,
            self.document,
            self.article,
            self.paragraph,
            self.sentence,
            ParaKind(self.kind),
            Provenance(self.provenance),
            Status(self.status),
            self.note,
            {"origin": self.origin} if self.origin else {},
        )


_TEXT_COLUMNS = ("tuid", "zh", "en", "document", "article", "kind", "provenance", "status", "note", "origin")
_INT_COLUMNS = ("paragraph", "sentence", "dbid")


def hash64(text: str) -> int:
    """A 64-bit hash that every process computes alike (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def row_hash(row: IndexRow) -> int:
    """A hash of everything the index keeps of a unit: a change to any of it makes the unit new."""
    return hash64("\x1f".join(str(v) for v in row))


class Strings(Sequence[str]):
    """A column of strings over one UTF-8 buffer and its offsets (both possibly memory-mapped)."""

    def __init__(self, buf: np.ndarray, offsets: np.ndarray) -> None:
        self.buf, self.offsets = buf, offsets
        self._view = buf.data if len(buf) else memoryview(b"")
        self._n = len(offsets) - 1

    @classmethod
    def pack(cls, texts: Sequence[str]) -> Strings:
        """Strings in memory (to be saved)."""
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.take(np.arange(self._n)[i])
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        item = self.offsets.item  # a Python int without a numpy scalar in between
        return str(self._view[item(i) : item(i + 1)], "utf-8", "surrogatepass")

    def take(self, idx: np.ndarray | Sequence[int]) -> list[str]:
        """The strings at these positions (one slice of the offsets, then one decode per string)."""
        idx = np.asarray(idx, dtype=np.int64)
        starts, ends = self.offsets[idx].tolist(), self.offsets[idx + 1].tolist()
        view = self._view
        return [str(view[a:b], "utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)]

    def __iter__(self) -> Iterator[str]:
        for i in range(0, self._n, 4096):
            yield from self.take(np.arange(i, min(i + 4096, self._n)))


def save_array(path: Path, array: np.ndarray) -> None:
    """Write one .npy and fsync it, so that a switch to a manifest naming it never finds it half written."""
    with path.open("wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())


def load_array(path: Path) -> np.ndarray:
    """Map one .npy read-only (an empty array cannot be mapped: it is read).

    The mapping is returned as a plain ndarray view of the same pages: numpy.memmap's own indexing costs
    a few microseconds a call, which the lookups' many small reads would pay (a third of fuzzy's time).
    """
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)
    except ValueError:  # numpy refuses to map a zero-length array
        return np.load(path, allow_pickle=False)


def _save_strings(directory: Path, name: str, strings: Strings) -> None:
    save_array(directory / f"{name}.bytes.npy", strings.buf)
    save_array(directory / f"{name}.offsets.npy", strings.offsets)


def _load_strings(directory: Path, name: str) -> Strings:
    return Strings(load_array(directory / f"{name}.bytes.npy"), load_array(directory / f"{name}.offsets.npy"))


def _save_postings(directory: Path, name: str, p: Postings) -> None:
    for part in ("keys", "offsets", "docs", "weights"):
        value = getattr(p, part)
        if value is not None:
            save_array(directory / f"{name}.{part}.npy", value)


def _load_postings(directory: Path, name: str) -> Postings:
    weights = directory / f"{name}.weights.npy"
    return Postings(
        load_array(directory / f"{name}.keys.npy"),
        load_array(directory / f"{name}.offsets.npy"),
        load_array(directory / f"{name}.docs.npy"),
        load_array(weights) if weights.exists() else None,
    )


def write_segment(directory: Path, rows: Sequence[IndexRow]) -> None:
    """Build the lexical indexes of `rows` (in memory order) as MemoryText does, and write them to `directory`."""
    directory.mkdir(parents=True)
    text = MemoryText([r.zh for r in rows], [r.en for r in rows])
    zh, en = text.zh_chars, text.en_words
    for name in _TEXT_COLUMNS:
        _save_strings(directory, name, Strings.pack([getattr(r, name) for r in rows]))
    for name in _INT_COLUMNS:
        save_array(directory / f"{name}.npy", np.array([getattr(r, name) for r in rows], dtype=np.int64))
    tuid_hash = np.array([hash64(r.tuid) for r in rows], dtype=np.uint64)
    save_array(directory / "tuid_hash.npy", tuid_hash)
    order = np.argsort(tuid_hash, kind="stable").astype(np.int64)
    save_array(directory / "tuid_order.npy", order)
    save_array(directory / "tuid_sorted.npy", tuid_hash[order])
    save_array(directory / "row_hash.npy", np.array([row_hash(r) for r in rows], dtype=np.uint64))
    _save_strings(directory, "zh.folded", Strings.pack(text.zh))
    _save_strings(directory, "en.folded", Strings.pack(text.en))
    _save_strings(directory, "en.units", Strings.pack(en.units))
    for name, side in (("zh", zh), ("en", en)):
        save_array(directory / f"{name}.lengths.npy", side.lengths)
        save_array(directory / f"{name}.by_length.npy", side._by_length[0])
        _save_postings(directory, f"{name}.grams", side.grams)
    _save_postings(directory, "zh.units_count", zh.units_count)
    _save_postings(directory, "en.pairs", text.en_word_pairs)
    _save_postings(directory, "zh.unigrams", text.zh_unigrams)
    words = sorted(text.vocab.ids)
    _save_strings(directory, "vocab.words", Strings.pack(words))
    save_array(directory / "vocab.ids.npy", np.array([text.vocab.ids[w] for w in words], dtype=np.int64))
    meta = {"format": FORMAT, "units": len(rows)}
    (directory / "meta.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    fsync_dir(directory)


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (new files, renames) durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _WordIds:
    """word -> id over the sorted mapped vocabulary, by binary search (no dict of a million words per process)."""

    def __init__(self, words: Strings, ids: np.ndarray) -> None:
        self.words, self.ids = words, ids

    def get(self, word: str, default: int | None = None) -> int | None:
        i = bisect.bisect_left(self.words, word)
        return int(self.ids[i]) if i < len(self.words) and self.words[i] == word else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __len__(self) -> int:
        return len(self.words)


class MappedVocabulary(Vocabulary):
    """The English vocabulary of a segment, read-only: queries are encoded, the memory never grows."""

    # A read-only stand-in for the base's dict: it has the get, `in` and len that encoding a query uses.
    ids: _WordIds  # type: ignore[assignment]  # narrows dict[str, int] to a non-dict; encode() is overridden

    def __init__(self, words: Strings, ids: np.ndarray) -> None:
        self.ids = _WordIds(words, ids)

    def encode(self, tokens: Sequence[str]) -> str:
        """A mapped vocabulary does not grow: memory text is encoded when a segment is written."""
        raise TypeError("a mapped vocabulary is read-only")


class MappedSide(SideUnits):
    """A language side whose units, lengths and postings are mapped arrays."""

    units: Strings

    def __init__(self, units: Strings, n: int, lengths: np.ndarray, by_length: np.ndarray) -> None:
        self.units = units
        self.n = n
        self.lengths = lengths
        self.__dict__["_by_length"] = (by_length, lengths[by_length])  # fills the cached property

    def pick(self, docs: np.ndarray) -> list[str]:
        """The unit strings of these segments, decoded from the mapped buffer."""
        return self.units.take(docs)


class MappedText(MemoryText):
    """A MemoryText whose folded texts and indexes are the mapped files of one segment."""

    zh: Strings
    en: Strings
    vocab: MappedVocabulary

    def __init__(self, directory: Path, dead: np.ndarray | None) -> None:
        d = directory
        self.zh = _load_strings(d, "zh.folded")
        self.en = _load_strings(d, "en.folded")
        self.vocab = MappedVocabulary(_load_strings(d, "vocab.words"), load_array(d / "vocab.ids.npy"))
        self.dead = dead
        zh = MappedSide(self.zh, 2, load_array(d / "zh.lengths.npy"), load_array(d / "zh.by_length.npy"))
        zh.__dict__["grams"] = _load_postings(d, "zh.grams")
        zh.__dict__["units_count"] = _load_postings(d, "zh.units_count")
        en = MappedSide(
            _load_strings(d, "en.units"), 1, load_array(d / "en.lengths.npy"), load_array(d / "en.by_length.npy")
        )
        en.__dict__["grams"] = _load_postings(d, "en.grams")
        for name, value in (
            ("zh_chars", zh),
            ("en_words", en),
            ("en_word_pairs", _load_postings(d, "en.pairs")),
            ("zh_unigrams", _load_postings(d, "zh.unigrams")),
            ("_sorted_words", self.vocab.ids.words),
        ):
            self.__dict__[name] = value

    def prefix_keys(self, prefix: str) -> np.ndarray:
        """The code points of the words starting with `prefix`: one slice of the sorted vocabulary's ids."""
        words = self.vocab.ids.words
        i = bisect.bisect_left(words, prefix)
        j = bisect.bisect_left(words, prefix + "\U0010ffff", lo=i)
        return np.unique(word_code_points(self.vocab.ids.ids[i:j]))


class MappedSegment:
    """One opened index segment: its MappedText for the engines and its columns for hits and updates."""

    def __init__(self, directory: Path, dead: np.ndarray | None = None) -> None:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: index format {meta.get('format')}, expected {FORMAT}")
        self.directory, self.size = directory, int(meta["units"])
        self.dead = dead if dead is not None and dead.any() else None
        self.text = MappedText(directory, self.dead)
        self.columns: dict[str, Any] = {name: _load_strings(directory, name) for name in _TEXT_COLUMNS}
        self.columns.update({name: load_array(directory / f"{name}.npy") for name in _INT_COLUMNS})
        self.tuid_hash = load_array(directory / "tuid_hash.npy")
        self.tuid_order = load_array(directory / "tuid_order.npy")
        self.tuid_sorted = load_array(directory / "tuid_sorted.npy")
        self.row_hash = load_array(directory / "row_hash.npy")
        self.originals = (self.columns["zh"], self.columns["en"])

    def __len__(self) -> int:
        return self.size

    def alive(self) -> np.ndarray:
        """Local ids of the units that are not dead, ascending."""
        return np.arange(self.size) if self.dead is None else np.flatnonzero(~self.dead)

    def is_dead(self, local: int) -> bool:
        """Was this unit deleted or changed since the segment was written?"""
        return self.dead is not None and bool(self.dead[local])

    def row(self, local: int) -> IndexRow:
        """Everything kept of one unit."""
        c = self.columns
        return IndexRow(
            *(c[name][local] for name in ("tuid", "zh", "en", "document", "article")),
            *(c[name].item(local) for name in _INT_COLUMNS),
            *(c[name][local] for name in ("kind", "provenance", "status", "note", "origin")),
        )

    def order(self, local: int) -> tuple[str, str, int, int, int]:
        """The memory-order key of one unit (to merge hits of several segments in memory order)."""
        c = self.columns
        return (
            c["document"][local],
            c["article"][local],
            c["paragraph"].item(local),
            c["sentence"].item(local),
            c["dbid"].item(local),
        )

    def locate(self, tuid: str) -> int | None:
        """The local id of a live unit by tuid, or None."""
        h = np.uint64(hash64(tuid))
        a = int(np.searchsorted(self.tuid_sorted, h))
        order, hashes, tuids = self.tuid_order, self.tuid_sorted, self.columns["tuid"]
        while a < self.size and hashes[a] == h:
            local = int(order[a])
            if tuids[local] == tuid and not self.is_dead(local):
                return local
            a += 1
        return None

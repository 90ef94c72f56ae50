"""Documents editors add to the memory: read, segment, align, review, commit, remove, re-align, export.

`add` reads both files with the corpus readers, splits each paragraph into sentences as the memory is
split, and aligns them as `termtm align` does; the alignment then waits for review (or is committed at
once). Review operations are saved one by one (store.documents). `commit` moves the reviewed beads into
the memory as units of a new document (provenance `aligned`, status `draft`), recognises the term base's
terms in them, brings the semantic index up to date if there is one, and runs the editorial checks on the
new units. Both the CLI (`termtm documents`) and the web (/documents, /api/v1/documents) call these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termtm.align import review
from termtm.align.dp import Bead
from termtm.align.texts import align_texts
from termtm.app.checking import check_units
from termtm.corpus.readers import Paragraph, read_document
from termtm.corpus.segment import split_en, split_zh
from termtm.errors import TermTMError
from termtm.exports import export_bytes
from termtm.formats.inputs import check_size
from termtm.formats.registry import Export, by_name
from termtm.model import Lang, ParaKind, Provenance, Segment, Status
from termtm.qa import Finding, Unit
from termtm.store import Store
from termtm.store.documents import (
    COMMITTED,
    REVIEW,
    Alignment,
    DocumentRecord,
    Documents,
    Sentence,
    StoredBead,
)
from termtm.store.editing import EditConflict
from termtm.terms.attest import find_contexts
from termtm.terms.recognize import Recognizer

if TYPE_CHECKING:
    from termtm.embed import Embedder

NAME = re.compile(r"^\w[\w.-]{0,99}$")
"""A document name: letters (any script), digits, dots, hyphens and underscores, at most 100 characters;
it is part of every unit's tuid and of the review page's address."""

OPERATIONS = ("merge", "split", "move", "unpair", "correct", "reject")
"""The review operations (besides undo), as the web form and the API name them; `reject` turns down an OCR
correction proposal (accepting one is a `correct`)."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as a user gave it: its name (which tells its format) and its bytes."""

    filename: str
    data: bytes

    @classmethod
    def from_path(cls, path: Path) -> Upload:
        """Read a file, refusing one over the import size limit before reading it."""
        if not path.is_file():
            raise TermTMError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
        check_size(path.stat().st_size, path.name)
        return cls(path.name, path.read_bytes())


@dataclass(frozen=True, slots=True)
class Encoders:
    """The aligner's sentence embedder and run encoder (None, None: length and dictionary cues only)."""

    embedder: Embedder | None = None
    runs: Embedder | None = None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A line of the documents list: a document in review or in the memory, with its units by status."""

    name: str
    src_lang: str
    tgt_lang: str
    state: str
    added_by: str
    added_at: str
    units: dict[str, int] = field(default_factory=dict)
    beads: int = 0

    def to_json(self) -> dict[str, Any]:
        """The shape of `termtm documents list --json` and GET /api/v1/documents."""
        return {
            "name": self.name,
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "state": self.state,
            "added_by": self.added_by,
            "added_at": self.added_at,
            "units": dict(self.units),
            "beads": self.beads,
        }


@dataclass(frozen=True, slots=True)
class BeadView:
    """A bead as the review screen and the API show it: its texts, its confidence, its place."""

    position: int
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    src_texts: tuple[str, ...]
    tgt_texts: tuple[str, ...]
    confidence: float | None
    reviewed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "src": list(self.src),
            "tgt": list(self.tgt),
            "src_text": list(self.src_texts),
            "tgt_text": list(self.tgt_texts),
            "confidence": self.confidence,
            "reviewed": self.reviewed,
        }


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A document's alignment for review: its record, its beads in document order, and the order to review."""

    record: DocumentRecord
    beads: list[BeadView]
    undoable: int

    def doubtful_first(self) -> list[BeadView]:
        """Beads by confidence, least confident first; beads without a confidence (reviewed ones) last."""
        return sorted(self.beads, key=confidence_order)

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "name": r.name,
            "src_lang": r.src_lang,
            "tgt_lang": r.tgt_lang,
            "state": r.state,
            "revision": r.revision,
            "added_by": r.added_by,
            "added_at": r.added_at,
            "undoable": self.undoable,
            "beads": [b.to_json() for b in self.beads],
            "review_order": [b.position for b in self.doubtful_first()],
        }


def confidence_order(b: BeadView) -> tuple[bool, float, int]:
    """Sort key: least confident first, unknown confidence last, then document order."""
    return (b.confidence is None, b.confidence if b.confidence is not None else 0.0, b.position)


@dataclass(frozen=True, slots=True)
class OcrProposal:
    """An OCR correction the cleaner proposes in one sentence (a deprecated variant of the term base, such as
    渭公河 for 湄公河), for the reviewer to accept or reject; never applied without them.

    `col` is the 1-based character where `original` starts in the sentence's `text`; `bead` is the position
    of the bead that holds the sentence.
    """

    side: str
    index: int
    bead: int
    col: int
    original: str
    proposed: str
    reason: str
    text: str

    @property
    def corrected(self) -> str:
        """The sentence with the proposal applied."""
        at = self.col - 1
        return self.text[:at] + self.proposed + self.text[at + len(self.original) :]

    @property
    def key(self) -> tuple[str, int, str, str]:
        """What a rejection names: the sentence and the two forms (the place may move as the text is corrected)."""
        return (self.side, self.index, self.original, self.proposed)

    def to_json(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "index": self.index,
            "bead": self.bead,
            "col": self.col,
            "original": self.original,
            "proposed": self.proposed,
            "reason": self.reason,
            "corrected": self.corrected,
        }


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What a commit did: units written, term occurrences recognised per language, index update, findings."""

    name: str
    units: int
    one_sided: int
    terms: dict[str, int]
    index: str
    findings: list[Finding]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "units": self.units,
            "one_sided": self.one_sided,
            "terms": dict(self.terms),
            "index": self.index,
            "findings": [f.to_json() for f in self.findings],
        }


def add(
    store: Store,
    name: str,
    src: Upload,
    tgt: Upload,
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    user: str,
    when: str,
    encoders: Encoders,
) -> ReviewView:
    """Read, segment and align a document pair; store it awaiting review. Nothing is stored on any error."""
    check_name(store, name)
    s_lang, t_lang = _lang_pair(src_lang, tgt_lang)
    src_sents = sentences(read_document(Path(src.filename), s_lang.short, data=src.data), s_lang, src.filename)
    tgt_sents = sentences(read_document(Path(tgt.filename), t_lang.short, data=tgt.data), t_lang, tgt.filename)
    beads = align(src_sents, tgt_sents, s_lang, t_lang, encoders)
    record = DocumentRecord(
        name, s_lang.short, t_lang.short, f"{src.filename} + {tgt.filename}", user, when, REVIEW, 1, when, user
    )
    Documents(store).add(record, src_sents, tgt_sents, beads)
    return view(store, name)


def add_bilingual(store: Store, name: str, upload: Upload, *, user: str, when: str) -> ReviewView:
    """Store the units of one bilingual TMX or XLIFF file as a document awaiting review, one bead per unit.

    The file pairs the sentences itself, so its beads carry no aligner confidence.
    """
    from termtm.formats import read_memory

    check_name(store, name)
    units = read_memory(upload.data, upload.filename, src=Lang.ZH, tgt=Lang.EN)
    src = [Sentence(u.zh, n) for n, u in enumerate(units)]
    tgt = [Sentence(u.en, n) for n, u in enumerate(units)]
    beads = [StoredBead((n,), (n,)) for n in range(len(units))]
    record = DocumentRecord(name, "zh", "en", upload.filename, user, when, REVIEW, 1, when, user)
    Documents(store).add(record, src, tgt, beads)
    return view(store, name)


def check_name(store: Store, name: str) -> None:
    """Refuse a malformed name, or one that a document (in review or in the memory) already has."""
    if not NAME.match(name):
        raise TermTMError(
            f"document name {name[:120]!r} is not usable: use letters, digits, '.', '-' or '_' "
            "(at most 100 characters, starting with a letter or digit)"
        )
    if Documents(store).get(name) is not None or name in dict(store.documents()):
        raise TermTMError(f"document {name!r} exists: choose another name, or remove it first")


def _lang_pair(src_lang: str, tgt_lang: str) -> tuple[Lang, Lang]:
    s, t = Lang.parse(src_lang), Lang.parse(tgt_lang)
    if s is t:
        raise TermTMError(f"both sides are {s.short}: a document pair is one Chinese and one English file")
    return s, t


def sentences(paragraphs: Sequence[Paragraph], lang: Lang, filename: str) -> list[Sentence]:
    """Each paragraph split into sentences as the memory is split, remembering its paragraph and heading."""
    split = split_zh if lang is Lang.ZH else split_en
    out = [
        Sentence(s.strip(), n, p.heading)
        for n, p in enumerate(paragraphs)
        for s in split(" ".join(p.text.split()) if lang is Lang.EN else "".join(p.text.splitlines()))
        if s.strip()
    ]
    if not out:
        raise TermTMError(f"{filename} has no sentences: give a document with text")
    return out


def align(
    src: Sequence[Sentence], tgt: Sequence[Sentence], s_lang: Lang, t_lang: Lang, enc: Encoders
) -> list[StoredBead]:
    """Align the sentences as `termtm align` does (paragraphs as anchors when both sides agree on them),
    and give every bead its confidence."""
    s_texts, t_texts = [s.text for s in src], [t.text for t in tgt]
    aligned = align_texts(
        _paragraph_text(src, s_lang),
        _paragraph_text(tgt, t_lang),
        src_lang=s_lang,
        tgt_lang=t_lang,
        embedder=enc.embedder,
        runs=enc.runs,
    )
    if aligned.src != s_texts or aligned.tgt != t_texts:  # resplitting a paragraph changed a sentence: keep ours
        aligned = align_texts(
            "\n".join(s_texts),
            "\n".join(t_texts),
            src_lang=s_lang,
            tgt_lang=t_lang,
            presplit=True,
            embedder=enc.embedder,
            runs=enc.runs,
        )
    return [StoredBead(b.src, b.tgt, c) for b, c in zip(aligned.beads, confidences(aligned.beads), strict=True)]


def _paragraph_text(sents: Sequence[Sentence], lang: Lang) -> str:
    """The sentences as lines of paragraphs, which align_texts splits again into the same sentences."""
    lines: dict[int, list[str]] = {}
    for s in sents:
        lines.setdefault(s.paragraph, []).append(s.text)
    return "\n".join(("" if lang is Lang.ZH else " ").join(p) for p in lines.values())


def confidences(beads: Sequence[Bead]) -> list[float | None]:
    """Each bead's confidence as the aligner computed it (Bead.confidence: the calibrated probability that the
    bead is right), or None where it has none; the review order and colours depend on this value only."""
    return [float(c) if (c := getattr(b, "confidence", None)) is not None else None for b in beads]


def list_documents(store: Store) -> list[DocumentInfo]:
    """Every document: those added here (in review or committed) and those built or imported into the memory."""
    docs = Documents(store)
    counts = docs.status_counts()
    out = []
    for r in docs.all():
        beads = len(docs.alignment(r.name).beads) if r.state == REVIEW else 0
        out.append(
            DocumentInfo(r.name, r.src_lang, r.tgt_lang, r.state, r.added_by, r.added_at, counts.pop(r.name, {}), beads)
        )
    for name, units in counts.items():  # the built bulletin and imported memories have no record
        out.append(DocumentInfo(name, "zh", "en", COMMITTED, "", "", units))
    return sorted(out, key=lambda d: d.name)


def view(store: Store, name: str) -> ReviewView:
    """The document's alignment with texts and confidences, as it stands."""
    return _view(Documents(store).alignment(name))


def _view(al: Alignment) -> ReviewView:
    beads = [
        BeadView(
            n,
            b.src,
            b.tgt,
            tuple(al.src[i].text for i in b.src),
            tuple(al.tgt[j].text for j in b.tgt),
            b.confidence,
            b.reviewed,
        )
        for n, b in enumerate(al.beads)
    ]
    return ReviewView(al.document, beads, al.undoable)


def ocr_proposals(store: Store, name: str) -> list[OcrProposal]:
    """The OCR corrections the cleaner proposes in the document's sentences, in bead order, less those the
    reviewer rejected (an undone rejection counts no more). An accepted one is gone because the text changed."""
    from termtm.corpus.reflow import propose_corrections
    from termtm.terms.ocr import ocr_variants

    docs = Documents(store)
    al = docs.alignment(name)
    variants = ocr_variants(store.termbase())
    if not variants:
        return []
    rejected = {
        (str(p.get("side")), int(p.get("index", -1)), str(p.get("original")), str(p.get("proposed")))
        for op, p in docs.operations(name)
        if op == "reject"
    }
    out: list[OcrProposal] = []
    for n, b in enumerate(al.beads):
        for side, ids, sents in (("src", b.src, al.src), ("tgt", b.tgt, al.tgt)):
            for i in ids:
                for p in propose_corrections([sents[i].text], variants):
                    found = OcrProposal(side, i, n, p.col, p.original, p.proposed, p.reason, sents[i].text)
                    if found.key not in rejected:
                        out.append(found)
    return out


def _proposal(store: Store, name: str, side: str, index: int, col: int) -> OcrProposal:
    """The proposal standing at that place of that sentence now, or an error that says to reload."""
    for p in ocr_proposals(store, name):
        if (p.side, p.index, p.col) == (side, index, col):
            return p
    raise TermTMError(f"no OCR correction is proposed there any more ({side} sentence {index + 1}): reload the page")


def accept_proposal(
    store: Store, name: str, side: str, index: int, col: int, *, seen: int, user: str, when: str
) -> tuple[OcrProposal, int]:
    """Apply a proposed OCR correction to its sentence as a `correct` operation (saved, undoable, checked
    against the revision the reviewer saw); the proposal and the new revision."""
    p = _proposal(store, name, side, index, col)
    params = {"side": side, "index": index, "text": p.corrected, "proposal": f"{p.original} → {p.proposed}"}
    return p, operate(store, name, "correct", params, seen=seen, user=user, when=when)


def reject_proposal(
    store: Store, name: str, side: str, index: int, col: int, *, seen: int, user: str, when: str
) -> tuple[OcrProposal, int]:
    """Turn a proposed OCR correction down: saved as a `reject` operation (undoable), the text unchanged."""
    p = _proposal(store, name, side, index, col)
    params = {"side": side, "index": index, "original": p.original, "proposed": p.proposed}
    return p, operate(store, name, "reject", params, seen=seen, user=user, when=when)


def operate(store: Store, name: str, op: str, params: dict[str, Any], *, seen: int, user: str, when: str) -> int:
    """Apply one review operation and save it at once; return the new revision.

    merge {bead}; split {bead, src_at, tgt_at}; move {bead, side, direction}; unpair {side, index};
    correct {side, index, text}; reject {side, index, original, proposed} (an OCR proposal turned down: the
    beads and texts stay). `seen` is the revision the reviewer's view showed.
    """
    docs = Documents(store)
    al = docs.alignment(name)
    if al.document.revision != seen:
        raise EditConflict(
            f"{name} was changed by {al.document.changeid} at {al.document.changedate} "
            f"(revision {al.document.revision}), after you opened revision {seen}: reload and redo"
        )
    if al.document.state != REVIEW:
        raise TermTMError(f"{name} is committed: re-align it to review it again")
    old = [Bead(b.src, b.tgt) for b in al.beads]
    texts: dict[tuple[str, int], str] = {}
    if op == "merge":
        new = review.merge(old, _int(params, "bead"))
    elif op == "split":
        new = review.split(old, _int(params, "bead"), _int(params, "src_at"), _int(params, "tgt_at"))
    elif op == "move":
        new = review.move(old, _int(params, "bead"), _side(params), _direction(params))
    elif op == "unpair":
        new = review.unpair(old, _side(params), _int(params, "index"))
    elif op == "correct":
        side, index, text = _side(params), _int(params, "index"), " ".join(str(params.get("text", "")).split())
        if not text:
            raise TermTMError("the corrected sentence is empty: type its text, or mark it as having no counterpart")
        if not 0 <= index < len(al.src if side == "src" else al.tgt):
            raise TermTMError(f"there is no {side} sentence {index + 1}")
        new, texts = old, {(side, index): text}
    elif op == "reject":
        _side(params)
        _int(params, "index")
        if not params.get("original") or not params.get("proposed"):
            raise TermTMError("a rejection names the proposal: original and proposed")
        new = old
    else:
        raise TermTMError(f"unknown operation {op!r}: use one of {', '.join(OPERATIONS)} or undo")
    kept = {(b.src, b.tgt): b for b in al.beads}
    stored = [kept.get((b.src, b.tgt)) or StoredBead(b.src, b.tgt, None, True) for b in new]
    if op == "correct":  # the corrected sentence's bead counts as reviewed
        stored = [
            StoredBead(b.src, b.tgt, None, True) if index in (b.src if side == "src" else b.tgt) else b for b in stored
        ]
    return docs.change(name, seen=seen, op=op, params=params, beads=stored, texts=texts, user=user, when=when)


def undo(store: Store, name: str, *, seen: int, user: str, when: str) -> str:
    """Take back the latest operation; return its name."""
    return Documents(store).undo(name, seen=seen, user=user, when=when)


def _int(params: dict[str, Any], key: str) -> int:
    try:
        return int(params[key])
    except (KeyError, TypeError, ValueError) as err:
        raise TermTMError(f"the operation needs {key} as a whole number") from err


def _side(params: dict[str, Any]) -> review.BeadSide:
    side = params.get("side")
    if side not in ("src", "tgt"):
        raise TermTMError("the operation needs side: src or tgt")
    return side


def _direction(params: dict[str, Any]) -> Any:
    direction = params.get("direction")
    if direction not in ("down", "up"):
        raise TermTMError("a move needs direction: down (to the next bead) or up (from the next bead)")
    return direction


def units(al: Alignment) -> tuple[list[Segment], int]:
    """The memory units of an alignment (beads with both sides), and how many one-sided beads are left out."""
    zh_src = al.document.src_lang == "zh"
    out: list[Segment] = []
    one_sided = 0
    for b in al.beads:
        if not b.src or not b.tgt:
            one_sided += 1
            continue
        s = [al.src[i] for i in b.src]
        t = [al.tgt[j] for j in b.tgt]
        zh, en = (s, t) if zh_src else (t, s)
        heading = all(x.heading for x in zh)
        out.append(
            Segment(
                tuid=f"{al.document.name}:u{len(out):05d}",
                zh="".join(x.text for x in zh),
                en=" ".join(x.text for x in en),
                document=al.document.name,
                paragraph=zh[0].paragraph,
                sentence=len(out),
                kind=ParaKind.HEADING if heading else ParaKind.BODY,
                provenance=Provenance.ALIGNED,
                status=Status.DRAFT,
                props={"origin": al.document.origin},
            )
        )
    return out, one_sided


def commit(
    store: Store,
    name: str,
    *,
    seen: int | None = None,
    user: str,
    when: str,
    index: Path | None = None,
    index_embedder: Callable[[], Embedder] | None = None,
) -> CommitResult:
    """Move the reviewed alignment into the memory; recognise terms, update the semantic index, check the units.

    The semantic index in `index` is updated (only the new units' text is encoded) when it exists;
    `index_embedder` gives its embedder, loaded only then.
    """
    docs = Documents(store)
    al = docs.alignment(name)
    segs, one_sided = units(al)
    docs.commit(name, segs, seen=al.document.revision if seen is None else seen, user=user, when=when)
    termbase = store.termbase()
    terms = {"zh": 0, "en": 0}
    if len(termbase):
        rec = Recognizer(termbase)
        for s in segs:
            terms["zh"] += len(rec.find(s.zh, "zh"))
            terms["en"] += len(rec.find(s.en, "en"))
        store.set_contexts(
            find_contexts(termbase, ((r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()))
        )
    findings = check_units([Unit(s.tuid, s.zh, s.en) for s in segs], termbase).findings
    return CommitResult(name, len(segs), one_sided, terms, _sync(store, index, index_embedder), findings)


def _sync(store: Store, index: Path | None, make: Callable[[], Embedder] | None) -> str:
    """Bring an existing semantic index up to the store, as `termtm import` does; say what happened."""
    if index is None or make is None or not (index / "semantic.json").exists():
        return "no semantic index"
    from termtm.search import sync_index

    up = sync_index(index, store, make())
    return f"{up.size} vectors ({'rebuilt' if up.rebuilt else f'{up.added} added'}, {up.encoded} texts encoded)"


def remove(
    store: Store,
    name: str,
    *,
    user: str,
    when: str,
    index: Path | None = None,
    index_embedder: Callable[[], Embedder] | None = None,
) -> int:
    """Remove a document and all its units (one audited transaction); return the number of units removed."""
    removed = Documents(store).remove(name, user=user, when=when)
    if removed:
        _refresh_terms(store)
        _sync(store, index, index_embedder)
    return removed


def _refresh_terms(store: Store) -> None:
    termbase = store.termbase()
    if len(termbase):
        store.set_contexts(
            find_contexts(termbase, ((r.segment.tuid, r.segment.zh, r.segment.en) for r in store.records()))
        )


def realign(store: Store, name: str, *, user: str, when: str, encoders: Encoders) -> ReviewView:
    """Align the document's (possibly corrected) sentences afresh and put it back in review; a committed
    document's units leave the memory."""
    docs = Documents(store)
    al = docs.alignment(name)
    s_lang, t_lang = _lang_pair(al.document.src_lang, al.document.tgt_lang)
    beads = align(al.src, al.tgt, s_lang, t_lang, encoders)
    removed, _ = docs.reopen(name, beads, seen=al.document.revision, user=user, when=when)
    if removed:
        _refresh_terms(store)
    return view(store, name)


def export_tmx(store: Store, name: str, when: str) -> tuple[bytes, int]:
    """A document as TMX: its units in the memory if committed, else the units its current alignment would give."""
    docs = Documents(store)
    record = docs.get(name)
    tmx = by_name("tmx")
    if record is None or record.state == COMMITTED:
        data, n = export_bytes(store, tmx, when, document=name)
        if not n:
            raise TermTMError(f"no document {name!r}: `termtm documents list` shows them")
        return data, n
    segs, _ = units(docs.alignment(name))
    return tmx.write(Export(when, segments=segs)), len(segs)

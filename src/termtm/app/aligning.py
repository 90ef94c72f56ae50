"""Aligning two texts sentence by sentence: the use case behind `termtm align`.

Plain texts (or one sentence per line, `presplit`) align as one run of sentences; two document files
(`@document …`) align paragraph by paragraph, as the build aligns the bulletin. The result is a file's
bytes in the format asked for; nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from termtm.align import align_documents, format_beads
from termtm.align.texts import AlignedText, align_texts
from termtm.app.documents import Encoders
from termtm.config import Settings
from termtm.corpus.docfile import parse_document
from termtm.errors import TermTMError
from termtm.formats.tmx import TmxHeader, write_tmx
from termtm.model import Lang, Segment

FORMATS = ("beads", "json", "tsv", "tmx")
"""beads: the gold format of ../shared/eval; json: beads with texts and confidence; tsv; tmx."""


@dataclass(frozen=True, slots=True)
class Alignment:
    """The aligned texts as a file's bytes, and how many one-sided beads a TMX left out."""

    data: bytes
    left_out: int = 0


def aligner_encoders(settings: Settings, runs: str | None = None, *, embed: bool = True) -> Encoders:
    """The aligner's sentence embedder (settings' embedder) and run encoder (`runs`, or the default), each
    memoising its texts; with `embed` false, neither (length, dictionary and anchors only)."""
    from termtm.embed import MemoEmbedder, embedder_from_name, run_encoder_from_name

    if not embed:
        return Encoders()
    run_encoder = run_encoder_from_name(runs)
    embedder = embedder_from_name(settings.embedder)
    return Encoders(MemoEmbedder(embedder), MemoEmbedder(run_encoder) if run_encoder is not None else None)


def is_document(text: str) -> bool:
    """Is this the project's document format (`@document …` first), which aligns paragraph by paragraph?"""
    return text.lstrip("\ufeff \n").startswith("@document")


def align(
    src_text: str,
    tgt_text: str,
    *,
    src_lang: Lang,
    tgt_lang: Lang,
    when: str,
    fmt: str = "tsv",
    presplit: bool = False,
    encoders: Encoders | None = None,
    name: str = "aligned",
) -> Alignment:
    """Align two texts and render the beads as `fmt` (FORMATS); `name` prefixes the TMX's tuids and `when`
    dates its header. Two document files align paragraph by paragraph, to TSV or TMX only."""
    if fmt not in FORMATS:
        raise TermTMError(f"unknown alignment format {fmt!r}: use {', '.join(FORMATS)}")
    enc = encoders or Encoders()
    if is_document(src_text) and is_document(tgt_text):
        if fmt in ("beads", "json") or presplit:
            raise TermTMError("document files align paragraph by paragraph: use --format tsv or tmx, and no --presplit")
        return Alignment(_align_document_files(src_text, tgt_text, src_lang, fmt, enc, when))
    aligned = align_texts(
        src_text,
        tgt_text,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        presplit=presplit,
        embedder=enc.embedder,
        runs=enc.runs,
    )
    return _render_beads(aligned, src_lang, tgt_lang, fmt, name, when)


def _render_beads(aligned: AlignedText, src_lang: Lang, tgt_lang: Lang, fmt: str, name: str, when: str) -> Alignment:
    """Beads as the gold format, JSON (with each bead's confidence), TSV (source, target) or TMX; TMX leaves
    out beads with an empty side."""
    if fmt == "beads":
        return Alignment(format_beads(aligned.beads).encode("utf-8"))
    pairs = [(" ".join(aligned.src[i] for i in b.src), " ".join(aligned.tgt[j] for j in b.tgt)) for b in aligned.beads]
    if fmt == "json":
        text = json.dumps(_bead_json(aligned, pairs, src_lang), ensure_ascii=False, indent=1) + "\n"
        return Alignment(text.encode("utf-8"))
    if fmt == "tsv":
        return Alignment("".join(f"{s}\t{t}\n" for s, t in pairs).encode("utf-8"))
    zh_first = src_lang is Lang.ZH or tgt_lang is not Lang.ZH
    segments = [
        Segment(tuid=f"{name}:{k:05d}", zh=s if zh_first else t, en=t if zh_first else s, document=name, sentence=k)
        for k, (s, t) in enumerate(pairs)
        if s and t
    ]
    return Alignment(_tmx(segments, src_lang, when), len(pairs) - len(segments))


def _bead_json(aligned: AlignedText, pairs: list[tuple[str, str]], src_lang: Lang) -> list[dict[str, object]]:
    """Each bead as {"src": [i, …], "tgt": [j, …], "zh": …, "en": …, "confidence": p}, 0-based as in beads."""
    out: list[dict[str, object]] = []
    for bead, (s, t) in zip(aligned.beads, pairs, strict=True):
        zh, en = (s, t) if src_lang is Lang.ZH else (t, s)
        conf = None if bead.confidence is None else round(bead.confidence, 4)
        out.append({"src": list(bead.src), "tgt": list(bead.tgt), "zh": zh, "en": en, "confidence": conf})
    return out


def _align_document_files(
    src_text: str, tgt_text: str, src_lang: Lang, fmt: str, encoders: Encoders, when: str
) -> bytes:
    """Align two document files paragraph by paragraph, as the build does; TSV or TMX."""
    src_doc, tgt_doc = parse_document(src_text), parse_document(tgt_text)
    zh, en = (src_doc, tgt_doc) if src_lang is Lang.ZH else (tgt_doc, src_doc)
    segments = align_documents(zh, en, embedder=encoders.embedder, runs=encoders.runs)
    if fmt == "tmx":
        return _tmx(segments, src_lang, when)
    rows = ((s.zh, s.en) if src_lang is Lang.ZH else (s.en, s.zh) for s in segments)
    return "".join(f"{a}\t{b}\n" for a, b in rows).encode("utf-8")


def _tmx(segments: list[Segment], src_lang: Lang, when: str) -> bytes:
    """The segments as TMX, with the source language in the header."""
    return write_tmx(segments, TmxHeader(creationdate=when, srclang=src_lang.value))

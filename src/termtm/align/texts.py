"""Align two plain texts: split into sentences, use paragraphs as anchors when both sides agree on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from termtm.align import cues
from termtm.align.dp import Bead
from termtm.align.sentences import EMBED_KIND, align_sentences, check_languages
from termtm.corpus.segment import split_en, split_zh
from termtm.embed import Embedder
from termtm.model import Lang

PARAGRAPH_RATIO_SLACK = 3.0
"""Paragraphs anchor only if each pair's length ratio is within this factor of the text's ratio."""


@dataclass(frozen=True, slots=True)
class AlignedText:
    """Both texts' sentences and the beads that pair them."""

    src: list[str]
    tgt: list[str]
    beads: list[Bead]


def align_texts(
    src: str,
    tgt: str,
    *,
    src_lang: Lang = Lang.ZH,
    tgt_lang: Lang = Lang.EN,
    presplit: bool = False,
    embedder: Embedder | None = None,
    runs: Embedder | None = None,
) -> AlignedText:
    """Split (unless `presplit`: one sentence per line) and align two texts.

    Without `presplit`, every non-empty line is a paragraph; when both texts
    have the same number of paragraphs and their lengths agree, sentences are
    aligned inside each paragraph pair, so that no bead crosses a paragraph.
    `runs` is the run encoder (see sentences.span_vectors).
    """
    if presplit:
        s_lines, t_lines = src.splitlines(), tgt.splitlines()
        return AlignedText(
            s_lines,
            t_lines,
            align_sentences(s_lines, t_lines, embedder=embedder, src_lang=src_lang, tgt_lang=tgt_lang, runs=runs),
        )
    s_paras = [_split(p, src_lang) for p in src.splitlines() if p.strip()]
    t_paras = [_split(p, tgt_lang) for p in tgt.splitlines() if p.strip()]
    s_all = [s for p in s_paras for s in p]
    t_all = [t for p in t_paras for t in p]
    check_languages(s_all, t_all, src_lang, tgt_lang)
    if not _paragraphs_agree(s_paras, t_paras):
        beads = align_sentences(s_all, t_all, embedder=embedder, src_lang=src_lang, tgt_lang=tgt_lang, runs=runs)
        return AlignedText(s_all, t_all, beads)
    if embedder is not None:  # one batch for the whole text; a memoising embedder then answers each paragraph
        embedder.encode(s_all + t_all, kind=EMBED_KIND)
    ratio = _ratio(s_all, t_all)
    beads: list[Bead] = []
    i0 = j0 = 0
    for sp, tp in zip(s_paras, t_paras, strict=True):
        paired = align_sentences(
            sp, tp, embedder=embedder, src_lang=src_lang, tgt_lang=tgt_lang, ratio=ratio, runs=runs
        )
        for b in paired:
            beads.append(b.shifted(i0, j0))
        i0, j0 = i0 + len(sp), j0 + len(tp)
    return AlignedText(s_all, t_all, beads)


def _split(paragraph: str, lang: Lang) -> list[str]:
    return split_zh(paragraph) if lang is Lang.ZH else split_en(paragraph)


def _ratio(src: Sequence[str], tgt: Sequence[str]) -> float:
    """Target characters per source character over the whole text."""
    return max(sum(map(cues.text_length, tgt)), 1) / max(sum(map(cues.text_length, src)), 1)


def _paragraphs_agree(src: Sequence[Sequence[str]], tgt: Sequence[Sequence[str]]) -> bool:
    """True if both sides have as many paragraphs and every pair's length fits the text's ratio."""
    if len(src) != len(tgt) or len(src) < 2:
        return False
    ratio = _ratio([s for p in src for s in p], [t for p in tgt for t in p])
    for sp, tp in zip(src, tgt, strict=True):
        r = _ratio(sp, tp) / ratio
        if not 1 / PARAGRAPH_RATIO_SLACK <= r <= PARAGRAPH_RATIO_SLACK:
            return False
    return True

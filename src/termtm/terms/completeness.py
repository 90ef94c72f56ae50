"""Completeness: candidate names and domain terms of the memory that no concept covers.

A candidate is something a translator would expect to find in the term base:
- a Latin-letter abbreviation (SOM5, UNIAP, SPA II), on either side;
- a 《…》 title;
- a jieba word of three or more characters ending in a name suffix
  (部, 委, 会, 办, 局, 组织, 项目, 计划, 宣言, 备忘录, 法, 中心, 学院, …), or a word
  jieba tags as a person, place, organisation or other proper name;
- a capitalised multiword name on the English side (body text, not titles,
  which are in title case).
A candidate is covered when a term of the base spans it (its last character
in Chinese, each capitalised word in English). What is left must be listed in
glossary/exclusions.yaml, each entry with a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from termtm.corpus.script import has_han
from termtm.errors import TermTMError
from termtm.model import ParaKind, Segment, TermBase
from termtm.terms.recognize import Recognizer, normalize_zh

SUFFIXES = (
    "部", "委", "会", "办", "局", "组织", "项目", "计划", "宣言", "备忘录", "法", "中心", "学院",
    "司", "室", "署", "厅", "院", "处", "所", "联", "社", "协会", "指南", "公约", "议定书", "条约", "进程",
)  # fmt: skip
PROPER_TAGS = ("nr", "ns", "nt", "nz")
ABBREV = re.compile(
    r"(?<![A-Za-z0-9])[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*(?:-[A-Z0-9]+)*(?:\s(?:I{1,3}|IV))?(?![A-Za-z0-9])"
)
TITLE = re.compile(r"《([^》]+)》")
CAP_NAME = re.compile(r"(?<![\w’'])[A-Z][\w’'-]*(?:\s+(?:(?:of|the|and|on|for|against|in|to|de)\s+)*[A-Z][\w’'-]*)+")
_OPENERS = "Mr Mrs Ms Dr The A An In On At This That These Those We Our It Its He She They As By For With To From"
_LINKERS = "And But Or If When While Since After Before During All Each Every Some Any"
_LINKERS += " Through Under Upon Among Following"
_DATES = "January February March April May June July August September October November December"
NOT_NAME_WORDS = frozenset(f"{_OPENERS} {_LINKERS} {_DATES}".split())
"""Sentence openers, honorifics and month names: capitalised, but not part of a name."""


@dataclass(frozen=True, slots=True)
class Gap:
    """A candidate term no concept covers, with where it was first seen."""

    text: str
    kind: str
    tuid: str


def candidates(segments: Sequence[Segment], termbase: TermBase) -> list[Gap]:
    """Uncovered candidates of the memory, first occurrence only, in memory order."""
    recognizer = Recognizer(termbase)
    zh_keys = [k for k in {normalize_zh(t.text)[0] for _, t in termbase.terms()} if k]
    seen: dict[str, Gap] = {}
    for s in segments:
        covered = _covered_zh(s.zh, zh_keys)
        for text, kind, end in _zh_candidates(s.zh):
            if not covered[end - 1]:
                seen.setdefault(text, Gap(text, kind, s.tuid))
        if s.kind in (ParaKind.TITLE, ParaKind.HEADING):
            continue
        spans = [(m.start, m.end) for m in recognizer.find_en(s.en)]
        for m in list(ABBREV.finditer(s.en)) + list(CAP_NAME.finditer(s.en)):
            if not _covered_en(m, spans):
                kind = "abbreviation" if ABBREV.fullmatch(m.group()) else "english name"
                seen.setdefault(m.group(), Gap(m.group(), kind, s.tuid))
    return list(seen.values())


def uncovered(termbase: TermBase, segments: Sequence[Segment], exclusions: Path) -> list[Gap]:
    """Candidates that are neither covered by a concept nor excluded with a reason."""
    excluded = load_exclusions(exclusions)
    return [c for c in candidates(segments, termbase) if c.text not in excluded]


def load_exclusions(path: Path) -> dict[str, str]:
    """text → reason, from `exclusions: [{reason: …, items: […]}]`; a missing file excludes nothing."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, str] = {}
    for n, group in enumerate(data.get("exclusions", [])):
        reason = str(group.get("reason") or "").strip()
        if not reason:
            raise TermTMError(f"{path.name}: exclusion group {n + 1} has no reason; every exclusion needs one")
        for item in group.get("items", []):
            out[str(item)] = reason
    return out


def _covered_zh(text: str, keys: Iterable[str]) -> list[bool]:
    """Per character of `text`: does any occurrence of any term span it?"""
    norm, offsets = normalize_zh(text)
    mask = [False] * len(text)
    for key in keys:
        start = norm.find(key)
        while start != -1:
            for i in range(offsets[start], offsets[start + len(key) - 1] + 1):
                mask[i] = True
            start = norm.find(key, start + 1)
    return mask


def _zh_candidates(text: str) -> Iterable[tuple[str, str, int]]:
    """(candidate, kind, end offset) in a Chinese text."""
    for m in ABBREV.finditer(text):
        yield m.group(), "abbreviation", m.end()
    for m in TITLE.finditer(text):
        yield m.group(1), "title", m.end(1)
    pos = 0
    for word, tag in _posseg()(text):
        start = text.find(word, pos)
        pos = start + len(word) if start >= 0 else pos
        if start < 0 or not has_han(word):
            continue
        if (len(word) >= 3 and word.endswith(SUFFIXES)) or (tag in PROPER_TAGS and len(word) >= 2):
            yield word, "name" if tag in PROPER_TAGS else "suffix", start + len(word)


def _covered_en(m: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    """Every capitalised word of the candidate (bar openers and honorifics) lies inside a term."""
    for w in re.finditer(r"[A-Z][\w’'-]*", m.group()):
        if w.group() in NOT_NAME_WORDS:
            continue
        a, b = m.start() + w.start(), m.start() + w.end()
        if not any(s <= a and b <= e for s, e in spans):
            return False
    return True


@cache
def _posseg() -> Callable[[str], list[tuple[str, str]]]:
    """jieba's part-of-speech segmenter, loaded once and quietly."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return lambda text: [(p.word, p.flag) for p in jieba.posseg.cut(text)]

"""Pure helpers that turn terms, spans and diffs into safe HTML for the templates.

Everything user-supplied goes through markupsafe.escape before tags are
added, so a query or a segment can never inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from termtm.corpus.script import HAN, HAN_RANGES

_HAN_OR_NOT = re.compile(f"[{HAN_RANGES}]+|[^{HAN_RANGES}]+")


def ruby(text: str, pinyin: str) -> Markup:
    """A Chinese term with its pinyin as ruby over each Han character; plain text if they do not line up.

    Each character is its own <ruby> with its own syllable, so that a syllable sits over its character
    and never runs into the next one's ("zuò fǎn duì", not "zuòfǎnduì").

    Pinyin has one syllable per Han character and one token per word of a
    Latin or digit run (see termtm.terms.pinyin.to_pinyin), so the two can
    be walked together.
    """
    tokens = pinyin.split()
    parts: list[Markup] = []
    pos = 0
    for run in _HAN_OR_NOT.findall(text):
        if HAN.match(run):
            readings = tokens[pos : pos + len(run)]
            pos += len(run)
            if len(readings) < len(run):
                break
            parts += [Markup("<ruby>{}<rt>{}</rt></ruby>").format(ch, r) for ch, r in zip(run, readings, strict=True)]
        else:
            pos += len(re.findall(r"[^\W_]+", run))
            parts.append(escape(run))
    if pos != len(tokens):
        return Markup('<span lang="zh-Hans">{}</span>').format(text)
    return Markup('<span lang="zh-Hans" class="ruby">{}</span>').format(Markup("").join(parts))


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """The text with each (start, end) span wrapped in <mark>; overlapping spans merge."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out.append(escape(text[pos:a]))
        out.append(Markup("<mark>{}</mark>").format(text[a:b]))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def diff_markup(diff: Sequence[dict[str, Any]]) -> Markup:
    """A fuzzy match with what differs from the query marked: <del> query text, <ins> match text."""
    out = []
    for d in diff:
        if d["op"] == "equal":
            out.append(escape(d["match"]))
            continue
        if d.get("query"):
            out.append(Markup('<del title="in your query">{}</del>').format(d["query"]))
        if d.get("match"):
            out.append(Markup('<ins title="in the memory">{}</ins>').format(d["match"]))
    return Markup("").join(out)

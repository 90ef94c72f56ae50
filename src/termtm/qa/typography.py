"""Script and typography: Traditional characters, punctuation width, brackets, repeated words, spaces.

These checks look at one side at a time, so they also run on the raw OCR bulletin (Chinese only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from termtm.corpus.script import HAN_RANGES, simplify
from termtm.qa.context import QAContext, strip_urls, untranslated
from termtm.qa.model import Finding, Severity, Unit

_CJK_PUNCT = "，。；：！？、（）《》“”‘’【】「」…—"
_HAN_OR_CJK = rf"[{HAN_RANGES}{_CJK_PUNCT}]"
_ASCII_IN_ZH = re.compile(rf"(?<={_HAN_OR_CJK})[,;:!?](?= ?(?:{_HAN_OR_CJK}|$))")
_WIDE_IN_EN = re.compile(r"[，。；：！？（）【】《》、\u3000\uff01-\uff5e]")
_FULL = dict(zip("，。；：！？（）【】、", ",.;:!?()[],", strict=True))
_HALF = dict(zip(",;:!?", "，；：！？", strict=True))

_PAIRS = {
    "zh": {"(": ")", "（": ")", "《": "》", "“": "”", "‘": "’", "【": "】", "「": "」", "[": "]"},
    "en": {"(": ")", "（": ")", "[": "]", "“": "”", "《": "》"},
}
_CLOSE_ALIAS = {"）": ")"}
_LIST_MARKER = re.compile(r"(?:(?<=^)|(?<=[\s：:，,；;]))[0-9a-z]{1,2}[)）]")
_REPEAT_WORD = re.compile(r"\b([A-Za-z]+)(?:\s+\1\b)+", re.IGNORECASE)
_REPEAT_HAN = re.compile(rf"([{HAN_RANGES}]{{2,4}})\1")
_DOUBLE_SPACE = re.compile(r"(?<=\S)(?: {2,}|\t+)(?=\S)")


def _sides(u: Unit) -> Iterator[tuple[str, str]]:
    """The Chinese, and the English unless the unit is untranslated (completeness reports that)."""
    yield "zh", u.zh
    if not untranslated(u):
        yield "en", u.en


def _finding(check: str, sev: Severity, u: Unit, lang: str, span: str, msg: str, fix: str = "") -> Finding:
    return Finding(check, sev, (u.tuid,), span if lang == "zh" else "", span if lang == "en" else "", msg, fix)


def traditional(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Traditional characters in Simplified Chinese: the characters OpenCC's t2s would change."""
    for u in units:
        simple = simplify(u.zh)
        if simple == u.zh:
            continue
        if len(simple) == len(u.zh):
            pairs = list(dict.fromkeys((a, b) for a, b in zip(u.zh, simple, strict=True) if a != b))
        else:  # a phrase conversion changed the length: report the whole segment
            pairs = [(u.zh, simple)]
        yield _finding(
            "traditional",
            Severity.WARNING,
            u,
            "zh",
            " ".join(a for a, _ in pairs),
            "Traditional characters in Simplified Chinese: " + ", ".join(f"{a}→{b}" for a, b in pairs),
            simple,
        )


def punctuation_width(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """ASCII punctuation between Chinese characters, and full-width punctuation in English."""
    for u in units:
        zh = strip_urls(u.zh)
        bad = [(m.start(), m.group()) for m in _ASCII_IN_ZH.finditer(zh)]
        if bad:
            spans = " ".join(zh[max(0, i - 1) : i + 2] for i, _ in bad)
            fix = "".join(_HALF.get(c, c) for _, c in bad[:1])
            yield _finding(
                "punctuation-width",
                Severity.WARNING,
                u,
                "zh",
                spans,
                f"{len(bad)} ASCII punctuation mark(s) between Chinese characters",
                f"use full-width {fix} in Chinese",
            )
        en = "" if untranslated(u) else strip_urls(u.en)
        wide = [(m.start(), m.group()) for m in _WIDE_IN_EN.finditer(en)]
        if wide:
            yield _finding(
                "punctuation-width",
                Severity.WARNING,
                u,
                "en",
                " ".join(en[max(0, i - 2) : i + 2] for i, _ in wide),
                f"{len(wide)} full-width character(s) in English",
                "use " + " ".join(f"{c}→{_FULL.get(c, '?')}" for _, c in wide[:3]),
            )


def unbalanced(text: str, lang: str) -> list[str]:
    """Brackets and quotes left open or closed without an opener; （ and ( count as one kind.

    A closing parenthesis with no opener after a list number ("1) renew …") is a list marker, not an error.
    """
    pairs = _PAIRS[lang]
    closers = {v: k for k, v in pairs.items()} | {a: pairs["("] for a in _CLOSE_ALIAS}
    text = strip_urls(text)
    markers = {m.end() - 1 for m in _LIST_MARKER.finditer(text)}
    stack: list[str] = []
    bad: list[str] = []
    for i, ch in enumerate(text):
        ch = _CLOSE_ALIAS.get(ch, ch)
        if ch in pairs:
            stack.append(ch)
        elif ch in closers:
            if stack and pairs[stack[-1]] == ch:
                stack.pop()
            elif i not in markers:
                bad.append(ch)
    if lang == "en" and text.count('"') % 2:
        bad.append('"')
    return bad + stack


def brackets(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Unbalanced brackets and quotes: 《》 “” （） () [] on each side."""
    for u in units:
        for lang, text in _sides(u):
            bad = unbalanced(text, lang)
            if bad:
                yield _finding(
                    "brackets",
                    Severity.ERROR,
                    u,
                    lang,
                    " ".join(bad),
                    "unbalanced brackets or quotes: " + " ".join(bad),
                    "close or remove the bracket or quote",
                )


def repeated_word(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """A word written twice in a row ("the the", 合作合作): usually an editing slip."""
    for u in units:
        for lang, text in _sides(u):
            text = strip_urls(text)
            reps = [m.group() for m in _REPEAT_WORD.finditer(text)]
            if lang == "zh":
                reps += [m.group() for m in _REPEAT_HAN.finditer(text)]
            if reps:
                yield _finding(
                    "repeated-word",
                    Severity.WARNING,
                    u,
                    lang,
                    " ".join(reps),
                    "repeated word: " + " | ".join(reps),
                    "delete the repetition",
                )


def double_space(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Two or more spaces (or a tab) between words."""
    for u in units:
        for lang, text in _sides(u):
            hits = list(_DOUBLE_SPACE.finditer(text))
            if hits:
                spans = " | ".join(text[max(0, m.start() - 6) : m.end() + 6] for m in hits)
                yield _finding(
                    "double-space", Severity.WARNING, u, lang, spans, f"{len(hits)} double space(s)", "use one space"
                )

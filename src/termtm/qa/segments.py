"""Segment-level checks: consistency of repeated sources or targets, and completeness."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from termtm.corpus.script import HAN
from termtm.qa.context import QAContext, norm_key, strip_urls, untranslated
from termtm.qa.model import Finding, Severity, Unit


def _groups(units: Sequence[Unit], key: str) -> Iterator[list[Unit]]:
    """Units grouped by the normalised text of one side, only groups whose other side differs."""
    other = "en" if key == "zh" else "zh"
    groups: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        if not untranslated(u):
            groups[norm_key(getattr(u, key))].append(u)
    for members in groups.values():
        if len({norm_key(getattr(u, other)) for u in members}) > 1:
            yield members


def same_source(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """The same Chinese translated differently: an editor must pick one rendering (or justify both)."""
    for members in _groups(units, "zh"):
        variants = sorted({u.en for u in members})
        yield Finding(
            "same-source",
            Severity.WARNING,
            tuple(u.tuid for u in members),
            members[0].zh,
            " | ".join(variants),
            f"the same source has {len(variants)} different translations",
            "use one translation for every occurrence",
        )


def same_target(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Different Chinese under one English: often a copy-paste left from a neighbouring segment."""
    for members in _groups(units, "en"):
        variants = sorted({u.zh for u in members})
        yield Finding(
            "same-target",
            Severity.WARNING,
            tuple(u.tuid for u in members),
            " | ".join(variants),
            members[0].en,
            f"{len(variants)} different sources share one translation",
            "check that each translation renders its own source",
        )


_GAP_ONLY = re.compile(r"(?:……|\[…\]|\s)+")


def _lost(text: str) -> bool:
    """Only gap marks: …… in the cleaned Chinese, […] in the English edition (text lost in the OCR)."""
    return bool(text) and _GAP_ONLY.fullmatch(text) is not None


def completeness(units: Sequence[Unit], ctx: QAContext) -> Iterator[Finding]:
    """Untranslated units: empty sides, target equal to source, or Chinese left in the English."""
    for u in units:
        zh, en = u.zh.strip(), u.en.strip()
        if _lost(zh) and _lost(en):
            continue  # a heading the OCR lost, marked as a gap on both sides: nothing to translate
        if not zh or not en:
            side = "Chinese" if not zh else "English"
            yield Finding("completeness", Severity.ERROR, (u.tuid,), u.zh, u.en, f"the {side} side is empty")
        elif untranslated(u):
            yield Finding(
                "completeness",
                Severity.ERROR,
                (u.tuid,),
                u.zh,
                u.en,
                "the English side is the Chinese text (untranslated)",
                "translate the segment",
            )
        else:
            left = "".join(HAN.findall(strip_urls(u.en)))
            if left:
                yield Finding(
                    "completeness",
                    Severity.WARNING,
                    (u.tuid,),
                    "",
                    left,
                    "Chinese characters left in the English (partly untranslated)",
                    "translate the Chinese words",
                )

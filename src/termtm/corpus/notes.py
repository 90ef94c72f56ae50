"""Translator's notes on memory units, and the provenance of back-translated articles.

`tmx/sources/unit-notes.yaml` keeps them out of the English prose:
- `back-translations` maps an article to the English original it was translated from: the bulletin
  prints a Chinese translation, so our English is a back-translation, not the official wording. Every
  unit of such an article gets provenance `back-translation` and a note naming the original; a printed
  English title keeps `printed` (it is the bulletin's own English) with a note saying so.
- `notes` puts a note on one unit, found by its article and a piece of its Chinese (and, where that
  piece also occurs in a title or heading, its kind). A note that finds no unit, or more than one,
  stops the build, so that no note is silently lost when the text changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import yaml

from termtm.errors import TermTMError
from termtm.model import ParaKind, Provenance, Segment

BACK_TRANSLATION = (
    "English original: {original}; this English is a back-translation of the bulletin's Chinese, not the official text."
)
PRINTED_TITLE = (
    "English original: {original}; the bulletin prints this title in English, and the article's other units "
    "are back-translations of its Chinese, not the official text."
)


@dataclass(frozen=True, slots=True)
class UnitNote:
    """A note for the one unit of `article` whose Chinese contains `zh` (and whose kind is `kind`, if given)."""

    article: str
    zh: str
    note: str
    kind: ParaKind | None = None


@dataclass(frozen=True, slots=True)
class UnitNotes:
    """The parsed unit-notes.yaml."""

    originals: dict[str, str] = field(default_factory=dict)
    notes: tuple[UnitNote, ...] = ()


def load_unit_notes(text: str, articles: Iterable[str]) -> UnitNotes:
    """Parse unit-notes.yaml, refusing unknown articles and entries without a note."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise TermTMError(f"unit-notes.yaml is not valid YAML: {err}") from None
    if not isinstance(data, dict) or set(data) - {"back-translations", "notes"}:
        raise TermTMError("unit-notes.yaml has two keys: back-translations (article: original) and notes (a list)")
    known = set(articles)
    originals = {str(k): str(v).strip() for k, v in (data.get("back-translations") or {}).items()}
    for article, original in originals.items():
        if article not in known or not original:
            raise TermTMError(f"unit-notes.yaml back-translations: {article!r} needs a known article and an original")
    notes = []
    for n, entry in enumerate(data.get("notes") or [], start=1):
        if not isinstance(entry, dict) or not {"article", "zh", "note"} <= set(entry):
            raise TermTMError(f"unit-notes.yaml note {n}: give article, zh (a piece of the unit's Chinese) and note")
        if str(entry["article"]) not in known:
            raise TermTMError(f"unit-notes.yaml note {n}: no article {entry['article']!r} in the bulletin")
        kind = entry.get("kind")
        if kind is not None and kind not in ParaKind._value2member_map_:
            raise TermTMError(f"unit-notes.yaml note {n}: kind is title, heading, body or byline, not {kind!r}")
        note = " ".join(str(entry["note"]).split())
        notes.append(UnitNote(str(entry["article"]), str(entry["zh"]), note, ParaKind(kind) if kind else None))
    return UnitNotes(originals, tuple(notes))


def apply_unit_notes(segments: Sequence[Segment], notes: UnitNotes) -> list[Segment]:
    """Set back-translation provenance and attach every note to its one unit (notes joined by newlines)."""
    extra: dict[str, list[str]] = {}
    for n, un in enumerate(notes.notes, start=1):
        hits = [s.tuid for s in segments if _matches(s, un)]
        if len(hits) != 1:
            where = "no unit" if not hits else f"{len(hits)} units ({', '.join(hits[:3])})"
            raise TermTMError(
                f"unit-notes.yaml note {n}: {un.zh!r} in {un.article} matches {where}: "
                "quote a piece of the Chinese that only its unit has (or add kind)"
            )
        extra.setdefault(hits[0], []).append(un.note)
    out = []
    for s in segments:
        lines = []
        if (original := notes.originals.get(s.article)) is not None:
            printed = s.provenance is Provenance.PRINTED
            lines.append((PRINTED_TITLE if printed else BACK_TRANSLATION).format(original=original))
            if not printed:
                s = replace(s, provenance=Provenance.BACK_TRANSLATION)
        lines += extra.get(s.tuid, [])
        out.append(replace(s, note="\n".join(lines)) if lines else s)
    return out


def _matches(s: Segment, un: UnitNote) -> bool:
    return s.article == un.article and un.zh in s.zh and (un.kind is None or s.kind is un.kind)

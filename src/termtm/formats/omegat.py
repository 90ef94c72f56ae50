"""OmegaT glossary: tab-separated source term, target term, comment; UTF-8 (.txt).

OmegaT shows the comment in its Glossary pane, so it carries the pinyin,
the status and the definition. Deprecated Chinese terms are left out: OmegaT
would otherwise propose them.

Read back, consecutive lines with the same English term are one concept (the
writer puts a concept's Chinese synonyms on consecutive lines), its first
Chinese term preferred and the others admitted; the comment becomes the
Chinese term's note. The source column is the Chinese one, unless only the
target column is in Chinese script.
"""

from __future__ import annotations

import re

from termtm.corpus.script import has_han, is_chinese
from termtm.errors import ParseError
from termtm.formats.inputs import MAX_SEGMENT_CHARS, MAX_TERM_CHARS, Problems, decode_text
from termtm.terms.model import Concept, Term, TermBase, TermStatus
from termtm.terms.pinyin import to_pinyin


def write_omegat_glossary(termbase: TermBase) -> bytes:
    """One line per allowed Chinese term, with the concept's preferred English term."""
    lines = ["# termtm term base: Chinese term<TAB>English term<TAB>comment (pinyin; status; definition)"]
    for c in termbase:
        target = c.preferred("en")
        if target is None:
            continue
        for t in c.allowed("zh"):
            comment = "; ".join(
                p for p in (t.pinyin, "" if t.status is TermStatus.PREFERRED else t.status.value, c.definition) if p
            )
            lines.append("\t".join(_clean(x) for x in (t.text, target.text, comment)))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _clean(s: str) -> str:
    """One line, no tab: runs of tabs, newlines and spaces become one space; an ideographic space (U+3000)
    inside a term is kept, as the TBX reader keeps it."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", s).strip(" ")


def read_omegat_glossary(data: bytes, name: str, prefix: str) -> list[Concept]:
    """Concepts of an OmegaT glossary, or a ParseError naming every bad line; ids are `prefix`-1, -2, …"""
    problems = Problems(name)
    groups: list[tuple[str, list[tuple[str, str]]]] = []  # (English term, [(Chinese term, comment)])
    for n, line in enumerate(decode_text(data, name).lstrip("\ufeff").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        where = f"line {n}"
        if len(cells) < 2 or not cells[0] or not cells[1]:
            problems.add(where, "needs a source term, a tab and a target term (an OmegaT glossary is tab-separated)")
            continue
        # the source column is the Chinese one (a Chinese term may be Latin: COMMIT), unless only the target is
        swapped = is_chinese(cells[1]) and not is_chinese(cells[0])
        zh, en = (cells[1], cells[0]) if swapped else (cells[0], cells[1])
        comment = cells[2] if len(cells) > 2 else ""
        ok = problems.check(where, "the Chinese term", zh, MAX_TERM_CHARS)
        ok &= problems.check(where, "the English term", en, MAX_TERM_CHARS)
        ok &= problems.check(where, "the comment", comment, MAX_SEGMENT_CHARS, blank_ok=True)
        if not ok:
            continue
        if groups and groups[-1][0] == en:
            groups[-1][1].append((zh, comment))
        else:
            groups.append((en, [(zh, comment)]))
    problems.raise_if_any()
    if not groups:
        raise ParseError(f"{name} holds no glossary lines (source term<TAB>target term)")
    return [_concept(f"{prefix}-{k}", en, zhs) for k, (en, zhs) in enumerate(groups, start=1)]


def _concept(cid: str, en: str, zhs: list[tuple[str, str]]) -> Concept:
    """One concept: the English term preferred, the first Chinese term preferred and the others admitted."""
    terms = [Term("en", en)]
    for k, (zh, comment) in enumerate(zhs):
        status = TermStatus.PREFERRED if k == 0 else TermStatus.ADMITTED
        terms.append(Term("zh", zh, status=status, pinyin=to_pinyin(zh) if has_han(zh) else "", note=comment))
    return Concept(cid, "imported", tuple(terms))

"""OmegaT glossary: tab-separated source term, target term, comment; UTF-8 (.txt).

OmegaT shows the comment in its Glossary pane, so it carries the pinyin,
the status and the definition. Deprecated Chinese terms are left out: OmegaT
would otherwise propose them.
"""

from __future__ import annotations

from termtm.model import TermBase, TermStatus


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
    return " ".join(s.replace("\t", " ").split())

"""What the store checks of every segment, concept and user name before it writes them.

Every writer (build, imports, edit forms, the user commands) goes through these, so that nothing the
exports or the pages cannot hold (a control character, a bidi control in an id, a `/` in a concept id)
reaches the database, whichever way it came in. Importers make the same check earlier, unit by unit,
to list every bad unit of a file at once; this is the guard behind them.
"""

from __future__ import annotations

from termtm.model import Concept, Segment
from termtm.safetext import NAME, NOTE, TERM, TEXT, TUID, check_field, quoted


def check_segment(seg: Segment) -> None:
    """Refuse a segment whose id, texts or position names could not be stored, exported and shown safely."""
    where = f"segment {quoted(seg.tuid)}:"
    check_field("the tuid", seg.tuid, TUID)
    check_field(f"{where} the Chinese side", seg.zh, TEXT)
    check_field(f"{where} the English side", seg.en, TEXT)
    if seg.document:
        check_field(f"{where} the document name", seg.document, NAME)
    check_field(f"{where} the article", seg.article, NOTE)
    for key, value in seg.props.items():
        check_field(f"{where} the property {key}", value, NOTE)


def check_concept(c: Concept) -> None:
    """Refuse a concept whose id or texts could not be stored, exported and shown safely."""
    check_field(f"concept id {quoted(c.id)}", c.id, NAME)
    where = f"concept {c.id}:"
    for what, value in (("the subject", c.subject), ("the definition", c.definition), ("the note", c.note)):
        check_field(f"{where} {what}", value, NOTE)
    for t in c.terms:
        check_field(f"{where} the {t.lang} term", t.text, TERM)
        check_field(f"{where} the pinyin of {quoted(t.text)}", t.pinyin, NOTE)
        check_field(f"{where} the note of {quoted(t.text)}", t.note, NOTE)


def check_user_name(name: str) -> str:
    """A user name as stored and shown (in the history, the TMX changeid): an id without `/` or controls."""
    return check_field(f"the user name {quoted(name)}", name, NAME)

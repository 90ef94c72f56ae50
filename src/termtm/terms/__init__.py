"""The term base: concepts with Chinese (and pinyin) and English terms, lookup, recognition, checks."""

from __future__ import annotations

from termtm.model import Concept, Term, TermBase, TermStatus
from termtm.terms.glossary import GlossaryError, load_glossary
from termtm.terms.lookup import TermHit, TermIndex
from termtm.terms.recognize import Match, Recognizer

__all__ = [
    "Concept",
    "GlossaryError",
    "Match",
    "Recognizer",
    "Term",
    "TermBase",
    "TermHit",
    "TermIndex",
    "TermStatus",
    "load_glossary",
]

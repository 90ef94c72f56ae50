"""Sentence alignment of Chinese/English texts."""

from __future__ import annotations

from termtm.align.document import align_documents
from termtm.align.dp import Bead, format_beads
from termtm.align.scoring import Weights
from termtm.align.sentences import align_sentences

__all__ = ["Bead", "Weights", "align_documents", "align_sentences", "format_beads"]

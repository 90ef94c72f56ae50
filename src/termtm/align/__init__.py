"""Sentence alignment of Chinese/English texts."""

from __future__ import annotations

from termtm.align.document import align_documents
from termtm.align.dp import Bead, align_sentences, format_beads

__all__ = ["Bead", "align_documents", "align_sentences", "format_beads"]

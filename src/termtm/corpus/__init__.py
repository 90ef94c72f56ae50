"""Corpus stage: raw OCR text -> cleaned document model -> sentences."""

from __future__ import annotations

from termtm.corpus.clean import Correction, clean_bulletin, load_corrections
from termtm.corpus.docfile import parse_document, render_document
from termtm.corpus.segment import split_en, split_zh

__all__ = [
    "Correction",
    "clean_bulletin",
    "load_corrections",
    "parse_document",
    "render_document",
    "split_en",
    "split_zh",
]

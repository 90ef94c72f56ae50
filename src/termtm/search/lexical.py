"""Lexical scoring for hybrid ranking: BM25 over jieba words and character bigrams (Chinese) and words (English).

Dense embeddings blur exact names and numbers (2007 and 2008, 云南 and 贵州 sit close together); a lexical
score keeps them decisive. Numbers and Latin names are the same tokens on both sides, so they also match
across languages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from termtm.corpus.script import HAN_RANGES
from termtm.search.normalize import fold
from termtm.search.postings import Postings

if TYPE_CHECKING:
    import jieba

# Standard BM25 constants (Robertson & Zaragoza); segments are short, so length normalisation matters little.
BM25_K1 = 1.2
BM25_B = 0.75
_HAN_RUN = re.compile(f"[{HAN_RANGES}]+")
_WORD = re.compile(r"\w+")
_BIGRAM = "\x01"  # marks bigram tokens, so that the word 反拐 and the bigram 反拐 count as two features


class Analyzer:
    """Turns text into lexical tokens; `add_words` is the hook through which the term base teaches jieba."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self._user_words = list(user_words)
        self._jieba: jieba.Tokenizer | None = None

    def _tokenizer(self) -> jieba.Tokenizer:
        """A private jieba tokenizer (the global one is shared with other code), loaded on first use."""
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            self._jieba = jieba.Tokenizer()
            for w in self._user_words:
                self._jieba.add_word(w)
        return self._jieba

    def add_words(self, words: Iterable[str]) -> None:
        """Add user-dictionary words (terms) so that jieba keeps them whole."""
        words = [fold(w) for w in words if w.strip()]
        self._user_words.extend(words)
        if self._jieba is not None:
            for w in words:
                self._jieba.add_word(w)

    def tokens(self, text: str) -> list[str]:
        """Words of the folded text, plus character bigrams of its Chinese runs."""
        folded = fold(text)
        out: list[str] = []
        for run in _HAN_RUN.findall(folded):
            out.extend(w for w in self._tokenizer().lcut(run, HMM=False) if w.strip())
            out.extend(_BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
        out.extend(_WORD.findall(_HAN_RUN.sub(" ", folded)))
        return out


class LexicalIndex:
    """BM25 impact scores precomputed per (token, segment), so a query is one weighted bincount."""

    def __init__(self, docs: Sequence[Sequence[str]]) -> None:
        self.n_docs = len(docs)
        self.vocab: dict[str, int] = {}
        counts = [Counter(self.vocab.setdefault(t, len(self.vocab)) for t in d) for d in docs]
        lengths = np.fromiter((len(d) for d in docs), dtype=np.float64, count=len(docs))
        avg = float(lengths.mean()) if len(docs) else 1.0
        keys = np.fromiter((t for c in counts for t in c), dtype=np.int64)
        owner = np.repeat(np.arange(len(docs), dtype=np.int64), [len(c) for c in counts])
        tf = np.fromiter((n for c in counts for n in c.values()), dtype=np.float64)
        df = np.bincount(keys, minlength=len(self.vocab))
        self.idf = idf = np.log1p((self.n_docs - df + 0.5) / (df + 0.5))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[owner] / max(avg, 1e-9))
        weights = (idf[keys] * tf * (BM25_K1 + 1) / (tf + norm)).astype(np.float32)
        self.postings = Postings.build(keys, owner, weights)

    def scores(self, tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every segment for the query tokens (each distinct token counted once)."""
        ids = np.unique([self.vocab[t] for t in set(tokens) if t in self.vocab]).astype(np.int64)
        return self.postings.scores(ids, self.n_docs)

    def ceiling(self, tokens: Iterable[str]) -> float:
        """What a segment of average length holding every query token once would score: the sum of their idf.

        Tokens the memory lacks count with the highest idf, so a query that the memory only half shares
        (an English question against Chinese-only segments) cannot reach a high lexical score.
        """
        unseen = float(np.log1p((self.n_docs + 0.5) / 0.5))
        return sum(float(self.idf[self.vocab[t]]) if t in self.vocab else unseen for t in set(tokens))

    def top(self, tokens: Sequence[str], n: int) -> dict[int, float]:
        """The n best segments with the share of the query they match (BM25 / ceiling, at most 1)."""
        scores = self.scores(tokens)
        if n <= 0 or not scores.any():
            return {}
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n]
        ceiling = self.ceiling(tokens)
        return {int(i): min(1.0, float(scores[i]) / ceiling) for i in best if scores[i] > 0}

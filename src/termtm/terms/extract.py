"""Term extraction for future bulletins: ranked Chinese candidates paired with English renderings.

Chinese candidates are runs of one to four jieba words (the term base is
jieba's user dictionary, so known names stay whole) scored by C-value
(Frantzi, Ananiadou & Mima 2000), which favours frequent, longer, not-merely-
nested strings. Each candidate is paired with the English n-gram that best
co-occurs with it across aligned segments (Dice coefficient). Known terms are
excluded, so what remains is what the term base lacks.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from termtm.corpus.script import HAN_RANGES
from termtm.model import TermBase
from termtm.terms.recognize import normalize_zh, tokenize_en

if TYPE_CHECKING:
    import jieba.posseg

_ZH_STOP_WORDS = "的 了 和 与 及 以及 或 在 是 为 对 将 把 被 从 向 等 中 上 下 也 都 并 而"
_ZH_STOP_WORDS += " 其 该 这 那 有 于 由 就 要 以 之 个 各 每 所"
_EN_STOP_WORDS = (
    "the a an of and or in on at to for by with from as is are was were be been this that these those its their "
    "it which who will shall has have had not also such into than other"
)
_ZH_STOP = frozenset(_ZH_STOP_WORDS.split())
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
_HAN_WORD = re.compile(f"^[{HAN_RANGES}]+$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed term: Chinese, its best English pairing, and the scores behind the rank."""

    zh: str
    en: str
    frequency: int
    cvalue: float
    dice: float
    score: float
    tuids: tuple[str, ...]


_NOUNS = ("n", "nr", "ns", "nt", "nz", "nrt", "vn", "j", "an")
_NOT_FIRST = ("d", "p", "c", "u", "r", "m", "q", "f", "ad")
_NEVER_INSIDE = ("u", "p", "r", "d", "m", "y", "e")


def _jieba() -> jieba.posseg.POSTokenizer:
    """A fresh tagger per extraction: user words added for one term base must not leak into the next."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


def segment_words(text: str, tagger: jieba.posseg.POSTokenizer) -> list[list[tuple[str, str]]]:
    """Runs of (Han word, POS tag) of a Chinese text, split at punctuation, digits and Latin."""
    runs: list[list[tuple[str, str]]] = [[]]
    for p in tagger.cut(text):
        if _HAN_WORD.match(p.word):
            runs[-1].append((p.word, p.flag))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def chinese_candidates(
    texts: Sequence[str], tagger: jieba.posseg.POSTokenizer, known: frozenset[str] = frozenset(), max_words: int = 4
) -> Counter[str]:
    """Frequency of every 1–4-word noun phrase: it ends in a noun, starts with no function word,
    and does not merely combine a known name (three characters or more) with other words."""
    freq: Counter[str] = Counter()
    for text in texts:
        for run in segment_words(text, tagger):
            for i in range(len(run)):
                for n in range(1, max_words + 1):
                    gram = run[i : i + n]
                    if len(gram) < n or gram[-1][1] not in _NOUNS or gram[0][1] in _NOT_FIRST:
                        continue
                    if gram[0][0] in _ZH_STOP or gram[-1][0] in _ZH_STOP:
                        continue
                    if n > 1 and any(len(w) >= 3 and w in known for w, _ in gram):
                        continue
                    if any(f.startswith(_NEVER_INSIDE) for _, f in gram):
                        continue
                    s = "".join(w for w, _ in gram)
                    if len(s) >= 2:
                        freq[s] += 1
    return freq


def specificity(term: str, freq: int, local_total: int, tokenizer) -> float:  # tokenizer: jieba.Tokenizer
    """How much likelier the string is here than in jieba's general-language dictionary (log ratio, ≥ 0).

    Common words (工作, 国家) are frequent everywhere; domain terms are not, so they rise.
    """
    general = (tokenizer.FREQ.get(term, 0) + 1) / tokenizer.total
    return max(0.0, math.log((freq / local_total) / general))


def cvalue(freq: Counter[str], min_freq: int = 2) -> dict[str, float]:
    """C-value of each candidate seen at least `min_freq` times."""
    kept = {s: f for s, f in freq.items() if f >= min_freq}
    nests: dict[str, list[int]] = defaultdict(list)
    for longer, f in kept.items():
        for shorter in kept:
            if shorter != longer and shorter in longer:
                nests[shorter].append(f)
    out = {}
    for s, f in kept.items():
        weight = math.log2(len(s) + 1)
        nested = nests.get(s)
        out[s] = weight * (f - sum(nested) / len(nested)) if nested else weight * f
    return out


def english_ngrams(text: str, max_words: int = 6) -> set[str]:
    """Word n-grams of an English text that neither start nor end with a stop word."""
    words = [w for w, _, _ in tokenize_en(text)]
    out = set()
    for i in range(len(words)):
        for n in range(1, max_words + 1):
            gram = words[i : i + n]
            if len(gram) == n and gram[0] not in _EN_STOP and gram[-1] not in _EN_STOP:
                out.add(" ".join(gram))
    return out


def extract(
    segments: Sequence[tuple[str, str, str]],
    known: TermBase,
    limit: int = 50,
    min_freq: int = 2,
) -> list[Candidate]:
    """Ranked candidates from (tuid, zh, en) segments that no term of `known` already names."""
    tagger = _jieba()
    tokenizer = tagger.tokenizer
    tokenizer.initialize()
    for _, t in known.terms("zh"):
        if _HAN_WORD.match(t.text):
            tokenizer.add_word(t.text, freq=2000, tag="nz")
    known_zh = frozenset(normalize_zh(t.text)[0] for _, t in known.terms("zh"))
    freq = chinese_candidates([zh for _, zh, _ in segments], tagger, known_zh)
    scores = cvalue(freq, min_freq)
    local_total = sum(len(zh) for _, zh, _ in segments) // 2 or 1
    en_sets = [english_ngrams(en) for _, _, en in segments]
    en_freq: Counter[str] = Counter(g for s in en_sets for g in s)
    out = []
    for zh, cv in scores.items():
        if cv <= 0 or zh in known_zh:
            continue
        hits = [i for i, (_, text, _) in enumerate(segments) if zh in text]
        en, dice = _pair(hits, en_sets, en_freq)
        score = cv * specificity(zh, freq[zh], local_total, tokenizer) * (0.5 + dice)
        out.append(Candidate(zh, en, len(hits), cv, dice, score, tuple(segments[i][0] for i in hits)))
    out.sort(key=lambda c: (-c.score, c.zh))
    return out[:limit]


def _pair(hits: Iterable[int], en_sets: list[set[str]], en_freq: Counter[str]) -> tuple[str, float]:
    """The English n-gram with the best Dice coefficient against the candidate's segments."""
    hits = list(hits)
    co: Counter[str] = Counter(g for i in hits for g in en_sets[i])
    best, best_dice = "", 0.0
    for g, c in co.items():
        dice = 2 * c / (len(hits) + en_freq[g])
        if dice > best_dice or (dice == best_dice and len(g) > len(best)):
            best, best_dice = g, dice
    return best, best_dice


def split_holdout(termbase: TermBase, share: float, seed: int) -> tuple[TermBase, TermBase | None]:
    """(known, held out): a seeded random `share` of concepts is hidden, so precision is measured honestly."""
    if share <= 0:
        return termbase, None
    concepts = list(termbase)
    random.Random(seed).shuffle(concepts)
    n = round(len(concepts) * share)
    return TermBase(concepts[n:]), TermBase(concepts[:n])


def precision_at(candidates: Sequence[Candidate], held_out: TermBase, k: int = 50) -> float:
    """Share of the top k whose Chinese is a term of a held-out concept (exact, normalised)."""
    gold = {normalize_zh(t.text)[0] for _, t in held_out.terms("zh")}
    top = candidates[:k]
    return sum(c.zh in gold for c in top) / k if top else 0.0

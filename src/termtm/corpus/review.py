"""The second reader's review: which articles have had every unit checked against the Chinese.

`tmx/sources/reviewed.yaml` lists them, one entry per article (article, reviewer, date); the review log
(`review-log.md`) says what each review changed. A build sets `reviewed` on every draft unit of a listed
article: a printed title keeps its status, and only an editor sets `approved`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

import yaml

from termtm.errors import TermTMError
from termtm.model import Segment, Status

REVIEWED_HEADER = "# Articles whose every unit a second reader has checked against the Chinese (see review-log.md)"


@dataclass(frozen=True, slots=True)
class Review:
    """One article's review: who read it against the Chinese, and when."""

    article: str
    reviewer: str
    date: str


def load_reviewed(text: str, articles: Iterable[str]) -> dict[str, Review]:
    """Parse reviewed.yaml: a list of {article, reviewer, date}; each article at most once and one of `articles`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise TermTMError(f"reviewed.yaml is not valid YAML: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, list):
        raise TermTMError("reviewed.yaml must be a list of {article, reviewer, date} entries (or [] when empty)")
    known = set(articles)
    out: dict[str, Review] = {}
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not {"article", "reviewer", "date"} <= set(entry):
            raise TermTMError(f"reviewed.yaml entry {n}: give article, reviewer and date")
        review = Review(str(entry["article"]), str(entry["reviewer"]).strip(), _date(entry["date"], n))
        if review.article not in known:
            raise TermTMError(f"reviewed.yaml entry {n}: no article {review.article!r} in the bulletin")
        if not review.reviewer:
            raise TermTMError(f"reviewed.yaml entry {n}: name the reviewer of {review.article}")
        if review.article in out:
            raise TermTMError(f"reviewed.yaml lists article {review.article} twice: keep one entry")
        out[review.article] = review
    return out


def _date(value: object, n: int) -> str:
    """An ISO date (YAML reads 2026-12-06 as a date; a quoted one is a string)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise TermTMError(f"reviewed.yaml entry {n}: the date must be YYYY-MM-DD, not {value!r}") from None


def apply_reviews(segments: Iterable[Segment], reviews: dict[str, Review]) -> list[Segment]:
    """Draft units of reviewed articles become `reviewed`; other units keep their status."""
    return [
        replace(s, status=Status.REVIEWED) if s.article in reviews and s.status is Status.DRAFT else s for s in segments
    ]

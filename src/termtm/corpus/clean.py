"""Clean the raw OCR bulletin with a reviewed correction list and layout.

Nothing is fixed silently: every change to the raw characters is a row of
`corrections.tsv` (line, column, original, corrected, reason), and every raw
line is either placed in an article by `layout.yaml` or dropped there with a
reason. Both files are data that an editor reviews in a diff.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from termtm.corpus.script import HAN_RANGES
from termtm.errors import LayoutError
from termtm.model import Article, Document, Lang, Paragraph, ParaKind

GAP = "……"
"""What a `gap` in the layout becomes: text that the OCR lost."""

_HAN = HAN_RANGES
# OCR puts ASCII spaces between Han characters of spaced-out titles and around
# digits ("2007 年 12 月"); Chinese typesetting has neither.
_SPACE_HAN_HAN = re.compile(rf"(?<=[{_HAN}])[ \t]+(?=[{_HAN}])")
_SPACE_HAN_DIGIT = re.compile(rf"(?<=[{_HAN}])[ \t]+(?=\d)|(?<=\d)[ \t]+(?=[{_HAN}])")
_SPACES = re.compile(r"[ \t]{2,}")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_HALF_PUNCT = re.compile(r"[,;:!?] ?")
_CJK_PUNCT = "，。、；：？！“”‘’《》（）【】「」……—"
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_REF = re.compile(r"^(\d+)(?:-(\d+))?(?:@(-?\d*):(-?\d*))?$")


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewed OCR fix at a position of the raw text (1-based line and column)."""

    line: int
    col: int
    original: str
    corrected: str
    reason: str


@dataclass(frozen=True, slots=True)
class CleanReport:
    """What cleaning did, for the build log and the closing figures."""

    corrections: int
    dropped_lines: int
    gaps: int


def load_corrections(text: str) -> list[Correction]:
    """Parse corrections.tsv (1-based line and col; lines starting with # are comments); every row needs a reason."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")]
    rows = csv.DictReader(io.StringIO("\n".join(line for _, line in numbered)), delimiter="\t", quoting=csv.QUOTE_NONE)
    out = []
    for (n, _), row in zip(numbered[1:], rows, strict=False):
        if not row.get("reason"):
            raise LayoutError(f"corrections.tsv line {n}: give a reason for every correction")
        out.append(
            Correction(int(row["line"]), int(row["col"]), row["original"], row["corrected"] or "", row["reason"])
        )
    return out


def apply_corrections(lines: list[str], corrections: Iterable[Correction]) -> list[str]:
    """Return the raw lines with each correction applied where its original stands."""
    fixed = list(lines)
    # Right to left within a line, so earlier columns stay valid.
    for c in sorted(corrections, key=lambda c: (c.line, -c.col)):
        if not 1 <= c.line <= len(fixed):
            raise LayoutError(f"correction at line {c.line}: the raw text has {len(fixed)} lines")
        text = fixed[c.line - 1]
        start = c.col - 1
        if text[start : start + len(c.original)] != c.original:
            raise LayoutError(
                f"correction at {c.line}:{c.col} expects {c.original!r} but the raw text has "
                f"{text[start : start + len(c.original)]!r}; update corrections.tsv"
            )
        fixed[c.line - 1] = text[:start] + c.corrected + text[start + len(c.original) :]
    return fixed


def normalize_spacing(text: str) -> str:
    """Remove OCR spaces between Han characters and around digits next to Han; collapse runs."""
    text = _SPACE_HAN_HAN.sub("", text)
    text = _SPACE_HAN_DIGIT.sub("", text)
    return _SPACES.sub(" ", text).strip()


def full_width_punctuation(text: str) -> str:
    """Half-width , ; : ! ? in Chinese text become full-width (an OCR artefact: the bulletin sets ， ； ： ！ ？).

    The rule: a mark that follows a Han character or Chinese punctuation and precedes one (or a digit,
    or ends the paragraph), or that follows a digit and precedes a Han character ("34家,50名",
    "北京, 2007年"); a space after it goes too. Latin text, numbers (1,000) and URLs (http:, .asp?) keep theirs.
    """

    def fix(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        zh_before, zh_after = _is_zh(before), _is_zh(after)
        if (zh_before and (zh_after or after.isdigit() or not after)) or (before.isdigit() and zh_after):
            return _FULL_WIDTH[m.group()[0]]
        return m.group()

    return _HALF_PUNCT.sub(fix, text)


def _is_zh(ch: str) -> bool:
    return bool(ch) and (ch in _CJK_PUNCT or bool(_HAN_CHAR.match(ch)))


def _join(parts: list[str]) -> str:
    """Join line fragments: no space in Chinese, one space between Latin text."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and part[0].isascii():
            out += " "
        out += part
    return out


def _expand(spec: str, lines: list[str], used: dict[int, str]) -> tuple[list[str], int]:
    """Resolve a paragraph spec to its text fragments, and count its gaps."""
    parts: list[str] = []
    gaps = 0
    for ref in spec.split():
        if ref == "gap":
            parts.append(GAP)
            gaps += 1
            continue
        m = _REF.match(ref)
        if not m:
            raise LayoutError(f"bad line reference {ref!r} in layout.yaml: use N, N-M, N@a:b or gap")
        first, last = int(m[1]), int(m[2] or m[1])
        for n in range(first, last + 1):
            if not 1 <= n <= len(lines):
                raise LayoutError(f"layout.yaml refers to line {n}; the raw text has {len(lines)}")
            text = lines[n - 1]
            if m[2] and not text.strip():
                continue
            if m[3] is not None or m[4] is not None:
                text = text[int(m[3]) if m[3] else None : int(m[4]) if m[4] else None]
                used[n] = used.get(n, "") + "@"
            elif n in used:
                raise LayoutError(f"raw line {n} is used twice in layout.yaml")
            else:
                used[n] = spec
            parts.append(text)
    return parts, gaps


def clean_bulletin(
    raw: str, corrections: Iterable[Correction], layout: Mapping[str, Any]
) -> tuple[Document, CleanReport]:
    """Build the cleaned Chinese document from raw OCR, corrections and layout."""
    corrections = list(corrections)
    lines = apply_corrections(raw.split("\n"), corrections)
    used: dict[int, str] = {}
    gaps = 0

    def para(kind: ParaKind, spec: str) -> Paragraph:
        nonlocal gaps
        parts, n = _expand(str(spec), lines, used)
        gaps += n
        text = full_width_punctuation(normalize_spacing(_join(parts)))
        if not text:
            raise LayoutError(f"paragraph {spec!r} of layout.yaml is empty after cleaning")
        return Paragraph(kind, text)

    articles = []
    for art in layout["articles"]:
        paras = [para(ParaKind.TITLE, art["title"])]
        for p in art.get("paragraphs") or []:
            if isinstance(p, Mapping):
                paras.append(para(ParaKind.HEADING, p["heading"]))
            else:
                paras.append(para(ParaKind.BODY, p))
        if art.get("byline"):
            paras.append(para(ParaKind.BYLINE, art["byline"]))
        if art.get("title_en"):
            _expand(str(art["title_en"]), lines, used)  # printed English: read by printed_titles()
        articles.append(
            Article(
                id=art["id"],
                section=art.get("section", ""),
                subsection=art.get("subsection", ""),
                speaker=art.get("speaker", ""),
                paragraphs=tuple(paras),
            )
        )
    dropped = _check_furniture(lines, layout.get("furniture") or [], used)
    doc = Document(id=layout["document"], lang=Lang.ZH, title=layout.get("title", ""), articles=tuple(articles))
    return doc, CleanReport(corrections=len(corrections), dropped_lines=dropped, gaps=gaps)


def printed_titles(raw: str, corrections: Iterable[Correction], layout: Mapping[str, Any]) -> dict[str, str]:
    """Map article id to the English title the bulletin prints, verbatim."""
    lines = apply_corrections(raw.split("\n"), corrections)
    out = {}
    for art in layout["articles"]:
        if art.get("title_en"):
            parts, _ = _expand(str(art["title_en"]), lines, {})
            out[art["id"]] = _join(parts)
    return out


def _check_furniture(lines: list[str], furniture: list[Mapping[str, Any]], used: dict[int, str]) -> int:
    """Check that every non-empty raw line is used or dropped with a reason; count the dropped."""
    dropped = 0
    for item in furniture:
        if not item.get("reason"):
            raise LayoutError(f"furniture {item.get('lines')!r} in layout.yaml needs a reason")
        spec = str(item["lines"])
        first, _, last = spec.partition("-")
        for n in range(int(first), int(last or first) + 1):
            if n in used:
                raise LayoutError(f"raw line {n} is both placed and dropped as furniture in layout.yaml")
            if lines[n - 1].strip():
                used[n] = "furniture"
                dropped += 1
    lost = [n for n, text in enumerate(lines, start=1) if text.strip() and n not in used]
    if lost:
        raise LayoutError(
            f"raw lines {lost} are neither placed nor dropped in layout.yaml; place them or list them under furniture"
        )
    return dropped

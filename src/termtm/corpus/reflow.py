"""The generic cleaner: from hard-wrapped lines (PDF text, OCR output) to paragraphs. Pure functions, no I/O.

It does by rule what tmx/sources/layout.yaml does by hand for the one bulletin:

- `reflow` drops page furniture (`find_furniture`: page numbers, running heads
  and feet, continuation marks, contents, address blocks, repeats, banners
  inside a sentence), joins the lines of a paragraph (`continues` decides at
  each line) and follows 下转 / 上接 and "continued on / from page" marks;
- `join_lines` is how every reader turns the lines of one paragraph into its
  text: Chinese joins without a space, English with one, and a word hyphenated
  across a line break is joined again;
- `propose_corrections` finds known misreadings (the term base's deprecated
  variants, see termtm.terms.ocr) and returns proposals for a reviewer; the
  cleaner never changes a character of the text itself.

Each rule, why it is general, and its measured effect on the bulletin are in
the docstring of bench/reflow_eval.py and in docs/documents-in.md.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from termtm.corpus.clean import normalize_spacing
from termtm.corpus.script import has_han, simplify

_SOFT_HYPHEN = re.compile(r"(?<=[A-Za-z])[-\u00ad]$")
_COMPOUND = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")


def hyphenated_words(text: str) -> frozenset[str]:
    """The words of `text` that tell a typesetter's hyphen from an author's, lower-cased: every hyphenated
    word written whole (and its two-part pieces, such as "sub-region"), and every plain word.
    """
    out: set[str] = set()
    for word in _COMPOUND.findall(text):
        parts = word.lower().split("-")
        out.add("-".join(parts))
        out.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))
    out.update(w.lower() for w in re.findall(r"(?<![-\w])[A-Za-z]+(?![-\w])", text))
    return frozenset(out)


def join_lines(lines: Iterable[str], lang: str, *, hyphenated: frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph: no space in Chinese, one space in English, hyphenated words re-joined.

    A line that ends in letter + hyphen before a line that starts in lower case
    is usually a word the typesetter broke ("Traf-" / "ficking"): the hyphen
    goes. It stays when `hyphenated` (see `hyphenated_words`) shows the
    author's hyphen: the hyphenated form is written whole elsewhere
    ("Sub-region"), or both halves are words of the text and the joined form
    is not ("regional-" / "level"). Before a capital or a digit the hyphen
    always stays, without a space ("Sub-" / "Region").
    """
    out = ""
    for raw in lines:
        part = re.sub(r"[ \t\r\n\v\f]+", " ", raw.strip())  # an ideographic space inside a line is kept
        if not part:
            continue
        if not out:
            out = part
        elif _SOFT_HYPHEN.search(out) and part[0].isalnum():
            head = re.search(r"([A-Za-z]+)[-\u00ad]$", out)
            tail = re.match(r"[A-Za-z]+", part)
            left, right = (head.group(1) if head else "").lower(), (tail.group(0) if tail else "").lower()
            authors = (
                not part[0].islower()
                or f"{left}-{right}" in hyphenated
                or (left in hyphenated and right in hyphenated and left + right not in hyphenated)
            )
            out = (out[:-1] + "-" if authors else out[:-1]) + part
        elif lang == "zh" and not (out[-1].isascii() and part[0].isascii()):
            out += part
        else:
            out += " " + part
    return normalize_spacing(out) if lang == "zh" else out


# --- line classes ---------------------------------------------------------------------------

LOST = "\ufffd"
"""The replacement character: OCR or a broken encoding lost text here."""

_CLOSERS = "\"'”’」』）)】》〉]"
_TERMINAL = set("。！？!?；;：:…．.")
_BULLET = re.compile(r"^\s*(?:[-–•●○■□◆◇▪·*]\s+|[•●○■□◆◇▪·]\s*)")
_NUMBERED = re.compile(
    r"^\s*(?:\(?\d{1,3}[.)、．](?!\d)|[(（]\d{1,3}[)）]|[(（]?[一二三四五六七八九十]{1,3}[、)）．]|[a-zA-Z][.)]\s)"
)
_NUMBERED_HEADING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百\d]+[章节条部篇]|(?:chapter|section|article|part|annex|appendix|activity)\s+\w+"
    r"|[^\s\d(（]{1,6}\s?\d{1,2}\s+\S)",
    re.I,
)
_PAGE_NUMBER = re.compile(
    r"^\W*(?:第?\s*\d{1,4}\s*页|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}|[-–—]?\s*\d{1,3}\s*[-–—]?)\W*$",
    re.I,
)
_FOLIO = re.compile(r"^(?:(?P<a>\D{2,})\s+\d{1,3}|\d{1,3}\s+(?P<b>\D{2,}))$")
_CONTINUATION = re.compile(
    r"^\W*(?:(?P<zh>下转|转|上接|接)第?\s*(?P<zpage>\d{1,4})\s*[页版]"
    r"|(?:\(?\s*)?(?P<en>continued|cont'?d\.?)\s+(?P<dir>on|from)\s+(?:page|p\.)\s*(?P<epage>\d{1,4}))\W*$",
    re.I,
)
_TOC_HEAD = re.compile(r"^\s*(?:目\s*录|目\s*次|contents|table\s+of\s+contents|in\s+this\s+issue)\s*[:：]?\s*$", re.I)
_TOC_ENTRY = re.compile(r"\S.*?(?:\t|\s{2,}|\.{3,}|…+|·{3,}|\s)\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?\s*$")
_CONTACT = re.compile(
    r"^\s*(?:(?:电话|传真|手机|邮编|邮政编码|电子邮件|电子信箱|电邮|网址|网站|地址|tel|telephone|phone|fax|e-?mail|website|web|"
    r"address|p\.?\s?o\.?\s?box)\s*(?:[:：]|(?=[\d(+<]))|<?(?:https?://|www\.)\S+>?\s*$|[\w.+-]+@[\w-]+\.[\w.]+\s*$|[\d\s()+\-]{7,}$)",
    re.I,
)
_NORMALISE = re.compile(r"[\W_]+")


def ends_sentence(line: str) -> bool:
    """True when a line ends a sentence: final punctuation, possibly followed by closing quotes or brackets."""
    core = line.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(core) and core[-1] in _TERMINAL


def lost_end(line: str) -> bool:
    """True when the line's end was lost (it ends in the replacement character)."""
    return line.rstrip().endswith(LOST)


def is_list_item(line: str) -> bool:
    """A bullet or a numbered item (-, •, 1., (1), 一、, a)): it always starts a paragraph."""
    return bool(_BULLET.match(line) or _NUMBERED.match(line))


def is_heading(line: str, lang: str) -> bool:
    """A numbered heading: short, numbered (一、, 1., Chapter 2, 第三章, Activity 4 …) and not a sentence."""
    text = _BULLET.sub("", line, count=1).strip()
    numbered = _NUMBERED.match(text) or _NUMBERED_HEADING.match(text)
    short = len(text) <= (25 if has_han(text) else 50)
    return bool(numbered) and short and not ends_sentence(text) and not text.endswith((",", "，", "、"))


def is_aside(line: str) -> bool:
    """A line wholly in brackets, such as a byline or a source note: (UNIAP 中国办公室 整理)."""
    text = line.strip()
    return len(text) > 2 and text[0] in "(（" and text[-1] in ")）" and text.count("(") + text.count("（") == 1


def stands_as_heading(line: str, lang: str) -> bool:
    """A paragraph of one line that is a heading: numbered, or short and without final punctuation.

    A sentence ends in punctuation; a short line that does not, standing as a
    paragraph of its own, is a title or heading (a byline in brackets, a list
    item and a label are not).
    """
    text = line.strip()
    if is_heading(text, lang):
        return True
    short = len(text) <= (50 if has_han(text) else 120)  # a long line without an end was cut
    plain = not (ends_sentence(text) or is_aside(text) or is_list_item(text) or text.endswith((",", "，", "、")))
    return short and plain


def is_label(line: str, lang: str) -> bool:
    """A short line ending in a colon (目的：, Objectives:): it introduces what follows and starts a paragraph."""
    text = line.strip()
    return text.endswith((":", "：")) and _short(text, 12 if lang == "zh" else 40)


def _short(line: str, limit: int) -> bool:
    """At most `limit` characters, not counting spaces (OCR spaces out Chinese titles)."""
    return len("".join(line.split())) <= limit


# --- furniture ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    """A raw line left out as page furniture, with the rule that dropped it."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Continuation:
    """A continuation mark (下转第3页, continued on page 3) and the raw line it stands on."""

    line: int
    direction: str  # "to" (下转, continued on) or "from" (上接, continued from)
    page: int


def continuation(line: str) -> tuple[str, int] | None:
    """("to" | "from", page) for a continuation mark such as (下转第3页) or "continued from page 2"; else None."""
    m = _CONTINUATION.match(line)
    if not m:
        return None
    if m["zh"]:
        return ("to" if m["zh"] in ("下转", "转") else "from"), int(m["zpage"])
    return ("to" if m["dir"].lower() == "on" else "from"), int(m["epage"])


def _key(line: str) -> str:
    """A line reduced for comparison: Simplified, lower case, digits masked, spaces and punctuation gone."""
    return re.sub(r"\d+", "#", _NORMALISE.sub("", simplify(line).lower()))


def find_furniture(pages: list[list[tuple[int, str]]], lang: str) -> dict[int, str]:
    """Raw line number → reason, for every line that is page furniture rather than text.

    Each rule is about the shape of a line or its repetition, never about a
    particular publication (the docstring of bench/reflow_eval.py says why each is general).
    """
    every = [item for page in pages for item in page]
    lines = [(n, text) for n, text in every if text.strip()]
    # In OCR output every line is a block of its own; elsewhere furniture stands alone between blank lines
    # (or page edges), while a short line inside a block is the end of a wrapped paragraph.
    ocr = blank_lines_uninformative(every)
    alone = {n for n, _ in lines} if ocr else _alone(pages)
    edges = {n for page in pages for n in _edge_lines(page)} if len(pages) > 1 else set()
    out: dict[int, str] = {}
    for n, text in lines:
        stripped = text.strip()
        mark = continuation(stripped)
        if mark:
            out[n] = f"continuation mark ({mark[0]} page {mark[1]})"
        elif (n in alone or n in edges) and _PAGE_NUMBER.match(stripped):
            out[n] = "page number"
        elif (n in alone or n in edges) and _is_folio_head(stripped):
            out[n] = "running head with a page number"
    single = [(n, t) for n, t in lines if n in alone]
    for rule in (
        lambda: _table_of_contents(lines),
        lambda: _contact_blocks(pages),
        lambda: _page_edges(pages, out) if len(pages) > 2 else _recurring_short_lines(single, out, lang) if ocr else {},
        lambda: _repeats(pages, out, lang, alone),
        lambda: _interruptions(lines, out, lang) if ocr else {},
    ):
        for n, reason in rule().items():
            out.setdefault(n, reason)  # the first rule that drops a line names the reason
    return out


def _edge_lines(page: list[tuple[int, str]]) -> list[int]:
    """The first and the last non-empty line of a page."""
    filled = [n for n, t in page if t.strip()]
    return filled[:1] + filled[-1:]


def _alone(pages: list[list[tuple[int, str]]]) -> set[int]:
    """Lines with a blank line or a page edge on both sides."""
    out: set[int] = set()
    for page in pages:
        for i, (n, text) in enumerate(page):
            before = i == 0 or not page[i - 1][1].strip()
            after = i + 1 == len(page) or not page[i + 1][1].strip()
            if text.strip() and before and after:
                out.add(n)
    return out


REPEAT_CHARS = 10
"""Shortest text the repeat rule compares: Han characters, or twice as many Latin letters (digits not counted)."""


def _repeats(pages: list[list[tuple[int, str]]], known: dict[int, str], lang: str, alone: set[int]) -> dict[int, str]:
    """Text that the document has again: every copy of a repeated line but the last, and short unpunctuated
    lines whose text stands inside a longer title-like line, one alone between blank lines (a masthead beside
    the full title). Only lines that stand alone are compared, and labels (Objectives:) never: they repeat
    by design.

    OCR reads overlapping zones twice, and mastheads repeat the title; a
    memory gains nothing from a second copy.
    """
    lines = [item for page in pages for item in page]
    kept = [(n, t, _NORMALISE.sub("", simplify(t).lower())) for n, t in lines if n in alone and n not in known]
    last: dict[str, int] = {}
    for n, _, key in kept:
        last[key] = n
    lone = _alone(pages)
    titles = [key for n, t, key in kept if n in lone and not ends_sentence(t)]
    out: dict[int, str] = {}
    for n, text, key in kept:
        letters = re.sub(r"\d", "", key)  # dates and numbers recur without being repeats
        if is_label(text, lang) or len(letters) < (REPEAT_CHARS if has_han(key) else 2 * REPEAT_CHARS):
            continue
        if last[key] != n:
            out[n] = "repeated line"
        elif (
            _short(text, 12 if has_han(text) else 40)
            and not ends_sentence(text)
            and not is_aside(text)
            and not is_heading(text, lang)
            and any(key in other and len(other) > len(key) for other in titles)
        ):
            out[n] = "repeat of a longer line (masthead or running head)"
    for run in _stacks(lines, known):  # a title set in a stack of short lines, repeated whole elsewhere
        key = "".join(_NORMALISE.sub("", simplify(t).lower()) for _, t in run)
        long_enough = len(re.sub(r"\d", "", key)) >= (REPEAT_CHARS if has_han(key) else 2 * REPEAT_CHARS)
        if long_enough and any(key in other and len(other) > len(key) for other in titles):
            out.update((n, "repeat of a longer line (masthead or running head)") for n, _ in run)
    return out


def _stacks(lines: list[tuple[int, str]], known: dict[int, str]) -> list[list[tuple[int, str]]]:
    """Runs of two or more consecutive short unpunctuated lines with no blank line between them."""
    runs: list[list[tuple[int, str]]] = [[]]
    for n, text in lines:
        if text.strip() and n not in known and _short(text, 40) and not ends_sentence(text) and not is_list_item(text):
            runs[-1].append((n, text))
        else:
            runs.append([])
    return [run for run in runs if len(run) >= 2]


def _interruptions(lines: list[tuple[int, str]], known: dict[int, str], lang: str) -> dict[int, str]:
    """Short unpunctuated lines that stand between a long line cut mid-sentence and the line that goes on with it.

    A sentence cannot be interrupted by a heading: what OCR or a PDF's
    reading order puts there is a banner, caption or running head from
    beside the column.
    """
    kept = [(n, t) for n, t in lines if n not in known]
    width = typical_width(t for _, t in kept)
    out: dict[int, str] = {}
    i = 0
    while i < len(kept):
        text = kept[i][1]
        long = len(text.strip()) >= width / 2
        if long and not ends_sentence(text) and not is_aside(text):
            j = i + 1
            while j < len(kept) and _is_banner(kept[j][1], lang):
                j += 1
            if i + 1 < j < len(kept):
                after = kept[j][1]
                if has_han(after) == has_han(text) and not is_list_item(after) and len(after.strip()) >= width / 2:
                    out.update((m, "banner inside a sentence") for m, _ in kept[i + 1 : j])
            i = max(j, i + 1)
        else:
            i += 1
    return out


def _is_banner(line: str, lang: str) -> bool:
    """A short line that is not a sentence, a list item, a heading or a label."""
    return (
        _short(line, 12 if lang == "zh" else 40)
        and not ends_sentence(line)
        and not is_list_item(line)
        and not is_heading(line, lang)
        and not is_aside(line)
    )


def _is_folio_head(line: str) -> bool:
    """A short line of words and one page number at its start or end: 国际劳工组织 12, 12 Newsletter."""
    if not _short(line, 20) or ends_sentence(line) or len(re.findall(r"\d+", line)) != 1:
        return False
    if re.search(r"\t|\.{3}|…|·{3}", line):  # leaders: a contents entry, not a head
        return False
    return bool(_FOLIO.match(line))


def _table_of_contents(lines: list[tuple[int, str]]) -> dict[int, str]:
    """A contents heading (目录, Contents) and the entries after it that end in page numbers."""
    out: dict[int, str] = {}
    for i, (n, text) in enumerate(lines):
        if not _TOC_HEAD.match(text):
            continue
        out[n] = "table of contents"
        for m, entry in lines[i + 1 :]:
            if not (_TOC_ENTRY.match(entry.strip()) and _short(entry, 60) and not ends_sentence(entry)):
                break
            out[m] = "table of contents"
    return out


def _contact_blocks(pages: list[list[tuple[int, str]]]) -> dict[int, str]:
    """Blocks of short lines of which two or more are addresses, telephone numbers, e-mail or web addresses.

    A block is a run of short lines with at most one blank line between them;
    the organisation's name and street above the telephone lines go with them.
    """
    blocks: list[list[tuple[int, str]]] = []
    for page in pages:
        blocks.append([])
        blanks, after_text = 0, False
        for n, text in page:
            if not text.strip():
                blanks += 1
                continue
            contact = bool(_CONTACT.match(text.strip()))
            short = _short(text, 30) and not ends_sentence(text.rstrip(":："))
            member = contact or (short and not (after_text and blanks == 0))  # not the end of a paragraph
            if blanks > 1 or not member:
                blocks.append([])
            blanks, after_text = 0, not member
            if member:
                blocks[-1].append((n, text))
    out: dict[int, str] = {}
    for block in blocks:
        hits = sum(1 for _, t in block if _CONTACT.match(t.strip()))
        if hits >= 2 and 2 * hits >= len(block):
            out.update((n, "address block") for n, _ in block)
    return out


def _page_edges(pages: list[list[tuple[int, str]]], known: dict[int, str]) -> dict[int, str]:
    """Lines at the top or bottom of a page that recur, digits aside, at the edge of other pages: heads and feet."""
    edges: list[tuple[int, str]] = []
    pages_with: dict[str, int] = {}
    for page in pages:
        body = [(n, t) for n, t in page if t.strip() and n not in known]
        edge = list(dict.fromkeys(body[:2] + body[-2:]))
        edges += edge
        for key in {_key(t) for _, t in edge}:
            pages_with[key] = pages_with.get(key, 0) + 1
    need = max(2, len(pages) // 3)
    return {n: "running head or foot" for n, t in edges if _key(t) and pages_with[_key(t)] >= need and _short(t, 60)}


def _recurring_short_lines(lines: list[tuple[int, str]], known: dict[int, str], lang: str) -> dict[int, str]:
    """Without page breaks: short unpunctuated lines that share a phrase rarely found in the running text.

    Running heads repeat the publication's or section's name on every page, so a
    phrase of three characters (three words in English) that recurs in several
    short lines but seldom in the body marks them; headings, by contrast, reuse
    the body's vocabulary.
    """
    size = 3

    def grams(text: str) -> set[str]:
        if lang == "zh":
            key = _key(text)
            return {key[i : i + size] for i in range(len(key) - size + 1)}
        words = [_key(w) for w in text.split() if _key(w)]
        return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}

    candidates = [
        (n, t)
        for n, t in lines
        if n not in known
        and _short(t, 12 if lang == "zh" else 40)
        and not ends_sentence(t)
        and not is_aside(t)
        and not is_list_item(t)
        and not is_heading(t, lang)
        and not re.search(r"\d", t)  # numbered lines are a series (Activity 1, 2 …); heads with folios have a rule
    ]
    cand_ids = {n for n, _ in candidates}
    in_short: dict[str, set[int]] = {}
    for n, t in candidates:
        for g in grams(t):
            in_short.setdefault(g, set()).add(n)
    in_body: dict[str, int] = {}
    for n, t in lines:
        if n not in cand_ids and n not in known:
            for g in grams(t) & in_short.keys():
                in_body[g] = in_body.get(g, 0) + 1
    marks = {g for g, ns in in_short.items() if len(ns) >= 3 and in_body.get(g, 0) < len(ns)}
    return {n: "running head (recurring phrase)" for n, t in candidates if grams(t) & marks}


# --- paragraphs -----------------------------------------------------------------------------

SINGLE_LINE_BLOCKS = 0.7
"""When this share of blank-line blocks is one line long, blank lines say nothing about paragraph ends."""

SHORT_LAST_LINE = 0.8
"""In hard-wrapped text, a line shorter than this share of the text's usual width ends its paragraph."""


@dataclass(frozen=True)
class Block:
    """A paragraph as the cleaner rebuilt it: its text and the raw lines (1-based) it was joined from."""

    text: str
    lines: tuple[int, ...]
    heading: bool = False
    continues: int | None = None
    """Index of the block this one continues after a 上接 / "continued from" mark, or None."""


@dataclass(frozen=True)
class Reflow:
    """What the cleaner made of raw lines: blocks in raw order, the furniture it dropped, the continuation marks."""

    blocks: tuple[Block, ...]
    dropped: tuple[Dropped, ...]
    continuations: tuple[Continuation, ...]
    lang: str

    def paragraphs(self) -> list[tuple[str, bool]]:
        """(text, heading) in reading order: a block continued after a 上接 mark is joined to its head."""
        texts = [b.text for b in self.blocks]
        heads = list(range(len(self.blocks)))
        for i, b in enumerate(self.blocks):
            if b.continues is not None:
                head = heads[b.continues]
                heads[i] = head
                texts[head] = join_lines([texts[head], b.text], self.lang)
        return [(texts[i], b.heading) for i, b in enumerate(self.blocks) if heads[i] == i]


def reflow(text: str, lang: str, *, headings: Collection[int] = ()) -> Reflow:
    """Rebuild paragraphs from raw lines (a form feed starts a page): drop furniture, join, follow continuations.

    `headings` names raw lines (1-based) that the reader knows are headings,
    from typography the text does not show (a PDF's type size): each stands alone.
    """
    lang = "zh" if lang.lower().startswith("zh") else "en"
    pages: list[list[tuple[int, str]]] = [[]]
    for n, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if "\f" in raw:
            pages.append([])
        pages[-1].append((n, raw.replace("\f", "")))
    lines = [item for page in pages for item in page]
    page_of = {n: i for i, page in enumerate(pages) for n, _ in page}
    furniture = find_furniture(pages, lang)
    ocr = blank_lines_uninformative(lines)
    width = typical_width(t for n, t in lines if t.strip() and n not in furniture)
    known = hyphenated_words(text)

    blocks: list[list[tuple[int, str]]] = []
    links: dict[int, int] = {}
    marks: list[Continuation] = []
    open_to: list[tuple[int, int]] = []  # (target page, block index) of 下转 marks not yet met by a 上接
    prev: str | None = None
    blank = run = 0  # the longest run of blank lines since the last kept line, and the current run
    follow: int | None = None
    for n, raw in lines:
        if not raw.strip():
            run += 1
            blank = max(blank, run)
            continue
        run = 0
        if n in furniture:
            mark = continuation(raw.strip())
            if mark:
                marks.append(Continuation(n, *mark))
                if mark[0] == "to" and blocks:
                    open_to.append((mark[1], len(blocks) - 1))
                    prev = None
                elif mark[0] == "from":
                    prev = None
                    if open_to:
                        open_to.sort()
                        follow = open_to.pop(0)[1]
            continue
        block = join_lines([t for _, t in blocks[-1]], lang) if blocks and prev is not None else ""
        apart = n in headings or (blocks and blocks[-1][-1][0] in headings)
        if blocks and page_of[n] != page_of[blocks[-1][-1][0]]:
            blank = 0  # a page break is not a paragraph end: the line endings decide
        if (
            prev is not None
            and not apart
            and continues(prev, raw, lang, blank=blank, ocr=ocr, width=width, block=block)
        ):
            blocks[-1].append((n, raw))
        else:
            if follow is not None:
                links[len(blocks)] = follow
                follow = None
            blocks.append([(n, raw)])
        prev, blank = raw, 0
    made = tuple(
        Block(
            join_lines([t for _, t in b], lang, hyphenated=known),
            tuple(n for n, _ in b),
            heading=(len(b) == 1 and stands_as_heading(b[0][1], lang)) or all(n in headings for n, _ in b),
            continues=links.get(i),
        )
        for i, b in enumerate(blocks)
    )
    dropped = tuple(Dropped(n, t, furniture[n]) for n, t in lines if n in furniture)
    return Reflow(made, dropped, tuple(marks), lang)


def continues(prev: str, line: str, lang: str, *, blank: int, ocr: bool, width: int, block: str = "") -> bool:
    """Whether `line` continues the paragraph whose last line is `prev` (all of it: `block`), by general rules.

    `blank` counts the blank lines between them; `ocr` says that single blank
    lines carry no paragraph information (see `blank_lines_uninformative`).
    """
    # In hard-wrapped text a number after a full line that ends no sentence is an enumeration inside it: "…; (5) …".
    full = len(prev.strip()) >= SHORT_LAST_LINE * width
    inline = not ocr and bool(_NUMBERED.match(line)) and full and not prev.rstrip(_CLOSERS).endswith(tuple("。！？.!?"))
    if (is_list_item(line) and not inline) or is_heading(line, lang) or (ocr and is_label(line, lang)):
        return False
    if is_heading(prev, lang) and len(prev.strip()) < SHORT_LAST_LINE * width:  # a full line is no heading
        return False
    if is_aside(block or prev) or (ocr and is_aside(line)) or lost_end(prev):
        return False
    if ocr and has_han(prev) != has_han(line):  # an English title after a Chinese one, in OCR output
        return False
    if blank > 1 or (blank and not ocr):
        return False
    if ends_sentence(prev):
        return not ocr and len(prev.strip()) >= SHORT_LAST_LINE * width
    return True


def blank_lines_uninformative(lines: Sequence[tuple[int, str]]) -> bool:
    """True when most blank-line blocks are one line long, as OCR output and one-line-per-paragraph text write them.

    Then a blank line is no evidence of a paragraph end, and the line's own
    ending (punctuation, a cut) decides; in hard-wrapped text, whose blocks are
    several lines long, a blank line ends a paragraph.
    """
    sizes: list[int] = []
    run = 0
    for _, text in [*lines, (0, "")]:
        if text.strip():
            run += 1
        elif run:
            sizes.append(run)
            run = 0
    return bool(sizes) and sum(1 for n in sizes if n == 1) >= SINGLE_LINE_BLOCKS * len(sizes)


def typical_width(lines: Iterable[str]) -> int:
    """The width of a full line: the 80th percentile of line lengths."""
    widths = sorted(len(t.strip()) for t in lines)
    return widths[int(0.8 * (len(widths) - 1))] if widths else 0


def looks_hard_wrapped(text: str) -> bool:
    """True when a plain text needs the cleaner: page breaks, continuation marks, or paragraphs cut mid-sentence.

    A text whose blank-line blocks mostly end in final punctuation is already in
    paragraphs; one where a quarter of the long blocks (longer than a heading:
    40 Han characters, 80 others) stop mid-sentence was wrapped or cut by a
    page or column break.
    """
    if "\f" in text:
        return True
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    if any(continuation(b) for b in blocks):
        return True
    long = [b for b in blocks if len(b) > (40 if has_han(b) else 80)]  # headings and titles are shorter
    cut = sum(1 for b in long if not ends_sentence(b))
    return bool(long) and cut >= 0.25 * len(long)


# --- OCR corrections ------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A known wrong form (a deprecated term, often an OCR misreading) and the form to propose instead."""

    wrong: str
    right: str
    reason: str


@dataclass(frozen=True)
class Proposal:
    """A correction for a reviewer to accept or refuse: never applied by the cleaner itself.

    `line` and `col` are 1-based, as in corrections.tsv, so an accepted proposal is a row there.
    """

    line: int
    col: int
    original: str
    proposed: str
    reason: str


def propose_corrections(lines: Sequence[str], variants: Iterable[Variant]) -> list[Proposal]:
    """Every occurrence of a wrong form in the lines, longest first and without overlaps, as a proposal.

    Latin forms match whole words only (COMMII, not a letter run inside a longer word).
    """
    by_first: dict[str, list[Variant]] = {}
    for v in sorted(variants, key=lambda v: -len(v.wrong)):
        if v.wrong and v.wrong != v.right:
            by_first.setdefault(v.wrong[0], []).append(v)
    out: list[Proposal] = []
    for n, line in enumerate(lines, start=1):
        i = 0
        while i < len(line):
            hit = next((v for v in by_first.get(line[i], ()) if _matches(line, i, v.wrong)), None)
            if hit is None:
                i += 1
                continue
            out.append(Proposal(n, i + 1, hit.wrong, hit.right, hit.reason))
            i += len(hit.wrong)
    return out


def _matches(line: str, at: int, form: str) -> bool:
    """`form` stands at `at`, and a form with Latin letters or digits at an end is not part of a longer word."""
    if not line.startswith(form, at):
        return False
    end = at + len(form)
    before = line[at - 1] if at else " "
    after = line[end] if end < len(line) else " "
    if form[0].isascii() and form[0].isalnum() and before.isascii() and before.isalnum():
        return False
    return not (form[-1].isascii() and form[-1].isalnum() and after.isascii() and after.isalnum())

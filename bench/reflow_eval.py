"""Benchmark: the generic cleaner (`termtm.corpus.reflow`) on the raw bulletin, judged against layout.yaml.

The raw OCR of the December 2007 bulletin (tmx/sources/bulletin-2007-12.zh.ocr.txt)
is the one document for which a person decided, line by line, what is text and
what is page furniture, and which lines form one paragraph (layout.yaml). The
cleaner never reads layout.yaml; this script runs it on the raw lines and
scores two decisions on the raw line numbers:

Furniture: over every non-empty raw line, is it dropped? A line that
layout.yaml lists under `furniture` is a positive.

Paragraph boundaries: over every non-empty raw line that layout.yaml keeps,
does it start a paragraph, or continue one? In the truth, a line starts a
paragraph when it is the first reference of a title, heading, paragraph or
byline (a line cut in two by a slice, such as a heading and its body on one
raw line, counts by its first use; a paragraph that begins with a `gap`
continues lost text, so its first line continues). Positive = starts. A kept
line that the cleaner dropped counts as a miss (it starts nothing).

What is not judged, and why: the layout also reorders lines, because the
printed page has several columns and OCR read across them (line 121 closes the
paragraph of line 91 but stands after lines 115–119). Recovering reading order
across columns needs the page image, so the measure does not ask *which*
paragraph a line continues, only *whether* it continues one: a line the cleaner
joins to a different predecessor than the layout's still counts as a correct
"continues". Continuation marks (下转 / 上接) are followed, and they do reorder:
the text after 上接第2页 is joined to the paragraph before 下转第3页.

For transparency the script also prints the same figures for the rarer class,
joins (positive = continues), and every disagreement with its raw line.

OCR correction proposals (from the glossary's deprecated terms, never applied)
are compared with the reviewed corrections.tsv: a proposal agrees when it
overlaps a reviewed correction on the same raw line. This is not an
independent test (the glossary's OCR entries were written from that list); it
shows that the proposals land where a reviewer put the fixes.

Rules (src/termtm/corpus/reflow.py), each about the shape of typeset or OCR'd
text in general, none about this bulletin's lines. The counts after each
rule are the lines it drops here (on a line several rules would drop, the
first one named wins).

Furniture
- Page numbers: a line that is only a number, "第 3 页", "Page 3 of 12",
  "3/12" or "- 3 -". Every paginated document has them. (0 here: the OCR
  kept none.)
- Running head with a folio: a short line of words with exactly one 1–3-digit
  number at its start or end and no leader dots ("Newsletter 12"): heads carry
  the page number. (1)
- Continuation marks: (下转第3页), (上接第2页), "continued on/from page 3": the
  convention of newspapers and newsletters in both languages; they are dropped
  and followed (see above). (6)
- Table of contents: a contents heading (目录, Contents, In this issue) and the
  run of entries after it that end in page numbers. (5)
- Address blocks: a run of short lines, at most one blank line apart, of which
  at least two (and at least half) are telephone/fax numbers, e-mail or web
  addresses, or labelled 电话/传真/邮编/地址/Tel/Fax/E-mail/Website: mastheads and
  back pages of every institutional publication carry one; the organisation's
  name and street in the same block go with it. (16)
- Running heads by repetition. With page breaks (a form feed, as the PDF
  reader writes them), a line among the top or bottom two of a page that
  recurs, digits aside, at the edges of a third of the pages. Without page
  breaks (this OCR has none; OCR output only), a short unpunctuated line
  without digits that shares a three-character phrase (three words in
  English) with at least two other such lines, where that phrase is rarer in
  the body than among the short lines: a running head repeats the publication's name on every page, while
  headings reuse the body's vocabulary. Lines are compared in Simplified
  characters without spaces, so 反拐通訊 and 反 拐 通 讯 are one. (4)
- Repeats: every copy of a line (ten letters or more, digits aside) but the
  last, and a short unpunctuated line whose text stands inside a longer
  title-like line (alone between blank lines, no final punctuation): OCR reads
  overlapping zones twice and mastheads repeat the title; a memory gains
  nothing from a second copy. (5)
- Banners inside a sentence: short unpunctuated lines between a long line that
  stops mid-sentence and the long line that goes on with it. A sentence is not
  interrupted by a heading; what reading order puts there is a banner, caption
  or head from beside the column. (2)
Not found, and not findable by shape: two garbled OCR lines, an orphan label
whose text the OCR lost, and three short banners that stand between a byline
or title and the next article (these lack the sentence around them).

In text that is not one-line-per-block OCR output, page numbers, heads and
repeats must stand alone between blank lines (or at a page edge): a short line
inside a block is the end of a wrapped paragraph, not furniture, and banners
inside a sentence are looked for only in OCR output.

Paragraphs
- Blank lines: when most blank-line blocks are one line long (OCR output puts a
  blank line after every line), a single blank line says nothing; otherwise a
  blank line ends a paragraph. Two or more blank lines always do, and a page
  break never does (the line endings decide across it).
- A line continues the paragraph before it unless: it is a list item (-, •, 1.,
  (1), 一、, a)) or a numbered heading (一、总则, 第三章, Chapter 2, a short word
  and a number then a title); the line before is a short numbered heading; the
  paragraph so far is wholly in brackets (a byline or source note); the line
  before ends a sentence (。！？；：… . ! ? ; : and closing quotes or brackets) —
  in hard-wrapped text only when that line is also shorter than 80% of the
  usual width. In OCR output also when the line is a short label ending in a
  colon (目的：), wholly in brackets, or in the other script (an English title
  after a Chinese one). In hard-wrapped text a number after a full line that
  ends no sentence is an enumeration inside it ("…; (5) …"), not a list item.
  A reader may name heading lines it knows from typography (the PDF reader:
  type 15% larger than the body's); each stands alone.
- Joining: Chinese lines join without a space (and OCR spaces between Han
  characters go; an ideographic space stays), English lines with one. A
  hyphen at a line end before a lower-case letter is the typesetter's and goes,
  unless the hyphenated form is written whole elsewhere in the text or both
  halves are words of the text and the joined form is not; before a capital or
  a digit it stays.

The same rules must not spoil text that is already clean: tests/test_reflow.py
hard-wraps the whole cleaned bulletin (193 paragraphs a side) and reflows it.
Chinese comes back identical; English identical but for two prefix compounds
broken at their hyphen (non-discrimination, re-trafficking), which no rule can
tell from a broken word without a dictionary.

    python bench/reflow_eval.py [--show-errors]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from termtm.corpus.clean import load_corrections
from termtm.corpus.reflow import Reflow, propose_corrections, reflow
from termtm.terms import load_glossary
from termtm.terms.ocr import ocr_variants

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "tmx/sources/bulletin-2007-12.zh.ocr.txt"
LAYOUT = ROOT / "tmx/sources/layout.yaml"
CORRECTIONS = ROOT / "tmx/sources/corrections.tsv"
_REF = re.compile(r"^(\d+)(?:-(\d+))?(?:@(-?\d*):(-?\d*))?$")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one binary decision, with the counts behind them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def truth(raw_lines: list[str], layout: dict) -> tuple[dict[int, bool], set[int]]:
    """From layout.yaml: kept line → does it start a paragraph; and the set of furniture lines."""
    starts: dict[int, bool] = {}

    def spec(value: object) -> None:
        first = True
        for ref in str(value).split():
            if ref == "gap":
                first = False
                continue
            m = _REF.match(ref)
            if not m:
                raise ValueError(f"bad reference {ref!r} in layout.yaml")
            for n in range(int(m[1]), int(m[2] or m[1]) + 1):
                if raw_lines[n - 1].strip():
                    starts.setdefault(n, first)
                    first = False

    for art in layout["articles"]:
        for key in ("title", "title_en"):
            if art.get(key):
                spec(art[key])
        for p in art.get("paragraphs") or []:
            spec(p["heading"] if isinstance(p, dict) else p)
        if art.get("byline"):
            spec(art["byline"])
    furniture: set[int] = set()
    for item in layout.get("furniture") or []:
        first, _, last = str(item["lines"]).partition("-")
        furniture |= {n for n in range(int(first), int(last or first) + 1) if raw_lines[n - 1].strip()}
    return starts, furniture


def predicted(result: Reflow) -> tuple[dict[int, bool], set[int]]:
    """From the cleaner: kept line → does it start a paragraph (a continued block does not); dropped lines."""
    starts: dict[int, bool] = {}
    for block in result.blocks:
        for i, n in enumerate(block.lines):
            starts[n] = i == 0 and block.continues is None
    return starts, {d.line for d in result.dropped}


def evaluate(raw: str, layout: dict) -> dict[str, Score | list[str]]:
    """Scores for furniture, boundaries (starts) and joins (continues), and the disagreements."""
    raw_lines = raw.split("\n")
    true_starts, true_furniture = truth(raw_lines, layout)
    result = reflow(raw, "zh")
    pred_starts, pred_furniture = predicted(result)
    nonempty = [n for n, t in enumerate(raw_lines, start=1) if t.strip()]
    furniture = Score(
        tp=len(true_furniture & pred_furniture),
        fp=len(pred_furniture - true_furniture),
        fn=len(true_furniture - pred_furniture),
    )
    counts = {"starts": [0, 0, 0], "joins": [0, 0, 0]}
    errors: list[str] = []
    for n in nonempty:
        if n in true_furniture:
            if n not in pred_furniture:
                errors.append(f"{n:4} furniture kept     {raw_lines[n - 1][:50]}")
            continue
        gold = true_starts[n]
        pred = pred_starts.get(n)  # None: dropped
        for name, want, got in (("starts", gold, pred is True), ("joins", not gold, pred is False)):
            c = counts[name]
            c[0] += want and got
            c[1] += got and not want
            c[2] += want and not got
        if pred is None:
            errors.append(f"{n:4} text dropped       {raw_lines[n - 1][:50]}")
        elif pred != gold:
            what = "starts, should join" if pred else "joins, should start"
            errors.append(f"{n:4} {what:18} {raw_lines[n - 1][:50]}")
    return {
        "furniture": furniture,
        "boundaries": Score(*counts["starts"]),
        "joins": Score(*counts["joins"]),
        "errors": errors,
    }


def proposals(raw: str) -> tuple[int, int, int, int]:
    """(proposals, proposals overlapping a reviewed correction, reviewed corrections, corrections so covered)."""
    props = propose_corrections(raw.split("\n"), ocr_variants(load_glossary(ROOT / "glossary")))
    fixes = load_corrections(CORRECTIONS.read_text(encoding="utf-8"))

    def overlap(p_line: int, p_col: int, p_len: int, c_line: int, c_col: int, c_len: int) -> bool:
        return p_line == c_line and p_col < c_col + max(c_len, 1) and c_col < p_col + p_len

    agree = sum(
        1 for p in props if any(overlap(p.line, p.col, len(p.original), c.line, c.col, len(c.original)) for c in fixes)
    )
    covered = sum(
        1 for c in fixes if any(overlap(p.line, p.col, len(p.original), c.line, c.col, len(c.original)) for p in props)
    )
    return len(props), agree, len(fixes), covered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-errors", action="store_true", help="list every line where cleaner and layout differ")
    args = parser.parse_args()
    raw = RAW.read_text(encoding="utf-8")
    layout = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))
    scores = evaluate(raw, layout)
    print(f"cleaner vs layout.yaml on {RAW.name}")
    print(f"{'decision':<34} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>4} {'FN':>4}")
    labels = {
        "furniture": "furniture (dropped lines)",
        "boundaries": "paragraph boundaries (starts)",
        "joins": "  the rarer class: joins",
    }
    for key, label in labels.items():
        s = scores[key]
        assert isinstance(s, Score)
        print(f"{label:<34} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5} {s.fp:4} {s.fn:4}")
    made, agree, fixes, covered = proposals(raw)
    print(
        f"\nOCR proposals from deprecated terms: {made}, of which {agree} overlap a reviewed correction; "
        f"they cover {covered} of the {fixes} rows of corrections.tsv (the rest are not term misreadings)"
    )
    if args.show_errors:
        print("\ndisagreements (raw line, what the cleaner did, text):")
        for line in scores["errors"]:
            print(" ", line)


if __name__ == "__main__":
    main()

"""Read the documents an editorial team holds into paragraphs in reading order, headings marked.

Plain text, DOCX, HTML, Markdown and PDF with a text layer. The format is
sniffed from the content first (a PDF or a DOCX says what it is in its first
bytes, whatever its name) and from the extension only for the text formats,
which share their bytes. Anything else, a scanned PDF, an empty file or a file
in the other language gets a `TermTMError` that says what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from termtm.corpus.clean import normalize_spacing
from termtm.corpus.reflow import hyphenated_words, join_lines, looks_hard_wrapped, reflow, stands_as_heading
from termtm.corpus.script import CHINESE_SHARE, han_share
from termtm.errors import TermTMError, UnknownLanguage
from termtm.formats.inputs import check_size, decode, looks_binary, without_bad_characters
from termtm.model import Lang

if TYPE_CHECKING:
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph as DocxParagraph

TEXT_EXTENSIONS = {"": "text", ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
TEXT_EXTENSIONS |= {".html": "html", ".htm": "html", ".xhtml": "html"}

_REFUSED_MAGIC = {
    b"\x89PNG": "a PNG image: run OCR on it first and give the text or a PDF with a text layer",
    b"\xff\xd8\xff": "a JPEG image: run OCR on it first and give the text or a PDF with a text layer",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image: run OCR on it first and give the text or a PDF with a text layer",
    b"MM\x00*": "a TIFF image: run OCR on it first and give the text or a PDF with a text layer",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (.doc): save it as .docx",
    b"{\\rtf": "an RTF file: save it as .docx",
    b"\x1f\x8b": "a gzip archive: decompress it first",
}
_HTML_HEAD = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.I)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DROPPED = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "nav"}
_BLOCKS = _HEADINGS | {
    "p", "div", "li", "blockquote", "pre", "dt", "dd", "td", "th", "caption", "figcaption", "section",
    "article", "header", "footer", "main", "aside", "ul", "ol", "dl", "table", "tr", "address", "body", "title",
}  # fmt: skip


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a document as read: its text, and whether the document marks it as a heading."""

    text: str
    heading: bool = False


def read_document(path: Path, lang: str, *, data: bytes | None = None, filename: str | None = None) -> list[Paragraph]:
    """Paragraphs of the document at `path` (or of `data`, named `filename`, as an upload gives it), in `lang`.

    `lang` is "zh" or "en": the side the file was given for. A file whose text
    is in the other language is refused, so that swapped uploads never reach
    the aligner.
    """
    side = _side(lang)
    name = filename or path.name
    if data is None:
        try:
            check_size(path.stat().st_size, name)
            data = path.read_bytes()
        except OSError as err:
            raise TermTMError(f"cannot read {name}: {err.strerror or err}") from err
    check_size(len(data), name)
    if not data.strip():
        raise TermTMError(f"{name} is empty: give a document with text")
    reader = _reader_for(data, name)
    # Control characters (a PDF's or a DOCX's artefacts, never text) go; the rest is kept as read.
    paras = [Paragraph(without_bad_characters(p.text), p.heading) for p in reader(data, name, side)]
    paras = [p for p in paras if p.text.strip()]
    if not paras:
        raise TermTMError(f"{name} has no text: give a document with text")
    check_language(paras, side, name)
    return paras


def check_language(paras: Iterable[Paragraph], lang: str, name: str) -> None:
    """Refuse a document whose letters are not mostly in `lang` (Han for zh, others for en)."""
    text = "".join(p.text for p in paras)
    share = han_share(text)
    if share is None:
        raise TermTMError(f"{name} has no letters, only digits and signs: give a document with text")
    if lang == "zh" and share < CHINESE_SHARE:
        raise TermTMError(
            f"{name} is not Chinese (only {share:.0%} of its letters are Han): was it given for the wrong side? "
            "Give the Chinese file as the Chinese side"
        )
    if lang == "en" and share >= CHINESE_SHARE:
        raise TermTMError(
            f"{name} is Chinese ({share:.0%} of its letters are Han), not English: was it given for the wrong side? "
            "Give the English file as the English side"
        )


def _side(lang: str) -> str:
    """The reader's language code from what a caller passes (zh, zh-CN, en, en-US …)."""
    try:
        return Lang.parse(lang).short
    except UnknownLanguage:
        raise TermTMError(f"unknown document language {lang!r}: use zh or en") from None


def _reader_for(data: bytes, name: str) -> Callable[[bytes, str, str], list[Paragraph]]:
    """The reader for a file: by its first bytes for binary formats, by extension then content for text."""
    if data.startswith(b"%PDF"):
        return read_pdf
    if data.startswith(b"PK\x03\x04"):
        return read_docx
    for magic, what in _REFUSED_MAGIC.items():
        if data.startswith(magic):
            raise TermTMError(f"{name} is {what}; termtm reads plain text, DOCX, HTML, Markdown and PDF")
    if looks_binary(data):
        raise TermTMError(
            f"{name} is a binary file that termtm cannot read (or UTF-16 without a byte-order mark): "
            "give plain text (UTF-8), DOCX, HTML, Markdown or a PDF with a text layer"
        )
    ext = Path(name).suffix.lower()
    kind = TEXT_EXTENSIONS.get(ext)
    if kind is None:
        raise TermTMError(
            f"{name}: termtm does not read {ext} files; give plain text (.txt, UTF-8), DOCX, HTML, Markdown (.md) "
            "or a PDF with a text layer"
        )
    if kind == "html" or _HTML_HEAD.match(data[:4096]):
        return read_html
    return read_markdown if kind == "markdown" else read_text


def _decode(data: bytes, name: str, declared: str | None = None) -> str:
    """Text by byte-order mark, else the declared charset, else UTF-8; a clear error when it is none of them."""
    return decode(data, name, declared, then="convert the file to UTF-8 and add it again")


# --- plain text and Markdown ---------------------------------------------------------------


def read_text(data: bytes, name: str, lang: str) -> list[Paragraph]:
    """Plain text: paragraphs are separated by blank lines and their lines joined, a short unpunctuated
    one-line paragraph is a heading (see `stands_as_heading`); OCR'd or page-broken text
    (see `looks_hard_wrapped`) goes through the cleaner, which drops furniture and rejoins cut paragraphs."""
    text = _decode(data, name).replace("\r\n", "\n").replace("\r", "\n")
    if looks_hard_wrapped(text):
        return [Paragraph(t, h) for t, h in reflow(text, lang).paragraphs()]
    text = text.replace("\f", "\n\n")
    blocks = re.split(r"\n[ \t\u3000]*\n", text)
    known = hyphenated_words(text)
    out = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if lines:
            heading = len(lines) == 1 and stands_as_heading(lines[0], lang)
            out.append(Paragraph(join_lines(lines, lang, hyphenated=known), heading))
    return out


def read_markdown(data: bytes, name: str, lang: str) -> list[Paragraph]:
    """Markdown (CommonMark with tables): headings marked, paragraphs and list items in order, code left out."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(_decode(data, name))
    out: list[Paragraph] = []
    heading = False
    for tok in tokens:
        if tok.type == "heading_open":
            heading = True
        elif tok.type == "heading_close":
            heading = False
        elif tok.type == "inline":
            lines = [""]
            for child in tok.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    lines.append("")
                elif child.type in ("text", "code_inline"):
                    lines[-1] += child.content
            out.append(Paragraph(join_lines(lines, lang), heading))
    return out


# --- HTML ----------------------------------------------------------------------------------


def read_html(data: bytes, name: str, lang: str) -> list[Paragraph]:
    """HTML: block elements are paragraphs, h1–h6 headings; scripts, styles and navigation are left out."""
    from lxml import etree, html

    declared = _META_CHARSET.search(data[:4096])
    text = _decode(data, name, declared.group(1).decode("ascii").lower() if declared else None)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        root = html.document_fromstring(text, parser=html.HTMLParser(no_network=True, remove_comments=True))
    except (etree.ParserError, ValueError) as err:
        raise TermTMError(f"{name} is not readable HTML ({err}): save it again from the editor") from err
    out: list[Paragraph] = []
    buf: list[str] = []

    def flush(heading: bool = False) -> None:
        joined = join_lines(["".join(buf).replace("\n", " ")], lang)
        if joined:
            out.append(Paragraph(normalize_spacing(joined) if lang == "zh" else joined, heading))
        buf.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _DROPPED or not tag:
            return
        if tag == "br":
            buf.append("\n")
            return
        block = tag in _BLOCKS
        if block:
            flush()
        buf.append(el.text or "")
        for child in el:
            walk(child)
            buf.append(child.tail or "")
        if block:
            flush(tag in _HEADINGS)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return out


# --- DOCX ----------------------------------------------------------------------------------


def read_docx(data: bytes, name: str, lang: str) -> list[Paragraph]:
    """DOCX: body paragraphs and table cells in document order; Heading and Title styles are headings."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise TermTMError(
                    f"{name} is a ZIP archive but not a Word document (.docx); termtm reads plain text, DOCX, "
                    "HTML, Markdown and PDF"
                )
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise TermTMError(f"{name} is a damaged Word document ({err}): open and save it again in Word") from err
    out: list[Paragraph] = []

    def add(items: Iterable[DocxParagraph | Table]) -> None:
        for item in items:
            if isinstance(item, Table):
                for row in item.rows:
                    for cell in _unique_cells(row.cells):
                        add(cell.iter_inner_content())
                continue
            text = join_lines(item.text.split("\n"), lang)
            if text:
                out.append(Paragraph(text, _docx_heading(item)))

    add(document.iter_inner_content())
    return out


def _unique_cells(cells: Iterable[_Cell]) -> list[_Cell]:
    """Cells of a row once each: python-docx repeats a merged cell for every grid column it spans."""
    seen: set[int] = set()
    out = []
    for cell in cells:
        key = id(cell._tc)  # the cell's XML element: one for all the grid columns a merged cell spans
        if key not in seen:
            seen.add(key)
            out.append(cell)
    return out


def _docx_heading(paragraph: DocxParagraph) -> bool:
    """True for a paragraph in a Heading or Title style, or one with an outline level."""
    style = getattr(paragraph, "style", None)
    style_name = (getattr(style, "name", "") or "").lower()
    if style_name.startswith(("heading", "title")):
        return True
    ppr = paragraph._p.pPr
    return (
        ppr is not None
        and ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") is not None
    )


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- PDF -----------------------------------------------------------------------------------

UNMAPPED_SHARE = 0.2
"""A PDF whose text is more than this share of unmapped glyphs, (cid:123), has no usable text layer."""
_CID = re.compile(r"\(cid:\d+\)")

HEADING_SIZE = 1.15
"""A PDF text block whose characters are this much larger than the body text's is a heading."""


def read_pdf(data: bytes, name: str, lang: str) -> list[Paragraph]:
    """PDF with a text layer: pdfminer's text blocks in reading order, larger type marked as headings."""
    blocks = pdf_blocks(data, name)
    if not any(text for _, text, _ in blocks):
        raise TermTMError(
            f"{name} is a PDF without a text layer (a scan): run OCR on it first (e.g. ocrmypdf -l chi_sim+eng) "
            "and add the OCR'd PDF or its text"
        )
    chars = sum(len(line) for _, box, _ in blocks for line in box)
    unmapped = sum(len(m) for _, box, _ in blocks for line in box for m in _CID.findall(line))
    if unmapped > UNMAPPED_SHARE * chars:
        raise TermTMError(
            f"{name}: the PDF's fonts do not say which characters they draw ({unmapped:,} of {chars:,} characters "
            "unreadable): run OCR on it (e.g. ocrmypdf --force-ocr -l chi_sim+eng) and add the result"
        )
    lines: list[str] = []
    size_of: dict[int, float] = {}
    page = 1
    for number, box, size in blocks:
        mark = "\f" if number != page else ""  # a form feed opens a new page
        if lines and not mark:
            lines.append("")  # a blank line between text blocks
        page = number
        for line in box:
            lines.append(mark + line)
            size_of[len(lines)] = size
            mark = ""
    sizes = sorted(size_of.values())
    body = sizes[len(sizes) // 2]
    headings = {n for n, size in size_of.items() if body > 0 and size >= body * HEADING_SIZE}
    return [Paragraph(t, h) for t, h in reflow("\n".join(lines), lang, headings=headings).paragraphs()]


def pdf_blocks(data: bytes, name: str) -> list[tuple[int, list[str], float]]:
    """(page number, lines, mean character size) of every text block of a PDF, in pdfminer's reading order."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    out: list[tuple[int, list[str], float]] = []
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()), start=1):
            for box in page:
                if not isinstance(box, LTTextBox):
                    continue
                lines: list[str] = []
                sizes: list[float] = []
                for line in box:
                    if isinstance(line, LTTextLine) and line.get_text().strip():
                        lines.append(line.get_text().strip())
                        sizes += [ch.size for ch in line if isinstance(ch, LTChar) and ch.get_text().strip()]
                if lines:
                    out.append((number, lines, sum(sizes) / len(sizes) if sizes else 0.0))
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise TermTMError(f"{name} is a password-protected PDF: remove the protection and add it again") from err
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as err:
        raise TermTMError(f"{name} is a damaged PDF ({err}): save or print it to PDF again") from err
    return out

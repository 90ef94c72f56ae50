"""An incoming source document as segments: read by its format, then split as the memory is split.

Plain text, the project's own document format, XLIFF 1.2 and PO are read here; DOCX, HTML, Markdown
and PDF come from `termtm.corpus.readers` when it is installed. Every paragraph (or XLIFF/PO unit) is
then cut into sentences with the memory's segmenter (`corpus.segment`), so that a sentence of the
document and a segment of the memory are looked up like for like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from termtm.corpus.script import HAN
from termtm.corpus.segment import split_en, split_zh
from termtm.errors import ParseError, UnknownLanguage, UnsupportedFormat
from termtm.formats.inputs import check_size, decode_text, quoted
from termtm.formats.xmlsafe import parse_xml
from termtm.model import Lang

TEXT_EXTENSIONS = ("txt", "text")
XLIFF_EXTENSIONS = ("xlf", "xliff")
PO_EXTENSIONS = ("po", "pot")
READER_EXTENSIONS = ("docx", "html", "htm", "md", "markdown", "pdf")
"""Formats read by termtm.corpus.readers (the document readers), when that module is present."""

MAX_SEGMENTS = 20_000
"""Most segments one document may have: a book is a few thousand; more is not one job."""

_BLANK_LINE = re.compile(r"\n\s*\n")
_LANG_NAMES = {Lang.ZH: "Chinese", Lang.EN: "English"}


@dataclass(frozen=True, slots=True)
class SourceSegment:
    """One sentence of the document, with the paragraph (or file unit) it comes from."""

    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document to analyse or pre-translate: its name, source and target language, and its segments."""

    name: str
    src: Lang
    tgt: Lang
    segments: tuple[SourceSegment, ...]


def extensions() -> tuple[str, ...]:
    """Every file extension `read_source` takes (the document readers' only when they are installed)."""
    return TEXT_EXTENSIONS + XLIFF_EXTENSIONS + PO_EXTENSIONS + (READER_EXTENSIONS if _readers() else ())


def read_source(data: bytes, name: str, src: Lang | None = None, tgt: Lang | None = None) -> SourceDocument:
    """Read a source document by its extension and split it into segments; a clear error when it cannot be.

    `src` and `tgt` default to what an XLIFF or PO file declares, else to the script of the text (a
    document with Han characters is Chinese) and the other language of the memory.
    """
    check_size(len(data), name)
    if not data.strip():
        raise ParseError(f"{name} is empty: there is nothing to analyse")
    ext = Path(name).suffix.lstrip(".").lower()
    if ext in XLIFF_EXTENSIONS:
        paragraphs, declared = _xliff_sources(data, name)
    elif ext in PO_EXTENSIONS:
        paragraphs, declared = _po_sources(data, name)
    elif ext in TEXT_EXTENSIONS:
        paragraphs, declared = _text_paragraphs(decode_text(data, name)), (None, None)
    elif ext in READER_EXTENSIONS and _readers():
        paragraphs, declared = _read_with_readers(data, name, src), (None, None)
    else:
        raise UnsupportedFormat(
            f"{name}: termtm analyses {', '.join('.' + e for e in extensions())} files; "
            "save the document in one of these formats"
        )
    src, tgt = _languages(name, paragraphs, src or declared[0], tgt or declared[1])
    split = split_zh if src is Lang.ZH else split_en
    segments = tuple(SourceSegment(s, n) for n, p in enumerate(paragraphs) for s in split(p))
    if not segments:
        raise ParseError(f"{name} holds no text to translate (only markup or empty units)")
    if len(segments) > MAX_SEGMENTS:
        raise ParseError(f"{name} has {len(segments):,} segments; the limit is {MAX_SEGMENTS:,}: split the document")
    return SourceDocument(name, src, tgt, segments)


def _languages(name: str, paragraphs: list[str], src: Lang | None, tgt: Lang | None) -> tuple[Lang, Lang]:
    """The source and target languages: as given or declared, else by script; they must be the memory's two."""
    if src is None:
        text = "".join(paragraphs)
        letters = sum(1 for ch in text if ch.isalpha())
        src = Lang.ZH if letters and len(HAN.findall(text)) >= 0.2 * letters else Lang.EN
    other = Lang.EN if src is Lang.ZH else Lang.ZH
    if tgt is None:
        tgt = other
    if tgt is not other:
        raise ParseError(
            f"{name}: source and target are both {_LANG_NAMES[src]}: the memory translates Chinese to English "
            "or English to Chinese"
        )
    return src, tgt


def _text_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text (blocks between blank lines), or the body of a document in termtm's own format."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if text.startswith("@document"):
        from termtm.corpus.docfile import parse_document

        return [p.text for a in parse_document(text).articles for p in a.paragraphs]
    paragraphs = []
    for block in _BLANK_LINE.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            joined = lines[0]
            for line in lines[1:]:  # a hard-wrapped line: Chinese joins without a space, English with one
                joined += line if HAN.match(joined[-1]) or HAN.match(line[0]) else " " + line
            paragraphs.append(joined)
    return paragraphs


def _lang(code: str | None, name: str, what: str) -> Lang | None:
    """A declared language code as one of the memory's languages, or a ParseError saying it is not one."""
    if not code or not code.strip():
        return None
    try:
        return Lang.parse(code)
    except UnknownLanguage as err:
        raise ParseError(
            f"{name}: the {what} is {quoted(code)}; the memory holds Chinese and English (zh-CN, en): "
            "export the file for that language pair"
        ) from err


def _xliff_sources(data: bytes, name: str) -> tuple[list[str], tuple[Lang | None, Lang | None]]:
    """The <source> text of every XLIFF 1.2 unit (inline codes dropped), and the languages of its <file>s."""
    root = parse_xml(data, name, roots=("xliff",))
    if (root.get("version") or "1.2").startswith("2"):
        raise UnsupportedFormat(f"{name} is XLIFF {root.get('version')}: termtm analyses XLIFF 1.2; export 1.2")
    pairs = {
        (
            _lang(f.get("source-language"), name, "source language"),
            _lang(f.get("target-language"), name, "target language"),
        )
        for f in root.iter("{*}file")
    }
    if len(pairs) > 1:
        raise ParseError(f"{name}: its <file> elements declare different languages: analyse one pair at a time")
    sources = []
    for unit in root.iter("{*}trans-unit"):
        if unit.get("translate") == "no":
            continue
        source = unit.find("{*}source")
        text = "".join(source.itertext()).strip() if source is not None else ""
        if text:
            sources.append(text)
    return sources, pairs.pop() if pairs else (None, None)


def _po_sources(data: bytes, name: str) -> tuple[list[str], tuple[Lang | None, Lang | None]]:
    """Every msgid of a PO file (the header and obsolete entries aside), and the target language it declares."""
    from translate.storage.po import pofile

    text = decode_text(data, name)
    try:
        store = pofile.parsestring(text.encode("utf-8"))
    except Exception as err:  # the toolkit's parser raises ValueError and others on malformed files
        raise ParseError(f"{name}: not a readable PO file: {err}") from err
    tgt = _lang(store.gettargetlanguage() or None, name, "target language (the header's Language)")
    sources = [str(u.source).strip() for u in store.units if not (u.isheader() or u.isobsolete())]
    src = None if tgt is None else (Lang.EN if tgt is Lang.ZH else Lang.ZH)
    return [s for s in sources if s], (src, tgt)


def _readers():  # -> the termtm.corpus.readers module, or None
    """The document readers (DOCX, HTML, Markdown, PDF), when this checkout has them."""
    try:
        from termtm.corpus import readers
    except ImportError:
        return None
    return readers


def _read_with_readers(data: bytes, name: str, src: Lang | None) -> list[str]:
    """Paragraph texts from the document readers."""
    lang = "zh" if src is None or src is Lang.ZH else "en"
    return [p.text for p in _readers().read_document(Path(name), lang, data=data, filename=name)]

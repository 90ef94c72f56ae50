"""An incoming source document as segments: read by its format, then split as the memory is split.

Plain text, DOCX, HTML, Markdown and PDF come from the document readers (`termtm.corpus.readers`,
which also rejoin hard-wrapped and OCR'd text); XLIFF 1.2, PO and the project's own document format
(`@document …`) are read here. Every paragraph (or XLIFF/PO unit) is then cut into sentences with the
memory's segmenter (`corpus.segment`), so that a sentence of the document and a segment of the memory
are looked up like for like.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from termtm.corpus.script import HAN
from termtm.corpus.segment import split_en, split_zh
from termtm.errors import ParseError, TermTMError, UnknownLanguage, UnsupportedFormat
from termtm.formats.inputs import check_size, decode_text, quoted
from termtm.formats.xmlsafe import parse_xml
from termtm.model import Lang

XLIFF_EXTENSIONS = ("xlf", "xliff")
PO_EXTENSIONS = ("po", "pot")
READER_EXTENSIONS = ("txt", "text", "docx", "html", "htm", "xhtml", "md", "markdown", "pdf")
"""Formats read by termtm.corpus.readers (the document readers)."""

MAX_SEGMENTS = 20_000
"""Most segments one document may have: a book is a few thousand; more is not one job."""

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
    """Every file extension `read_source` takes."""
    return READER_EXTENSIONS + XLIFF_EXTENSIONS + PO_EXTENSIONS


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
    elif ext in ("txt", "text") and data.lstrip(b"\xef\xbb\xbf").startswith(b"@document"):
        paragraphs, declared = _docfile_paragraphs(decode_text(data, name)), (None, None)
    elif ext in READER_EXTENSIONS:
        paragraphs, src = _read_with_readers(data, name, src)
        declared = (None, None)
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


def _docfile_paragraphs(text: str) -> list[str]:
    """Paragraphs of a document in termtm's own format (the cleaned bulletin), in reading order."""
    from termtm.corpus.docfile import parse_document

    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    return [p.text for a in parse_document(text).articles for p in a.paragraphs]


def _required_lang(code: str | None, name: str, what: str) -> Lang | None:
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
            _required_lang(f.get("source-language"), name, "source language"),
            _required_lang(f.get("target-language"), name, "target language"),
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
    tgt = _required_lang(store.gettargetlanguage() or None, name, "target language (the header's Language)")
    sources = [str(u.source).strip() for u in store.units if not (u.isheader() or u.isobsolete())]
    src = None if tgt is None else (Lang.EN if tgt is Lang.ZH else Lang.ZH)
    return [s for s in sources if s], (src, tgt)


def _read_with_readers(data: bytes, name: str, src: Lang | None) -> tuple[list[str], Lang]:
    """Paragraph texts from the document readers, and the language they were read in.

    The readers refuse a document that is not in the language they are given; with no language given,
    Chinese is tried first, then English, and if neither fits the Chinese attempt's error is reported.
    """
    from termtm.corpus.readers import read_document

    tries = [src] if src is not None else [Lang.ZH, Lang.EN]
    first: TermTMError | None = None
    for lang in tries:
        try:
            paras = read_document(Path(name), lang.short, data=data, filename=name)
        except TermTMError as err:
            first = first or err
            continue
        return [p.text for p in paras], lang
    assert first is not None
    raise first

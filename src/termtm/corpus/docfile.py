"""The project's plain-text document format, readable in a diff.

A file holds one bulletin in one language::

    @document bulletin-2007-12
    @lang zh-CN

    @article a01
    @section 重大会议

    # Title

    ## Heading inside the article

    Body paragraph, one per block; blocks are separated by blank lines.

    > Byline or source note

Both editions of a bulletin use it, so that their articles and paragraphs can
be paired by position.
"""

from __future__ import annotations

from termtm.corpus.script import is_han
from termtm.errors import DocumentError
from termtm.model import Article, Document, Lang, Paragraph, ParaKind

_MARKS = ((ParaKind.HEADING, "## "), (ParaKind.TITLE, "# "), (ParaKind.BYLINE, "> "))
_ARTICLE_FIELDS = ("section", "subsection", "speaker")


def parse_document(text: str) -> Document:
    """Parse a document file; DocumentError names the line of any problem."""
    header: dict[str, str] = {}
    articles: list[Article] = []
    fields: dict[str, str] = {}
    paras: list[Paragraph] = []
    art_id = ""

    def close() -> None:
        if art_id:
            articles.append(Article(id=art_id, paragraphs=tuple(paras), **fields))

    blocks = _blocks(text)
    for lineno, block in blocks:
        if block.startswith("@"):
            for offset, line in enumerate(block.split("\n")):
                key, _, value = line[1:].partition(" ")
                if key == "article":
                    close()
                    art_id, fields, paras = value.strip(), {}, []
                elif art_id and key in _ARTICLE_FIELDS:
                    fields[key] = value.strip()
                elif not art_id and key in ("document", "lang", "title"):
                    header[key] = value.strip()
                else:
                    raise DocumentError(f"line {lineno + offset}: unknown field @{key}")
            continue
        if not art_id:
            raise DocumentError(f"line {lineno}: text before the first @article")
        paras.append(_paragraph(block))
    close()
    if "document" not in header or "lang" not in header:
        raise DocumentError("a document file starts with @document ID and @lang CODE")
    return Document(
        id=header["document"], lang=Lang.parse(header["lang"]), title=header.get("title", ""), articles=tuple(articles)
    )


def render_document(doc: Document) -> str:
    """Write a document in the format parse_document reads."""
    out = [f"@document {doc.id}", f"@lang {doc.lang.value}"]
    if doc.title:
        out.append(f"@title {doc.title}")
    out.append("")
    for art in doc.articles:
        head = [f"@article {art.id}"]
        head += [f"@{name} {getattr(art, name)}" for name in _ARTICLE_FIELDS if getattr(art, name)]
        out.append("\n".join(head))
        out.append("")
        for p in art.paragraphs:
            mark = dict(_MARKS).get(p.kind, "")
            out.append(mark + " ".join(p.text.split("\n")))
            out.append("")
    return "\n".join(out)


def _paragraph(block: str) -> Paragraph:
    """One block of text as a paragraph; line breaks inside a block are joined."""
    for kind, mark in _MARKS:
        if block.startswith(mark):
            return Paragraph(kind, _unwrap(block[len(mark) :]))
    return Paragraph(ParaKind.BODY, _unwrap(block))


def _unwrap(text: str) -> str:
    """Join a block's lines with a space (English) or nothing (between Han characters)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out = ""
    for line in lines:
        if out and not (_is_han(out[-1]) and _is_han(line[0])):
            out += " "
        out += line
    return out


def _is_han(ch: str) -> bool:
    return is_han(ch) or ch in "，。；：！？、）》”"


def _blocks(text: str) -> list[tuple[int, str]]:
    """Split text into (first line number, block) at blank lines."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 1
    for n, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = n
            current.append(line.rstrip())
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks

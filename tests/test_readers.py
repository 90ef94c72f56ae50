"""Each document reader on a small real file made in the test from the bulletin's own paragraphs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from termtm.corpus import parse_document
from termtm.corpus.readers import Paragraph, read_document
from termtm.errors import TermTMError
from termtm.model import ParaKind

ROOT = Path(__file__).resolve().parents[1]


def _article(lang: str, article: str = "a01") -> tuple[str, list[str]]:
    """Title and body paragraphs of one article of the bulletin, in one language."""
    path = ROOT / ("tmx/bulletin-2007-12.zh.txt" if lang == "zh" else "tmx/sources/bulletin-2007-12.en.txt")
    doc = parse_document(path.read_text(encoding="utf-8"))
    art = next(a for a in doc.articles if a.id == article)
    title = next(p.text for p in art.paragraphs if p.kind is ParaKind.TITLE)
    body = [p.text for p in art.paragraphs if p.kind is ParaKind.BODY]
    return title, body[:3]


ZH_TITLE, ZH_BODY = _article("zh")
EN_TITLE, EN_BODY = _article("en")


def _expected(title: str, body: list[str]) -> list[Paragraph]:
    return [Paragraph(title, heading=True), *(Paragraph(text) for text in body)]


def _wrap(text: str, width: int) -> list[str]:
    """Hard-wrap a paragraph at `width` characters, as a text editor or an e-mail client does."""
    return [text[i : i + width] for i in range(0, len(text), width)]


def test_plain_text_blank_line_paragraphs_with_bom_and_hard_wrapped_lines() -> None:
    text = "\n\n".join(["\n".join(_wrap(p, 37)) for p in ZH_BODY])
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    assert read_document(Path("a01.zh.txt"), "zh", data=data) == [Paragraph(p) for p in ZH_BODY]


def test_plain_text_english_rejoins_hyphenated_words(tmp_path: Path) -> None:
    path = tmp_path / "a01.en.txt"
    path.write_text(
        "Hosted by the Ministry of Public Security (MPS) of China, co-organized by the Office of the National Work-\n"
        "ing Committee on Children and Women under the State Council (NWCCW), the Ministry of Foreign Affairs\n"
        "and the Ministry of Commerce\n\n(2) Anti-trafficking policies and plans: each country has formulated a first-\n"
        "phase national plan of action against trafficking.\n\nBuilding on the completion of its first-phase plan of action against trafficking, Cambodia issued its\n"
        "second-phase national plan of action against trafficking (2006–2010) in 2006.\n",
        encoding="utf-8",
    )
    assert read_document(path, "en") == [
        Paragraph(
            "Hosted by the Ministry of Public Security (MPS) of China, co-organized by the Office of the National "
            "Working Committee on Children and Women under the State Council (NWCCW), the Ministry of Foreign "
            "Affairs and the Ministry of Commerce"
        ),
        # "first-phase" is written whole elsewhere in the file: the hyphen is the author's and stays.
        Paragraph(
            "(2) Anti-trafficking policies and plans: each country has formulated a first-phase national plan of action against trafficking."
        ),
        Paragraph(
            "Building on the completion of its first-phase plan of action against trafficking, Cambodia issued its "
            "second-phase national plan of action against trafficking (2006–2010) in 2006."
        ),
    ]


def test_docx_headings_paragraphs_and_tables_in_order() -> None:
    import docx

    document = docx.Document()
    document.add_heading(ZH_TITLE, level=1)
    document.add_paragraph(ZH_BODY[0])
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = ZH_BODY[1]
    table.cell(0, 1).text = ZH_BODY[2]
    document.add_paragraph("")  # empty paragraphs are not paragraphs
    buf = io.BytesIO()
    document.save(buf)
    # The name says .txt: a DOCX is known by its content, not its extension.
    assert read_document(Path("upload.txt"), "zh", data=buf.getvalue()) == _expected(ZH_TITLE, ZH_BODY)


def test_html_headings_marked_scripts_and_styles_dropped() -> None:
    page = f"""<!DOCTYPE html><html><head><title>反拐通讯</title><style>p {{color: red}}</style>
<script>var x = "不是正文";</script></head>
<body><nav><a href="/">首页</a></nav>
<h2>{ZH_TITLE}</h2>
<p>{ZH_BODY[0][:40]}
{ZH_BODY[0][40:]}</p>
<div><span>{ZH_BODY[1]}</span><script>document.write("x")</script></div>
<ul><li>{ZH_BODY[2]}</li></ul></body></html>"""
    assert read_document(Path("a01.html"), "zh", data=page.encode("utf-8")) == _expected(ZH_TITLE, ZH_BODY)


def test_html_sniffed_from_content_and_english_heading() -> None:
    page = f"<html><body><h1>{EN_TITLE}</h1><p>{EN_BODY[0]}</p><p>{EN_BODY[1]}<br>{EN_BODY[2]}</p></body></html>"
    paras = read_document(Path("page"), "en", data=page.encode("utf-8"))
    assert paras == [Paragraph(EN_TITLE, True), Paragraph(EN_BODY[0]), Paragraph(EN_BODY[1] + " " + EN_BODY[2])]


def test_markdown_headings_lists_and_soft_breaks() -> None:
    cut = EN_BODY[0].index(" ", 60)
    md = f"# {EN_TITLE}\n\n{EN_BODY[0][:cut]}\n{EN_BODY[0][cut + 1 :]}\n\n- {EN_BODY[1]}\n- {EN_BODY[2]}\n\n```\ncode is not text\n```\n"
    assert read_document(Path("a01.md"), "en", data=md.encode("utf-8")) == _expected(EN_TITLE, EN_BODY)


def _pdf(lines: list[tuple[str, float, float]], font: str = "Helvetica") -> bytes:
    """A one-page PDF with a text layer: each (text, size, y) drawn at the left margin."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if font == "STSong-Light":
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for text, size, y in lines:
        c.setFont(font, size)
        c.drawString(72, y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_english_text_layer_heading_by_size_hyphen_rejoined() -> None:
    words = EN_BODY[1].split()
    first, second = " ".join(words[:12]), " ".join(words[12:24])
    data = _pdf(
        [
            ("The Second Inter-Ministerial Meeting", 18, 760),
            (first + " Gov-", 10, 720),
            ("ernment " + second, 10, 708),
            ("Meeting and gave welcoming remarks.", 10, 696),
        ]
    )
    assert read_document(Path("a01.pdf"), "en", data=data) == [
        Paragraph("The Second Inter-Ministerial Meeting", heading=True),
        Paragraph(f"{first} Government {second} Meeting and gave welcoming remarks."),
    ]


def test_pdf_chinese_text_layer() -> None:
    body = _wrap(ZH_BODY[2], 38)
    data = _pdf([(ZH_TITLE[:20], 16, 780)] + [(line, 10, 740 - 13 * i) for i, line in enumerate(body)], "STSong-Light")
    assert read_document(Path("a01.pdf"), "zh", data=data) == [Paragraph(ZH_TITLE[:20], True), Paragraph(ZH_BODY[2])]


def test_scanned_pdf_without_text_layer_is_refused() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(72, 600, 400, 150, fill=1)  # an image-like page: marks, no text
    c.showPage()
    c.save()
    with pytest.raises(TermTMError, match=r"without a text layer .*run OCR"):
        read_document(Path("scan.pdf"), "zh", data=buf.getvalue())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a01.xlsx", b"name,text\n1,2\n", "does not read .xlsx files"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a PNG image: run OCR"),
        ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 20, "save it as .docx"),
        ("a.zip", b"PK\x03\x04" + b"\x00" * 40, "damaged Word document|not a Word document"),
        ("empty.txt", b"  \n\n", "is empty"),
        ("gbk.txt", "湄公河次区域".encode("gb18030"), "GBK/GB18030"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "damaged PDF|without a text layer"),
    ],
)
def test_other_formats_empty_and_unreadable_files_get_a_clear_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(TermTMError, match=message):
        read_document(Path(name), "zh", data=data)


def test_language_must_match_the_side() -> None:
    zh = "\n\n".join(ZH_BODY).encode("utf-8")
    en = "\n\n".join(EN_BODY).encode("utf-8")
    with pytest.raises(TermTMError, match=r"is Chinese .* not English.*wrong side"):
        read_document(Path("a01.txt"), "en", data=zh)
    with pytest.raises(TermTMError, match=r"is not Chinese .*wrong side"):
        read_document(Path("a01.txt"), "zh", data=en)
    # Chinese text with English acronyms (COMMIT, UNIAP, SOM5) stays Chinese.
    assert len(read_document(Path("a01.txt"), "zh-CN", data=zh)) == 3
    with pytest.raises(TermTMError, match="unknown document language"):
        read_document(Path("a01.txt"), "fr", data=en)


def test_a_zip_that_is_not_a_docx_is_named() -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", "<x/>")
    with pytest.raises(TermTMError, match="ZIP archive but not a Word document"):
        read_document(Path("a.odt"), "zh", data=buf.getvalue())


def test_pdf_pages_lose_running_heads_and_page_numbers_and_paragraphs_run_on() -> None:
    from reportlab.pdfgen import canvas

    words = " ".join(EN_BODY[:3]).split()
    lines = [" ".join(words[i : i + 13]) for i in range(0, 13 * 30, 13)]  # 30 full lines of real text
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page, chunk in enumerate((lines[:12], lines[12:24], lines[24:]), start=1):
        c.setFont("Helvetica", 8)
        c.drawString(72, 800, "UNIAP China Anti-Trafficking Newsletter, December 2007")
        c.drawString(290, 40, f"- {page} -")
        c.setFont("Helvetica", 10)
        for i, line in enumerate(chunk):
            c.drawString(72, 740 - 14 * i, line)
        c.showPage()
    c.save()
    paras = read_document(Path("newsletter.pdf"), "en", data=buf.getvalue())
    text = " ".join(lines)
    # One paragraph, across the three pages, without the heads and folios between them.
    assert paras == [Paragraph(text)]


def test_control_characters_are_artefacts_and_go() -> None:
    data = f"{ZH_BODY[0][:20]}\x07{ZH_BODY[0][20:]}\n\n{ZH_BODY[1]}\x0b\n".encode()
    assert read_document(Path("a01.txt"), "zh", data=data) == [Paragraph(ZH_BODY[0]), Paragraph(ZH_BODY[1])]

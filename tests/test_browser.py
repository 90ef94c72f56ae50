"""End to end in Debian's Chromium, driven by Playwright: a translator types, sees, follows links.

Runs the real app on waitress in this process (the base_url and browser fixtures of conftest.py, the helpers
of chromium.py). Screenshots go to var/screenshots/ (git-ignored), or to $TERMTM_SCREENSHOTS.
"""

from __future__ import annotations

import time

import pytest
from chromium import SHOTS, serve
from conftest import ROOT

from termtm.web import create_app

STARTED = time.time()  # a screenshot older than this run was left by an earlier one


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def type_query(page, text: str) -> None:
    """Type as a translator does and wait for search-as-you-type to answer for exactly this query."""
    page.fill("#q", "")
    page.type("#q", text, delay=20)
    page.wait_for_function("q => document.body.dataset.searched === q", arg=text, timeout=20_000)


def test_a_chinese_query_shows_the_term_with_pinyin_and_the_segments(page):
    page.goto("/")
    type_query(page, "反拐")
    first = page.locator("#results .hit.term").first
    assert "fǎn" in first.inner_text()
    assert page.locator("#conc-h .count").inner_text() != "0"
    page.screenshot(path=str(SHOTS / "lookup-zh.png"), full_page=False)


def test_an_english_query_finds_the_ministry_and_fuzzy_matches(page):
    page.goto("/")
    type_query(page, "Ministry of Public Security")
    assert 'href="/term/mps"' in page.locator("#results .hit.term").first.inner_html()
    page.screenshot(path=str(SHOTS / "lookup-en.png"))


def test_a_pinyin_query_follows_through_to_the_term_and_a_segment(page):
    page.goto("/")
    type_query(page, "gonganbu")
    page.locator("#results .hit.term").first.get_by_role("link", name="mps").click()
    page.wait_for_url("**/term/mps")
    assert "Ministry of Public Security" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "term.png"))
    page.locator("ol.contexts a").first.click()
    page.wait_for_url("**/segment/**")
    assert page.locator("li[aria-current=true]").count() == 1
    assert page.locator('a[href="/term/mps"]').count() >= 1
    page.screenshot(path=str(SHOTS / "segment.png"))


def test_keyboard_moves_through_results_and_enter_opens_one(page):
    page.goto("/")
    type_query(page, "SOM5")
    page.focus("#q")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('hit')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/term/som5")


def lookups(page) -> list[str]:
    """Record the URLs of search-as-you-type's requests from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "partial=" in r.url else None)
    return seen


def test_typing_a_sentence_asks_for_neighbours_in_meaning_once_when_typing_pauses(page):
    page.goto("/")
    sent = lookups(page)
    sentence = "湄公河次区域各国政府签署了反对拐卖人口的谅解备忘录"
    page.type("#q", sentence, delay=120)  # a quick typist: 120 ms between keys, a pause only at the end
    page.wait_for_function("q => document.body.dataset.semantic === q", arg=sentence, timeout=30_000)
    semantic = [u for u in sent if "partial=semantic" in u]
    assert 1 <= len(semantic) <= 2, semantic
    assert all("sem=0" in u for u in sent if "partial=semantic" not in u)  # the lexical groups never encode it
    assert page.locator("#sem-h .count").inner_text() != "0"
    assert page.locator("#semantic .pending").count() == 0


def test_enter_asks_for_neighbours_in_meaning_at_once(page):
    page.goto("/")
    sent = lookups(page)
    page.type("#q", "anti-trafficking cooperation", delay=30)
    page.keyboard.press("Enter")  # at once: 30 ms after the last key, long before a pause would count
    page.wait_for_function("q => document.body.dataset.semantic === q", arg="anti-trafficking cooperation")
    assert len([u for u in sent if "partial=semantic" in u]) == 1, sent
    assert page.evaluate("document.getElementById('q').value") == "anti-trafficking cooperation"  # no page load


def test_copy_button_and_pinyin_toggle(page):
    page.goto("/?q=IMM2")
    page.locator(".hit.term .copy").first.click()
    page.wait_for_function("document.body.dataset.copied !== undefined")
    assert page.evaluate("document.body.dataset.copied")
    assert page.locator("rt").first.is_visible()
    page.uncheck("#ruby-toggle")
    assert not page.locator("rt").first.is_visible()
    page.reload()
    assert not page.locator("rt").first.is_visible()  # the choice is remembered


def test_the_page_works_at_phone_width(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    pg.goto("/?q=湄公河次区域")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    pg.screenshot(path=str(SHOTS / "lookup-phone.png"), full_page=False)
    context.close()


def test_screenshots_were_saved(base_url):
    for name in ("lookup-zh.png", "lookup-en.png", "term.png", "segment.png"):
        shot = (SHOTS / name).stat()
        assert shot.st_size > 10_000 and shot.st_mtime >= STARTED, f"{name} was not written by this run"


@pytest.fixture(scope="module")
def editing_url(tmp_path_factory, base_url):
    """A server over a store of its own (40 bulletin segments and the glossary) with an editor account."""
    from termtm.formats import read_memory
    from termtm.model import Lang, Segment
    from termtm.store import open_store
    from termtm.store.users import Role, Users
    from termtm.terms import load_glossary

    url = f"sqlite:///{tmp_path_factory.mktemp('editing')}/store.db"
    store = open_store(url)
    units = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)
    store.replace_document("bulletin-2007-12", [Segment(u.id, u.zh, u.en) for u in units[:40]], "20240101T000000Z")
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    Users(store).add("editor", "editor password", Role.EDITOR, "20240101T000000Z")
    server, base = serve(create_app({"DATABASE_URL": url}))
    yield base, units[12]
    server.close()


def test_an_editor_signs_in_corrects_approves_and_sees_the_history(browser, editing_url):
    url, unit = editing_url
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(f"/segment/{unit.id}")
    pg.get_by_role("link", name="Sign in").click()
    pg.fill("#name", "editor")
    pg.fill("#password", "editor password")
    pg.get_by_role("button", name="Sign in").click()
    assert pg.url.endswith(unit.id.replace(":", "%3A")) or unit.id in pg.url  # back where the editor was
    pg.fill("#en-edit", "A corrected translation, approved.")
    pg.select_option("#status-edit", "approved")
    pg.get_by_role("button", name="Save").click()
    assert "Saved and approved." in pg.locator(".flashes").inner_text()
    assert "A corrected translation, approved." in pg.locator(".pair .en").inner_text()
    pg.screenshot(path=str(SHOTS / "edit-segment.png"), full_page=False)
    pg.get_by_role("link", name="history", exact=True).click()
    row = pg.locator("table.audit tbody tr").first
    assert "editor" in row.inner_text() and "segment.edit" in row.inner_text()
    assert unit.en[:30] in pg.locator("table.audit td.old").first.inner_text()
    pg.screenshot(path=str(SHOTS / "history.png"), full_page=False)
    context.close()

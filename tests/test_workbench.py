"""The translator's and the editor's day (issue 24), in Debian's Chromium and on the command line.

Lookup answers the question asked first; the concordance is counted and paged; /check is a workbench
whose decisions `termtm check` honours; exports open in a spreadsheet; every page passes axe-core with
no serious or critical violation. axe-core comes from npm (.ci/run installs it into .ci/node); the test
injects it from there, never from a CDN.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from chromium import SHOTS, serve
from conftest import ROOT

from termtm.cli import main, parser
from termtm.errors import TermTMError
from termtm.web import create_app

AXE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"

SENTENCE = "柬埔寨在2007年8月成立了由副总理领头的国家反拐工作领导小组，以进一步加强各项反拐工作的全面落实。"
SENTENCE_MATCH = "bulletin-2007-12:a01:p006:s01"  # 领导 → 领头, 7月 → 8月: a 96% match
MEKONG = "湄公河"


@pytest.fixture(scope="module")
def editing(tmp_path_factory, base_url):
    """A server over a store of its own (the bulletin's first 60 segments and the glossary) with an editor."""
    from termtm.formats import read_memory
    from termtm.model import Lang, Segment
    from termtm.store import open_store
    from termtm.store.users import Role, Users
    from termtm.terms import load_glossary

    root = tmp_path_factory.mktemp("workbench")
    url = f"sqlite:///{root}/store.db"
    store = open_store(url)
    units = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)
    store.replace_document(
        "bulletin-2007-12", [Segment(u.id, u.zh, u.en, "bulletin-2007-12") for u in units[:60]], "20240101T000000Z"
    )
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    Users(store).add("editor", "editor password", Role.EDITOR, "20240101T000000Z")
    _document_in_review(store)
    (root / "qa-ignore.yaml").write_text("ignore: []\n", encoding="utf-8")
    server, base = serve(create_app({"DATABASE_URL": url, "QA_IGNORE": str(root / "qa-ignore.yaml")}))
    yield {"url": base, "db": url, "root": root, "store": store, "units": units}
    server.close()


def _document_in_review(store) -> None:
    """Article a02 as the raw OCR reads it (渭公河 for 湄公河) beside its English, aligned on length and
    dictionary cues and waiting for review, with the cleaner's OCR proposals."""
    from test_documents import article, raw_ocr_article

    from termtm.app import documents as docs

    zh = docs.Upload("a02.ocr.zh.txt", raw_ocr_article().encode("utf-8"))
    en = docs.Upload("a02.en.txt", article({"a02"}, "en").encode("utf-8"))
    docs.add(store, "zhou-meets-ministers", zh, en, user="editor", when="20240102T000000Z", encoders=docs.Encoders())


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def editor_page(browser, editing):
    context = browser.new_context(base_url=editing["url"], viewport={"width": 1280, "height": 800}, bypass_csp=True)
    pg = context.new_page()
    pg.goto("/login")
    pg.fill("#name", "editor")
    pg.fill("#password", "editor password")
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_load_state()
    yield pg
    context.close()


# Lookup: the answer to the question asked, first


def test_a_pasted_sentence_shows_its_fuzzy_match_above_the_fold(page):
    page.goto("/?q=" + quote(SENTENCE))
    first = page.locator("#results section").first
    assert first.get_attribute("aria-labelledby") == "fuzzy-h"
    hit = page.locator("section[aria-labelledby=fuzzy-h] .hit").first
    assert hit.locator(".pct").inner_text() == "96% match"
    assert "In July 2007 Cambodia established" in hit.inner_text()
    box = hit.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box  # the match and its English, unscrolled
    legend = page.locator("section[aria-labelledby=fuzzy-h] .legend").inner_text()
    assert "in your query but not in the memory" in legend and "in the memory but not in your query" in legend
    similar = page.locator("section[aria-labelledby=sem-h] a").all_inner_texts()
    assert SENTENCE_MATCH not in similar and similar  # shown once, as the fuzzy match
    page.screenshot(path=str(SHOTS / "workbench-sentence.png"))


def test_a_term_query_shows_terms_first_with_scores_as_percentages(page):
    page.goto("/?q=COMMIT")
    assert page.locator("#results section").first.get_attribute("aria-labelledby") == "terms-h"
    card = page.locator(".hit.term").first
    assert "term match 100%" in card.locator(".meta").inner_text()
    avoid = card.locator(".zh-side .avoid").inner_text()
    assert "COMMII (OCR error for COMMIT)" in avoid  # subordinate, with the reason in words
    assert card.locator(".zh-side .badge.status-preferred").first.inner_text().lower() == "preferred"
    scores = [int(re.search(r"(\d+)%", t).group(1)) for t in page.locator(".hit.term .score").all_inner_texts()]
    assert len(scores) == 10 and max(scores) == 100  # never 100.5 or 101


def test_pinyin_sits_over_each_character_and_the_chinese_keeps_its_spacing(page):
    page.goto("/?q=" + quote(MEKONG))
    rubies = page.evaluate(
        """() => Array.from(document.querySelectorAll('.hit.term .zh-side ruby')).slice(0, 40).map(r => {
             const rt = r.querySelector('rt');
             return [r.textContent.replace(rt.textContent, ''), rt.textContent, r.getBoundingClientRect().width];
           })"""
    )
    assert rubies[:3] == [["湄", "méi", rubies[0][2]], ["公", "gōng", rubies[1][2]], ["河", "hé", rubies[2][2]]]
    widths = {round(w) for _, _, w in rubies}
    assert len(widths) == 1, widths  # every character as wide as the others, whatever its syllable


def test_the_concordance_is_counted_and_pages_through_every_hit(page, built):
    _, store, _ = built
    expected = {r.segment.tuid for r in store.records() if MEKONG in r.segment.zh}
    page.goto("/?q=" + quote(MEKONG))
    assert page.locator("#conc-total").inner_text() == str(len(expected))  # 56 segments hold 湄公河
    assert len(expected) > 50 and page.locator("#conc-range").inner_text().startswith(
        f"Segments 1–10 of {len(expected)}"
    )
    seen: list[str] = []
    for n in range(1, 7):
        lines = page.locator("section#concordance .hit .meta a")
        seen += lines.all_inner_texts()
        if n < 6:
            page.locator("nav.pages a[rel=next]").click()
            page.wait_for_load_state()
            assert page.locator("#conc-range").inner_text().startswith(f"Segments {n * 10 + 1}–")
    assert len(seen) == len(expected) and set(seen) == expected
    assert page.locator("nav.pages a[rel=next]").count() == 0  # the last page
    # bilingual: the English rendering of 湄公河 is marked on the other side
    page.goto("/?q=" + quote(MEKONG))
    assert "Mekong" in page.locator("section#concordance .other mark").all_inner_texts()


def test_kwic_snippets_start_and_end_on_word_boundaries(base_url):
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/api/v1/concordance?q=Mekong&k=100") as r:
        hits = json.load(r)
    assert len(hits) >= 20
    for h in hits:
        text = h["en"] if h["lang"] == "en" else h["zh"]
        snippet = h["kwic"]["left"] + h["kwic"]["match"] + h["kwic"]["right"]
        at = text.find(snippet)
        assert at >= 0, snippet
        before, after = text[at - 1 : at] if at else "", text[at + len(snippet) : at + len(snippet) + 1]
        assert not (before.isalnum() and snippet[0].isalnum()), (before, snippet)
        assert not (after.isalnum() and snippet[-1].isalnum()), (snippet, after)


def test_favicon_and_the_api_page(page):
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page.goto("/")
    page.get_by_role("link", name="API documentation").click()
    page.wait_for_url("**/api")
    examples = page.locator("pre.example").all_inner_texts()
    spec = page.request.get("/api/v1/openapi.json").json()["paths"]
    endpoints = [f"{method.upper()} {path}" for path, methods in spec.items() for method in methods]
    headings = page.locator("section.endpoint h2").all_inner_texts()
    assert sorted(headings) == sorted(endpoints)  # every endpoint of the OpenAPI document, each once
    lookups = ["/health", "/terms", "/terms/{id}", "/fuzzy", "/concordance", "/semantic", "/segments/{tuid}"]
    assert [h for h in headings if h.removeprefix("GET ") in lookups] == [f"GET {p}" for p in lookups]
    assert len(examples) == len(headings) and all(e.startswith("curl ") for e in examples)
    terms = next(e for e in examples if "/api/v1/terms?" in e).removeprefix("curl '").removesuffix("'")
    answer = page.request.get(terms).json()
    assert answer[0]["id"] == "mekong-river" and answer[0]["score"] == 100.0


# /check as a workbench


def test_a_finding_accepted_in_the_browser_is_ignored_by_termtm_check(editor_page, editing, capsys):
    pg = editor_page
    cli = ["--root", str(editing["root"]), "--db", editing["db"], "check", "--format", "json"]
    main(cli)
    before = json.loads(capsys.readouterr().out)
    pg.goto("/check")
    row = pg.locator("tr.finding").first
    check = row.locator("td").first.inner_text()
    tuid = row.locator(".what .meta a").first.inner_text()
    assert any(f["check"] == check and tuid in f["tuids"] for f in before["findings"])
    row.locator("details.accept summary").click()
    row.locator("textarea[name=reason]").fill("the English names the group by its acronym, as printed")
    row.get_by_role("button", name="Accept with this reason").click()
    pg.wait_for_load_state()
    assert f"Accepted the {check} finding in {tuid}" in pg.locator(".flashes").inner_text()
    pg.goto(f"/check?check={check}&status=ignored")
    assert tuid in pg.locator("tr.finding").first.inner_text()
    assert "as printed" in pg.locator("tr.finding .why").first.inner_text()
    main(cli)
    after = json.loads(capsys.readouterr().out)
    assert not any(f["check"] == check and f["tuids"][0] == tuid for f in after["findings"])
    assert after["counts"]["ignored"] == before["counts"]["ignored"] + 1
    pg.goto("/history?kind=finding&key=" + quote(tuid))
    assert "finding.accept" in pg.locator("table.audit").inner_text()


def test_the_table_sorts_filters_pages_and_exports_the_filtered_rows(page, base_url):
    from openpyxl import load_workbook

    page.goto("/check")
    assert page.locator("header.site nav").count() == 1  # the site's layout
    assert page.evaluate("document.documentElement.scrollHeight") < 15_000
    assert page.locator("tr.finding").count() == 50 and page.locator("nav.pages a[rel=next]").count() == 1
    rank = {"error": 0, "warning": 1, "info": 2}
    page.goto("/check?sort=severity&dir=asc")
    severities = [rank[s] for s in page.locator("tr.finding .sev").all_inner_texts()]
    assert severities == sorted(severities) and severities[0] < 2
    page.goto("/check?sort=severity&dir=desc")
    assert page.locator("tr.finding .sev").first.inner_text() == "info"
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("severity")
    page.goto("/check?check=term-variants")
    shown = int(page.locator("#findings-count").inner_text().split()[0])
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("check", "severity", "status")
    assert len(rows) - 1 == shown > 50 and {r[0] for r in rows[1:]} == {"term-variants"}
    csv_text = page.request.get("/check/export.csv?check=term-variants").text()
    assert len(csv_text.strip().splitlines()) - 1 == shown
    varying = page.locator("table.variants tbody tr").all_inner_texts()
    steady = int(
        re.search(r"(\d+) more concepts", page.locator("section[aria-labelledby=chart-h] .meta").inner_text())[1]
    )
    assert varying and steady > 0 and all(" · " in row for row in varying)  # only concepts rendered two ways or more


def test_the_editor_fixes_a_segment_inline_and_returns_to_the_workbench(editor_page, editing):
    pg = editor_page
    pg.goto("/check")
    row = pg.locator("tr.finding").first
    tuid = row.locator(".what .meta a").first.inner_text()
    row.locator("details.inline-fix summary").click()
    box = row.locator("textarea[name=en]")
    box.fill(box.input_value() + " (checked)")
    row.get_by_role("button", name="Save the fix").click()
    pg.wait_for_load_state()
    assert pg.url.endswith("/check") and "Saved." in pg.locator(".flashes").inner_text()
    assert editing["store"].record(tuid).changeid == "editor"


# Accessibility: axe-core on every page


PAGES = [
    ("lookup", "base", "/?q=" + quote(MEKONG)),
    ("lookup-sentence", "base", "/?q=" + quote(SENTENCE)),
    ("term", "base", "/term/commit"),
    ("segment", "base", "/segment/" + quote(SENTENCE_MATCH)),
    ("check", "base", "/check"),
    ("history", "base", "/history"),
    ("login", "base", "/login"),
    ("api", "base", "/api"),
    ("segment-edit", "editor", "/segment/bulletin-2007-12%3Aa01%3Ap006%3As01"),
    ("term-edit", "editor", "/term/commit"),
    ("term-new", "editor", "/term/new"),
    ("check-editor", "editor", "/check"),
    ("incoming", "editor", "/incoming"),
    ("documents", "base", "/documents"),
    ("documents-add", "editor", "/documents"),
    ("documents-review", "editor", "/documents/zhou-meets-ministers/review"),
    ("documents-review-document-order", "editor", "/documents/zhou-meets-ministers/review?order=document"),
]
"""(name, who, path) of every page axe checks: the editor's /documents has the add form, the review page the
bead forms and the OCR proposals."""

AXE_COUNTS = SHOTS / "axe-counts.json"


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_serious_or_critical_violation(name, who, path, page, editor_page):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `npm install --prefix .ci/node axe-core` (.ci/run does it)")
    pg = editor_page if who == "editor" else page
    response = pg.goto(path)
    assert response is not None and response.status == 200
    pg.add_script_tag(path=str(AXE))
    violations = pg.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    counts = {impact: 0 for impact in ("minor", "moderate", "serious", "critical")}
    for v in violations:
        counts[v["impact"]] += len(v["nodes"])
    found = json.loads(AXE_COUNTS.read_text()) if AXE_COUNTS.exists() else {}
    found[name] = {"counts": counts, "rules": sorted({f"{v['id']} ({v['impact']})" for v in violations})}
    AXE_COUNTS.write_text(json.dumps(found, indent=1, ensure_ascii=False))
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert counts["serious"] == counts["critical"] == 0, [b for b in bad if b[1] in ("serious", "critical")]


def test_the_documents_pages_show_the_list_and_the_ocr_proposals(editor_page):
    """/documents and a review with its OCR proposals at 1280x800: screenshots documents-list.png and
    documents-review.png (docs/screenshots keeps them)."""
    pg = editor_page
    pg.goto("/documents")
    assert pg.locator("#add-document").count() == 1
    assert pg.get_by_role("link", name="zhou-meets-ministers").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / "documents-list.png"), full_page=False)
    pg.goto("/documents/zhou-meets-ministers/review")
    rows = pg.locator("table.proposals tbody tr")
    assert rows.count() == 7 and rows.first.is_visible()
    assert "渭公河" in rows.first.locator("del").inner_text() and "湄公河" in rows.first.locator("ins").inner_text()
    assert pg.locator("mark.ocr").count() == 14
    pg.screenshot(path=str(SHOTS / "documents-review.png"), full_page=False)


# The command line


def test_terms_lookup_prints_one_concept_per_block(built, capsys):
    paths, _, _ = built
    assert main(["--root", str(paths.root), "terms", "lookup", "SOM5", "-k", "1"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "som5  (COMMIT process; term match 100%)"
    assert lines[1] == "  en  Fifth Senior Officials Meeting   [preferred]"
    assert "      SOM5   [admitted, acronym]" in lines
    zh = lines.index("  zh  第五次高官会   [preferred]")
    assert lines[zh + 1] == "      dì wǔ cì gāo guān huì"  # pinyin under a Chinese term
    assert "[]" not in out and max(len(x) for x in lines if not x.startswith("  The ")) < 130


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit):
        parser().parse_args([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_subcommand_help_is_its_own_and_says_what_each_option_does(capsys):
    text = _help(capsys, "terms", "lookup")
    assert "--holdout" not in text and "--seed" not in text and "--root" not in text
    assert "how many concepts to show" in text and "中文, English, or pinyin" in text
    search = _help(capsys, "search")
    assert "fuzzy only: lowest match percentage" in search and "the text to look for" in search


def test_json_into_head_ends_quietly(built_url):
    cmd = [sys.executable, "-m", "termtm.cli", "--db", built_url, "search", "concordance", "的", "-k", "1000", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.read(10)
    proc.stdout.close()  # as `head -c 10` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 141 and first.startswith(b"[{") and "Traceback" not in err and "Broken" not in err


def test_serve_logs_requests_in_common_log_format(built_url, full_index):
    from werkzeug.test import Client

    from termtm.web.accesslog import AccessLog

    log = io.StringIO()
    client = Client(AccessLog(create_app({"DATABASE_URL": built_url, "INDEX_DIR": str(full_index)}), log))
    client.get("/favicon.ico", buffered=True)
    client.get("/api/v1/terms", query_string={"q": "湄公河"}, buffered=True)
    lines = log.getvalue().splitlines()
    clf = re.compile(
        r'^\S+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET (\S+) HTTP/1\.1" (\d{3}) (\d+|-) \d+\.\d{3}$'
    )
    parsed = [clf.match(line).groups() for line in lines]  # type: ignore[union-attr]
    assert parsed[0] == ("/favicon.ico", "200", "1150")
    assert parsed[1][0] == "/api/v1/terms?q=%E6%B9%84%E5%85%AC%E6%B2%B3" and parsed[1][1] == "200"


def test_the_build_summary_says_what_is_left_to_do(built):
    from termtm.cli.commands import build_summary

    _, _, result = built
    line = build_summary(result, 81.6)
    assert line.startswith("build done in 82 s: 294 segments changed; to look at: ")
    assert f"{len(result.terms.unattested)} Chinese terms not found in the memory (`termtm terms report`)" in line


def test_accepted_findings_are_stored_audited_and_merged_with_the_ignore_file(store_url, tmp_path):
    from termtm.qa import CHECKS, Finding, Severity, apply_ignore
    from termtm.qa.ignore import ignore_list
    from termtm.store import open_store
    from termtm.store.decisions import accept, decisions
    from termtm.store.editing import history

    store = open_store(store_url)
    with pytest.raises(TermTMError, match="a reason is required"):
        accept(store, check="numbers", tuid="d:1", text="2008", reason="  ", user="li", when="20261206T010000Z")
    accept(store, check="numbers", tuid="d:1", text="2008", reason="printed title", user="li", when="20261206T010000Z")
    assert [(d.check, d.tuid, d.text, d.reason, d.user) for d in decisions(store)] == [
        ("numbers", "d:1", "2008", "printed title", "li")
    ]
    entry = history(store, "finding", "d:1")[0]
    assert (entry.user, entry.action, entry.new["reason"]) == ("li", "finding.accept", "printed title")
    listed = tmp_path / "qa-ignore.yaml"
    listed.write_text("ignore:\n- check: brackets\n  tuid: d:2\n  reason: as printed\n", encoding="utf-8")
    entries = ignore_list(listed, list(CHECKS), [(d.check, d.tuid, d.text, d.reason) for d in decisions(store)])
    f1 = Finding("numbers", Severity.ERROR, ("d:1",), "2008年", "", "number 2008 missing", "")
    f2 = Finding("brackets", Severity.WARNING, ("d:2",), "（", "", "unbalanced", "")
    f3 = Finding("numbers", Severity.ERROR, ("d:3",), "2008年", "", "number 2008 missing", "")
    assert apply_ignore([f1, f2, f3], entries) == ([f3], [f1, f2])

"""Documents added by editors: aligned, reviewed bead by bead, committed into the memory, removed.

On real bulletin articles: an article's Chinese from the cleaned edition (tmx/bulletin-2007-12.zh.txt) and
its English from tmx/sources/bulletin-2007-12.en.txt, written as plain files as an editor would upload them.
"""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from conftest import ROOT
from openapi_spec_validator import validate

from termtm.app import documents as app
from termtm.cli import main
from termtm.corpus.docfile import parse_document
from termtm.errors import TermTMError
from termtm.formats import read_memory
from termtm.model import Lang, Provenance, Status
from termtm.search import Searcher, update_index
from termtm.store import open_store
from termtm.store.documents import Documents
from termtm.store.editing import EditConflict, history
from termtm.store.users import Role, Users
from termtm.terms import load_glossary
from termtm.web import create_app

WHEN = "20261206T010000Z"
GLOSSARY = load_glossary(ROOT / "glossary")


def article(ids: set[str], lang: str) -> str:
    """The paragraphs of some bulletin articles in one language, a blank line between paragraphs."""
    path = ROOT / "tmx" / ("bulletin-2007-12.zh.txt" if lang == "zh" else "sources/bulletin-2007-12.en.txt")
    doc = parse_document(path.read_text(encoding="utf-8"))
    return "\n\n".join(p.text for a in doc.articles if a.id in ids for p in a.paragraphs) + "\n"


def upload(ids: set[str], lang: str) -> app.Upload:
    return app.Upload(f"a.{lang}.txt", article(ids, lang).encode("utf-8"))


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    s.replace_concepts("glossary", GLOSSARY.concepts)
    return s


@pytest.fixture
def speech(store):
    """Article a03 (the minister's speech, 35 sentences a side) added without embeddings: fast and repeatable."""
    app.add(
        store, "speech", upload({"a03"}, "zh"), upload({"a03"}, "en"), user="ed", when=WHEN, encoders=app.Encoders()
    )
    return store


def test_add_aligns_the_article_with_a_confidence_per_bead_and_waits_for_review(store, embedder, runs):
    v = app.add(
        store,
        "speech",
        upload({"a03"}, "zh"),
        upload({"a03"}, "en"),
        user="ed",
        when=WHEN,
        encoders=app.Encoders(embedder, runs),
    )
    assert (v.record.state, v.record.revision, v.record.src_lang, v.record.tgt_lang) == ("review", 1, "zh", "en")
    assert sorted(i for b in v.beads for i in b.src) == list(range(35))
    assert sorted(j for b in v.beads for j in b.tgt) == list(range(35))
    assert v.beads[0].src_texts[0].startswith("加强合作") and v.beads[0].tgt_texts[0].startswith(
        "“Strengthen Cooperation"
    )
    confs = [b.confidence for b in v.beads]
    assert all(c is not None and 0 <= c <= 1 for c in confs)
    order = v.doubtful_first()
    assert [b.confidence for b in order] == sorted(confs)  # least confident first
    assert store.count() == 0  # nothing reaches the memory before a commit
    assert [e.action for e in history(store, "document", "speech")] == ["document.add"]


def test_review_operations_are_saved_as_made_and_undone_in_reverse(speech):
    before = app.view(speech, "speech")
    b0, b1 = before.beads[0], before.beads[1]
    rev = app.operate(speech, "speech", "merge", {"bead": 0}, seen=1, user="ed", when=WHEN)
    v = app.view(speech, "speech")
    assert rev == 2 and len(v.beads) == len(before.beads) - 1
    assert (v.beads[0].src, v.beads[0].tgt) == (b0.src + b1.src, b0.tgt + b1.tgt)
    assert v.beads[0].reviewed and v.beads[0].confidence is None
    rev = app.operate(speech, "speech", "split", {"bead": 0, "src_at": 1, "tgt_at": 1}, seen=2, user="ed", when=WHEN)
    assert [(b.src, b.tgt) for b in app.view(speech, "speech").beads[:2]] == [((0,), (0,)), ((1,), (1,))]
    rev = app.operate(
        speech, "speech", "move", {"bead": 0, "side": "tgt", "direction": "down"}, seen=3, user="ed", when=WHEN
    )
    assert [(b.src, b.tgt) for b in app.view(speech, "speech").beads[:2]] == [((0,), ()), ((1,), (0, 1))]
    rev = app.operate(speech, "speech", "unpair", {"side": "tgt", "index": 1}, seen=4, user="ed", when=WHEN)
    assert [(b.src, b.tgt) for b in app.view(speech, "speech").beads[:3]] == [((0,), ()), ((1,), (0,)), ((), (1,))]
    rev = app.operate(
        speech,
        "speech",
        "correct",
        {"side": "src", "index": 2, "text": "今天，会议在北京召开。"},
        seen=5,
        user="ed",
        when=WHEN,
    )
    v = app.view(speech, "speech")
    assert rev == 6 and v.undoable == 5
    assert "今天，会议在北京召开。" in [t for b in v.beads for t in b.src_texts]
    # undo takes back the correction, then the unpairing, then the move
    assert [app.undo(speech, "speech", seen=r, user="ed", when=WHEN) for r in (6, 7, 8)] == [
        "correct",
        "unpair",
        "move",
    ]
    v = app.view(speech, "speech")
    assert [(b.src, b.tgt) for b in v.beads[:2]] == [((0,), (0,)), ((1,), (1,))] and v.undoable == 2
    assert v.beads[2].src_texts[0].startswith("今天，湄公河次区域合作反拐第二届部长级磋商会")


def test_an_operation_on_an_old_revision_is_refused_and_changes_nothing(speech):
    app.operate(speech, "speech", "merge", {"bead": 3}, seen=1, user="ann", when=WHEN)
    after = app.view(speech, "speech")
    with pytest.raises(EditConflict, match=r"changed by ann .* after you opened revision 1"):
        app.operate(speech, "speech", "merge", {"bead": 5}, seen=1, user="bob", when=WHEN)
    with pytest.raises(EditConflict):
        app.undo(speech, "speech", seen=1, user="bob", when=WHEN)
    assert app.view(speech, "speech") == after


def test_operations_that_do_not_apply_say_why(speech):
    last = len(app.view(speech, "speech").beads) - 1
    for op, params, message in [
        ("merge", {"bead": last}, "is the last"),
        ("split", {"bead": 0, "src_at": 1, "tgt_at": 1}, "leaves an empty part"),
        ("move", {"bead": 0, "side": "src", "direction": "sideways"}, "direction"),
        ("unpair", {"side": "src", "index": 99}, "no source sentence 100"),
        ("correct", {"side": "tgt", "index": 0, "text": "  "}, "empty"),
        ("rotate", {}, "unknown operation"),
    ]:
        with pytest.raises(TermTMError, match=message):
            app.operate(speech, "speech", op, params, seen=1, user="ed", when=WHEN)
    assert app.view(speech, "speech").record.revision == 1


def test_commit_puts_units_in_the_memory_recognises_terms_updates_the_index_and_checks(speech, embedder, tmp_path):
    index = tmp_path / "termtm.index"
    seed = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)[:3]
    from termtm.model import Segment

    speech.replace_document("bulletin-2007-12", [Segment(u.id, u.zh, u.en, "bulletin-2007-12") for u in seed], WHEN)
    update_index(index, [r.segment for r in speech.records()], embedder)
    result = app.commit(speech, "speech", user="ed", when=WHEN, index=index, index_embedder=lambda: embedder)
    segs = [r.segment for r in speech.records("speech")]
    assert result.units == len(segs) == 35 and result.one_sided == 0
    assert {(s.provenance, s.status, s.document) for s in segs} == {(Provenance.ALIGNED, Status.DRAFT, "speech")}
    assert segs[0].tuid == "speech:u00000" and segs[0].props == {"origin": "a.zh.txt + a.en.txt"}
    assert result.terms["zh"] > 20 and result.terms["en"] > 20
    assert result.index == "76 vectors (70 added, 70 texts encoded)"
    assert all(f.tuids[0].startswith("speech:") for f in result.findings)
    # found by concordance and by meaning, and a term's contexts now include the speech
    searcher = Searcher.from_store(speech, index, embedder=embedder)
    conc = searcher.concordance("公安部部长孟建柱")
    assert conc and conc[0].segment.tuid == "speech:u00000"
    sem = searcher.semantic("the minister's speech on strengthening cooperation against trafficking", k=3)
    assert "speech:u00000" in [h.segment.tuid for h in sem]
    mps = [tuid for (cid, lang, _), tuids in speech.contexts("mps").items() if lang == "zh" for tuid in tuids]
    assert "speech:u00000" in mps  # 中国公安部部长孟建柱
    assert Documents(speech).get("speech").state == "committed"
    assert [e.action for e in history(speech, "document", "speech")] == ["document.commit", "document.add"]
    with pytest.raises(TermTMError, match="committed: re-align it"):
        app.operate(speech, "speech", "merge", {"bead": 0}, seen=2, user="ed", when=WHEN)


def test_errors_are_clear_and_change_nothing(speech, monkeypatch, tmp_path):
    def attempt(name: str, src: app.Upload, tgt: app.Upload, message: str) -> None:
        with pytest.raises(TermTMError, match=message):
            app.add(speech, name, src, tgt, user="ed", when=WHEN, encoders=app.Encoders())

    zh, en = upload({"a02"}, "zh"), upload({"a02"}, "en")
    before = (app.list_documents(speech), speech.count(), len(history(speech)))
    attempt("speech", zh, en, "document 'speech' exists")
    attempt("a02", app.Upload("empty.txt", b""), en, "empty.txt is empty")
    attempt("a02", en, zh, "not Chinese .*wrong side")
    attempt("a/02", zh, en, "not usable")
    big = tmp_path / "big.zh.txt"
    big.write_bytes(zh.data)
    monkeypatch.setenv("TERMTM_MAX_IMPORT_BYTES", "1000")
    with pytest.raises(TermTMError, match=r"big.zh.txt is [\d,]+ bytes; the import limit is 1,000"):
        app.Upload.from_path(big)
    attempt("a02", zh, en, "a.zh.txt is [\\d,]+ bytes; the import limit is 1,000")
    assert (app.list_documents(speech), speech.count(), len(history(speech))) == before


def test_remove_and_realign(speech):
    app.commit(speech, "speech", user="ed", when=WHEN)
    v = app.realign(speech, "speech", user="ed", when=WHEN, encoders=app.Encoders())
    assert v.record.state == "review" and speech.count() == 0 and len(v.beads) == 35
    app.commit(speech, "speech", user="ed", when=WHEN)
    assert app.remove(speech, "speech", user="ed", when=WHEN) == 35
    assert speech.count() == 0 and Documents(speech).get("speech") is None and app.list_documents(speech) == []
    removal = history(speech, "document", "speech")[0]
    assert (removal.action, removal.old) == ("document.remove", {"state": "committed", "units": 35})
    with pytest.raises(TermTMError, match="no document 'speech'"):
        app.remove(speech, "speech", user="ed", when=WHEN)


def test_cli_add_commit_list_export_remove(db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TERMTM_USER", "cli-editor")
    zh, en = tmp_path / "a02.zh.txt", tmp_path / "a02.en.txt"
    zh.write_text(article({"a02", "a04"}, "zh"), encoding="utf-8")
    en.write_text(article({"a02", "a04"}, "en"), encoding="utf-8")
    db = ["--root", str(tmp_path), "--db", db_url, "-q"]
    assert main([*db, "documents", "add", str(zh), str(en), "--name", "news", "--commit", "--no-embed", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == "committed" and out["commit"]["units"] == 34 and len(out["beads"]) == 34
    assert main([*db, "documents", "add", str(en), str(zh), "--name", "other", "--no-embed"]) == 2
    assert "was it given for the wrong side?" in capsys.readouterr().err
    assert main([*db, "documents", "add", str(zh), str(en), "--name", "news", "--no-embed"]) == 2
    assert "document 'news' exists" in capsys.readouterr().err
    assert main([*db, "documents", "list", "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert (doc["name"], doc["state"], doc["units"], doc["added_by"]) == (
        "news",
        "committed",
        {"draft": 34},
        "cli-editor",
    )
    out_tmx = tmp_path / "news.tmx"
    assert main([*db, "documents", "export", "news", "--format", "tmx", "-o", str(out_tmx)]) == 0
    units = read_memory(out_tmx.read_bytes(), "news.tmx", src=Lang.ZH, tgt=Lang.EN)
    assert len(units) == 34 and units[0].id == "news:u00000"
    assert b'<prop type="x-provenance">aligned</prop>' in out_tmx.read_bytes()
    assert b'<prop type="x-document">news</prop>' in out_tmx.read_bytes()
    capsys.readouterr()
    assert main([*db, "documents", "remove", "news"]) == 0
    assert capsys.readouterr().out == "removed document 'news' and its 34 units\n"
    assert main([*db, "documents", "list"]) == 0 and capsys.readouterr().out == ""


# The web pages and the API


@pytest.fixture
def web(speech, db_url, tmp_path):
    users = Users(speech)
    users.add("ed", "editor password", Role.EDITOR, WHEN)
    users.add("rd", "reader password", Role.READER, WHEN)
    flask_app = create_app(
        {"DATABASE_URL": db_url, "ALIGN_EMBED": False, "INDEX_DIR": str(tmp_path / "none"), "TESTING": True}
    )
    return flask_app


def signed_in(flask_app, name: str, password: str):
    client = flask_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _basic(name: str, password: str) -> dict[str, str]:
    creds = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {creds}", "X-Requested-With": "test"}


def test_readers_see_documents_and_review_state_but_no_forms(web):
    reader = signed_in(web, "rd", "reader password")
    html = reader.get("/documents").get_data(as_text=True)
    assert 'href="/documents/speech/review">speech</a>' in html and "in review" in html and "35 beads to review" in html
    assert "Add a document" not in html and 'id="add-document"' not in html
    review = reader.get("/documents/speech/review").get_data(as_text=True)
    assert review.count('class="bead bead-') == 35 and "<form" not in review.split('id="beads"')[1]
    assert reader.post("/documents/speech/undo", data={"csrf_token": _token(html), "seen": 1}).status_code == 403


def test_an_editor_reviews_in_the_browser_forms(web, speech):
    ed = signed_in(web, "ed", "editor password")
    html = ed.get("/documents").get_data(as_text=True)
    assert 'id="add-document"' in html
    token = _token(html)
    r = ed.post("/documents/speech/op", data={"csrf_token": token, "seen": 1, "bead": 0, "op": "merge"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#bead-0")
    page = ed.get("/documents/speech/review?order=document").get_data(as_text=True)
    assert "Merged with the next bead." in page and "Undo (1)" in page and "changed by a reviewer" in page
    stale = ed.post("/documents/speech/op", data={"csrf_token": token, "seen": 1, "bead": 2, "op": "merge"})
    assert "after you opened revision 1: reload and redo" in ed.get(stale.headers["Location"]).get_data(as_text=True)
    r = ed.post(
        "/documents/speech/op",
        data={
            "csrf_token": token,
            "seen": 2,
            "bead": 0,
            "op": "correct:tgt:1",
            "text-tgt-1": "Distinguished delegates.",
        },
    )
    assert "Distinguished delegates.</span>" in ed.get("/documents/speech/review").get_data(as_text=True)
    done = ed.post("/documents/speech/commit", data={"csrf_token": token, "seen": 3}).get_data(as_text=True)
    assert 'id="units">34 (drafts' in done and "Editorial checks on the new segments" in done
    assert speech.get("speech:u00000").en.endswith("Distinguished delegates.")


def test_the_api_adds_shows_commits_and_removes(web, speech):
    client = web.test_client()
    validate(client.get("/api/v1/openapi.json").get_json())

    def files() -> dict[str, object]:
        return {
            "name": "news",
            "src": (io.BytesIO(upload({"a02"}, "zh").data), "a02.zh.txt"),
            "tgt": (io.BytesIO(upload({"a02"}, "en").data), "a02.en.txt"),
        }

    r = client.post("/api/v1/documents", data=files(), headers=_basic("rd", "reader password"))
    assert r.status_code == 403 and "needs the editor role" in r.get_json()["error"]
    no_header = {"Authorization": _basic("ed", "editor password")["Authorization"]}
    assert client.delete("/api/v1/documents/speech", headers=no_header).status_code == 400  # no CSRF token
    r = client.post("/api/v1/documents", data=files(), headers=_basic("ed", "editor password"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["name"], body["state"], body["revision"]) == ("news", "review", 1)
    paired = sum(1 for b in body["beads"] if b["src"] and b["tgt"])
    src = sorted(i for b in body["beads"] for i in b["src"])
    assert paired >= 10 and src == list(range(len(src))) and len(src) >= paired
    assert body["beads"][0]["src_text"][0] == "周永康会见出席湄公河次区域合作反拐第二次部长级磋商会六国部长"
    assert client.get("/api/v1/documents/news").get_json() == body
    r = client.post("/api/v1/documents/news/commit?seen=1", headers=_basic("ed", "editor password"))
    assert r.status_code == 200 and r.get_json()["units"] == paired
    listed = {d["name"]: d for d in client.get("/api/v1/documents").get_json()}
    assert listed["news"]["units"] == {"draft": paired} and listed["speech"]["state"] == "review"
    r = client.delete("/api/v1/documents/news", headers=_basic("ed", "editor password"))
    assert r.get_json() == {"name": "news", "removed": paired}
    assert client.get("/api/v1/documents/news").status_code == 404


def test_an_upload_over_the_limit_is_refused_before_it_is_read(web):
    web.config["MAX_UPLOAD"] = 2000
    files = {"name": "big", "src": (io.BytesIO(b"x" * 3000), "a.txt"), "tgt": (io.BytesIO(b"y"), "b.txt")}
    r = web.test_client().post("/api/v1/documents", data=files, headers=_basic("ed", "editor password"))
    assert r.status_code == 413 and "the limit is 2,000" in r.get_json()["error"]


def test_one_bilingual_tmx_is_taken_as_pairs_without_alignment(web):
    tmx = (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes()
    files = {"name": "from-tmx", "bilingual": (io.BytesIO(tmx), "bulletin.tmx")}
    r = web.test_client().post("/api/v1/documents", data=files, headers=_basic("ed", "editor password"))
    assert r.status_code == 201, r.get_json()
    beads = r.get_json()["beads"]
    assert len(beads) == 294 and all(b["src"] == b["tgt"] == [b["position"]] for b in beads)
    assert {b["confidence"] for b in beads} == {None}  # the file pairs them: no aligner confidence
    first = read_memory(tmx, "b.tmx", src=Lang.ZH, tgt=Lang.EN)[0]
    assert (beads[0]["src_text"], beads[0]["tgt_text"]) == ([first.zh], [first.en])
    both = {
        "name": "mixed",
        "bilingual": (io.BytesIO(tmx), "bulletin.tmx"),
        "src": (io.BytesIO(b"x"), "a.txt"),
    }
    r = web.test_client().post("/api/v1/documents", data=both, headers=_basic("ed", "editor password"))
    assert r.status_code == 400 and "not both" in r.get_json()["error"]


# OCR correction proposals on the review screen


def raw_ocr_article() -> str:
    """Article a02 (Zhou Yongkang meets the ministers) as the raw OCR of the bulletin reads it, 渭公河 for 湄公河
    throughout: its Chinese paragraphs, without the English title OCR read on the Chinese page."""
    lines = (ROOT / "tmx" / "sources" / "bulletin-2007-12.zh.ocr.txt").read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("周永康会见出席"))
    end = next(n for n in range(start, len(lines)) if lines[n].startswith("(摘自"))
    return "\n\n".join(line for line in lines[start:end] if re.search(r"[\u4e00-\u9fff]", line)) + "\n"


def test_ocr_corrections_are_proposed_on_the_review_screen_and_decided_by_the_reviewer(web, speech):
    zh = app.Upload("a02.ocr.zh.txt", raw_ocr_article().encode("utf-8"))
    app.add(speech, "news", zh, upload({"a02"}, "en"), user="ed", when=WHEN, encoders=app.Encoders())
    src = Documents(speech).alignment("news").src
    proposals = app.ocr_proposals(speech, "news")
    # every misreading is proposed, from the term base's deprecated variants, and none is applied
    assert sum(s.text.count("渭公河") for s in src) == 7
    assert sorted(p.original for p in proposals) == sorted(
        ["渭公河次区域合作反拐第二次部长级磋商会"] * 2
        + ["联合国机构间渭公河次区域反对拐卖人口项目"] * 2
        + ["渭公河次区域合作反拐部长级磋商会", "渭公河次区域合作反对拐卖人口进程联合宣言", "渭公河次区域"]
    )
    assert len(proposals) == 7 and all("渭公河" in p.original and "湄公河" in p.proposed for p in proposals)
    assert all(p.reason.startswith("deprecated variant of ") for p in proposals)

    reader = signed_in(web, "rd", "reader password")
    page = reader.get("/documents/news/review").get_data(as_text=True)
    assert 'OCR corrections proposed <span class="count">(7)</span>' in page
    assert page.count('<mark class="ocr"') == 14 and "Accept" not in page  # in the list and in the beads

    ed = signed_in(web, "ed", "editor password")
    page = ed.get("/documents/news/review").get_data(as_text=True)
    token = _token(page)
    first, second = proposals[0], proposals[1]
    assert page.count(f'value="accept:src:{first.index}:{first.col}"') == 2  # in the list and beside the sentence

    def decide(op: str, p: app.OcrProposal, seen: int):
        return ed.post(
            "/documents/news/op",
            data={"csrf_token": token, "seen": seen, "bead": p.bead, "op": f"{op}:{p.side}:{p.index}:{p.col}"},
        )

    # accepting corrects that sentence through the `correct` operation: saved, undoable
    r = decide("accept", first, 1)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#bead-{first.bead}")
    docs = Documents(speech)
    assert docs.alignment("news").src[first.index].text == first.corrected
    assert docs.operations("news")[-1] == (
        "correct",
        {
            "side": "src",
            "index": first.index,
            "text": first.corrected,
            "proposal": f"{first.original} → {first.proposed}",
        },
    )
    page = ed.get("/documents/news/review").get_data(as_text=True)
    assert f"Corrected {first.original} to {first.proposed}" in page and "Undo (1)" in page
    assert 'OCR corrections proposed <span class="count">(6)</span>' in page
    # rejecting keeps the text, and the proposal stays away after a reload
    decide("reject", second, 2)
    assert docs.alignment("news").src[second.index].text == second.text
    assert docs.operations("news")[-1][0] == "reject" and len(app.ocr_proposals(speech, "news")) == 5
    assert 'OCR corrections proposed <span class="count">(5)</span>' in ed.get("/documents/news/review").get_data(
        as_text=True
    )
    # a decision on a page that is out of date changes nothing
    stale = decide("accept", proposals[2], 1)
    assert "reload and redo" in ed.get(stale.headers["Location"]).get_data(as_text=True)
    assert len(app.ocr_proposals(speech, "news")) == 5
    # the API shows what awaits a decision
    body = web.test_client().get("/api/v1/documents/news").get_json()
    assert [p["corrected"] for p in body["ocr_proposals"]] == [p.corrected for p in proposals[2:]]
    # undo takes back the rejection, then the correction: every proposal is back, the misreading too
    assert app.undo(speech, "news", seen=3, user="ed", when=WHEN) == "reject"
    assert app.undo(speech, "news", seen=4, user="ed", when=WHEN) == "correct"
    assert app.ocr_proposals(speech, "news") == proposals
    assert docs.alignment("news").src[first.index].text == first.text

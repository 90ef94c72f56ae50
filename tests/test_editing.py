"""Editing for the editorial team: accounts and roles, audited changes to segments and terms, CSRF, exports.

The store-level specifications run on SQLite and on PostgreSQL (fixture store_url in conftest); the web
ones drive the real app with Flask's test client over a store of real bulletin segments and glossary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shared
from flask.testing import FlaskClient
from lxml import etree

from termtm.cli import main
from termtm.errors import TermTMError
from termtm.exports import export_terms, export_tmx
from termtm.formats import read_memory
from termtm.model import Lang, Segment, Status
from termtm.store import Store, open_store
from termtm.store.editing import EditConflict, edit_segment, history, save_concept
from termtm.store.users import Role, Users
from termtm.terms import load_glossary
from termtm.terms.model import Concept, Term, TermStatus
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
T0, T1, T2 = "20240101T000000Z", "20260101T090000Z", "20260102T100000Z"
TBX_NS = "{urn:iso:std:iso:30042:ed-2}"


def _bulletin(n: int) -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units[:n])]


def _filled(url: str) -> Store:
    store = open_store(url)
    store.replace_document("bulletin-2007-12", _bulletin(40), T0)
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    return store


# --- the store ---------------------------------------------------------------------------------------------


def test_a_segment_edit_is_stored_with_who_when_and_the_old_value(store_url: str) -> None:
    store = _filled(store_url)
    seg = _bulletin(40)[7]
    before = store.version()

    rec = edit_segment(store, seg.tuid, en="A corrected sentence.", status=Status.APPROVED, user="li", when=T1)

    assert (rec.segment.en, rec.segment.status, rec.changedate, rec.changeid) == (
        "A corrected sentence.",
        Status.APPROVED,
        T1,
        "li",
    )
    assert store.version() == before + 1
    [entry] = history(store, "segment", seg.tuid)
    assert (entry.user, entry.at, entry.action) == ("li", T1, "segment.edit")
    assert entry.old == {"en": seg.en, "status": "draft"}
    assert entry.changed() == [("en", seg.en, "A corrected sentence."), ("status", "draft", "approved")]


def test_an_edit_made_on_a_stale_form_is_refused_and_changes_nothing(store_url: str) -> None:
    store = _filled(store_url)
    tuid = _bulletin(40)[3].tuid
    edit_segment(store, tuid, en="First editor's text.", status=Status.DRAFT, user="li", when=T1, seen=T0)
    with pytest.raises(EditConflict, match="changed by li"):
        edit_segment(store, tuid, en="Second editor's text.", status=Status.DRAFT, user="wang", when=T2, seen=T0)
    assert store.get(tuid).en == "First editor's text."  # type: ignore[union-attr]
    assert [e.user for e in history(store, "segment", tuid)] == ["li"]


def test_a_rebuild_keeps_what_editors_changed(store_url: str) -> None:
    store = _filled(store_url)
    segs = _bulletin(40)
    edit_segment(store, segs[5].tuid, en="Kept by the editor.", status=Status.APPROVED, user="li", when=T1)
    term_edit = store.termbase().get("commit")
    assert term_edit is not None
    extra = Term("en", "COMMIT process", status=TermStatus.ADMITTED)
    save_concept(store, _with_terms(term_edit, (*term_edit.terms, extra)), user="li", when=T1, seen="")

    # the build runs again on the same sources
    assert store.replace_document("bulletin-2007-12", segs, T2) == (0, 0, 0)
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)

    rec = store.record(segs[5].tuid)
    assert rec is not None and (rec.segment.en, rec.segment.status, rec.changeid) == (
        "Kept by the editor.",
        Status.APPROVED,
        "li",
    )
    kept = store.termbase().get("commit")
    assert kept is not None and "COMMIT process" in [t.text for t in kept.terms] and kept.changeid == "li"


def test_adding_editing_and_deprecating_terms_is_audited(store_url: str) -> None:
    store = _filled(store_url)
    new = Concept("victim-hotline", "victim protection", (Term("zh", "受害人热线"), Term("en", "victim hotline")))
    save_concept(store, new, user="li", when=T1, new=True)
    with pytest.raises(TermTMError, match="taken"):
        save_concept(store, new, user="wang", when=T1, new=True)

    stored = store.termbase().get("victim-hotline")
    assert stored is not None and (stored.changeid, stored.changedate) == ("li", T1)
    deprecated = _with_terms(
        stored, (*stored.terms[:1], Term("en", "victim hotline", status=TermStatus.DEPRECATED), Term("en", "helpline"))
    )
    save_concept(store, deprecated, user="wang", when=T2, seen=T1)

    actions = [(e.user, e.action) for e in history(store, "concept", "victim-hotline")]
    assert actions == [("wang", "concept.edit"), ("li", "concept.add")]
    latest = history(store, "concept", "victim-hotline")[0]
    assert [t["status"] for t in latest.old["terms"]] == ["preferred", "preferred"]
    assert [t["text"] for t in latest.new["terms"]] == ["受害人热线", "victim hotline", "helpline"]


def test_a_concept_must_keep_a_usable_term(store_url: str) -> None:
    store = _filled(store_url)
    c = store.termbase().get("commit")
    assert c is not None
    all_deprecated = tuple(Term(t.lang, t.text, t.type, TermStatus.DEPRECATED) for t in c.terms)
    version = store.version()
    with pytest.raises(TermTMError, match="not deprecated"):
        save_concept(store, _with_terms(c, all_deprecated), user="li", when=T1, seen="")
    assert store.termbase().get("commit") == c and store.version() == version and not history(store)


def test_users_have_hashed_passwords_and_roles(store_url: str) -> None:
    users = Users(open_store(store_url))
    users.add("li", "correct horse battery", Role.EDITOR, T0)
    with users.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert "correct horse" not in stored and stored.startswith("scrypt:")
    assert users.verify("li", "correct horse battery") == users.get("li")
    assert users.verify("li", "wrong password") is None and users.verify("nobody", "x" * 10) is None
    with pytest.raises(TermTMError, match="too short"):
        users.add("wang", "short", Role.READER, T0)
    with pytest.raises(TermTMError, match="exists"):
        users.add("li", "another password", Role.READER, T0)


# --- exports -----------------------------------------------------------------------------------------------


def test_exports_carry_changedate_changeid_and_status(tmp_path: Path) -> None:
    store = _filled(f"sqlite:///{tmp_path}/store.db")
    tuid = _bulletin(40)[2].tuid
    edit_segment(store, tuid, en="Approved wording.", status=Status.APPROVED, user="li", when=T1)
    c = store.termbase().get("commit")
    assert c is not None
    save_concept(store, _with_terms(c, (*c.terms, Term("en", "COMMIT process"))), user="wang", when=T2, seen="")

    export_tmx(store, tmp_path / "out.tmx", T2)
    tu = etree.parse(str(tmp_path / "out.tmx")).find(f".//tu[@tuid='{tuid}']")
    assert (tu.get("changedate"), tu.get("changeid")) == (T1, "li")
    assert tu.findtext("prop[@type='x-status']") == "approved"
    others = etree.parse(str(tmp_path / "out.tmx")).findall(".//tu[@changeid]")
    assert len(others) == 1  # units nobody edited name no editor

    export_terms(store, "tbx", tmp_path / "out.tbx", T2)
    entry = etree.parse(str(tmp_path / "out.tbx")).find(f".//{TBX_NS}conceptEntry[@id='commit']")
    mods = [g for g in entry.iter(f"{TBX_NS}transacGrp") if g.findtext(f"{TBX_NS}transac") == "modification"]
    assert [(g.findtext(f"{TBX_NS}date"), g.findtext(f"{TBX_NS}transacNote")) for g in mods] == [
        ("2026-01-02T10:00:00Z", "wang")
    ]
    rng = shared("eval", "tbx", "TBXcoreStructV03.rng")
    schema = etree.RelaxNG(etree.parse(str(rng)))
    assert schema.validate(etree.parse(str(tmp_path / "out.tbx"))), schema.error_log


# --- the user CLI ------------------------------------------------------------------------------------------


def test_the_user_cli_creates_lists_and_changes_accounts(tmp_path: Path, monkeypatch, capsys) -> None:
    db = f"sqlite:///{tmp_path}/store.db"
    monkeypatch.setenv("TERMTM_PASSWORD", "editor password 1")
    assert main(["--db", db, "user", "add", "li", "--role", "editor"]) == 0
    assert main(["--db", db, "user", "add", "li"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["--db", db, "user", "role", "li", "--role", "admin"]) == 0
    assert main(["--db", db, "user", "role", "li", "--role", "boss"]) == 2
    assert "unknown role" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["--db", db, "user", "list"]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["li", "admin"]
    assert Users(open_store(db)).verify("li", "editor password 1") is not None


# --- the web -----------------------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path):
    store = _filled(f"sqlite:///{tmp_path}/store.db")
    users = Users(store)
    users.add("reader", "reader password", Role.READER, T0)
    users.add("editor", "editor password", Role.EDITOR, T0)
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/store.db", "INDEX_DIR": str(tmp_path / "none")})


def _token(client: FlaskClient, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _sign_in(client: FlaskClient, name: str) -> None:
    r = client.post("/login", data={"name": name, "password": f"{name} password", "csrf_token": _token(client)})
    assert r.status_code == 302


def _seen(client: FlaskClient, path: str) -> tuple[str, str]:
    page = client.get(path).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    seen = re.search(r'name="seen" value="([^"]*)"', page)
    assert token and seen, "the page has no edit form"
    return token.group(1), seen.group(1)


def test_an_editor_corrects_and_approves_a_segment_in_the_browser(app) -> None:
    client = app.test_client()
    seg = _bulletin(40)[9]
    _sign_in(client, "editor")
    token, seen = _seen(client, f"/segment/{seg.tuid}")

    r = client.post(
        f"/segment/{seg.tuid}/edit",
        data={"en": "The corrected translation.", "status": "approved", "seen": seen, "csrf_token": token},
    )
    assert r.status_code == 302
    page = client.get(f"/segment/{seg.tuid}").text
    assert "The corrected translation." in page and "by editor" in page

    # the lookups of this process see the change at once (the version stamp moved)
    hits = client.get("/api/v1/fuzzy", query_string={"q": "The corrected translation."}).json
    assert hits and hits[0]["tuid"] == seg.tuid and hits[0]["score"] == 100.0

    history_page = client.get(f"/history?kind=segment&key={seg.tuid}").text
    assert "editor" in history_page and "segment.edit" in history_page
    assert seg.en.split()[0] in history_page  # the old value is shown


def test_readers_and_anonymous_visitors_cannot_edit(app) -> None:
    client = app.test_client()
    tuid = _bulletin(40)[9].tuid
    token = _token(client)
    r = client.post(f"/segment/{tuid}/edit", data={"en": "x", "status": "draft", "csrf_token": token})
    assert r.status_code == 302 and "/login" in r.location
    _sign_in(client, "reader")
    assert 'name="seen"' not in client.get(f"/segment/{tuid}").text  # no edit form for readers
    token = _token(client, f"/segment/{tuid}")
    r = client.post(f"/segment/{tuid}/edit", data={"en": "x", "status": "draft", "csrf_token": token})
    assert r.status_code == 403
    assert open_store(app.config["DATABASE_URL"]).get(tuid).en == _bulletin(40)[9].en  # type: ignore[union-attr]


def test_a_change_without_the_csrf_token_is_refused(app) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    tuid = _bulletin(40)[9].tuid
    r = client.post(f"/segment/{tuid}/edit", data={"en": "Forged.", "status": "approved"})
    assert r.status_code == 400 and "expired" in r.text
    r = client.post(f"/segment/{tuid}/edit", data={"en": "Forged.", "status": "approved", "csrf_token": "guess"})
    assert r.status_code == 400
    assert open_store(app.config["DATABASE_URL"]).get(tuid).en != "Forged."  # type: ignore[union-attr]


def test_an_editor_adds_and_deprecates_terms_and_lookup_follows(app) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    token = _token(client, "/term/new")
    r = client.post("/term/new", data={"zh": "受害人热线", "en": "victim hotline", "csrf_token": token})
    assert r.status_code == 302 and r.location.endswith("/term/victim-hotline")
    found = client.get("/api/v1/terms", query_string={"q": "shouhairen rexian"}).json
    assert found[0]["id"] == "victim-hotline"  # the new term is found at once, by its pinyin

    token, seen = _seen(client, "/term/victim-hotline")
    r = client.post(
        "/term/victim-hotline/deprecate",
        data={"lang": "en", "text": "victim hotline", "seen": seen, "csrf_token": token},
    )
    assert r.status_code == 302
    # deprecating the only English term is allowed: the Chinese one stays usable
    page = client.get("/term/victim-hotline").text
    assert '<span class="dep-text">victim hotline</span>' in page and "do not use: use 受害人热线 instead" in page
    assert "term.deprecate" in client.get("/history?kind=concept&key=victim-hotline").text


def test_an_editor_edits_a_concept_and_a_stale_form_is_refused(app) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    token, seen = _seen(client, "/term/commit")
    before = open_store(app.config["DATABASE_URL"]).termbase().get("commit")
    assert before is not None
    form = {"csrf_token": token, "seen": seen, "subject": before.subject, "definition": before.definition}
    form |= {"note": "Say COMMIT, never the full name, after the first mention.", "new-lang": "en"}
    form |= {"new-text": "COMMIT initiative", "new-status": "admitted", "status-0": before.terms[0].status.value}
    saved = client.post("/term/commit/edit", data=form)
    assert saved.status_code == 302 and "Saved." in client.get(saved.location).text

    after = open_store(app.config["DATABASE_URL"]).termbase().get("commit")
    assert after is not None and after.note.startswith("Say COMMIT") and after.changeid == "editor"
    assert after.terms[:-1] == before.terms and (after.terms[-1].text, after.terms[-1].status.value) == (
        "COMMIT initiative",
        "admitted",
    )
    assert "COMMIT initiative" in client.get("/api/v1/terms?q=COMMIT%20initiative").text

    _, fresh = _seen(client, "/term/commit")  # a term already there: adding it again is refused, naming it
    again = client.post("/term/commit/edit", data={**form, "seen": fresh, "new-text": "COMMIT Process"})
    assert "the en term &#39;COMMIT Process&#39; is there twice" in client.get(again.location).text

    stale = client.post("/term/commit/edit", data={**form, "note": "An older form's note."})
    assert "was changed by editor" in client.get(stale.location).text
    assert open_store(app.config["DATABASE_URL"]).termbase().get("commit").note.startswith("Say COMMIT")  # type: ignore[union-attr]


def test_reading_can_require_sign_in(tmp_path: Path) -> None:
    store = _filled(f"sqlite:///{tmp_path}/store.db")
    Users(store).add("reader", "reader password", Role.READER, T0)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/store.db", "ANONYMOUS_READ": False})
    client = app.test_client()
    r = client.get("/?q=COMMIT")
    assert r.status_code == 302 and "/login" in r.location
    r = client.get("/api/v1/terms?q=COMMIT")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    r = client.get("/api/v1/terms?q=COMMIT", auth=("reader", "reader password"))
    assert r.status_code == 200
    assert client.get("/api/v1/terms?q=COMMIT", auth=("reader", "wrong password")).status_code == 401
    _sign_in(client, "reader")
    assert client.get("/?q=COMMIT").status_code == 200


def test_sign_in_does_not_redirect_off_site(app) -> None:
    client = app.test_client()
    data = {"name": "reader", "password": "reader password", "csrf_token": _token(client)}
    r = client.post("/login", data={**data, "next": "https://evil.example/"})
    assert r.status_code == 302 and r.location == "/"


def test_repeated_wrong_passwords_lock_the_name_out(app) -> None:
    client = app.test_client()
    token = _token(client)
    for _ in range(5):
        r = client.post("/login", data={"name": "editor", "password": "not the password", "csrf_token": token})
        assert r.status_code == 401 and "Wrong name or password" in r.text
    right = {"name": "editor", "password": "editor password", "csrf_token": token}
    r = client.post("/login", data=right)
    assert r.status_code == 429 and "Too many wrong passwords for editor" in r.text
    assert client.post("/login", data={**right, "name": "reader", "password": "reader password"}).status_code == 302


def test_an_admin_manages_accounts_in_the_browser_and_others_cannot(app) -> None:
    Users(open_store(app.config["DATABASE_URL"])).add("boss", "boss password", Role.ADMIN, T0)
    client = app.test_client()
    _sign_in(client, "editor")
    assert client.get("/admin/users").status_code == 403
    client = app.test_client()
    _sign_in(client, "boss")
    token = _token(client, "/admin/users")
    add = {"action": "add", "name": "wang", "password": "wang password", "role": "editor", "csrf_token": token}
    assert client.post("/admin/users", data=add).status_code == 302
    client.post("/admin/users", data={"action": "role", "name": "reader", "role": "admin", "csrf_token": token})
    client.post("/admin/users", data={"action": "remove", "name": "editor", "csrf_token": token})
    own = client.post("/admin/users", data={"action": "role", "name": "boss", "role": "reader", "csrf_token": token})
    assert "cannot change your own account" in client.get(own.location).text
    users = Users(open_store(app.config["DATABASE_URL"]))
    assert [(u.name, u.role.value) for u in users.all()] == [("boss", "admin"), ("reader", "admin"), ("wang", "editor")]
    assert users.verify("wang", "wang password") is not None


def _with_terms(c: Concept, terms: tuple[Term, ...]) -> Concept:
    return Concept(c.id, c.subject, terms, c.definition, c.note, c.collection, c.origin)

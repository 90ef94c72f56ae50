"""The findings of the outside security probe (issue 25), as a specification.

Each test failed before its fix. They drive the real app (Flask's test client over a store of real bulletin
segments and the glossary) and the real CLI; docs/bad-input.md lists the cases with what termtm answers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from termtm.cli import main
from termtm.errors import TermTMError
from termtm.formats import read_memory
from termtm.model import Concept, Lang, Segment, Status, Term
from termtm.store import Store, open_store
from termtm.store.editing import edit_segment, save_concept
from termtm.store.schema import segments
from termtm.store.users import Role, Users
from termtm.terms import load_glossary
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
T0, T1 = "20240101T000000Z", "20260101T090000Z"
ESC, NUL, CSI, RLO = "\x1b", "\x00", "\x9b", "\u202e"


def _bulletin(n: int) -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units[:n])]


def _filled(url: str) -> Store:
    store = open_store(url)
    store.replace_document("bulletin-2007-12", _bulletin(40), T0)
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    users = Users(store)
    users.add("reader", "reader password", Role.READER, T0)
    users.add("editor", "editor password", Role.EDITOR, T0)
    users.add("boss", "boss password", Role.ADMIN, T0)
    return store


def store_hash(url: str) -> str:
    """A digest of every row of every table but the users' (what a refused request must leave as it was)."""
    store = open_store(url)
    try:
        h = hashlib.sha256()
        with store.engine.connect() as conn:
            from termtm.store.schema import metadata

            for table in metadata.sorted_tables:
                for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                    h.update(repr(tuple(row)).encode("utf-8"))
        return h.hexdigest()
    finally:
        store.engine.dispose()


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/store.db"
    _filled(url).engine.dispose()
    return url


@pytest.fixture
def app(url: str, tmp_path: Path) -> Flask:
    return create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none")})


def _client(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _token(client: FlaskClient, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _sign_in(client: FlaskClient, name: str, password: str | None = None) -> None:
    data = {"name": name, "password": password or f"{name} password", "csrf_token": _token(client)}
    r = client.post("/login", data=data)
    assert r.status_code == 302, r.text


def _form(client: FlaskClient, path: str) -> tuple[str, str]:
    page = client.get(path).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    seen = re.search(r'name="seen" value="([^"]*)"', page)
    assert token and seen, "the page has no edit form"
    return token.group(1), seen.group(1)


# --- 1. control characters --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [ESC, NUL, CSI, "\ufffe"], ids=["esc", "nul", "c1-csi", "non-character"])
def test_an_edit_with_a_control_character_is_refused_and_downloads_keep_working(app, url, bad) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    tuid = _bulletin(40)[9].tuid
    token, seen = _form(client, f"/segment/{tuid}")
    before = store_hash(url)
    r = client.post(
        f"/segment/{tuid}/edit",
        data={"en": f"Evil{bad}[2J text.", "status": "approved", "seen": seen, "csrf_token": token},
    )
    assert re.search(r"contains the (control |non-)character U\+", client.get(r.location).text)
    assert store_hash(url) == before
    for kind in ("tmx", "tbx", "csv", "omegat"):
        assert client.get(f"/download/{kind}").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "a/b", 'concept id "a/b" contains /'),
        ("id", f"x{RLO}y", 'concept id "x\\u202Ey" contains the bidi control U+202E'),
        ("id", f"x{CSI}y", 'concept id "x\\u009By" contains the control character U+009B'),
        ("note", f"n{ESC}", "the note contains the control character U+001B at character 2"),
        ("zh", f"受害{NUL}人", "the zh term contains the control character U+0000 at character 3"),
    ],
)
def test_a_new_term_with_a_bad_id_or_text_is_refused(app, url, field, value, message) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    token = _token(client, "/term/new")
    before = store_hash(url)
    form = {"zh": "受害人热线", "en": "victim hotline", "id": "victim-hotline", "csrf_token": token, field: value}
    r = client.post("/term/new", data=form)
    assert r.status_code == 400
    assert message.replace('"', "&#34;") in r.text or message.replace('"', "&quot;") in r.text, r.text[-2000:]
    assert store_hash(url) == before


def test_the_store_refuses_bad_ids_and_texts_whoever_writes_them(url) -> None:
    store = open_store(url)
    seg = _bulletin(1)[0]
    for bad, message in [
        (Segment(f"x{RLO}y", seg.zh, seg.en, document="d"), "the tuid"),
        (Segment("x", seg.zh, f"a{ESC}b", document="d"), "the English"),
        (Segment("x", seg.zh, seg.en, document=f"d{CSI}"), "the document"),
    ]:
        with pytest.raises(TermTMError, match=message):
            store.replace_document("d", [bad], T1)
    with pytest.raises(TermTMError, match="concept id"):
        save_concept(store, Concept("a/b", "general", (Term("en", "x"),)), user="editor", when=T1, new=True)
    with pytest.raises(TermTMError, match="control character U\\+001B"):
        edit_segment(store, seg.tuid, en=f"x{ESC}", status=Status.DRAFT, user="editor", when=T1, seen=T0)
    with pytest.raises(TermTMError, match="user name"):
        Users(store).add(f"ev{RLO}il", "a long password", Role.EDITOR, T1)
    assert store.documents() == [("bulletin-2007-12", 40)]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ctx.po",
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgctxt "a{ESC}]0;pwned{chr(7)}"\nmsgid "公安部"\nmsgstr "Ministry of Public Security"\n',
            'its id "a\\u001B]0;pwned\\u0007|公安部" contains the control character U+001B',
        ),
        (
            "c1.xlf",
            '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
            '<file original="x" source-language="zh-CN" target-language="en" datatype="plaintext"><body>'
            f'<trans-unit id="u{CSI}1"><source>公安部</source><target>Ministry</target></trans-unit>'
            "</body></file></xliff>\n",
            "contains the control character U+009B",
        ),
        (
            "bidi.tmx",
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
            'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-CN" '
            f'datatype="plaintext"/><body><tu tuid="a{RLO}b"><tuv xml:lang="zh-CN"><seg>公安部</seg></tuv>'
            '<tuv xml:lang="en"><seg>Ministry</seg></tuv></tu></body></tmx>\n',
            "contains the bidi control U+202E",
        ),
        ("slash-terms.csv", "concept,lang,term\na/b,zh,公安部\na/b,en,MPS\n", 'concept id "a/b" contains /'),
    ],
)
def test_imports_check_ids_too_and_the_cli_prints_no_raw_control_character(
    url, tmp_path, capsys, name, data, message
) -> None:
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    before = store_hash(url)
    capsys.readouterr()
    assert main(["--db", url, "-q", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", err)
    assert store_hash(url) == before
    if not name.endswith("terms.csv"):
        assert main(["--db", url, "-q", "check", str(path)]) == 2
        out = capsys.readouterr()
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out.out + out.err)


def test_the_cli_escapes_control_characters_in_whatever_it_prints(url, capsys) -> None:
    # a store written before the checks existed: a control character in a segment (as the probe left one)
    store = open_store(url)
    tuid = _bulletin(40)[5].tuid
    with store.engine.begin() as conn:
        conn.execute(update(segments).where(segments.c.tuid == tuid).values(en=f"Ministry{ESC}]0;pwned{chr(7)} x"))
    capsys.readouterr()
    main(["--db", url, "-q", "search", "concordance", "pwned"])
    out = capsys.readouterr().out
    assert tuid in out and "Ministry\\u001B]0;pwned\\u0007 x" in out and ESC not in out


def test_exports_and_builds_survive_a_control_character_already_in_the_store(url, tmp_path) -> None:
    store = open_store(url)
    tuid = _bulletin(40)[5].tuid
    with store.engine.begin() as conn:
        conn.execute(
            update(segments).where(segments.c.tuid == tuid).values(en=f"Bad{ESC}{NUL} text", changeid=f"x{ESC}")
        )
    for fmt in ("tmx", "tbx", "csv"):
        assert main(["--db", url, "-q", "export", "--format", fmt, "-o", str(tmp_path / f"out.{fmt}")]) == 0
    units = read_memory((tmp_path / "out.tmx").read_bytes(), "out.tmx")
    assert [u.en for u in units if u.id == tuid] == ["Bad text"]


# --- 2. CSV formulas ----------------------------------------------------------------------------------------------

FORMULA = "ok\r=cmd|' /C calc'!A0"
FORMULA_CELLS = [FORMULA, "a\n+b", "x\r\n-y", "＝SUM(A1)", "line\n＠cmd", 'plain, with "quotes"']


def _formula_free(text: str) -> list[list[str]]:
    """Rows of a CSV text, after asserting that no line of any cell starts as a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for cell in row:
            for line in re.split(r"\r\n|\r|\n", cell):
                assert not line.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")), (cell, rows)
    return rows


def test_the_csv_writer_quotes_line_breaks_and_neutralises_every_line() -> None:
    from termtm.formats.cells import csv_text, restore

    rows = _formula_free(csv_text([["a", "b"], FORMULA_CELLS]))
    assert len(rows) == 2 and len(rows[1]) == len(FORMULA_CELLS)
    assert rows[1][0] == "ok\r'=cmd|' /C calc'!A0" and rows[1][3] == "'＝SUM(A1)"
    assert [restore(c) for c in rows[1]] == FORMULA_CELLS


def test_term_csv_downloads_and_exports_are_formula_free(app, url, tmp_path, capsys) -> None:
    store = open_store(url)
    c = store.termbase().get("commit")
    assert c is not None
    save_concept(store, replace(c, note=FORMULA, definition="a\n+b"), user="editor", when=T1, seen="")
    rows = _formula_free(app.test_client().get("/download/csv").text)
    mine = [r for r in rows if r[0] == "commit"]
    assert mine and all(r[3] == "ok\r'=cmd|' /C calc'!A0" and r[2] == "a\n'+b" for r in mine)
    out = tmp_path / "terms.csv"
    assert main(["--db", url, "-q", "export", "--format", "csv", "-o", str(out)]) == 0
    assert _formula_free(out.read_bytes().decode("utf-8")) == rows
    back = tmp_path / "back-terms.csv"
    back.write_text(out.read_bytes().decode("utf-8"), encoding="utf-8", newline="")
    assert main(["--db", url, "-q", "import", str(back)]) == 0
    assert store.termbase().get("back-terms-commit").note == FORMULA  # type: ignore[union-attr]


def test_the_check_report_csv_is_formula_free(tmp_path, capsys) -> None:
    path = tmp_path / "f.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-CN" '
        'datatype="plaintext"/><body><tu tuid="f1"><tuv xml:lang="zh-CN"><seg>公安部</seg></tuv>'
        "<tuv xml:lang=\"en\"><seg>Ministry&#13;=cmd|' /C calc'!A0</seg></tuv></tu>"
        '<tu tuid="f2"><tuv xml:lang="zh-CN"><seg>公安部</seg></tuv>'
        '<tuv xml:lang="en"><seg>Ministry of Public Security</seg></tuv></tu></body></tmx>\n',
        encoding="utf-8",
    )
    out = tmp_path / "report.csv"
    main(["--root", str(ROOT), "-q", "check", str(path), "--format", "csv", "-o", str(out)])
    rows = _formula_free(out.read_bytes().decode("utf-8"))
    assert any(r[0] == "same-source" and r[4].startswith("Ministry\r'=cmd|' /C calc'!A0 | ") for r in rows), rows


# --- 3. the URL pattern -------------------------------------------------------------------------------------------


def test_urls_and_addresses_are_blanked_and_a_long_chinese_text_is_checked_in_one_pass() -> None:
    from termtm.qa import QAContext, run_checks
    from termtm.qa.context import URL, strip_urls
    from termtm.qa.model import Unit

    url, mail = "https://example.org/a?b=1", "li.wang+x@mps.gov.cn"
    assert strip_urls(f"见 {url} 和") == f"见 {' ' * len(url)} 和"
    assert strip_urls(f"联系 {mail} 或") == f"联系 {' ' * len(mail)} 或"
    assert strip_urls("公安部2007年") == "公安部2007年"
    # the address pattern starts only where a run of its characters starts: inside a run it fails at once
    # (the lookbehind), instead of scanning the rest of the run from every position (quadratic)
    assert URL.match("公安部abc@x.cn", 1) is None and URL.match("公安部abc@x.cn", 0) is not None
    units = [Unit("long", "公安部" * 60_000, "Ministry of Public Security")]  # 180,000 characters, one pass
    assert strip_urls(units[0].zh) == units[0].zh
    assert [f.check for f in run_checks(units, QAContext(load_glossary(ROOT / "glossary")))]


# --- 4. lockout abuse ---------------------------------------------------------------------------------------------


def test_wrong_passwords_slow_down_one_address_and_name_but_never_lock_the_owner_out(app, monkeypatch, caplog) -> None:
    from termtm.web import auth

    clock = [1000.0]
    monkeypatch.setattr(auth, "_clock", lambda: clock[0])
    attacker = _client(app, "203.0.113.9")
    owner = _client(app, "198.51.100.7")
    token = _token(attacker)
    with caplog.at_level("WARNING", logger="termtm.auth"):
        for _ in range(5):
            r = attacker.post("/login", data={"name": "editor", "password": "a guess", "csrf_token": token})
            assert r.status_code == 401
    assert caplog.text.count("failed sign-in for 'editor' from 203.0.113.9") == 5
    # the attacker's address is slowed down …
    right = {"name": "editor", "password": "editor password", "csrf_token": token}
    r = attacker.post("/login", data=right)
    assert r.status_code == 429 and "try again in 1 second" in r.text
    # … but the owner, from another address, signs in at once
    r = owner.post("/login", data={**right, "csrf_token": _token(owner)})
    assert r.status_code == 302
    # and even from the attacker's address the right password works once the short delay is over
    clock[0] += 1.5
    assert attacker.post("/login", data=right).status_code == 302
    # the delay doubles with each further failure, up to a minute
    fresh = _client(app, "203.0.113.10")
    token = _token(fresh)
    waits = []
    for _ in range(12):
        fresh.post("/login", data={"name": "reader", "password": "a guess", "csrf_token": token})
        r = fresh.post("/login", data={"name": "reader", "password": "a guess", "csrf_token": token})
        waits.append(int(m.group(1)) if (m := re.search(r"try again in (\d+) second", r.text)) else 0)
        clock[0] += 61
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


# --- 5. sessions --------------------------------------------------------------------------------------------------


def _edits(app: Flask, cookie: str) -> bool:
    """Does a browser holding this session cookie get the segment edit form (is it signed in as an editor)?"""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return 'name="seen"' in client.get(f"/segment/{_bulletin(40)[9].tuid}").text


def _cookie_of(app: Flask, name: str) -> str:
    client = app.test_client()
    _sign_in(client, name)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_logout_ends_the_session_for_a_saved_cookie_too(app) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    saved = client.get_cookie("session").value  # type: ignore[union-attr]
    assert _edits(app, saved)
    client.post("/logout", data={"csrf_token": _token(client, "/")})
    assert not _edits(app, saved)


@pytest.mark.parametrize(
    "change",
    [["user", "passwd", "editor"], ["user", "role", "editor", "--role", "reader"], ["user", "role", "editor"]],
    ids=["passwd", "role", "role-refused"],
)
def test_a_password_or_role_change_ends_the_users_sessions(app, url, monkeypatch, capsys, change) -> None:
    saved = _cookie_of(app, "editor")
    monkeypatch.setenv("TERMTM_PASSWORD", "a new password")
    code = main(["--db", url, "-q", *change])
    assert _edits(app, saved) is (code != 0)  # a refused change (no --role) leaves the session alone


def test_a_removed_and_recreated_user_does_not_inherit_old_cookies(app, url, monkeypatch) -> None:
    saved = _cookie_of(app, "editor")
    monkeypatch.setenv("TERMTM_PASSWORD", "an admin password")
    assert main(["--db", url, "-q", "user", "remove", "editor"]) == 0
    assert main(["--db", url, "-q", "user", "add", "editor", "--role", "admin"]) == 0
    client = app.test_client()
    client.set_cookie("session", saved)
    r = client.get("/admin/users")
    assert r.status_code == 302 and "/login" in r.location


def test_a_session_ends_after_a_working_day_without_use(url, tmp_path, monkeypatch) -> None:
    from termtm.web import auth

    now = [1_800_000_000.0]
    monkeypatch.setattr(auth, "_wallclock", lambda: now[0])
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none")})
    assert app.config["SESSION_IDLE_HOURS"] == 8
    saved = _cookie_of(app, "editor")
    now[0] += 7 * 3600
    assert _edits(app, saved)  # used within the day: still signed in (and the use counts)
    now[0] += 8 * 3600 + 60
    assert not _edits(app, saved)
    short = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none"), "SESSION_IDLE_HOURS": 0.5})
    saved = _cookie_of(short, "editor")
    now[0] += 1800 + 1
    assert not _edits(short, saved)


# --- 6. the low items ---------------------------------------------------------------------------------------------


def test_an_edit_without_the_seen_field_is_refused(app, url) -> None:
    client = app.test_client()
    _sign_in(client, "editor")
    tuid = _bulletin(40)[9].tuid
    token, _ = _form(client, f"/segment/{tuid}")
    before = store_hash(url)
    r = client.post(f"/segment/{tuid}/edit", data={"en": "Overwritten.", "status": "approved", "csrf_token": token})
    assert r.status_code == 400 and "the form lacks seen" in r.text
    r = client.post("/term/commit/edit", data={"note": "Overwritten.", "csrf_token": token})
    assert r.status_code == 400 and "the form lacks seen" in r.text
    assert store_hash(url) == before


def test_an_edit_that_meets_a_lock_gets_the_changed_by_refusal_not_a_500(app, url) -> None:
    import sqlite3

    client = app.test_client()
    _sign_in(client, "editor")
    tuid = _bulletin(40)[9].tuid
    token, seen = _form(client, f"/segment/{tuid}")
    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.1, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another editor's transaction holds the write lock
    other.execute("UPDATE segments SET en = 'Theirs.', changeid = 'li', changedate = ? WHERE tuid = ?", (T1, tuid))
    try:
        r = client.post(
            f"/segment/{tuid}/edit", data={"en": "Mine.", "status": "draft", "seen": seen, "csrf_token": token}
        )
    finally:
        other.execute("COMMIT")
        other.close()
    assert r.status_code == 302
    assert f"segment {tuid} was changed by another editor" in client.get(r.location).text
    assert open_store(url).get(tuid).en == "Theirs."  # type: ignore[union-attr]


def test_parallel_downloads_each_get_their_own_file(app) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def fetch(kind: str) -> tuple[int, int]:
        r = app.test_client().get(f"/download/{kind}")
        return r.status_code, r.data.count(b"<tu ") + r.data.count(b"<conceptEntry")

    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(fetch, ["tmx", "tbx"] * 24))
    assert set(got[0::2]) == {(200, 40)} and len(set(got[1::2])) == 1 and got[1][0] == 200


def test_a_term_import_killed_before_its_contexts_leaves_nothing(url, tmp_path) -> None:
    import os
    import subprocess
    import sys

    path = tmp_path / "killed-terms.csv"
    path.write_text("concept,lang,term\nk1,zh,公安部\nk1,en,Ministry of Public Security\n", encoding="utf-8")
    before = store_hash(url)
    cmd = [sys.executable, "-m", "termtm.cli", "-q", "--db", url, "import", str(path)]
    killed = subprocess.run(cmd, env={**os.environ, "TERMTM_KILL_AT": "terms.contexts"}, capture_output=True)
    assert killed.returncode == -9
    assert store_hash(url) == before
    again = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TERMTM_KILL_AT": ""})
    assert again.returncode == 0 and "imported 1 concepts into term collection 'killed-terms'" in again.stdout
    assert open_store(url).contexts("killed-terms-k1")  # the concept and its contexts, together


def test_an_import_whose_ids_collide_with_another_document_is_refused(url, tmp_path, capsys) -> None:
    seg = _bulletin(1)[0]
    _, article, rest = seg.tuid.split(":", 2)
    path = tmp_path / "collide.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-CN" '
        f'datatype="plaintext"/><body><tu tuid="{rest}"><tuv xml:lang="zh-CN"><seg>公安部</seg></tuv>'
        '<tuv xml:lang="en"><seg>Ministry</seg></tuv></tu></body></tmx>\n',
        encoding="utf-8",
    )
    before = store_hash(url)
    capsys.readouterr()
    assert main(["--db", url, "-q", "import", str(path), "--document", f"bulletin-2007-12:{article}"]) == 2
    err = capsys.readouterr().err
    assert f"the tuid {seg.tuid} is already in document 'bulletin-2007-12'" in err and "Traceback" not in err
    assert store_hash(url) == before


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "x"])
def test_tmserver_clamps_any_max_candidates(app, value) -> None:
    r = app.test_client().get(f"/tmserver/zh/en/unit/公安部?max_candidates={value}")
    assert r.status_code == 200 and isinstance(r.json, list)


def test_a_next_with_line_breaks_goes_home_after_sign_in(app) -> None:
    client = app.test_client()
    data = {"name": "reader", "password": "reader password", "csrf_token": _token(client), "next": "/\r\nX: 1"}
    r = client.post("/login", data=data)
    assert r.status_code == 302 and r.location == "/" and "X" not in r.headers


def test_redirects_stay_relative_and_hosts_can_be_restricted(app, url, tmp_path) -> None:
    r = app.test_client().get("/static//termtm.css", headers={"Host": "evil.example"})
    assert r.status_code in (301, 308) and r.headers["Location"].startswith("/static/termtm.css")
    strict = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none"), "TRUSTED_HOSTS": ["tm.example"]})
    assert strict.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400
    assert strict.test_client().get("/", headers={"Host": "tm.example"}).status_code == 200


def test_tmserver_accepts_http_basic_when_reading_needs_sign_in(url, tmp_path) -> None:
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none"), "ANONYMOUS_READ": False})
    client = app.test_client()
    r = client.get("/tmserver/zh/en/unit/公安部")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic") and "error" in r.json
    r = client.get("/tmserver/zh/en/unit/公安部", auth=("reader", "reader password"))
    assert r.status_code == 200 and isinstance(r.json, list)


def test_require_answers_api_clients_with_json_and_pages_with_a_sign_in(app) -> None:
    """The same role check for a page and an API client: a browser is sent to sign in, a script gets 401/403 JSON."""
    client = app.test_client()
    page = client.get("/admin/users")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    anonymous = client.get("/admin/users", headers={"Accept": "application/json"})
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic")
    assert "sign in" in anonymous.json["error"]
    _sign_in(client, "editor")
    editor = client.get("/admin/users", headers={"Accept": "application/json"})
    assert editor.status_code == 403 and editor.json["error"].endswith("this needs the admin role")
    html = client.get("/admin/users")
    assert html.status_code == 403 and html.mimetype == "text/html"
    reader = app.test_client().post(
        "/api/v1/documents", data={"name": "x"}, auth=("reader", "reader password"), headers={"X-Requested-With": "t"}
    )
    assert reader.status_code == 403 and reader.json == {"error": "reader is a reader: this needs the editor role"}

"""The status ladder draft → reviewed → approved (XLIFF 2.0's): review list, store, migration, CLI, web.

The store-level specifications run on SQLite and on PostgreSQL (fixture store_url); the web one drives the
real app over real bulletin units.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from termtm.cli import main
from termtm.corpus.review import REVIEWED_HEADER, apply_reviews, load_reviewed
from termtm.errors import TermTMError
from termtm.formats import read_memory
from termtm.model import Lang, ParaKind, Provenance, Segment, Status
from termtm.store import open_store
from termtm.store.editing import history
from termtm.store.repository import migrate
from termtm.store.users import Role, Users
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [f"a{n:02d}" for n in range(12)]
T0 = "20240101T000000Z"


def _bulletin(n: int) -> list[Segment]:
    units = read_memory(
        (ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "bulletin-2007-12.tmx", src=Lang.ZH, tgt=Lang.EN
    )
    return [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units[:n])]


def test_the_committed_review_list_has_its_header_and_names_real_articles() -> None:
    text = (ROOT / "tmx" / "sources" / "reviewed.yaml").read_text(encoding="utf-8")
    assert text.startswith(REVIEWED_HEADER + "\n")
    reviews = load_reviewed(text, ARTICLES)
    assert all(r.reviewer and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.date) for r in reviews.values())


def test_a_review_entry_needs_a_known_article_a_reviewer_and_a_date() -> None:
    text = f"{REVIEWED_HEADER}\n- article: a01\n  reviewer: second reader (review-a)\n  date: 2026-12-06\n"
    (review,) = load_reviewed(text, ARTICLES).values()
    assert (review.article, review.reviewer, review.date) == ("a01", "second reader (review-a)", "2026-12-06")
    assert load_reviewed(f"{REVIEWED_HEADER}\n[]\n", ARTICLES) == {}
    with pytest.raises(TermTMError, match="no article 'a99'"):
        load_reviewed("- {article: a99, reviewer: x, date: 2026-12-06}", ARTICLES)
    with pytest.raises(TermTMError, match="twice"):
        load_reviewed("- {article: a01, reviewer: x, date: 2026-12-06}\n" * 2, ARTICLES)
    with pytest.raises(TermTMError, match="YYYY-MM-DD"):
        load_reviewed("- {article: a01, reviewer: x, date: 6 December}", ARTICLES)
    with pytest.raises(TermTMError, match="give article, reviewer and date"):
        load_reviewed("- {article: a01}", ARTICLES)


def test_a_review_raises_drafts_of_its_articles_only_and_never_to_approved() -> None:
    segs = [
        Segment("t", "标题", "Title", article="a01", kind=ParaKind.TITLE, provenance=Provenance.PRINTED,
                status=Status.APPROVED),
        Segment("b", "正文", "Body", article="a01"),
        Segment("c", "别的", "Other", article="a02"),
    ]  # fmt: skip
    reviews = load_reviewed("- {article: a01, reviewer: x, date: 2026-12-06}", ARTICLES)
    assert [s.status for s in apply_reviews(segs, reviews)] == [Status.APPROVED, Status.REVIEWED, Status.DRAFT]


def test_the_built_memory_carries_reviewed_exactly_on_the_listed_articles(built) -> None:
    paths, store, _ = built
    listed = set(load_reviewed(paths.reviewed.read_text(encoding="utf-8"), ARTICLES))
    for r in store.records("bulletin-2007-12"):
        s = r.segment
        if s.provenance is Provenance.PRINTED:
            assert s.status is Status.APPROVED, s.tuid
        else:
            assert s.status is (Status.REVIEWED if s.article in listed else Status.DRAFT), s.tuid


def test_a_store_at_0002_is_upgraded_to_the_ladder_with_its_data(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    migrate(engine, "0002")  # a store as the previous release left it
    rows = [("u1", "draft"), ("u2", "approved"), ("u3", "final")]  # "final": no release wrote it; becomes draft
    with engine.begin() as conn:
        for tuid, status in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO segments (tuid, zh, en, document, article, paragraph, sentence, kind, provenance,"
                    " status, origin, creationdate, changedate, changeid) VALUES (:tuid, '中文', 'English', 'b', '',"
                    " 0, 0, 'body', 'translated', :status, '', :d, :d, '')"
                ),
                {"tuid": tuid, "status": status, "d": T0},
            )
    engine.dispose()

    store = open_store(store_url)
    assert {r.segment.tuid: r.segment.status for r in store.records()} == {
        "u1": Status.DRAFT,
        "u2": Status.APPROVED,
        "u3": Status.DRAFT,
    }
    assert "ix_segments_status" in {i["name"] for i in sa.inspect(store.engine).get_indexes("segments")}
    seg = Segment("u4", "审校", "Reviewed", document="b", status=Status.REVIEWED, note="a translator's note")
    store.replace_document("b", [*(r.segment for r in store.records()), seg], T0)
    got = store.get("u4")
    assert got is not None and (got.status, got.note) == (Status.REVIEWED, "a translator's note")


def test_only_an_editor_sets_a_status_from_the_command_line(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    store = open_store(url)
    store.replace_document("bulletin-2007-12", _bulletin(5), T0)
    users = Users(store)
    users.add("li", "editor password", Role.EDITOR, T0)
    users.add("zhao", "reader password", Role.READER, T0)
    tuid = _bulletin(5)[3].tuid

    assert main(["--db", url, "segment", "status", tuid, "approved", "--user", "zhao"]) == 2
    assert "only an editor" in capsys.readouterr().err
    assert main(["--db", url, "segment", "status", tuid, "approved", "--user", "nobody"]) == 2
    assert "termtm user add" in capsys.readouterr().err
    assert open_store(url).get(tuid).status is Status.DRAFT  # type: ignore[union-attr]

    assert main(["--db", url, "segment", "status", tuid, "reviewed", "--user", "li"]) == 0
    assert main(["--db", url, "segment", "status", tuid, "approved", "--user", "li"]) == 0
    assert f"{tuid}: approved (by li)" in capsys.readouterr().out
    assert [e.action for e in history(open_store(url), "segment", tuid)] == ["segment.approve", "segment.review"]
    assert main(["--db", url, "segment", "show", tuid]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert (shown["status"], shown["changeid"], shown["en"]) == ("approved", "li", _bulletin(5)[3].en)


def test_the_segment_page_offers_the_three_rungs_and_saves_reviewed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    store = open_store(url)
    seg = _bulletin(12)[10]
    store.replace_document("bulletin-2007-12", _bulletin(12), T0)
    Users(store).add("editor", "editor password", Role.EDITOR, T0)
    client = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    page = client.get(f"/segment/{seg.tuid}").text
    assert 'class="badge status-draft"' in page and "not yet checked by a second reader" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"name": "editor", "password": "editor password", "csrf_token": token})
    page = client.get(f"/segment/{seg.tuid}").text
    assert re.findall(r'<option value="(\w+)"', page) == ["draft", "reviewed", "approved"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    seen = re.search(r'name="seen" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"/segment/{seg.tuid}/edit", data={"en": seg.en, "status": "reviewed", "seen": seen, "csrf_token": token}
    )
    assert r.status_code == 302 and "Saved as reviewed." in client.get(r.location).text
    assert client.get(f"/api/v1/segments/{seg.tuid}").json["status"] == "reviewed"
    assert (
        client.post(f"/segment/{seg.tuid}/edit", data={"en": "x", "status": "final", "csrf_token": token}).status_code
        == 400
    )
    lookup = client.get("/", query_string={"q": "湄公河", "status": "reviewed"}).text
    assert "<option selected>reviewed</option>" in lookup

"""The lookup page and JSON API over the built memory."""

from __future__ import annotations

import pytest

from termtm.web import create_app


@pytest.fixture(scope="module")
def client(built):
    paths, _, _ = built
    app = create_app({"DATABASE_URL": paths.database_url, "TESTING": True})
    return app.test_client()


def test_lookup_page_shows_concordance_in_both_languages(client):
    r = client.get("/", query_string={"q": "湄公河次区域反拐行动计划"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert "Concordance:" in html and "Sub-regional Plan of Action" in html


def test_lookup_page_escapes_what_it_echoes(client):
    html = client.get("/", query_string={"q": '<script>alert("x")</script>'}).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_api_concordance_shape(client):
    r = client.get("/api/v1/concordance", query_string={"q": "COMMIT", "k": 3})
    assert r.status_code == 200
    hits = r.get_json()
    assert len(hits) == 3
    assert set(hits[0]) >= {"tuid", "zh", "en", "score"}
    assert all("commit" in (h["zh"] + h["en"]).lower() for h in hits)


def test_api_segment_and_errors(client):
    r = client.get("/api/v1/segments/bulletin-2007-12:a05:p000:s00")
    assert r.get_json()["provenance"] == "printed"
    assert client.get("/api/v1/segments/nope").status_code == 404
    bad = client.get("/api/v1/concordance", query_string={"q": "x", "k": 1000})
    assert bad.status_code == 400 and "k must be" in bad.get_json()["error"]
    assert client.get("/api/v1/concordance").status_code == 400

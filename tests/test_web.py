"""The lookup UI, the JSON API and the amaGama-compatible endpoint, over the built memory and term base."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from openapi_spec_validator import validate

from termtm.web import create_app

PRESS = "bulletin-2007-12:a01:p010:s00"  # 14日下午由公安部主持了新闻发布会,参加的中外媒体共34家,50名记者。


@pytest.fixture(scope="module")
def app(built_url, full_index, tmp_path_factory):
    exports = tmp_path_factory.mktemp("exports")
    return create_app(
        {"DATABASE_URL": built_url, "INDEX_DIR": str(full_index), "EXPORT_DIR": str(exports), "TESTING": True}
    )


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def press(built):
    return built[1].get(PRESS)


def test_lookup_page_groups_terms_fuzzy_concordance_and_meaning(client):
    html = client.get("/", query_string={"q": "湄公河次区域反拐行动计划"}).get_data(as_text=True)
    for heading in ("Terms", "Fuzzy matches", "Concordance", "Similar in meaning"):
        assert f">{heading} <span" in html
    assert "<ruby>" in html and "<rt>méi</rt>" in html  # pinyin over the Chinese term
    assert "Sub-regional Plan of Action" in html


def test_deprecated_variants_are_set_apart_with_their_reason_under_the_preferred_term(client):
    html = client.get("/", query_string={"q": "渭公河"}).get_data(as_text=True)
    assert 'Do not use:\n  <span class="dep"><span class="dep-text" lang="zh-Hans">渭公河</span>' in html
    assert "(OCR error for 湄公河)" in html
    assert "<ruby>湄<rt>méi</rt></ruby><ruby>公<rt>gōng</rt></ruby><ruby>河<rt>hé</rt></ruby>" in html


def test_partial_results_serve_search_as_you_type(client):
    r = client.get("/", query_string={"q": "fg", "partial": "1"})
    html = r.get_data(as_text=True)
    assert not html.lstrip().startswith("<!doctype") and 'href="/term/anti-trafficking"' in html


def test_filters_narrow_by_status_and_minimum_match(client, press):
    q = press.zh.replace("50名", "60名")
    html = client.get("/", query_string={"q": q, "min": 90, "partial": 1}).get_data(as_text=True)
    assert f'href="/segment/{PRESS}"' in html and "% match</p>" in html
    approved = client.get("/", query_string={"q": q, "min": 90, "status": "approved", "partial": 1})
    assert f'data-href="/segment/{PRESS}"' not in approved.get_data(as_text=True)  # it is reviewed, not approved


def test_lookup_page_escapes_what_it_echoes(client):
    for q in ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "\u202eevil"]:
        html = client.get("/", query_string={"q": q}).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html


def test_term_page_shows_every_field_and_contexts_with_the_term_marked(client):
    html = client.get("/term/commit").get_data(as_text=True)
    assert "Coordinated Mekong Ministerial Initiative against Trafficking" in html
    assert '<span class="dep-text">COMMII</span>' in html and "do not use: OCR error for COMMIT" in html
    assert "acronym" in html and "Definition" in html
    assert "<mark>" in html and 'href="/segment/bulletin-2007-12:' in html
    assert client.get("/term/nope").status_code == 404


def test_segment_page_shows_the_article_neighbours_and_recognised_terms(client, press):
    html = client.get(f"/segment/{PRESS}").get_data(as_text=True)
    assert press.en in html.replace("&#39;", "'")
    assert 'href="/term/mps"' in html and 'href="/term/press-conference"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html and 'aria-current="true"' in html


@pytest.mark.parametrize(
    ("kind", "marker"),
    [
        ("tmx", b"<tmx"),
        ("tbx", b"TBX-Basic"),
        ("csv", b"concept,subject"),
        ("omegat", "公安部\tMinistry of Public Security".encode()),
    ],
)
def test_downloads_serve_the_memory_and_the_term_base(client, kind, marker):
    r = client.get(f"/download/{kind}")
    assert r.status_code == 200 and marker in r.data
    assert "attachment" in r.headers["Content-Disposition"]


def test_no_asset_comes_from_another_host(client):
    html = client.get("/", query_string={"q": "反拐"}).get_data(as_text=True)
    assert "http://" not in html.split("<main")[0] and "https://" not in html.split("<main")[0]
    with client.get("/static/termtm.js") as js:
        assert js.status_code == 200 and b"debounce" in js.data
    with client.get("/static/termtm.css") as css:
        assert "Noto Sans CJK SC" in css.get_data(as_text=True)


def test_api_terms_has_the_cli_shape_and_finds_pinyin(client):
    out = client.get("/api/v1/terms", query_string={"q": "fan3guai3"}).get_json()
    assert out[0]["id"] == "anti-trafficking"
    assert {"id", "subject", "definition", "terms", "contexts"} <= set(out[0])
    one = client.get("/api/v1/terms/som5").get_json()
    assert any(t["text"] == "SOM5" and t["type"] == "acronym" for t in one["terms"])
    assert client.get("/api/v1/terms/nope").status_code == 404


def test_api_fuzzy_finds_a_perturbed_sentence_with_its_percentage_and_diff(client, press):
    q = press.zh.replace("34家", "35家")
    hits = client.get("/api/v1/fuzzy", query_string={"q": q, "min": 80}).get_json()
    assert hits[0]["tuid"] == PRESS and 90 <= hits[0]["score"] < 100
    assert any(d["op"] != "equal" for d in hits[0]["diff"])


def test_api_semantic_finds_chinese_from_an_english_query(client):
    hits = client.get("/api/v1/semantic", query_string={"q": "press conference hosted by the police ministry"})
    assert PRESS in [h["tuid"] for h in hits.get_json()[:3]]


def test_api_concordance_and_segment_shapes(client):
    hits = client.get("/api/v1/concordance", query_string={"q": "COMMIT", "k": 3}).get_json()
    assert len(hits) == 3 and {"tuid", "zh", "en", "score", "kwic"} <= set(hits[0])
    assert client.get(f"/api/v1/segments/{PRESS}").get_json()["status"] == "reviewed"  # a01 is in reviewed.yaml


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/concordance?q=x&k=1000", 400, "k must be"),
        ("/api/v1/concordance", 400, "give a query"),
        ("/api/v1/fuzzy?q=x&min=300", 400, "min must be"),
        ("/api/v1/terms?q=" + "长" * 501, 400, "longer than"),
        ("/api/v1/segments/nope", 404, "no segment"),
        ("/api/v1/nothing-here", 404, ""),
    ],
)
def test_api_errors_are_json_with_the_right_status(client, url, status, message):
    r = client.get(url)
    assert r.status_code == status and message in r.get_json()["error"]


def test_openapi_document_is_valid_and_lists_every_endpoint(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert {"/health", "/terms", "/terms/{id}", "/fuzzy", "/concordance", "/semantic", "/segments/{tuid}"} <= set(
        doc["paths"]
    )


def test_amagama_languages_list_the_codes_weblate_sends(client):
    data = client.get("/tmserver/languages/").get_json()
    assert {"zh_CN", "en"} <= set(data["sourceLanguages"]) and {"zh", "en_US"} <= set(data["targetLanguages"])


@pytest.mark.parametrize(("src", "tgt"), [("zh_CN", "en"), ("zh-CN", "en_US"), ("zh_hans", "en"), ("zh", "en_GB")])
def test_amagama_unit_answers_as_amagama_does(client, press, src, tgt):
    # Weblate: GET {url}/{src}/{tgt}/unit/{quoted text}; reads source, target and quality of each item.
    text = press.zh.replace("50名", "51名")
    r = client.get(f"/tmserver/{src}/{tgt}/unit/{quote(text)}?min_similarity=75&max_candidates=3")
    items = r.get_json()
    assert r.status_code == 200 and items
    assert set(items[0]) == {"source", "target", "quality", "rank"}
    assert items[0]["source"] == press.zh and items[0]["target"] == press.en and 90 < items[0]["quality"] < 100


def test_amagama_english_to_chinese_and_unknown_languages(client, press):
    text = press.en.replace("34", "33")
    items = client.get(f"/tmserver/en/zh_CN/unit/{quote(text)}").get_json()
    assert items[0]["target"] == press.zh
    assert client.get("/tmserver/fr/en/unit/bonjour").status_code == 404

"""The term base: reviewed source, pinyin, lookup, recognition, attestation and completeness."""

from __future__ import annotations

import pytest
from conftest import ROOT

from termtm.build import Paths
from termtm.terms import GlossaryError, Recognizer, TermIndex, load_glossary
from termtm.terms.completeness import uncovered
from termtm.terms.glossary import parse_file
from termtm.terms.pinyin import pinyin_keys, query_key, to_pinyin


@pytest.fixture(scope="module")
def termbase():
    return load_glossary(ROOT / "glossary")


@pytest.fixture(scope="module")
def index(termbase):
    return TermIndex(termbase)


def test_the_base_has_well_over_200_concepts_each_with_chinese_and_english(termbase):
    assert len(termbase) > 200
    for c in termbase:
        assert c.preferred("zh") and c.preferred("en"), c.id


def test_every_concept_has_a_subject_and_a_note_and_all_but_persons_a_definition(termbase):
    assert [c.id for c in termbase if not (c.subject and c.note)] == []
    assert [c.id for c in termbase if not c.definition and c.subject != "person"] == []


@pytest.mark.parametrize(
    ("concept", "zh", "en"),
    [
        ("commit", "湄公河次区域合作反对拐卖人口进程", "COMMIT"),
        ("som5", "第五次高官会", "SOM5"),
        ("imm2", "第二次部长级磋商会", "IMM2"),
        ("spa-ii", None, "SPA II"),
    ],
)
def test_the_commit_process_its_meetings_and_plan_have_full_forms_and_acronyms(termbase, concept, zh, en):
    c = termbase.get(concept)
    assert c is not None
    zh_terms = [t.text for t in c.terms_in("zh")]
    assert zh is None or zh in zh_terms
    acronyms = [t for t in c.terms_in("en") if t.text == en]
    assert acronyms and acronyms[0].type == "acronym"
    assert any(t.type == "fullForm" for t in c.terms_in("en"))


def test_ocr_errors_of_the_bulletin_are_deprecated_terms_pointing_to_the_preferred_one(termbase):
    deprecated = {t.text: c for c, t in termbase.terms() if t.status.value == "deprecated"}
    assert deprecated["COMMII"].id == "commit"
    assert deprecated["渭公河"].preferred("zh").text == "湄公河"
    assert deprecated["Du Hungwei"].preferred("en").text == "Du Hangwei"


def test_pinyin_is_generated_in_tone_marks_and_overridden_where_pypinyin_misreads(termbase):
    assert to_pinyin("反拐") == "fǎn guǎi"
    assert to_pinyin("UNIAP 中国办公室") == "UNIAP zhōng guó bàn gōng shì"
    by_text = {t.text: t for _, t in termbase.terms("zh")}
    assert by_text["缅甸"].pinyin == "miǎn diàn"  # pypinyin alone says diān
    assert by_text["公安部"].pinyin == "gōng ān bù"
    assert by_text["法律框架"].pinyin == "fǎ lǜ kuàng jià"  # a reviewed phrase fix, not a per-term override
    assert by_text["长效机制"].pinyin.startswith("cháng")


@pytest.mark.parametrize("query", ["fanguai", "fǎn guǎi", "fan3guai3", "fg", "Fan Guai", "fan3 guai3"])
def test_pinyin_queries_find_fanguai_with_or_without_tones_spaces_or_as_initials(index, query):
    hits = index.lookup(query)
    assert hits[0].concept.id == "anti-trafficking"
    assert hits[0].term.text == "反拐"


def test_pinyin_keys_cover_each_style_and_umlaut():
    keys = pinyin_keys("nǚ ér")
    assert keys == {"marked": "nǚér", "numbered": "nv3er2", "plain": "nver", "initials": "ne"}
    assert query_key("nü er") == ("plain", "nver")
    assert query_key("公安") is None


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("公安部", "mps"),
        ("Ministry of Public Security", "mps"),
        ("ministry of public security", "mps"),
        ("MPS", "mps"),
        ("gonganbu", "mps"),
        ("反拐通訊", "anti-trafficking-newsletter"),  # Traditional finds Simplified
        ("Du Hungwei", "du-hangwei"),  # a deprecated spelling still finds the person
        ("victims of trafficking", "victim-of-trafficking"),  # plural finds the singular term
    ],
)
def test_lookup_answers_chinese_english_and_pinyin_best_first(index, query, concept):
    assert index.lookup(query)[0].concept.id == concept


def test_lookup_of_a_pasted_sentence_lists_the_terms_inside_it(index):
    ids = [h.concept.id for h in index.lookup("湄公河次区域合作反对拐卖人口第五次高官会和第二次部长级磋商会在北京召开")]
    assert {"som5", "imm2", "beijing"} <= set(ids)


def test_recognition_takes_the_longest_match_first_in_chinese_without_spaces(termbase):
    r = Recognizer(termbase)
    found = [(m.term.text, m.concept.id) for m in r.find_zh("支持湄公河次区域合作反拐进程的工作")]
    assert found[0] == ("湄公河次区域合作反拐进程", "commit")  # not 湄公河 or 湄公河次区域
    spaced = r.find_zh("UNIAP中国办公室")
    assert [m.concept.id for m in spaced] == [m.concept.id for m in r.find_zh("UNIAP 中国办公室")]


def test_recognition_in_english_matches_whole_words_only(termbase):
    r = Recognizer(termbase)
    assert [m.concept.id for m in r.find_en("ILO-TICW and the ILO")][-1] == "ilo"
    assert not [m for m in r.find_en("the commitment of bloomers") if m.concept.id in ("commit", "iom")]
    m = r.find_en("the Ministry of Public Security (MPS) said")[0]
    assert (m.start, m.end, m.concept.id) == (4, 31, "mps")


def test_a_malformed_glossary_file_names_the_file_the_concept_and_the_fix():
    bad = "subject: place\nconcepts:\n- id: x\n  zh: [北京]\n  en: [{text: Beijing, status: favourite}]\n"
    with pytest.raises(GlossaryError, match=r"glossary/bad.yaml: concept 'x': term 'Beijing': status must be"):
        parse_file(bad, "bad.yaml")
    with pytest.raises(GlossaryError, match="needs a non-empty `en:`"):
        parse_file("subject: place\nconcepts:\n- id: y\n  zh: [北京]\n", "bad.yaml")


def test_every_concept_is_attested_by_a_memory_segment(built):
    _, store, result = built
    assert result.terms is not None
    contexts = store.contexts()
    attested = {cid for cid, lang, _ in contexts if lang == "zh"}
    missing = [c.id for c in store.termbase() if c.id not in attested]
    assert missing == []


def test_unattested_chinese_terms_are_only_deprecated_ocr_forms_found_in_the_raw_text(built):
    _, _, result = built
    bad = [(u.concept_id, u.text) for u in result.terms.unattested if not (u.status.value == "deprecated" and u.in_raw)]
    official = {("nwccw", "国务院妇女儿童工作委员会")}  # the official full name, which this issue never prints
    assert set(bad) <= official


def test_every_candidate_name_or_term_of_the_bulletin_is_covered_or_excluded_with_a_reason(built):
    paths, store, _ = built
    gaps = uncovered(store.termbase(), [r.segment for r in store.records()], paths.glossary / "exclusions.yaml")
    assert [(g.kind, g.text, g.tuid) for g in gaps] == []


def test_the_completeness_check_does_report_a_name_missing_from_the_base(built):
    paths, store, _ = built
    termbase = store.termbase()
    without = type(termbase)([c for c in termbase if c.id != "mps"])
    texts = {
        g.text for g in uncovered(without, [r.segment for r in store.records()], paths.glossary / "exclusions.yaml")
    }
    assert "公安部" in texts or "中国公安部" in texts


def test_paths_know_the_glossary_folder():
    assert Paths(ROOT).glossary == ROOT / "glossary"


def test_extraction_proposes_a_hidden_name_with_its_english_and_never_a_known_term():
    from termtm.formats import read_memory
    from termtm.model import Lang
    from termtm.terms import TermBase
    from termtm.terms.extract import extract

    tmx = ROOT / "tmx" / "bulletin-2007-12.tmx"
    segs = [(u.id, u.zh, u.en) for u in read_memory(tmx.read_bytes(), tmx.name, src=Lang.ZH, tgt=Lang.EN)]
    known = TermBase([c for c in load_glossary(ROOT / "glossary") if c.id != "mps"])
    found = extract(segs, known, limit=50)
    mps = [c for c in found if c.zh in ("公安部", "中国公安部")]
    assert mps and "public security" in mps[0].en
    known_zh = {t.text for _, t in known.terms("zh")}
    assert not [c.zh for c in found if c.zh in known_zh]

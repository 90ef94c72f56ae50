"""Fuzzy matches and concordance over the built bulletin memory, as a translator would use them."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from termtm.cli import main
from termtm.model import Lang
from termtm.search import Searcher
from termtm.search.fuzzy import percentage
from termtm.search.normalize import fold
from termtm.search.postings import char_grams

MYANMAR = "bulletin-2007-12:a01:p006:s10"  # 缅甸将区域教材本土化，举办了国家级的师资培训。
NEWSLETTER = "bulletin-2007-12:a11:p001:s00"  # 《反拐通讯》季刊是由“联合国机构间湄公河次区域…


@pytest.fixture(scope="module", params=["memory", "mapped", "mapped-segments"])
def searcher(built, request, tmp_path_factory) -> Searcher:
    """Today's in-memory indexes; the mapped lexical set; the set in two segments with dead units (an import)."""
    _, store, _ = built
    if request.param == "memory":
        return Searcher.from_store(store)
    from termtm.app.lexical_index import store_rows, sync_lexical
    from termtm.search import indexset
    from termtm.search.indexset import LexicalSet

    index = tmp_path_factory.mktemp("lexical")
    if request.param == "mapped-segments":  # a set from before an import: a third missing, a seventh changed
        rows = [r._replace(en=r.en + " (old)") if i % 7 == 0 else r for i, r in enumerate(store_rows(store)) if i % 3]
        indexset.build(index, rows)
    sync_lexical(index, store, rebuild_share=1.0)
    mapped = LexicalSet.open(index)
    assert mapped is not None and len(mapped.parts) == (2 if request.param == "mapped-segments" else 1)
    return Searcher.from_index(mapped)


@pytest.fixture(scope="module")
def seg(searcher):
    by_tuid = {s.tuid: s for s in searcher.segments}
    return by_tuid.__getitem__


def replace_chars(text: str, positions: list[int], new: str) -> str:
    chars = list(text)
    for p, c in zip(positions, new, strict=True):
        assert chars[p] != c
        chars[p] = c
    return "".join(chars)


def test_fold_keeps_one_character_for_one_on_the_whole_memory(searcher):
    for s in searcher.segments:
        assert len(fold(s.zh)) == len(s.zh) and len(fold(s.en)) == len(s.en)
    assert fold("反拐通訊 ＣＯＭＭＩＴ，Ｎｏ．１") == "反拐通讯 commit,no.1"


def test_exact_match_scores_100_and_comes_first(searcher, seg):
    hits = searcher.fuzzy(seg(MYANMAR).zh)
    assert hits[0].segment.tuid == MYANMAR
    assert (hits[0].score, hits[0].exact, hits[0].lang) == (100.0, True, Lang.ZH)
    assert [(d.op, d.query) for d in hits[0].diff] == [("equal", seg(MYANMAR).zh)]


def test_perturbed_sentence_finds_its_source_with_the_cat_percentage(searcher, seg):
    source = seg(MYANMAR).zh
    query = replace_chars(source, [6, 14], "书省")  # 教材→教书, 国家级→省家级
    hit = searcher.fuzzy(query)[0]
    assert hit.segment.tuid == MYANMAR
    assert hit.score == round(100 * (1 - 2 / len(source)), 2) == 91.3
    assert [(d.op, d.query, d.match) for d in hit.diff if d.op != "equal"] == [
        ("replace", "书", "材"),
        ("replace", "省", "国"),
    ]
    assert "".join(d.match for d in hit.diff) == source


def test_english_percentage_counts_words_not_characters(searcher, seg):
    source = seg(MYANMAR).en
    words = source.split()
    query = " ".join(words[:3] + words[4:])  # one word left out
    hit = searcher.fuzzy(query)[0]
    assert hit.segment.tuid == MYANMAR and hit.lang is Lang.EN
    # 20 units: 18 words ("national-level" is national, -, level) and the full stop; one deleted → 95%
    assert hit.score == 95.0
    assert [(d.op, d.match) for d in hit.diff if d.op != "equal"] == [("insert", words[3])]


def test_threshold_is_respected(searcher, seg):
    source = seg(MYANMAR).zh  # 23 characters; 8 replaced → 65.22%
    query = replace_chars(source, [0, 1, 3, 4, 8, 9, 11, 12], "老挝把地方书本中")
    assert percentage(query, source) == 65.22
    assert all(h.segment.tuid != MYANMAR for h in searcher.fuzzy(query))
    hits = searcher.fuzzy(query, min_score=60)
    assert hits[0].segment.tuid == MYANMAR and hits[0].score == 65.22
    assert all(h.score >= 60 for h in hits)


def test_fuzzy_agrees_with_brute_force_over_the_whole_memory(searcher):
    """The n-gram filters only save work: the same top matches as scoring every segment."""
    for s in searcher.segments[::15]:
        query = (s.zh[1:] + "。" if len(s.zh) > 8 else s.zh).strip()
        brute = sorted(
            (-round(100 * Levenshtein.normalized_similarity(fold(query), fold(t.zh)), 2), i)
            for i, t in enumerate(searcher.segments)
        )
        expected = [-score for score, _ in brute if -score >= 70][:5]
        assert [h.score for h in searcher.fuzzy(query, k=5)] == expected, s.tuid
        query = " ".join(s.en.split()[1:])  # English: words, scored by the same CAT percentage
        brute = sorted(-percentage(query, t.en) for t in searcher.segments)
        assert [h.score for h in searcher.fuzzy(query, k=5)] == [-b for b in brute if -b >= 70][:5], s.tuid


def test_traditional_and_full_width_queries_match_their_simplified_half_width_source(searcher, seg):
    source = seg(MYANMAR).zh
    trad = "緬甸將區域教材本土化，舉辦了國家級的師資培訓。"
    hits = searcher.fuzzy(trad)
    assert (hits[0].segment.tuid, hits[0].score, hits[0].exact) == (MYANMAR, 100.0, False)
    assert percentage(source.replace("，", ","), source) == 100.0


def test_concordance_traditional_query_finds_simplified_with_kwic_in_the_segments_own_text(searcher):
    hits = searcher.concordance("反拐通訊")
    assert [h.segment.tuid for h in hits] == [NEWSLETTER]
    assert hits[0].lang is Lang.ZH
    kwic = hits[0].kwic
    assert (kwic.left, kwic.match, kwic.right) == ("《", "反拐通讯", "》季刊是由“联合国机构间湄公河")


def test_concordance_folds_width_and_case_and_lists_hits_in_memory_order(searcher):
    half = searcher.concordance("COMMIT", k=100)
    assert [h.segment.tuid for h in searcher.concordance("ＣＯＭＭＩＴ", k=100)] == [h.segment.tuid for h in half]
    assert [h.segment.tuid for h in searcher.concordance("commit", k=100)] == [h.segment.tuid for h in half]
    order = [s.tuid for s in searcher.segments]
    assert [order.index(h.segment.tuid) for h in half] == sorted(order.index(h.segment.tuid) for h in half)
    for h in half:
        text = h.segment.en if h.lang is Lang.EN else h.segment.zh
        assert h.kwic.match.lower() == "commit"
        assert h.kwic.left + h.kwic.match + h.kwic.right in text


def test_concordance_english_phrase_and_word_prefix(searcher):
    hits = searcher.concordance("Greater Mekong sub-region", k=500)
    assert hits and all("greater mekong sub-region" in h.segment.en.lower() for h in hits)
    assert len(hits) == sum("greater mekong sub-region" in s.en.lower() for s in searcher.segments)
    prefix = searcher.concordance("traffick", k=3)
    assert [h.kwic.match.lower() for h in prefix] == ["traffick"] * 3
    assert all(h.kwic.right[0].isalpha() for h in prefix)  # trafficking, trafficked…


def test_concordance_finds_every_segment_that_like_finds(built, searcher):
    _, store, _ = built
    for phrase in ["湄公河", "拐卖", "儿童", "2007"]:
        like = [s.tuid for s in store.concordance(phrase, limit=1000)]
        ours = [h.segment.tuid for h in searcher.concordance(phrase, k=1000)]
        assert sorted(ours) == sorted(like), phrase


def test_cli_fuzzy_and_concordance_print_json_best_first(built, capsys, seg):
    paths, _, _ = built
    query = replace_chars(seg(MYANMAR).zh, [6], "书")
    assert main(["--root", str(paths.root), "search", "fuzzy", query, "-k", "2", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["tuid"] == MYANMAR and hits[0]["score"] == 95.65
    assert list(hits[0])[:4] == ["tuid", "zh", "en", "score"]
    assert {"op": "replace", "query": "书", "match": "材"} in hits[0]["diff"]
    assert main(["--root", str(paths.root), "search", "concordance", "反拐通讯", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits == [
        {
            "tuid": NEWSLETTER,
            "zh": seg(NEWSLETTER).zh,
            "en": seg(NEWSLETTER).en,
            "score": 100.0,
            "lang": "zh-CN",
            "kwic": {"left": "《", "match": "反拐通讯", "right": "》季刊是由“联合国机构间湄公河"},
        }
    ]


def test_count_filter_reads_the_short_lists_and_probes_the_long_ones_with_the_same_answer(built):
    """Postings.at_least finds exactly the segments that share t query bigrams, however many of the
    longest lists it probes instead of reading: checked against a count per segment for every t."""
    _, store, _ = built
    side = Searcher.from_store(store).text.zh_chars
    n = len(side.units)
    probed = 0
    for s in side.units[::40]:
        keys = np.unique(char_grams([s], 2)[0])
        counts = np.bincount(np.concatenate(side.grams.lists(keys)), minlength=n)  # every list read whole
        for t in range(1, len(keys) + 2):
            expected = np.flatnonzero(counts >= t)
            for skip in (None, 0, t // 2, t - 1):
                docs, found = side.grams.at_least(keys, t, skip)
                assert docs.tolist() == expected.tolist() and found.tolist() == counts[expected].tolist()
                probed += bool(skip)
    assert probed > 100


def test_character_bound_sums_shared_characters_whether_it_probes_or_reads(built):
    """The bound counts the characters two texts share, with repetition, the same way on either path."""
    _, store, _ = built
    side = Searcher.from_store(store).text.zh_chars
    query = side.units[10]
    keys, caps = np.unique(char_grams([query], 1)[0], return_counts=True)
    shared = [sum((Counter(query) & Counter(u)).values()) for u in side.units]
    every = np.arange(len(side.units))
    few = every[::50]  # few documents: each list is probed by binary search
    assert side.units_count.capped_sums(keys, caps, every, common=len(every)).tolist() == shared
    assert side.units_count.capped_sums(keys, caps, few, common=len(every)).tolist() == [shared[d] for d in few]


def test_a_typed_prefix_reads_only_the_heads_of_its_words_lists(built):
    """Postings.first_docs gives the m first segments holding any of many words, as merging every list would."""
    _, store, _ = built
    text = Searcher.from_store(store).text
    grams = text.en_words.grams
    for prefix in ("t", "tr", "s", "mek", "a"):
        keys = text.prefix_keys(prefix)
        merged = np.unique(np.concatenate(grams.lists(keys)))
        assert len(keys) and len(merged)
        for m in (1, 5, 80, len(merged) + 3):
            assert grams.first_docs(keys, m).tolist() == merged[:m].tolist(), (prefix, m)

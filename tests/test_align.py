"""The sentence aligner on small real excerpts, with the default embedder."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import shared
from lxml import etree

from termtm.align import Bead, align_sentences, format_beads
from termtm.align.dp import Window
from termtm.align.features import SentenceCues
from termtm.align.lexicon import content_stems, default_lexicon
from termtm.align.sentences import EXACT_RUN, RUN_WEIGHT, band_width, span_vectors
from termtm.cli import main
from termtm.errors import AlignmentError
from termtm.model import Lang

ZH = [
    "2007年12月12-14日，第五次高官会在北京召开。",
    "近200人出席了会议。",
    "六国部长签署了《联合宣言》。",
    "会议取得圆满成功。",
]
EN = [
    "The Fifth Senior Officials Meeting was held in Beijing on 12–14 December 2007.",
    "Nearly 200 people attended.",
    "The ministers of the six countries signed the Joint Declaration.",
    "It was a complete success.",
    "The meeting was a great success.",
]
EXCERPT_BEADS = 110
"""Gold beads of MAC-Dev chapter 001 used as the excerpt: about 120 Chinese and 130 English sentences."""


def _covers_each_once(beads, n, m):
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    return src == list(range(n)) and tgt == list(range(m))


def _read_gold(text: str) -> list[Bead]:
    beads = []
    for line in text.splitlines():
        left, right = re.fullmatch(r"\[([\d,]*)\]:\[([\d,]*)\]", line.replace(" ", "")).groups()
        beads.append(Bead(tuple(int(x) for x in left.split(",") if x), tuple(int(x) for x in right.split(",") if x)))
    return beads


@pytest.fixture(scope="module")
def excerpt():
    """The first EXCERPT_BEADS gold beads of MAC-Dev 001 (Wang Xiaobo), with exactly their sentences."""
    root = shared("eval", "mac", "dev")
    gold = _read_gold((root / "gold" / "001.align").read_text(encoding="utf-8"))[:EXCERPT_BEADS]
    n = max(i for b in gold for i in b.src) + 1
    m = max(j for b in gold for j in b.tgt) + 1
    zh = (root / "zh" / "001").read_text(encoding="utf-8").splitlines()[:n]
    en = (root / "en" / "001").read_text(encoding="utf-8").splitlines()[:m]
    return zh, en, gold


def _strict_f1(test, gold):
    match = len(set(test) & set(gold))
    p, r = match / len(test), match / len(gold)
    return 2 * p * r / (p + r)


def test_one_to_one_with_embeddings(embedder):
    beads = align_sentences(ZH, EN[:4], embedder=embedder)
    assert beads == [Bead((i,), (i,)) for i in range(4)]


def test_one_to_two_when_english_splits_a_sentence(embedder):
    beads = align_sentences(ZH, EN, embedder=embedder)
    assert _covers_each_once(beads, 4, 5)
    assert beads[-1] == Bead((3,), (3, 4))


def test_mac_dev_excerpt_matches_the_gold(excerpt, embedder):
    zh, en, gold = excerpt
    beads = align_sentences(zh, en, embedder=embedder)
    assert _covers_each_once(beads, len(zh), len(en))
    # Every bead matches the gold on this excerpt (measured); allow a few to move.
    assert _strict_f1(beads, gold) >= 0.95


def test_mac_dev_excerpt_with_the_run_encoder_matches_the_gold(excerpt, embedder, runs):
    zh, en, gold = excerpt
    beads = align_sentences(zh, en, embedder=embedder, runs=runs)
    assert _covers_each_once(beads, len(zh), len(en))
    assert _strict_f1(beads, gold) >= 0.95


def test_run_vectors_weigh_the_exact_encoding_of_a_run_against_the_sum_of_its_parts(embedder, runs):
    zh, en = SentenceCues.of(ZH, chinese=True, lexicon=None), SentenceCues.of(EN, chinese=False, lexicon=None)
    zv, ev = span_vectors(zh, embedder, runs), span_vectors(en, embedder, runs)

    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    def e5_sum(texts):
        v = embedder.encode(texts, kind="query").sum(axis=0)
        return v / np.linalg.norm(v)

    # Chinese sentence 3 against English sentences 3 and 4 (a gold 1-2 bead): the run is encoded as one text.
    exact = cos(runs.encode([ZH[3]])[0], runs.encode([EN[3] + " " + EN[4]])[0])
    summed = cos(e5_sum([ZH[3]]), e5_sum(EN[3:5]))
    assert cos(zv.get(3, 1), ev.get(3, 2)) == pytest.approx((1 - RUN_WEIGHT) * summed + RUN_WEIGHT * exact, abs=1e-4)
    # Runs longer than EXACT_RUN sum the run encoder's vectors of their parts instead.
    k = EXACT_RUN + 1
    use_summed = cos(runs.encode(ZH[:k]).sum(axis=0), runs.encode(EN[:k]).sum(axis=0))
    expected = (1 - RUN_WEIGHT) * cos(e5_sum(ZH[:k]), e5_sum(EN[:k])) + RUN_WEIGHT * use_summed
    assert cos(zv.get(0, k), ev.get(0, k)) == pytest.approx(expected, abs=1e-4)


def test_mac_dev_excerpt_without_embeddings_still_finds_most_beads(excerpt):
    zh, en, gold = excerpt
    beads = align_sentences(zh, en)
    assert _covers_each_once(beads, len(zh), len(en))
    # Length and the CC-CEDICT dictionary alone also find every gold bead here (measured).
    assert _strict_f1(beads, gold) >= 0.9


def test_missing_paragraph_becomes_one_sided_beads(excerpt, embedder):
    zh, en, gold = excerpt
    # Drop the English of gold beads 40..54, as if the translator had left out a passage.
    cut = [j for b in gold[40:55] for j in b.tgt]
    orphans = {i for b in gold[40:55] for i in b.src}
    en_cut = [t for j, t in enumerate(en) if j not in cut]
    beads = align_sentences(zh, en_cut, embedder=embedder)
    assert _covers_each_once(beads, len(zh), len(en_cut))
    unaligned = {i for b in beads if not b.tgt for i in b.src}
    assert len(unaligned & orphans) >= 0.8 * len(orphans)
    assert len(unaligned - orphans) <= 3
    # Beads away from the gap are still right.
    shift = {j: j - sum(c < j for c in cut) for j in range(len(en)) if j not in cut}
    far = [Bead(b.src, tuple(shift[j] for j in b.tgt)) for k, b in enumerate(gold) if not 35 <= k < 60]
    assert len(set(far) & set(beads)) >= 0.85 * len(far)


def test_one_side_much_shorter_gives_sensible_beads(excerpt, embedder):
    zh, en, gold = excerpt
    short = en[: len(gold[:10]) + 2]
    beads = align_sentences(zh[:80], short, embedder=embedder)
    assert _covers_each_once(beads, 80, len(short))
    # The English that is there pairs as the gold says (the count of pairs is bounded by covering alone).
    within = [b for b in gold if b.tgt and max(b.tgt) < len(short)]
    assert within and len(set(within) & set(beads)) >= 0.8 * len(within), [b for b in within if b not in beads]
    assert beads[0] == gold[0]


def test_empty_lines_come_back_as_one_sided_beads(excerpt, embedder):
    zh, en, _ = excerpt
    zh, en = zh[:30], en[:33]
    plain = align_sentences(zh, en, embedder=embedder)
    zh_gappy = ["", *zh[:10], "  ", *zh[10:]]
    en_gappy = [*en[:5], "", *en[5:], ""]
    beads = align_sentences(zh_gappy, en_gappy, embedder=embedder)
    assert _covers_each_once(beads, len(zh_gappy), len(en_gappy))
    assert Bead((0,), ()) in beads and Bead((11,), ()) in beads
    assert Bead((), (5,)) in beads and Bead((), (len(en_gappy) - 1,)) in beads
    # The other beads are those of the input without blank lines.
    zmap = [k for k, t in enumerate(zh_gappy) if t.strip()]
    emap = [k for k, t in enumerate(en_gappy) if t.strip()]
    expected = [Bead(tuple(zmap[i] for i in b.src), tuple(emap[j] for j in b.tgt)) for b in plain]
    assert [b for b in beads if b.src and b.tgt and b not in expected] == []


def test_very_long_sentences_pair_up_and_leave_their_neighbours_alone(excerpt, embedder):
    zh, en, gold = excerpt
    # Gold beads 10..39 joined into one sentence on each side: about 600 Chinese and 2,500 English
    # characters, far beyond what e5 reads (512 tokens).
    s0, s1 = gold[10].src[0], gold[39].src[-1] + 1
    t0, t1 = gold[10].tgt[0], gold[39].tgt[-1] + 1
    zh_long = [*zh[:s0], "".join(zh[s0:s1]), *zh[s1 : s1 + 20]]
    en_long = [*en[:t0], " ".join(en[t0:t1]), *en[t1 : t1 + 20]]
    assert len(zh_long[s0]) > 500 and len(en_long[t0]) > 2000
    beads = align_sentences(zh_long, en_long, embedder=embedder)
    assert _covers_each_once(beads, len(zh_long), len(en_long))
    assert Bead((s0,), (t0,)) in beads
    assert beads[:10] == gold[:10]


def test_swapped_languages_are_detected():
    with pytest.raises(AlignmentError, match="swapped"):
        align_sentences(EN, ZH)
    with pytest.raises(AlignmentError, match="--src-lang en --tgt-lang zh"):
        align_sentences(EN, ZH, src_lang=Lang.ZH, tgt_lang=Lang.EN)


def test_english_source_aligns_when_declared(embedder):
    beads = align_sentences(EN, ZH, embedder=embedder, src_lang=Lang.EN, tgt_lang=Lang.ZH)
    assert beads[:3] == [Bead((i,), (i,)) for i in range(3)]
    assert beads[-1] == Bead((3, 4), (3,))


def test_empty_side_gives_skip_beads():
    assert align_sentences([], ["a", "b"]) == [Bead((), (0,)), Bead((), (1,))]


def test_search_grows_with_length_not_its_square():
    def cells(n):
        return Window.band(n, 2 * n, band_width(n, 2 * n)).cells()

    assert cells(20000) < 2.1 * cells(10000)


def test_dictionary_glosses_chinese_words_in_english_stems():
    lexicon = default_lexicon()
    glosses = lexicon.gloss_stems("六国部长签署了联合宣言。")
    assert {"sign", "minist", "declar"} <= glosses
    assert content_stems("The ministers signed the Joint Declaration.") == {"minist", "sign", "joint", "declar"}


def test_beads_format_is_the_gold_format():
    assert format_beads([Bead((3, 4), (5,)), Bead((), (7,))]) == "[3,4]:[5]\n[]:[7]\n"


def test_cli_align_presplit_beads(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_text("\n".join(ZH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN[:4]) + "\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "--format", "beads", "--no-embed"]) == 0
    assert capsys.readouterr().out == "[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[3]\n"


def test_cli_align_writes_tmx(tmp_path):
    src, tgt, out = tmp_path / "zh.txt", tmp_path / "en.txt", tmp_path / "out.tmx"
    src.write_text("".join(ZH) + "\n", encoding="utf-8")
    tgt.write_text(" ".join(EN) + "\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--format", "tmx", "--no-embed", "-o", str(out)]) == 0
    root = etree.parse(str(out)).getroot()
    assert root.find("header").get("srclang") == "zh-CN"
    segs = [[s.text for s in tu.iter("seg")] for tu in root.iter("tu")]
    assert len(segs) == 4
    assert segs[1] == ["近200人出席了会议。", "Nearly 200 people attended."]


def test_cli_align_prints_beads_with_their_texts_and_confidence_as_json(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_text("\n".join(ZH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN) + "\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "--format", "json", "--no-embed"]) == 0
    beads = json.loads(capsys.readouterr().out)
    assert [(b["src"], b["tgt"]) for b in beads] == [([0], [0]), ([1], [1]), ([2], [2]), ([3], [3, 4])]
    assert beads[1]["zh"] == ZH[1] and beads[1]["en"] == EN[1]
    assert beads[3]["en"] == f"{EN[3]} {EN[4]}"
    assert all(isinstance(b["confidence"], float) and 0 < b["confidence"] <= 1 for b in beads)


def test_cli_align_uses_the_run_encoder_unless_told_none(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_text("\n".join(ZH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN) + "\n", encoding="utf-8")
    expected = "[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[3,4]\n"
    for runs in ([], ["--runs", "none"]):
        assert main(["align", str(src), str(tgt), "--presplit", "--format", "beads", *runs]) == 0
        assert capsys.readouterr().out == expected
    assert main(["align", str(src), str(tgt), "--presplit", "--runs", "elmo"]) == 2
    assert "unknown embedder 'elmo'" in capsys.readouterr().err


def test_cli_align_reports_swapped_inputs(tmp_path, capsys):
    src, tgt = tmp_path / "en.txt", tmp_path / "zh.txt"
    src.write_text("\n".join(EN) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(ZH) + "\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "--no-embed"]) == 2
    assert "swapped" in capsys.readouterr().err


def test_cli_align_refuses_non_utf8(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_bytes("会议召开。".encode("gb18030"))
    tgt.write_text("The meeting opened.\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--no-embed"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_plain_text_paragraphs_are_hard_anchors(monkeypatch):
    from termtm.align import texts

    calls = []

    def counting(src, tgt, **kw):
        calls.append((list(src), list(tgt)))
        return align_sentences(src, tgt, **kw)

    monkeypatch.setattr(texts, "align_sentences", counting)
    zh = "".join(ZH[:2]) + "\n\n" + "".join(ZH[2:]) + "\n"
    en = " ".join(EN[:2]) + "\n" + " ".join(EN[2:]) + "\n"
    aligned = texts.align_texts(zh, en)
    assert calls == [(ZH[:2], EN[:2]), (ZH[2:], EN[2:])]  # one search per paragraph pair
    assert aligned.src == ZH and aligned.tgt == EN
    assert aligned.beads[:2] == [Bead((0,), (0,)), Bead((1,), (1,))]
    # No bead crosses the paragraph boundary (Chinese 2 | English 2).
    assert all((max(b.src, default=9) < 2) == (max(b.tgt, default=9) < 2) for b in aligned.beads if b.src and b.tgt)


# --- bead confidence -------------------------------------------------------------------------------------------------


def _brute_marginals(n, m, types, cost, gap, beads):
    """Every path of the lattice enumerated, in the states bead_marginals sums over: a bead or a source gap
    lands 'in' a cell, a target gap (not directly after another) leaves it 'full'; each bead's share of the total."""
    paths = []

    def walk(i, j, state, edges, weight):
        if (i, j) == (n, m):
            paths.append((edges, weight))
        if state == "in":
            walk(i, j, "full", edges, weight) if (i, j) != (n, m) else None
            for k in range(1, m - j + 1):
                walk(i, j + k, "full", [*edges, ((), tuple(range(j, j + k)), i)], weight * np.exp(-gap.cost(k)))
            return
        for a, b in types:
            if i + a <= n and j + b <= m:
                bead = (tuple(range(i, i + a)), tuple(range(j, j + b)), None)
                walk(i + a, j + b, "in", [*edges, bead], weight * np.exp(-cost[(i, j, a, b)]))
        for k in range(1, n - i + 1):
            walk(i + k, j, "in", [*edges, (tuple(range(i, i + k)), (), j)], weight * np.exp(-gap.cost(k)))

    walk(0, 0, "in", [], 1.0)
    total = sum(w for _, w in paths)
    return [
        sum(w for e, w in paths if any(x[:2] == (b.src, b.tgt) for x in e)) / total if b.src and b.tgt else None
        for b in beads
    ]


def test_bead_marginals_are_the_share_of_all_paths_through_each_bead():
    """The forward-backward sums agree with enumerating every path of a small lattice by hand."""
    from termtm.align.dp import Gap, bead_marginals, best_path

    rng = np.random.default_rng(7)
    n, m, types, gap = 3, 4, ((1, 1), (1, 2), (2, 1)), Gap(2.0, 1.5)
    cost = {(i, j, a, b): float(rng.uniform(-1, 2)) for i in range(n + 1) for j in range(m + 1) for a, b in types}

    def row_costs(i, a, b, j0, j1):
        return np.array([cost[(i, j, a, b)] for j in range(j0, j1)])

    window = Window.band(n, m, 10)
    beads = best_path(n, m, window, types, row_costs, gap)
    got = bead_marginals(n, m, window, types, row_costs, gap, beads)
    want = _brute_marginals(n, m, types, cost, gap, beads)
    pairs = [(g, w) for b, g, w in zip(beads, got, want, strict=True) if b.src and b.tgt]
    assert pairs and all(abs(g - w) < 1e-9 for g, w in pairs)
    assert all(0.0 < g <= 1.0 for g in got)


def test_every_bead_has_a_confidence_and_the_wrong_ones_have_less(excerpt, embedder, runs):
    zh, en, gold = excerpt
    beads = align_sentences(zh, en, embedder=embedder, runs=runs)
    assert all(b.confidence is not None and 0.0 <= b.confidence <= 1.0 for b in beads)
    right = [b.confidence for b in beads if b in set(gold)]
    wrong = [b.confidence for b in beads if b not in set(gold)]
    assert wrong, "the excerpt has a few beads the aligner gets wrong"
    assert sum(wrong) / len(wrong) < sum(right) / len(right) - 0.15  # 0.66 against 0.96 when measured

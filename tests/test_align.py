"""The sentence aligner on small real excerpts, with the default embedder."""

from __future__ import annotations

from termtm.align import Bead, align_sentences, format_beads
from termtm.cli import main

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


def _covers_each_once(beads, n, m):
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    return src == list(range(n)) and tgt == list(range(m))


def test_one_to_one_with_embeddings(embedder):
    beads = align_sentences(ZH, EN[:4], embedder=embedder)
    assert beads == [Bead((i,), (i,)) for i in range(4)]


def test_one_to_two_when_english_splits_a_sentence(embedder):
    beads = align_sentences(ZH, EN, embedder=embedder)
    assert _covers_each_once(beads, 4, 5)
    assert beads[-1] == Bead((3,), (3, 4))


def test_empty_side_gives_skip_beads():
    assert align_sentences([], ["a", "b"]) == [Bead((), (0,)), Bead((), (1,))]


def test_beads_format_is_the_gold_format():
    assert format_beads([Bead((3, 4), (5,)), Bead((), (7,))]) == "[3,4]:[5]\n[]:[7]\n"


def test_cli_align_presplit_beads(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_text("\n".join(ZH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN[:4]) + "\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--presplit", "--format", "beads", "--no-embed"]) == 0
    assert capsys.readouterr().out == "[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[3]\n"


def test_cli_align_refuses_non_utf8(tmp_path, capsys):
    src, tgt = tmp_path / "zh.txt", tmp_path / "en.txt"
    src.write_bytes("会议召开。".encode("gb18030"))
    tgt.write_text("The meeting opened.\n", encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--no-embed"]) == 2
    assert "not UTF-8" in capsys.readouterr().err

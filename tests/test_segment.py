"""Sentence segmentation rules for Chinese and English."""

from __future__ import annotations

from termtm.corpus.segment import split_en, split_zh


def test_chinese_splits_after_full_stops_and_semicolons():
    assert split_zh("会议召开。代表出席；部长签署！是吗？") == ["会议召开。", "代表出席；", "部长签署！", "是吗？"]


def test_chinese_does_not_split_inside_book_title_marks():
    assert split_zh("签署了《宣言。附件》。然后散会。") == ["签署了《宣言。附件》。", "然后散会。"]


def test_chinese_keeps_closing_quote_with_its_sentence():
    assert split_zh("他说：“加强合作。”会议结束。") == ["他说：“加强合作。”", "会议结束。"]


def test_chinese_does_not_split_inside_brackets_or_numbers():
    assert split_zh("增长3.5%（见表1。注）。完毕。") == ["增长3.5%（见表1。注）。", "完毕。"]


def test_half_width_question_mark_in_a_url_is_not_a_sentence_end():
    text = "全文请见 <http://a.cn/Details.asp?NewsId=1102&x=法律>"
    assert split_zh(text) == [text]


def test_list_items_with_inline_numbers_split_at_semicolons():
    assert split_zh("议程：(1) 讨论宣言；(2) 报告进展。") == ["议程：(1) 讨论宣言；", "(2) 报告进展。"]


def test_english_does_not_split_after_abbreviations_or_list_numbers():
    assert split_en("Mr. Meng spoke. The U.N. agreed. 1. To promote it. Done!") == [
        "Mr. Meng spoke.",
        "The U.N. agreed.",
        "1. To promote it.",
        "Done!",
    ]


def test_english_keeps_closing_quote_and_splits_before_capital_after_semicolon():
    assert split_en("He said “Yes.” Then; He left; and stayed.") == ["He said “Yes.”", "Then;", "He left; and stayed."]

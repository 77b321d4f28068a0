"""The codebook survives the tokenizer: terms stay whole in jieba and match no unrelated longer word."""

from __future__ import annotations

import pytest

from plancompare.coding import load_codebook, match_terms
from plancompare.segment import segment

CODEBOOK = load_codebook()
WORDS = CODEBOOK.all_terms()
# Sentence frames a term is put into: after a verb, before a noun, before a conjunction.
CONTEXTS = ("积极推进{}工作。", "我市{}发展较快，", "加快{}和其他领域建设。")

# (text, longer word in it, shorter term that must not be read inside it)
FALSE_SUBSTRINGS = [
    ("规范银行卡收单市场", "银行卡", "银行"),
    ("发展风险投资基金", "风险投资", "风险"),
    ("设立风险补偿资金", "风险补偿", "风险"),
    ("形成人才梯次全的态势", "人才梯次", "人才"),
    ("支持城市基础设施建设", "城市基础设施", "基础设施"),
    ("维护社会稳定", "社会稳定", "稳定"),
    ("设立征信公司", "征信公司", "征信"),
    ("提高金融资源配置效率", "金融资源", "融资"),
    ("建设金融资产交易所", "金融资产", "融资"),
    ("引进外资金融机构", "外资金融机构", "资金"),
    ("发展农产品期货", "农产品", "产品"),
    ("加强金融监管协调", "金融监管", "监管"),
]


@pytest.mark.parametrize("term", WORDS)
def test_term_stays_one_token(term):
    for frame in CONTEXTS:
        assert term in segment(frame.format(term), WORDS), frame.format(term)


@pytest.mark.parametrize(("text", "longer", "shorter"), FALSE_SUBSTRINGS)
def test_term_does_not_match_inside_a_longer_word(text, longer, shorter):
    matched = [t for t, _, _ in match_terms(text, CODEBOOK)]
    assert shorter not in matched, matched
    tokens = segment(text, WORDS)
    assert shorter not in tokens, tokens
    assert any(longer in t for t in tokens) or longer not in WORDS, tokens


def test_every_term_is_a_plain_chinese_word():
    assert all(w and w.strip() == w and "、" not in w for w in WORDS)
    assert len(WORDS) == len(set(WORDS))

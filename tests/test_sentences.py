"""Sentence splitting: headings, table of contents, duplicates, and nothing lost."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plancompare import cleaning, paths, sentences
from plancompare.cleaning import clean_text, normalise
from plancompare.reading import read_plan_text
from plancompare.sentences import (
    TERMINATORS,
    detach_headings,
    raw_sentences,
    remove_toc,
    split_sentences,
    toc_titles,
)

RAW = paths.DATA / "raw"


@pytest.fixture(scope="module")
def chongqing_text() -> str:
    return clean_text(read_plan_text(RAW / "chongqing-2016-2020.txt").text)


@pytest.fixture(scope="module")
def chengdu_text() -> str:
    return clean_text(read_plan_text(RAW / "chengdu-2006-2010.txt").text)


@pytest.fixture(scope="module")
def chongqing(chongqing_text):
    return split_sentences(chongqing_text)


@pytest.fixture(scope="module")
def chengdu(chengdu_text):
    return split_sentences(chengdu_text)


def test_normalise_widths_and_spaces_keeps_chinese_punctuation():
    text = "２０１５年，规模达到４．２万亿元（％）\u3000\u3000第二段　ＡＢｃ"
    assert normalise(text) == "2015年，规模达到4．2万亿元（%）\n第二段\nABc"


def test_raw_sentences_split_on_terminators_and_keep_closing_quotes():
    parts = raw_sentences("一是总量不大。二是“优势不突出。”三是；四\n五！")
    assert parts == ["一是总量不大。", "二是“优势不突出。”", "三是；", "四", "五！"]


def test_toc_titles_and_removal(chongqing_text):
    titles = toc_titles(chongqing_text)
    assert titles[:3] == ["第一章发展基础与环境", "第一节发展基础", "第二节发展环境"]
    assert "第八节建成金融人才高地" in titles and len(titles) == 25
    text, removed = remove_toc(chongqing_text)
    assert removed > 600
    assert "………" not in text and "目录第一章" not in text


@pytest.mark.parametrize(
    "sentence, heads, body",
    [
        (
            "第一节发展基础金融业综合实力稳步提升，支柱产业地位持续巩固。",
            ["第一节发展基础"],
            "金融业综合实力稳步提升，支柱产业地位持续巩固。",
        ),
        (
            "第二章指导思想与目标第一节指导思想以党的十八大精神为指导。",
            ["第二章指导思想与目标", "第一节指导思想"],
            "以党的十八大精神为指导。",
        ),
        (
            "一、丰富金融机构牌照门类不断提高金融机构集聚度，紧跟国家金融政策动向。",
            ["一、丰富金融机构牌照门类"],
            "不断提高金融机构集聚度，紧跟国家金融政策动向。",
        ),
        ("（一）发展基础。", ["（一）发展基础。"], ""),
        ("专栏5发展农村合作金融体系", ["专栏5发展农村合作金融体系"], ""),
        # A long numbered lead sentence stays a sentence.
        (
            "2．成都未来经济的快速平稳发展和改革开放的进一步深化，将为金融业的发展提供新的机遇和更为广阔的空间。",
            [],
            "2．成都未来经济的快速平稳发展和改革开放的进一步深化，将为金融业的发展提供新的机遇和更为广阔的空间。",
        ),
        # A title glued to a time word: a year, 截至, a five-year period, 当前 (at any level).
        (
            "一、金融总量持续扩大2015年，全市金融业实现增加值580亿元，占全市GDP比重达到6.2%。",
            ["一、金融总量持续扩大"],
            "2015年，全市金融业实现增加值580亿元，占全市GDP比重达到6.2%。",
        ),
        (  # the time word wins over a verb that the title holds (加快)
            "二、金融机构加快集聚截至2015年末，全市共有各类金融机构220家，其中外资金融机构22家。",
            ["二、金融机构加快集聚"],
            "截至2015年末，全市共有各类金融机构220家，其中外资金融机构22家。",
        ),
        (
            "（一）发展基础“十二五”以来，全市金融业快速发展，金融业已成为支柱产业。",
            ["（一）发展基础"],
            "“十二五”以来，全市金融业快速发展，金融业已成为支柱产业。",
        ),
        (
            "（二）存贷款规模稳步扩大截至2020年末，全市本外币存款余额6500亿元，贷款余额7900亿元。",
            ["（二）存贷款规模稳步扩大"],
            "截至2020年末，全市本外币存款余额6500亿元，贷款余额7900亿元。",
        ),
        # A numbered lead sentence is not cut at a place word (引导全市金融机构: its object).
        (
            "1．积极引导全市金融机构加大信贷投放，支持小微企业发展壮大。",
            [],
            "1．积极引导全市金融机构加大信贷投放，支持小微企业发展壮大。",
        ),
    ],
)
def test_detach_headings(sentence, heads, body):
    known = ["第一节发展基础", "第二章指导思想与目标", "第一节指导思想"]
    got_heads, got_body = detach_headings(sentence, known)
    assert [h for _, h in got_heads] == heads
    assert got_body == body


def test_chongqing_has_no_duplicates_and_counts(chongqing):
    df = chongqing.sentences
    # A sentence is kept once; a heading once under the same parents (its section path).
    where = df["text"].where(df["kind"] == "sentence", df["section"])
    keys = df["kind"] + "|" + where.str.replace(r"\s+", "", regex=True)
    assert keys.is_unique
    assert chongqing.n_duplicates == chongqing.n_raw - len(df)
    body = df[df["kind"] == "sentence"]
    # The README measures about 540 naive sentences of which about 410 are distinct.
    assert 380 <= len(body) <= 430
    assert chongqing.n_duplicates > 100
    # The notice paragraph that the scrape repeated is kept once.
    assert body["text"].str.contains("现将《重庆市建设国内重要功能性金融中心").sum() == 1


def _naive_sentences(text: str) -> set[str]:
    text, _ = remove_toc(text)
    return {re.sub(r"\s+", "", s) for s in raw_sentences(text)}


@pytest.mark.parametrize("fixture", ["chongqing", "chengdu"])
def test_no_distinct_raw_sentence_is_lost(fixture, request):
    split = request.getfixturevalue(fixture)
    text = request.getfixturevalue(f"{fixture}_text")
    out = set(split.sentences["text"].str.replace(r"\s+", "", regex=True))
    headings = set(split.sentences.loc[split.sentences["kind"] == "heading", "text"])
    for s in _naive_sentences(text):
        if s in out:
            continue
        # Otherwise it must be headings glued to a kept body: peel kept headings off its front.
        rest = s
        while rest and rest not in out:
            head = next(
                (h for h in sorted(headings, key=len, reverse=True) if rest.startswith(h)), None
            )
            assert head is not None, f"lost: {s}"
            rest = rest[len(head) :]


def test_chengdu_sections_follow_numbered_headings(chengdu):
    df = chengdu.sentences
    row = df[df["text"].str.startswith("截至2005年底，国家开发银行")].iloc[0]
    assert row["section"] == "一、规划背景 > （一）发展基础 > 1．多元化金融组织体系初步形成"
    assert chengdu.n_duplicates == 0
    assert (df["kind"] == "heading").sum() >= 30
    assert all(
        t[-1] in TERMINATORS or t[-1] in "”）："
        for t in df.loc[df["kind"] == "sentence", "text"]
        if len(t) > 40
    )


def test_load_sentences_codes_again_with_another_coder(rendered):
    from plancompare.pipeline import load_sentences

    rules = load_sentences(rendered.processed, ["chongqing-2016-2020"])
    naive = load_sentences(rendered.processed, ["chongqing-2016-2020"], coder="naive")
    assert set(rules["coder"]) == {"rules"} and set(naive["coder"]) == {"naive"}
    assert naive["tokens"].equals(rules["tokens"])  # segmentation is reused, not redone
    from plancompare.coding import code_text_naive, load_codebook

    codebook = load_codebook()
    expected = [code_text_naive(t, codebook)["primary_category"] for t in naive["text_simplified"]]
    assert naive["primary_category"].tolist() == expected
    assert (naive["primary_category"] != rules["primary_category"]).sum() > 10


# --- Shortcuts of cleaning and splitting give what the plain regular expressions give -------

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
# How cleaning dropped spaces beside Chinese text before it used a callback per run of spaces.
_SPACE_BETWEEN_CJK = re.compile(
    rf"(?<=[{_CJK}]) +|(?<=[0-9]) +(?=[{_CJK}])|(?<=[{_CJK}]) +(?=[0-9])"
)


@given(st.text(alphabet=" 1a中。“\n", max_size=20))
def test_spaces_beside_cjk_dropped_as_by_the_lookbehind_regex(text):
    assert cleaning._drop_spaces_beside_cjk(text) == _SPACE_BETWEEN_CJK.sub("", text)


_TOC_PIECES = ["第一章", "一、", "（一）", "发展", "…", "..", ".", "·", "（4）", "\n", " "]


@given(st.lists(st.sampled_from(_TOC_PIECES), max_size=30).map("".join))
def test_toc_shortcut_removes_what_the_full_regex_removes(text):
    full = [b.group(0) for b in sentences._TOC.finditer(text)]
    full = [b for b in full if b.count("…") + b.count("..") + b.count("·") >= 4]
    assert [b.group(0) for b in sentences._toc_blocks(text)] == full


WRAPPED = """重庆市金融业发展规划
第一章 发展基础
“十二五”时期，全市金融业整体实力显著增强，2015年全市金融业增加值达
- 3 -
到1410亿元，占GDP比重达到9%。金融机构体系不断完善，各类金
第 4 页 共 20 页
融机构达到1500家。
（一）发展目标
到2020年，金融业增加值占GDP比重达到11%以上，金融业资产规模达到7万亿
元。
"""


def test_a_hard_wrapped_text_is_joined_into_its_sentences():
    # A plan copied out of a PDF: lines cut at a fixed width, page numbers between them.
    df = split_sentences(clean_text(WRAPPED)).sentences
    assert df["text"].tolist() == [
        "重庆市金融业发展规划",  # a title shorter than the wrap width keeps its line
        "第一章发展基础",
        "“十二五”时期，全市金融业整体实力显著增强，2015年全市金融业增加值达到1410亿元，"
        "占GDP比重达到9%。",
        "金融机构体系不断完善，各类金融机构达到1500家。",
        "（一）发展目标",
        "到2020年，金融业增加值占GDP比重达到11%以上，金融业资产规模达到7万亿元。",
    ]
    assert df["kind"].tolist()[1] == "heading"


def test_a_text_whose_lines_are_paragraphs_keeps_every_break():
    text = "成都市金融业发展规划\n为加快发展，编制本规划。\n一、规划背景\n（一）发展基础。成都金融业平稳发展。"
    assert sentences.unwrap_lines(clean_text(text)) == clean_text(text)


# --- found by a review: full-width spaces, traditional headings, numbered lists -----------------


def _table(text: str):
    return split_sentences(clean_text(text)).sentences


def test_a_full_width_space_after_a_heading_marker_stays_inside_the_heading():
    df = _table(
        "第一章\u3000发展基础与环境\n第一节\u3000发展基础\n\u3000\u3000我市金融业快速发展。\n"
        "第二章\u3000\u3000指导思想\n第一节\u3000指导思想\n\u3000\u3000坚持改革创新。\n"
        "\u3000\u3000一、\u3000总体要求\n（一）\u3000主要目标\n1．\u3000总体目标\n"
        "\u3000\u3000为加快发展，制定本规划。\u3000\u3000到2010年，基本建成金融中心。"
    )
    heads = df.loc[df["kind"] == "heading", "text"].tolist()
    assert heads == [
        "第一章发展基础与环境",
        "第一节发展基础",
        "第二章指导思想",
        "第一节指导思想",  # another chapter's 第一节: not a repeated copy
        "一、总体要求",
        "（一）主要目标",
        "1．总体目标",
    ]
    body = df[df["kind"] == "sentence"]
    # Indentation and runs of full-width spaces between sentences still mark paragraphs.
    assert body["text"].tolist() == [
        "我市金融业快速发展。",
        "坚持改革创新。",
        "为加快发展，制定本规划。",
        "到2010年，基本建成金融中心。",
    ]
    assert body["section"].iloc[1] == "第二章指导思想 > 第一节指导思想"
    # A full-width space elsewhere in a line is a paragraph mark, as before.
    assert normalise("发展基础\u3000为加快发展。") == "发展基础\n为加快发展。"
    # Nor is a number glued to a numbered marker (1．2020 would read as one number).
    assert normalise("1．\u30002020年目标") == "1．\n2020年目标"


def test_traditional_headings_are_detected():
    df = _table(
        "目錄第一節主要成就……1第二節存在問題……2\n"
        "第一節主要成就\n近年來，金融業快速發展。\n第二節存在問題\n規模不大。\n專欄1發展目標\n"
    )
    assert df.loc[df["kind"] == "heading", "text"].tolist() == [
        "第一節主要成就",
        "第二節存在問題",
        "專欄1發展目標",
    ]
    assert df.loc[df["kind"] == "sentence", "section"].tolist() == [
        "第一節主要成就",
        "第二節存在問題",
    ]
    assert "目錄" not in "".join(df["text"])


PRINCIPLES = (
    "（二）基本原则。\n"
    "1．坚持金融为经济和社会发展服务并重，促进全市经济和社会的稳定健康发展。成都金融业必须服务于国家经济。\n"
    "2．坚持市场化原则，大力推进金融体制改革，以改革促发展。支持金融机构改革。\n"
    "3．坚持金融开放，树立国际竞争意识。积极引进外资金融机构。\n"
    "4．坚持金融业人才发展战略，支持金融机构引进和培养适合金融中心建设需要的中高级人才。培养人才。\n"
    "（三）发展目标。\n"
    "1．总量目标。金融业增加值年均增长15%。\n"
    "2．结构目标。直接融资比重明显提高。\n"
)


def test_a_list_of_numbered_sentences_holds_no_heading():
    df = _table(PRINCIPLES)
    kinds = dict(zip(df["text"], df["kind"], strict=True))
    # 3．… is short enough to be a heading, but its list is one of numbered sentences.
    for item in range(1, 5):
        text = next(t for t in kinds if t.startswith(f"{item}．坚持"))
        assert kinds[text] == "sentence", text
    row = df[df["text"] == "积极引进外资金融机构。"].iloc[0]
    assert row["section"] == "（二）基本原则"
    # A list of short leads stays a list of headings.
    assert kinds["1．总量目标。"] == kinds["2．结构目标。"] == "heading"
    assert (
        df[df["text"] == "直接融资比重明显提高。"].iloc[0]["section"]
        == "（三）发展目标 > 2．结构目标"
    )


def test_an_item_with_sub_headings_or_without_a_terminator_stays_a_heading():
    df = _table(
        "（一）加快金融业制度和产品创新，提高金融服务品质。\n"
        "1．按照国家政策和经济发展的实际，逐步放宽行业进入限制，鼓励民营资本进入银行业。\n"
        "2．加强金融业务创新研究，努力开发新的金融产品。\n"
        "（1）大力拓展投资银行业务。\n发展并购业务。\n"
        "3．发展目标\n到2010年，金融业增加值翻番。\n"
    )
    kinds = dict(zip(df["text"], df["kind"], strict=True))
    assert kinds["2．加强金融业务创新研究，努力开发新的金融产品。"] == "heading"
    assert kinds["3．发展目标"] == "heading"
    assert kinds["（1）大力拓展投资银行业务。"] == "heading"


def test_chengdu_principles_are_all_sentences_in_their_section(chengdu):
    df = chengdu.sentences
    principles = df[df["text"].str.match(r"^[1-5]．坚持")]
    assert len(principles) == 5 and (principles["kind"] == "sentence").all()
    section = "二、指导思想、基本原则和发展目标 > （二）基本原则"
    assert (principles["section"] == section).all()
    row = df[df["text"].str.startswith("充分认识当前金融国际化趋势")].iloc[0]
    assert row["section"] == section


def test_every_chapter_may_have_its_own_numbered_sub_headings():
    result = split_sentences(
        clean_text(
            "第一章 存款\n（一）发展目标\n存款稳步增长。\n（二）主要任务\n扩大存款。\n"
            "第二章 贷款\n（一）发展目标\n贷款稳步增长。\n（二）主要任务\n扩大贷款。\n"
            "第一章 存款\n"  # a chapter title repeated: a copy
        )
    )
    heads = result.sentences[result.sentences["kind"] == "heading"]
    assert len(heads) == 6 and result.n_duplicates == 1
    assert result.sentences.loc[result.sentences["text"] == "贷款稳步增长。", "section"].item() == (
        "第二章贷款 > （一）发展目标"
    )


# --- whole texts as they arrive: PDF page furniture, tables a row to a line ---------------------


def test_columns_aligned_with_full_width_spaces_stay_one_line():
    text = (
        "指标名称\u3000\u3000单位\u3000\u30002020年\u3000\u30002025年\u3000\u3000属性\n"
        "金融业增加值\u3000\u3000亿元\u3000\u3000620\u3000\u3000\u3000900\u3000\u3000预期性\n"
        "银行业不良贷款率\u3000%\u3000\u30002.1\u3000\u3000≤2\u3000\u3000约束性\n"
        "\u3000\u3000到2025年，金融业增加值达到900亿元。\u3000\u3000保费收入达到420亿元。"
    )
    assert normalise(text).split("\n") == [
        "指标名称单位2020年2025年属性",
        "金融业增加值亿元620 900预期性",
        "银行业不良贷款率% 2.1 ≤2约束性",
        "到2025年，金融业增加值达到900亿元。",  # paragraph marks as before
        "保费收入达到420亿元。",
    ]


TABLE_TEXT = """西安市金融业发展规划
专栏1 主要指标
序号\t指标名称\t单位\t2020年\t2025年\t属性
1\t金融业增加值\t亿元\t1020\t1600\t预期性
2\t金融业增加值占GDP比重\t%\t10.2\t11\t预期性
3\t本外币存款余额\t万亿元\t2.65\t3.8\t预期性
4\t保费收入\t亿元\t520\t750\t预期性
5\t境内外上市公司\t家\t63\t100\t预期性
注：存款余额为年末数。
"""


def test_a_table_printed_a_row_to_a_line_is_not_taken_for_wrapped_text():
    # Its rows are open lines of about one length, but no wrapped prose: each stays a sentence.
    texts = split_sentences(clean_text(TABLE_TEXT)).sentences["text"].tolist()
    assert texts[3:9] == [
        "1金融业增加值亿元1020 1600预期性",
        "2金融业增加值占GDP比重% 10.2 11预期性",
        "3本外币存款余额万亿元2.65 3.8预期性",
        "4保费收入亿元520 750预期性",
        "5境内外上市公司家63 100预期性",
        "注：存款余额为年末数。",
    ]


PDF_PAGES = """济南市“十四五”金融业发展规划
一、发展基础
　　“十三五”以来，全市金融业实现跨越式发展，已成为全市第一
大支柱产业。2020年，全市金融业增加值达到1006亿元，占
地区生产总值比重达到9.9%。全市境内外上市公司达到6
1
济南市“十四五”金融业发展规划
3家。保险业实现保费收入445亿元，赔款与给付支出150亿
元。金融风险隐患依然存在，需要在“十四五”时期加以解决。
2
济南市“十四五”金融业发展规划
二、发展目标
　　到2025年，全市金融业增加值达到1500亿元左右，年均
增长8%以上；境内外上市公司达到100家。
序号 指标名称 单位 2020年 2025年 属性
1 金融业增加值 亿元 1006 1500 预期性
3
"""


def test_page_numbers_and_running_headers_of_a_pdf_copy_are_dropped():
    texts = split_sentences(clean_text(PDF_PAGES)).sentences["text"].tolist()
    assert texts == [
        "济南市“十四五”金融业发展规划",  # the title: the header's first occurrence stays
        "一、发展基础",
        "“十三五”以来，全市金融业实现跨越式发展，已成为全市第一大支柱产业。",
        "2020年，全市金融业增加值达到1006亿元，占地区生产总值比重达到9.9%。",
        "全市境内外上市公司达到63家。",  # not 达到61 / 济南市… / 3家
        "保险业实现保费收入445亿元，赔款与给付支出150亿元。",
        "金融风险隐患依然存在，需要在“十四五”时期加以解决。",
        "二、发展目标",
        "到2025年，全市金融业增加值达到1500亿元左右，年均增长8%以上；",
        "境内外上市公司达到100家。",
        "序号指标名称单位2020年2025年属性",
        "1金融业增加值亿元1006 1500预期性",  # a table row's number is no page number
    ]


def test_paragraphs_a_line_each_with_a_few_titles_of_one_length_are_not_wrapped():
    text = (
        "福州市“十三五”金融业发展专项规划\n"
        "到2020年，全市金融业增加值突破800亿元，占地区生产总值比重达到10%左右；保费收入达到380亿元。\n"
        "福州市“十三五”金融业发展主要指标\n"
        "序号指标单位2015年2020年属性\n"
        "2015年，全市实现金融业增加值480亿元，比2010年增长1.2倍，占全市地区生产总值的8.6%。\n"
    )
    assert sentences.unwrap_lines(text) == text


# --- Damage of prose plans, from a whole-pipeline probe of ten texts --------------------------


def _rows(text: str) -> list[tuple[str, str, str]]:
    """Return (kind, section, text) of each row of a raw text cleaned and split."""
    df = split_sentences(clean_text(text)).sentences
    return list(zip(df["kind"], df["section"], df["text"], strict=True))


def test_a_contents_table_without_leaders_is_removed():
    # Page numbers after ideographic spaces (on lines of their own once cleaned), Windows line ends.
    text = (
        "石家庄市金融业发展“十一五”规划\r\n目录\r\n一、发展现状　　１\r\n二、发展目标　　３\r\n"
        "三、主要任务　　５\r\n————————————\r\n为推动全市金融业健康发展，制定本规划。\r\n"
        "一、发展现状\r\n金融总量稳步增长。\r\n二、发展目标\r\n到2010年，金融业增加值达到110亿元。\r\n"
    )
    assert _rows(text) == [
        ("sentence", "", "石家庄市金融业发展“十一五”规划"),
        ("sentence", "", "为推动全市金融业健康发展，制定本规划。"),  # not in 三、主要任务
        ("heading", "一、发展现状", "一、发展现状"),
        ("sentence", "一、发展现状", "金融总量稳步增长。"),
        ("heading", "二、发展目标", "二、发展目标"),
        ("sentence", "二、发展目标", "到2010年，金融业增加值达到110亿元。"),
    ]
    # Page numbers at the ends of the lines (a tab before them), and its titles detach glued ones.
    text = (
        "目　录\n第一章\t发展基础\t1\n第二章\t发展目标\t5\n第三章\t主要任务\t8\n"
        "第一章　发展基础\n全省金融业快速发展。\n第二章　发展目标到2020年，全省金融业增加值达到3500亿元。\n"
    )
    assert toc_titles(clean_text(text)) == ["第一章发展基础", "第二章发展目标", "第三章主要任务"]
    assert _rows(text) == [
        ("heading", "第一章发展基础", "第一章发展基础"),
        ("sentence", "第一章发展基础", "全省金融业快速发展。"),
        ("heading", "第二章发展目标", "第二章发展目标"),
        ("sentence", "第二章发展目标", "到2020年，全省金融业增加值达到3500亿元。"),
    ]
    # Headings that only look like an entry (no page numbers in order) are no contents table.
    text = "目录\n一、发展现状\n二、发展目标\n三、主要任务\n加快企业上市。\n"
    assert [t for _, _, t in _rows(text)][1:4] == ["一、发展现状", "二、发展目标", "三、主要任务"]


def test_contents_with_middle_dots_boxes_and_annexes_and_the_box_and_annex_they_name():
    text = (
        "目　录\n一、发展基础·········1\n二、重点任务·········4\n　专栏1　金融科技重点项目·····6\n"
        "附件　名词解释·········9\n一、发展基础\n全市金融业规模稳步扩大。\n二、重点任务\n"
        "专栏1　金融科技重点项目1．建设金融科技产业园；2．建设数字人民币试点应用场景；3．建设金融大数据中心。\n"
        "附件　名词解释\nFinTech：金融科技。\n"
    )
    box = "二、重点任务 > 专栏1金融科技重点项目"
    assert _rows(text) == [
        ("heading", "一、发展基础", "一、发展基础"),
        ("sentence", "一、发展基础", "全市金融业规模稳步扩大。"),
        ("heading", "二、重点任务", "二、重点任务"),
        ("heading", box, "专栏1金融科技重点项目"),  # detached by its contents entry
        ("sentence", box, "1．建设金融科技产业园；"),  # the items of a list, not headings
        ("sentence", box, "2．建设数字人民币试点应用场景；"),
        ("sentence", box, "3．建设金融大数据中心。"),
        ("heading", "附件名词解释", "附件名词解释"),  # an annex is a part of its own
        ("sentence", "附件名词解释", "FinTech：金融科技。"),
    ]


def test_an_item_after_a_semicolon_is_never_a_heading():
    text = (
        "四、保障措施\n加强组织领导。\n注：1.金融业增加值按现价计算；2.存贷款余额为年末本外币余额。\n"
        "专栏1　重点工程\n（1）广州区域金融中心建设工程；（2）深圳全国金融中心建设工程。\n"
    )
    assert _rows(text) == [
        ("heading", "四、保障措施", "四、保障措施"),
        ("sentence", "四、保障措施", "加强组织领导。"),
        ("sentence", "四、保障措施", "注：1.金融业增加值按现价计算；"),
        ("sentence", "四、保障措施", "2.存贷款余额为年末本外币余额。"),  # no section of its own
        ("heading", "四、保障措施 > 专栏1重点工程", "专栏1重点工程"),
        ("sentence", "四、保障措施 > 专栏1重点工程", "（1）广州区域金融中心建设工程；"),
        ("sentence", "四、保障措施 > 专栏1重点工程", "（2）深圳全国金融中心建设工程。"),
    ]


def test_a_numbered_sentence_ends_the_section_of_the_item_before_it():
    text = (
        "三、工作任务\n（一）大力发展资本市场。\n3．充分调动民间资金。\n引导民间资金进入金融业。\n"
        "（二）培育多元化金融市场组织体系，完善金融市场功能。\n推动设立产业投资基金。\n"
    )
    assert _rows(text)[-2:] == [
        ("sentence", "三、工作任务", "（二）培育多元化金融市场组织体系，完善金融市场功能。"),
        ("sentence", "三、工作任务", "推动设立产业投资基金。"),  # not under （一）… > 3．…
    ]


def test_glued_chapter_and_section_titles_and_a_copied_block_are_split_and_counted_once():
    text = (
        "第一章　发展现状与形势第一节　发展现状“十一五”期间，我市金融业实现了跨越式发展。\n"
        "二、发展多层次资本市场\n（一）推进企业上市。建立上市后备资源库。\n"
        "二、发展多层次资本市场\n（一）推进企业上市。建立上市后备资源库。\n"
    )
    split = split_sentences(clean_text(text))
    assert list(split.sentences["text"]) == [
        "第一章发展现状与形势",
        "第一节发展现状",
        "“十一五”期间，我市金融业实现了跨越式发展。",
        "二、发展多层次资本市场",
        "（一）推进企业上市。",
        "建立上市后备资源库。",
    ]
    assert split.n_duplicates == 3


# --- found by a third whole-text probe: ASCII full stops, footnotes at page ends ---------------


def test_an_ascii_point_after_chinese_ends_a_sentence():
    # A plan typed with half-width punctuation ends its sentences with "." after a Chinese
    # character; a decimal, a domain, a list number and contents leaders are no sentence end.
    df = _table(
        '一、发展基础\n"十三五"期间,全市金融业保持稳健发展.2020年,金融业增加值占比9.4%.'
        "详见www.gov.cn网站.\n支持发行公募REITs(不动产投资信托).扩大QFLP试点;\n"
    )
    assert df["text"].tolist() == [
        "一、发展基础",
        '"十三五"期间,全市金融业保持稳健发展.',
        "2020年,金融业增加值占比9.4%.",
        "详见www.gov.cn网站.",
        "支持发行公募REITs(不动产投资信托).",
        "扩大QFLP试点;",
    ]
    assert sentences.raw_sentences("第一节发展基础......3\n1.坚持改革") == [
        "第一节发展基础......3",
        "1.坚持改革",
    ]


FOOTNOTED = """合肥市金融业发展规划
一、发展基础
“十二五”时期，全市金融业保持快速发展态势，金融业增加值
①由2010年的180亿元增加到2015年的420亿元，
年均增长14.5%，占地区生产总值比重达到7.4%。全市
境内外上市公司达到46家，“十二五”期间新增上市公司17
①金融业增加值按现价计算。
[1]上市公司数含境外上市公司。
- 2 -
家，资本市场融资功能明显增强。截至2015年末，全市共有
各类金融机构260家，其中外资金融机构9家，地方法人机构
实力增强。
二、发展目标
"""


def test_footnotes_at_a_page_end_do_not_cut_the_sentence_that_goes_on():
    # A PDF copy: the notes at the foot of a page fall between the two halves of a sentence.
    # The sentence is joined whole and each note stays a sentence of its own after its paragraph.
    # A reference mark wrapped to the start of a line (①由2010年…) is no note.
    texts = _table(FOOTNOTED)["text"].tolist()
    assert texts[2].startswith("“十二五”时期，全市金融业保持快速发展态势，金融业增加值①由2010年")
    assert (
        "全市境内外上市公司达到46家，“十二五”期间新增上市公司17家，资本市场融资功能明显增强。"
        in texts
    )
    i = texts.index(
        "截至2015年末，全市共有各类金融机构260家，其中外资金融机构9家，地方法人机构实力增强。"
    )
    assert texts[i + 1 : i + 4] == [
        "①金融业增加值按现价计算。",
        "[1]上市公司数含境外上市公司。",
        "二、发展目标",
    ]


def test_parts_are_chapters():
    # 第一部分/第二部分 divide some plans as 第一章 does, with a full-width space before the title.
    text = clean_text(
        "某市金融业发展规划\n第一部分\u3000发展基础\n（一）发展成就\n全市金融业稳步发展。\n"
        "第二部分\u3000主要任务\n（一）壮大金融机构\n支持地方法人银行增资扩股。\n"
    )
    df = split_sentences(text).sentences
    heads = df[df["kind"] == "heading"]
    assert list(heads["text"])[:2] == ["第一部分发展基础", "（一）发展成就"]
    row = df[df["text"] == "支持地方法人银行增资扩股。"].iloc[0]
    assert row["section"] == "第二部分主要任务 > （一）壮大金融机构"


def test_bare_title_lines_are_headings_when_numbering_was_lost():
    text = clean_text(
        "某市金融业发展规划\n发展基础\n金融实力显著增强\n全市金融业稳步发展。\n"
        "主要任务\n壮大金融机构体系\n支持地方法人银行增资扩股。\n"
    )
    df = split_sentences(text).sentences
    heads = list(df[df["kind"] == "heading"]["text"])
    assert heads == ["发展基础", "金融实力显著增强", "主要任务", "壮大金融机构体系"]
    assert df[df["text"] == "支持地方法人银行增资扩股。"].iloc[0]["section"] == "壮大金融机构体系"


def test_bare_lines_stay_sentences_in_a_numbered_plan():
    text = clean_text(
        "某市金融业发展规划\n一、发展基础\n金融实力显著增强\n全市金融业稳步发展。\n"
        "二、主要任务\n壮大金融机构体系\n支持地方法人银行增资扩股。\n"
    )
    df = split_sentences(text).sentences
    assert list(df[df["kind"] == "heading"]["text"]) == ["一、发展基础", "二、主要任务"]

"""Inputs in the wild: encodings, traditional script, pasted markup, empty and truncated texts."""

from __future__ import annotations

import codecs
from collections import Counter
from pathlib import Path

import opencc
import pytest

from plancompare import cleaning, coding, paths, pipeline, reading
from plancompare.manifest import Plan

CHENGDU = paths.DATA / "raw" / "chengdu-2006-2010.txt"
# Private-use code points mark paragraphs in the scraped text; Big5 and GBK cannot encode them,
# and cleaning reads them as paragraph breaks, so the fixtures write a newline instead.
PARAGRAPH_MARKS = str.maketrans({"\ue003": "\n", "\ue004": "\n"})
HOSTILE = (
    "<html><head><title>成都市人民政府</title><script>alert(1)</script></head><body>\n"
    "首页 > 政务公开 > 规划计划\n"
    '<div class="nav"><a href="javascript:alert(1)">点击这里</a> | 打印本页 | 关闭窗口</div>\n'
    "<!-- 模板注释 -->\n"
)
# Markup that was itself escaped on the page: after cleaning it is plan text that *reads* as
# markup, and every report must show it as text.
ESCAPED_MARKUP = (
    "发展金融市场&lt;script&gt;alert(1)&lt;/script&gt;。"
    "培育金融机构&lt;img src=x onerror=alert(1)&gt;。"
    '完善金融服务&lt;a href="javascript:alert(1)"&gt;链接&lt;/a&gt;。\n'
)
FOOTER = "<p>字体：大 中 小</p>\n<p>责任编辑：张三</p>\n版权所有：成都市人民政府\n</body></html>\n"


def chengdu_text() -> str:
    """Return the shipped Chengdu plan as text (its BOM, if any, removed)."""
    return CHENGDU.read_text("utf-8-sig")


def hostile_text() -> str:
    """Return the Chengdu text wrapped in a web page: scripts, handlers, links, furniture."""
    paragraphs = chengdu_text().split("\n")
    middle = len(paragraphs) // 2
    body = "\n".join(
        paragraphs[:middle]
        + ['<p onclick="alert(2)">本段<img src=x onerror=alert(1)>完。</p>', ESCAPED_MARKUP]
        + paragraphs[middle:]
    )
    return HOSTILE + body + FOOTER


def traditional_text(config: str = "s2t") -> str:
    """Return the Chengdu text in traditional characters (OpenCC)."""
    return opencc.OpenCC(config).convert(chengdu_text())


def make_plan(plan_id: str, source: str = "x.txt", encoding: str | None = None) -> Plan:
    """Return a manifest entry for a fixture copy of the Chengdu plan."""
    return Plan(
        id=plan_id,
        city="Chengdu",
        city_zh="成都",
        title_zh="成都市金融业发展第十一个五年规划",
        title_en="Chengdu financial-sector development",
        period=(2006, 2010),
        baseline_year=2005,
        source=source,
        encoding=encoding,
    )


@pytest.fixture(scope="module")
def codebook() -> coding.Codebook:
    return coding.load_codebook()


def process_bytes(tmp: Path, name: str, data: bytes, codebook, encoding: str | None = None):
    """Return a fixture file's processed plan (decoded, cleaned, coded)."""
    path = tmp / f"{name}.txt"
    path.write_bytes(data)
    raw = reading.read_plan_text(path, encoding)
    return pipeline.process_text(make_plan(name, path.name, encoding), raw, codebook), raw


def category_counts(result) -> Counter:
    """Return the number of sentences per primary category of a processed plan."""
    body = result.sentences[result.sentences["kind"] == "sentence"]
    return Counter(body["primary_category"])


def count_gap(a: Counter, b: Counter) -> int:
    """Return how many sentences would have to move for two category counts to agree."""
    return sum(abs(a[k] - b[k]) for k in set(a) | set(b))


@pytest.fixture(scope="module")
def original(tmp_path_factory, codebook):
    tmp = tmp_path_factory.mktemp("original")
    result, _ = process_bytes(tmp, "chengdu", chengdu_text().encode("utf-8"), codebook)
    return result


# --- encodings --------------------------------------------------------------------------------


def test_gb18030_copy_is_detected_and_codes_exactly_like_the_original(tmp_path, codebook, original):
    result, raw = process_bytes(tmp_path, "gb", chengdu_text().encode("gb18030"), codebook)
    assert raw.encoding == "gb18030"
    assert result.counts.script == "simplified"
    assert category_counts(result) == category_counts(original)
    assert list(result.sentences["text"]) == list(original.sentences["text"])


def test_gbk_copy_declared_in_the_manifest_is_read_as_gb18030(tmp_path, codebook, original):
    data = chengdu_text().translate(PARAGRAPH_MARKS).encode("gbk")
    result, raw = process_bytes(tmp_path, "gbk", data, codebook, encoding="GBK")
    assert raw.encoding == "gb18030"
    assert category_counts(result) == category_counts(original)


def test_utf8_bom_copy_reads_the_same_text(tmp_path, codebook, original):
    data = codecs.BOM_UTF8 + chengdu_text().encode("utf-8")
    result, raw = process_bytes(tmp_path, "bom", data, codebook)
    assert raw.encoding == "utf-8-sig"
    assert not raw.text.startswith("\ufeff")
    assert category_counts(result) == category_counts(original)


def test_big5_traditional_copy_codes_within_a_few_sentences(tmp_path, codebook, original):
    text = traditional_text("s2tw").translate(PARAGRAPH_MARKS)
    result, raw = process_bytes(tmp_path, "big5", text.encode("big5"), codebook)
    assert raw.encoding == "big5"
    assert result.counts.script == "traditional"
    gap = count_gap(category_counts(result), category_counts(original))
    assert gap <= 3, (category_counts(result), category_counts(original))
    # Quotes keep the plan's own script; coding read the simplified form.
    body = result.sentences[result.sentences["kind"] == "sentence"]
    assert body["text"].str.contains("發展").any()
    assert not body["text_simplified"].str.contains("發展").any()


def test_traditional_utf8_copy_codes_within_a_few_sentences(tmp_path, codebook, original):
    result, _ = process_bytes(tmp_path, "hant", traditional_text("s2t").encode("utf-8"), codebook)
    assert result.counts.script == "traditional"
    assert count_gap(category_counts(result), category_counts(original)) <= 3
    # The figures are the original's; their evidence is quoted in the plan's own script.
    found = result.indicators
    assert sorted(found["value"].dropna()) == sorted(original.indicators["value"].dropna())
    assert found["source_text"].str.contains("發展|機構|銀行").any()
    assert not found["source_text"].str.contains("发展|机构|银行").any()


def test_undecodable_declared_file_names_file_and_offset(tmp_path):
    data = chengdu_text().encode("gb18030")
    path = tmp_path / "broken.txt"
    path.write_bytes(data[:1000] + b"\xff\xff" + data[1000:])
    with pytest.raises(reading.InputError) as err:
        reading.read_plan_text(path, "gb18030")
    message = str(err.value)
    assert str(path) in message and "byte offset 999" in message and "\n" not in message


def test_undecodable_undeclared_file_reports_the_encoding_that_read_furthest(tmp_path):
    data = chengdu_text().encode("gb18030")
    path = tmp_path / "broken.txt"
    path.write_bytes(data[:3000] + b"\xff\xff" + data[3000:])
    with pytest.raises(reading.InputError, match=r"reads furthest as gb18030 at byte offset 2999"):
        reading.read_plan_text(path)


def test_file_cut_inside_a_character_is_called_truncated(tmp_path):
    data = chengdu_text().encode("utf-8")
    cut = next(i for i in range(5000, 5010) if (data[i] & 0xC0) == 0x80)  # inside a character
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:cut])
    with pytest.raises(reading.InputError, match="truncated") as err:
        reading.read_plan_text(path, "utf-8")
    assert f"byte offset {cut - 1}" in str(err.value) or f"byte offset {cut - 2}" in str(err.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(reading.InputError, match="file not found"):
        reading.read_plan_text(tmp_path / "nowhere.txt")
    (tmp_path / "plan.txt").mkdir()
    with pytest.raises(reading.InputError, match="plan.txt: a folder, not a text file"):
        reading.read_plan_text(tmp_path / "plan.txt")


# --- refusals with one-line reasons -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("emptied", "", "only 0 characters after cleaning"),
        (
            "truncated",
            "成都市金融业发展规划\n为加快成都市金融业的发展，编制本规划。",
            "characters after cleaning",
        ),
        ("markup-only", "<html><body><script>" + "x" * 500 + "</script></body></html>", "only 0"),
        ("no-punctuation", "成都市金融业发展规划 " * 40, "no sentence punctuation"),
    ],
)
def test_unusable_texts_are_refused_in_one_line_naming_the_plan(
    tmp_path, codebook, name, text, expected
):
    with pytest.raises(reading.InputError) as err:
        process_bytes(tmp_path, name, text.encode("utf-8"), codebook)
    message = str(err.value)
    assert f"plan '{name}'" in message and expected in message and "\n" not in message


def test_a_truncated_but_long_enough_text_is_processed(tmp_path, codebook, original):
    half = chengdu_text()[: len(chengdu_text()) // 2]
    result, _ = process_bytes(tmp_path, "half", half.encode("utf-8"), codebook)
    n, full = len(result.sentences), len(original.sentences)
    assert full * 0.3 < n < full * 0.7


# --- pasted markup ------------------------------------------------------------------------------


def test_cleaning_removes_markup_and_page_furniture():
    cleaned = cleaning.clean_text(hostile_text())
    for gone in (
        "成都市人民政府\n",
        "首页",
        "打印本页",
        "点击这里",
        "责任编辑",
        "版权所有",
        "字体",
        "模板注释",
    ):
        assert gone not in cleaned, gone
    assert "alert(2)" not in cleaned and "onclick" not in cleaned
    assert "本段完。" in cleaned
    # Entity-escaped markup is the page's text: kept, as text.
    assert "发展金融市场<script>alert(1)</script>。" in cleaned


def test_hostile_copy_codes_like_the_original_plus_its_extra_sentences(
    tmp_path, codebook, original
):
    result, _ = process_bytes(tmp_path, "hostile", hostile_text().encode("utf-8"), codebook)
    texts = list(result.sentences["text"])
    assert "本段完。" in texts
    # Four sentences were added (one in a tag soup, three of escaped markup); nothing else moves.
    assert len(result.sentences) == len(original.sentences) + 4
    assert count_gap(category_counts(result), category_counts(original)) <= 4
    assert not any("onclick" in t or "javascript:alert(2)" in t for t in texts)


# --- found by a probe of bad inputs ----------------------------------------------------------


def test_an_unreadable_or_special_file_is_an_input_error(tmp_path, monkeypatch):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(reading.InputError, match="pipe.txt: not a regular file"):
        reading.read_plan_text(fifo)
    plan = tmp_path / "plan.txt"
    plan.write_text(chengdu_text(), encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    # chmod 000 does not stop root (as in this CI), so the refusal is simulated.
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(reading.InputError, match=r"plan.txt: cannot be read \(Permission denied\)"):
        reading.read_plan_text(plan)


def test_a_run_keeps_the_good_plan_when_another_cannot_be_read(tmp_path, monkeypatch):
    from plancompare import build
    from plancompare.manifest import load_manifest

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(chengdu_text(), encoding="utf-8")
    (raw / "locked.txt").write_text(chengdu_text(), encoding="utf-8")
    entries = "".join(
        f"  - {{id: {i}, city: C, city_zh: 成都, title_zh: 标题, title_en: T, "
        f"period: [2006, 2010], baseline_year: 2005, source: raw/{i}.txt}}\n"
        for i in ("good", "locked")
    )
    (tmp_path / "plans.yml").write_text("plans:\n" + entries, encoding="utf-8")
    manifest = load_manifest(tmp_path / "plans.yml")
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    # The dependency hash and the processing both meet the refusal; neither raises.
    assert build.file_hash(raw / "locked.txt") == "unreadable (Permission denied)"
    settings = build.Settings(manifest=tmp_path / "plans.yml", processed=tmp_path / "p", jobs=1)
    outcomes = {p.id: build.process_one(p, manifest, settings) for p in manifest.plans}
    assert outcomes["good"].status == "ok"
    assert outcomes["locked"].status == "failed" and outcomes["locked"].input_error
    assert outcomes["locked"].reason.endswith(
        "locked.txt: cannot be read (Permission denied) (its entry: plans.yml line 3)"
    )


def test_control_characters_are_removed_and_never_reach_a_report():
    text = "发展金融\x00\x00市场\x1b[0m。\f第二段\v继续。\n第三行。"
    cleaned = cleaning.clean_text(text)
    assert cleaned == "发展金融市场[0m。第二段继续。\n第三行。"
    assert not any(ord(c) < 32 and c != "\n" for c in cleaned)


def test_a_wrong_declared_encoding_is_named_when_no_chinese_is_left(tmp_path, codebook):
    data = (chengdu_text()[:2000]).encode("utf-8")
    with pytest.raises(reading.InputError) as err:
        process_bytes(tmp_path, "latin", data, codebook, encoding="latin-1")
    message = str(err.value)
    assert "no sentence punctuation" in message
    assert "is the manifest's encoding 'latin-1' right?" in message
    assert "\n" not in message


def test_inline_markup_and_a_script_inside_a_sentence_do_not_split_it():
    text = "附：技术说明 <b>加粗</b> 与 <script>x</script> 以及 A&B 公司合作。"
    assert cleaning.clean_text(text) == "附：技术说明加粗与以及A&B 公司合作。"
    for tag in ("b", "i", "span", "a", "font", "strong", "em", "sup", "sub"):
        cleaned = cleaning.clean_text(f'发展<{tag} class="x">金融</{tag}>市场<!-- 注 -->。')
        assert cleaned == "发展金融市场。", tag
    # Block elements and a page's head still end a line.
    for block in ("<p>", "</div>", "<br/>", "<li>", "</tr>", "<h2>"):
        assert cleaning.clean_text(f"第一句完。{block}第二句完。") == "第一句完。\n第二句完。"
    assert cleaning.clean_text("<title>网站</title>发展金融。") == "发展金融。"
    assert cleaning.clean_text("发展金融<nav>首页</nav>市场。") == "发展金融\n市场。"


def test_doubly_escaped_entities_are_unescaped_and_do_not_cut_sentences():
    assert cleaning.clean_text("&amp;nbsp;&amp;nbsp;积极发展金融市场。") == "积极发展金融市场。"
    assert cleaning.clean_text("&amp;ldquo;十三五&amp;rdquo;时期，加快金融改革。") == (
        "“十三五”时期，加快金融改革。"
    )
    assert cleaning.clean_text("&amp;lt;p&amp;gt;发展金融。") == "<p>发展金融。"  # text, escaped
    assert cleaning.clean_text("不良率<2%，A&B公司。") == "不良率<2%，A&B公司。"


def test_a_web_page_table_row_is_one_line_with_its_cells_apart():
    # A Word export lays out each cell on a line of its own with a <p> in it; a row is one line.
    cells = ["1", "金融业增加值", "亿元", "480", "800", "预期性"]
    row = "\n".join(
        f'  <td width="80"><p class="MsoNormal"><span>{c}</span></p></td>' for c in cells
    )
    page = (
        "<p>主要指标如下：</p>\n<table><tbody>\n"
        "<tr><th>序号</th><th>指标</th><th>单位</th><th>2015年</th><th>2020年</th><th>属性</th></tr>\n"
        f'<tr style="height:20pt">\n{row}\n</tr>\n'
        "<tr><td>2</td><td>各项存款余额</td><td>亿元</td><td>9800</td><td>15000</td><td>预期性</td></tr>\n"
        "</tbody></table>\n<p>【打印】【关闭】</p>"
    )
    assert cleaning.clean_text(page).split("\n") == [
        "主要指标如下：",
        "序号指标单位2015年2020年属性",
        "1金融业增加值亿元480 800预期性",  # not 480800: cells stay apart
        "2各项存款余额亿元9800 15000预期性",
    ]
    # A page laid out in a table keeps its paragraphs: a cell holding sentences is no data row.
    layout = "<table><tr><td><p>一、发展基础</p><p>金融业快速发展。</p></td><td>x</td></tr></table>"
    assert cleaning.clean_text(layout).split("\n") == ["一、发展基础", "金融业快速发展。", "x"]


# --- Damage of prose plans, from a whole-pipeline probe of ten texts --------------------------


def test_separator_lines_are_removed_and_a_lone_dash_cell_is_kept():
    text = "一、发展基础\n＊＊＊＊＊＊＊＊\n金融业快速发展。\n———————————\n* * *\n—\n"
    assert cleaning.clean_text(text) == "一、发展基础\n金融业快速发展。\n—"


def test_windows_line_ends_keep_a_table_aligned_with_ideographic_spaces_together():
    text = (
        "指标\u3000\u3000２００５年\u3000\u3000２０１０年\r\n"
        "各项存款余额（亿元）\u3000\u3000２８６０\u3000\u3000５０００\r\n"
        "注：余额为年末数。\r\n"
    )
    # Not 各项存款余额（亿元） / 2860 / 5000 on lines of their own: the \r was a cell's character.
    assert cleaning.clean_text(text).split("\n") == [
        "指标2005年2010年",
        "各项存款余额（亿元）2860 5000",
        "注：余额为年末数。",
    ]


def test_a_private_use_character_inside_a_sentence_does_not_cut_it():
    # A glyph the copy could not map sits between two characters; paragraph marks (after the end
    # of a sentence or heading) and bullets at the start of a line still end a paragraph.
    text = "法人机构实力\ue0a5持续增强。\ue004\n一、规划背景\ue004\n\uf0b7支持企业发行债券。"
    assert cleaning.normalise(text).split("\n") == [
        "法人机构实力持续增强。",
        "一、规划背景",
        "支持企业发行债券。",
    ]


def test_a_title_spaced_out_with_ideographic_spaces_is_one_word():
    text = (
        "目　录\n前　　言\n结　束　语\n为加快金融业发展，制定本规划。\u3000\u3000金融业快速发展。"
    )
    assert cleaning.normalise(text).split("\n") == [
        "目录",
        "前言",
        "结束语",
        "为加快金融业发展，制定本规划。",
        "金融业快速发展。",
    ]


def test_a_section_marker_glued_after_a_chapter_title_keeps_its_title():
    text = "第一章　发展现状与形势第一节　发展现状“十一五”期间，我市金融业快速发展。"
    assert (
        cleaning.normalise(text)
        == "第一章发展现状与形势第一节发展现状“十一五”期间，我市金融业快速发展。"
    )


# --- found by a second probe of bad inputs -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (bytes.fromhex("89504e470d0a1a0a") + bytes(range(256)) * 8, "a PNG image"),
        (b"%PDF-1.7\n" + chengdu_text().encode("utf-8"), "a PDF file"),
        (b"PK\x03\x04" + bytes(range(256)) * 8, "a Word (.docx) or other zip file"),
    ],
)
def test_a_pdf_word_file_or_image_given_as_the_plan_is_named(tmp_path, data, kind):
    path = tmp_path / "plan.txt"
    path.write_bytes(data)
    with pytest.raises(reading.InputError) as err:
        reading.read_plan_text(path)
    assert str(err.value) == f"{path}: {kind}, not plain text: save the plan as a text file"


def test_a_wrong_declared_encoding_is_named_when_another_reads_sentences(tmp_path):
    path = tmp_path / "plan.txt"
    data = chengdu_text()[:2000].encode("utf-8")
    path.write_bytes(data + b"\n" * (len(data) % 2))  # read as UTF-16: CJK nonsense
    with pytest.raises(reading.InputError) as err:
        reading.read_plan_text(path, "utf-16")
    message = str(err.value)
    assert message.startswith(f"{path}: no sentence punctuation")
    assert message.endswith("some when read as utf-8: is the manifest's encoding 'utf-16' right?")


def test_a_windows_path_in_the_manifest_is_named_with_a_hint(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "plan.txt").write_text(chengdu_text(), encoding="utf-8")
    with pytest.raises(reading.InputError) as err:
        reading.read_plan_text(tmp_path / "raw\\plan.txt")
    assert str(err.value).endswith(
        "file not found (write '/' instead of '\\' between folders in the manifest)"
    )


def test_a_missing_or_broken_report_notebook_is_named(tmp_path):
    from plancompare import build

    (tmp_path / "plan_profile.ipynb").write_text("this is not json {", encoding="utf-8")
    settings = build.Settings(out=tmp_path / "out", notebooks=tmp_path, jobs=1)
    for notebook, problem in (
        ("plan_profile.ipynb", "not a readable notebook (Notebook does not appear to be JSON"),
        ("compare_plans.ipynb", "notebook not found"),
    ):
        task = build.ReportTask("r", "profile", notebook, {}, ("a",), "R")
        outcome = build.render_report(task, settings)
        assert outcome.status == "failed"
        assert outcome.reason.startswith(f"{tmp_path / notebook}: {problem}"), outcome.reason
        assert not list((tmp_path / "out").rglob("*.running.ipynb"))


# --- found by a third whole-text probe ---------------------------------------------------------


def test_a_tool_bar_and_a_registration_number_with_its_province_are_furniture():
    page = (
        "<div>字体：[大&nbsp;中 小]&nbsp;&nbsp;【打印】【关闭】</div><p>金融业平稳发展。</p>"
        "<div>豫ICP备05009015号</div><div>京ICP备123号-1</div>"
    )
    assert cleaning.clean_text(page) == "金融业平稳发展。"


def test_a_list_bullet_that_opens_a_line_is_dropped():
    text = (
        "专栏1　重点工程\n● 引进机构：引进外资银行3家。\n■中国—东盟金融城\n"
        "\u3000\u3000◆ 金融后台服务中心\n○五年来，金融业稳步发展。\n实力●增强。"
    )
    assert cleaning.clean_text(text).split("\n")[1:] == [
        "引进机构：引进外资银行3家。",
        "中国—东盟金融城",
        "金融后台服务中心",
        "○五年来，金融业稳步发展。",  # ○ may be the zero 〇: left alone
        "实力●增强。",
    ]

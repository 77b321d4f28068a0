"""Cleaning decoded plan text: width, white space, pasted markup and script, without changing the Chinese."""

from __future__ import annotations

import html
import re
from functools import lru_cache

NUM = "一二三四五六七八九十百零〇"
# Heading markers, from the outermost level inwards (sentences.py reads them: the level decides
# the section path).
# Headings are found before a traditional text is made simplified: 節 and 專欄 are accepted
# (章 and the numerals are the same in both scripts).
# Some plans are divided into parts (第一部分　发展基础) instead of chapters: the same level.
HEADING_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{NUM}]+(?:章|部分)")),
    (2, re.compile(rf"^第[{NUM}]+[节節]")),
    (3, re.compile(rf"^[{NUM}]+、")),
    (4, re.compile(rf"^[（(][{NUM}]+[）)]")),
    (5, re.compile(r"^\d{1,2}[．.](?!\d)")),
    (6, re.compile(r"^[（(]\d{1,2}[）)]")),
    (7, re.compile(r"^(?:专栏|專欄)\s*\d+")),
    # An annex at the end (附件1, 附表, 附录): a part of its own, outside the last chapter.
    (1, re.compile(r"^附[件表录錄]\s*\d{0,2}")),
)
# Full-width ASCII letters, digits and a few symbols that carry numbers; Chinese punctuation
# such as （）《》，。 is left alone because headings and quotes depend on it.
FULLWIDTH_ASCII = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
FULLWIDTH_ASCII.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
FULLWIDTH_ASCII.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
FULLWIDTH_ASCII.update(
    {"％": "%", "＋": "+", "－": "-", "／": "/", "＝": "=", "＜": "<", "＞": ">"}
)
_WIDTH_TABLE = str.maketrans(FULLWIDTH_ASCII)
# str.translate with a dict looks every character up in Python: only done when one occurs.
_WIDTH_CHARS = re.compile("[" + "".join(FULLWIDTH_ASCII) + "]")

# Private-use code points and runs of ideographic spaces are how scraped pages mark paragraphs.
# Written as one character class first (then what follows that character) so that the regex
# engine skips straight to those characters: same matches as [\u3000\ue000-\uf8ff]+|\r\n?|\u2028|\u2029.
# A private-use character between two characters of a sentence (实力\ue0a5持续增强) is a glyph the
# copy could not map, not a paragraph mark: paragraph marks follow the end of a sentence or a
# heading and precede a line break or an indent.
# (Written to open with the private-use class, so that the engine skips to those characters.)
_STRAY_PRIVATE = re.compile(
    r"[\ue000-\uf8ff](?<=[\u4e00-\u9fff0-9][\ue000-\uf8ff])(?=[\u4e00-\u9fff0-9])"
)
_PARAGRAPH = re.compile(
    r"[\u3000\ue000-\uf8ff\r\u2028\u2029]"
    r"(?:(?<=\r)\n?|(?<=[\u3000\ue000-\uf8ff])[\u3000\ue000-\uf8ff]*|)"
)
# A full-width space right after a heading marker that opens a line or paragraph is a space
# inside the heading (第一章　总则, 一、　总体要求, （一）　主要目标, 1．　…), not a paragraph break:
# it is made an ordinary space (dropped beside Chinese below), so the heading keeps its title.
# Elsewhere ideographic spaces stay paragraph marks (an indented paragraph start 　　为加快…), and
# so they do before a digit, which would make 1．　2020年 read as the number 1.2020.
# A chapter, section or box marker glued after the heading before it (第一章　发展现状第一节　发展
# 现状, a page that lost its line breaks) keeps its space too: such a marker never ends a paragraph.
_MARKER = "|".join(p.pattern.removeprefix("^") for _, p in HEADING_MARKERS)
_SPACE_AFTER_MARKER = re.compile(
    rf"(?:^|(?<=[\n\r\u2028\u2029\u3000\ue000-\uf8ff]))([ \t]*(?:{_MARKER}))\u3000\u3000*"
    r"(?=[^0-9\u3000]|$)"
)
# (Two regexes that open with literals, which the engine finds fast; a box is rarer.)
_SPACE_AFTER_CHAPTER = re.compile(rf"(第[{NUM}]+(?:[章节節]|部分))\u3000\u3000*(?=[^0-9\u3000]|$)")
_SPACE_AFTER_BOX = re.compile(r"((?:专栏|專欄)\s*\d+)\u3000\u3000*(?=[^0-9\u3000]|$)")
# A short title spaced out with ideographic spaces (目　录, 前　言, 结　束　语) is one word.
_SPACED_TITLE = re.compile(r"^[\u4e00-\u9fff](?:\u3000+[\u4e00-\u9fff]){1,4}$", re.M)
# The cells of a table aligned with ideographic spaces: figures (620, ≤2, 【15】, 约1200, —) and
# years (2020年, 2015年基数).
_IDEOGRAPHIC_RUN = re.compile("\u3000\u3000*")
_SENTENCE_ENDS = "。！？；"
_FIGURE_CELL = re.compile(
    r"(?:[≤≥<>]|约)?[【\[〔]?\d[\d.,]*%?[】\]〕]?(?:年[^\s\u3000]{0,4})?|[—-]+"
)
# X X* rather than X+ (here and below): a regex that opens with a plain character or class
# lets the engine skip to the places where it can match instead of trying every position.
_SPACE = r"[ \t\f\v\u00a0\u2002-\u200b\ufeff]"
_SPACES = re.compile(f"{_SPACE}{_SPACE}*")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_SPACE_RUN = re.compile("  *")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# Markup and page furniture that people paste in with a plan copied from a web site or a PDF.
# Elements whose content is never plan text; a page's <head> carries only the site's title.
_HIDDEN = re.compile(
    r"<(script|style|noscript|head|title|iframe|object|template|svg|nav|footer)\b[^>]*>.*?</\1\s*>"
    r"|<!--.*?-->",
    re.I | re.S,
)
# Those of them that stand apart from the text around them: removed with a line break. The
# others (a script, a comment, an icon, ...) can sit inside a sentence, which must stay whole.
_HIDDEN_BLOCKS = frozenset({"head", "title", "template", "nav", "footer"})
_BLOCK_TAG = re.compile(r"</?(p|div|br|li|tr|h[1-6]|table|section|article)\b[^>]*>", re.I)
# A row of a data table: one line, its cells apart. A page lays out a row's cells on lines of
# their own, and a Word export puts a <p> in each cell, so its line breaks and blocks are not
# the text's. The row holds no other row (a layout table's row holding a table is left alone).
_HTML_ROW = re.compile(r"<tr\b[^>]*>((?:(?!<tr\b|</tr\b).)*)</tr\s*>", re.I | re.S)
_ROW_OPEN = re.compile(r"<tr\b", re.I)
_CELL_TAG = re.compile(r"</?t[dh]\b[^>]*>", re.I)
_WHITE_RUN = re.compile(r"\s+")
_TAG = re.compile(r"<[!/]?[a-zA-Z][^<>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_FURNITURE = re.compile(
    r"^\s*(?:首页\s*[>»›].*|当前位置[:：].*|您现在的位置[:：].*|"
    # One or several page buttons on a line: 打印本页, 【打印】【关闭】.
    r"(?:【?(?:打印本页|关闭窗口|打印|关闭|返回顶部)】?\s*)+|"
    # A tool bar: font sizes, bracketed or not, and the page buttons after them (字体：[大 中 小]
    # 【打印】【关闭】).
    r"分享到[:：]?.*|字体[:：]?\s*[\[【]?[大中小\s]+[\]】]?(?:\s*【?(?:打印本页|关闭窗口|打印|关闭)】?)*|"
    r"浏览次数[:：]?\s*\d*|"
    r"责任编辑[:：].*|来源[:：][^。]{0,40}|扫一扫.*|网站地图.*|版权所有.*|Copyright.*|"
    # A site's registration number, with or without its province's abbreviation (豫ICP备…).
    r"[\u4e00-\u9fff]?ICP备.*|[【\[]?(?:大|中|小)[】\]]?(?:\s*[【\[]?(?:大|中|小)[】\]]?)+|"
    # Page numbers of a text copied out of a PDF: - 3 -, — 3 —, 第3页, 第3页共20页.
    r"[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|"
    # A separator line: three or more rule or star characters and nothing else (＊＊＊, ———).
    r"(?:[*＊—\-－–─━=＝_＿~～※★☆◆◇■□●○•][ \t\u3000]*){3,})\s*$",
    re.I | re.M,
)

# A list bullet that opens a line (● 引进机构：…, ■ 中国—东盟金融城, ◆ …): the list's layout, not
# its text. ○ is left alone (it is also written for 〇, the zero), and so is □ (an unknown glyph).
_BULLET = re.compile(r"^([ \t\u3000]*)[●◆◇■▲△►▶•▪★☆√✓][ \t\u3000]*(?=\S)", re.M)
_NAV_SEPARATOR = re.compile(r"[|｜│¦]")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


# Control characters other than white space and line breaks (NUL from a damaged copy,
# escape codes): they carry no text and must not reach a report. \f and \v count as spaces.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """Return text with full-width digits and letters made ASCII and white space made regular."""
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if "\r" in text:  # Windows line ends: a line is a line before columns are looked for
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _WIDTH_CHARS.search(text):
        text = text.translate(_WIDTH_TABLE)
    if "\u3000" in text:
        text = _SPACED_TITLE.sub(lambda m: m.group(0).replace("\u3000", ""), text)
        text = _aligned_columns(text)
        text = _SPACE_AFTER_MARKER.sub(r"\1 ", text)
        text = _SPACE_AFTER_CHAPTER.sub(r"\1 ", text)
        if "专栏" in text or "專欄" in text:
            text = _SPACE_AFTER_BOX.sub(r"\1 ", text)
    text = _PARAGRAPH.sub("\n", _STRAY_PRIVATE.sub("", text))
    text = _SPACES.sub(" ", text)
    text = _drop_spaces_beside_cjk(text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def _aligned_columns(text: str) -> str:
    """Return text with the full-width spaces between the columns of a table made spaces.

    A table typed with its columns aligned by ideographic spaces (金融业增加值　　亿元　　620　　900)
    would otherwise fall apart a cell to a line. Such a line holds no sentence punctuation and at
    least three cells, two of them figures or years; a paragraph or a heading holds neither.
    """
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if "\u3000" not in line or any(t in line for t in _SENTENCE_ENDS):
            continue
        cells = _IDEOGRAPHIC_RUN.split(line.strip(" \t\u3000"))
        if len(cells) >= 3 and sum(bool(_FIGURE_CELL.fullmatch(c)) for c in cells) >= 2:
            lines[i] = _IDEOGRAPHIC_RUN.sub(" ", line)
            changed = True
    return "\n".join(lines) if changed else text


def _drop_spaces_beside_cjk(text: str) -> str:
    """Return text without the runs of spaces after a CJK character or between a digit and one."""

    # A callback per run of spaces: a regex with lookbehinds would test every position instead.
    def replace(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        if _CJK_CHAR.match(before) or ("0" <= before <= "9" and _CJK_CHAR.match(after)):
            return ""
        return m.group(0)

    return _SPACE_RUN.sub(replace, text)


def strip_markup(text: str) -> str:
    """Return text with HTML tags, entities and web-page furniture removed (content kept as text)."""
    if "<" in text or "&" in text:
        text = _HIDDEN.sub(_hidden_replacement, text)
        if _ROW_OPEN.search(text):
            text = _HTML_ROW.sub(_row_line, text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
        text = html.unescape(text)
        # Pages scraped twice escape twice (&amp;nbsp;, &amp;ldquo;): unescape what is left, so
        # that an entity's ; does not end a sentence. Markup that was escaped is the page's text
        # (&lt;script&gt; shows <script>), so it is not stripped.
        for _ in range(2):
            if not _ENTITY.search(text):
                break
            text = html.unescape(text)
    text = _FURNITURE.sub("", text)
    text = _BULLET.sub(r"\1", text)
    return "\n".join(line for line in text.split("\n") if not _is_nav_bar(line))


def _row_line(m: re.Match[str]) -> str:
    """Return a data-table row as one line with a tab between its cells.

    A row whose cells hold sentences (a page laid out in a table) is left as it was: its
    paragraphs stay paragraphs.
    """
    inner = m.group(1)
    text = _TAG.sub("", inner)
    if "<table" in inner.lower() or any(t in text for t in _SENTENCE_ENDS):
        return m.group(0)
    cells = [_WHITE_RUN.sub(" ", _BLOCK_TAG.sub(" ", c)).strip() for c in _CELL_TAG.split(inner)]
    return "\n" + "\t".join(c for c in cells if c) + "\n"


def _hidden_replacement(m: re.Match[str]) -> str:
    """Return what a hidden element leaves: a line break for a block, nothing inside a sentence."""
    return "\n" if (m.group(1) or "").lower() in _HIDDEN_BLOCKS else ""


def _is_nav_bar(line: str) -> bool:
    """Return whether a line is a bar of page links such as `首页 | 打印本页 | 关闭窗口`."""
    parts = [p.strip() for p in _NAV_SEPARATOR.split(line)]
    if len(parts) < 2 or any(p in line for p in "。！？；，"):
        return False
    return any(_FURNITURE.fullmatch(p) for p in parts if p)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Return the text in simplified characters (OpenCC t2s); simplified text comes back unchanged."""
    return _converter().convert(text)


def has_chinese(text: str) -> bool:
    """Return whether text holds any Chinese character."""
    return _NOT_HAN.fullmatch(text) is None and bool(text)


def traditional_share(text: str) -> float:
    """Return the share of Chinese characters that OpenCC would change to simplified."""
    han = _NOT_HAN.sub("", text[:20000])
    if not han:
        return 0.0
    converted = to_simplified(han)
    if converted == han:
        return 0.0
    return sum(a != b for a, b in zip(han, converted, strict=True)) / len(han)


def clean_text(raw: str) -> str:
    """Return the cleaned text of a plan: markup and furniture removed, widths and spaces normalised."""
    return normalise(strip_markup(raw))

"""Splitting cleaned text into sentences: headings detached into section paths, contents and copies dropped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

# The heading markers are defined with cleaning (which keeps a full-width space after one inside
# its heading); the level of a marker decides the section path.
from .cleaning import HEADING_MARKERS, NUM

TERMINATORS = "。！？；!?;"
_CLOSERS = "”’」』）)】》"
# One sentence: up to and including a terminator and the closer after it (if any), or up to a
# line break or the end. Cutting by findall is the same as re.split at the positions after a
# terminator not followed by a closer, after a terminator and a closer, and at line breaks.
_PIECE = re.compile(rf"[^{TERMINATORS}\n]*(?:[{TERMINATORS}][{_CLOSERS}]?)?")
# The markers a contents entry opens with: chapters, sections, 一、, （一）, boxes and annexes.
_TOC_MARKER = rf"第[{NUM}]+(?:[章节節]|部分)|[{NUM}]+、|[（(][{NUM}]+[）)]|(?:专栏|專欄)\d+|附[件表录錄]\d{{0,2}}[：:]?"
# One table-of-contents entry: a heading, leader dots and a page number, e.g. 第一节发展基础……（4）.
_TOC_ENTRY = rf"(?:{_TOC_MARKER})[^…。\n]{{1,40}}?(?:…|\.{{2}}|·){{2,}}\s*[（(]?\d+[）)]?"
# The lookahead names the characters a block can start with: the regex then tries no other position.
_TOC = re.compile(rf"(?=[目第{NUM}（(专專附])(?:目\s*[录錄]\s*)?(?:{_TOC_ENTRY}\s*)+")
_TOC_TITLE = re.compile(rf"({_TOC_MARKER})([^…。\n]{{1,40}}?)(?:…|\.{{2}}|·){{2,}}")
# A contents table without leaders, right after its 目录 line: an entry a line, its page number at
# the end of the line or on the next (一、发展现状　1 becomes 一、发展现状 and 1 on lines of their own).
_PLAIN_TOC_ENTRY = rf"(?:{_TOC_MARKER})[^…·.。；，\n]{{1,40}}?\n?\d{{1,3}}(?:\n|$)"
# (A line must begin with its 目录: checked in code, so that the regex opens with a literal.)
_PLAIN_TOC = re.compile(rf"目\s*[录錄]\n(?:{_PLAIN_TOC_ENTRY})+")
_PLAIN_TOC_TITLE = re.compile(rf"^({_TOC_MARKER})([^…·.。；，\n]{{1,40}}?)\n?(\d{{1,3}})$", re.M)
MIN_PLAIN_TOC_ENTRIES = 3
# Words that open the body of a sentence: used to find where a glued heading ends when the
# contents table does not name it. Deliberately short: a wrong cut only shortens a heading.
_BODY_OPENERS = (
    "不断",
    "支持",
    "加快",
    "强化",
    "推进",
    "推动",
    "鼓励",
    "建设",
    "完善",
    "加强",
    "坚持",
    "构建",
    "深化",
    "提高",
    "引导",
    "依托",
    "围绕",
    "按照",
    "充分",
    "以",
    "到20",
    "我国",
    "我市",
    "全市",
    "目标",
    "积极",
    "争取",
    "大力",
    "全面",
    "“十",
    "截至",
    "当前",
    "进一步",
)
# A section marker, which a chapter's title glued before it never holds.
_SECTION_MARKER = re.compile(rf"第[{NUM}]+[节節]")
# Time words that open a body glued to its title: a year (一、金融总量持续扩大2015年，全市…), 截至,
# a five-year period and what follows it (（一）发展基础“十二五”以来，…), 当前. A title does not go on
# past them, so they are preferred to a verb that a title may hold (二、金融机构加快集聚截至2015年末),
# and they alone detach the numbered levels' titles ((一), 1., (1)), whose long lead sentences
# otherwise stay whole.
_TIME_OPENERS = re.compile(
    r"(?:19|20)\d\d年|截至|截止|到20\d\d|“十[一二三四五]五”(?:以来|时期|期间|末)|当前|近年来"
)
# Levels whose headings are glued to body text in scraped pages (章, 节, 一、, 专栏); the numbered
# levels inside them ((一), 1., (1)) close with 。 in these plans and so stand as sentences.
GLUED_LEVELS = frozenset({1, 2, 3, 7})
# The numbered levels ((一), 1., (1)): whether one of their items is a heading or a numbered
# sentence is decided by its length, item by item, and then made the same across its list.
NUMBERED_LEVELS = frozenset(level for level, _ in HEADING_MARKERS) - GLUED_LEVELS
MAX_HEADING = 40
# All heading markers in one regex, tried in level order: group i + 1 is HEADING_MARKERS[i].
_ANY_HEADING = re.compile("|".join(f"({p.pattern})" for _, p in HEADING_MARKERS))
_HEADING_LEVELS = tuple(level for level, _ in HEADING_MARKERS)
# The first body opener at or after a position is the first match of this regex there.
_OPENERS = re.compile("|".join(map(re.escape, _BODY_OPENERS)))
# The characters a heading marker can open with (see HEADING_MARKERS).
_MARKER_FIRST = frozenset(NUM + "第（(专專附0123456789")
# Two leader marks in a row (each of …, .. or ·): no contents entry without them.
_LEADER_PAIRS = tuple(a + b for a in ("…", "..", "·") for b in ("…", "..", "·"))


# A line that ends one of these closes its paragraph; a line of a hard-wrapped text (a plan
# copied out of a PDF) that ends with none of them was cut mid-sentence.
_LINE_CLOSERS = TERMINATORS + "：:"
WRAP_TOLERANCE = 3  # characters a wrapped line may fall short of the wrap width (digits are narrow)
MIN_WRAP_WIDTH = 12
MAX_LONGER_SHARE = 0.25  # lines longer than the wrap width, per line at it, in a wrapped text


def _open_line(line: str) -> bool:
    """Return whether a line ends without closing its sentence (。 or 。” close it)."""
    end = line.rstrip(_CLOSERS)
    return bool(line) and not (end and (end[-1] in _LINE_CLOSERS or _LATIN_STOP_END.search(end)))


# A full stop typed as an ASCII point (发展.2020年，… in a copy typed with a Western keyboard): a
# point after a Chinese character, a closing bracket or quote, or a per cent sign, that no other
# point follows. A decimal (9.4%), a list number (1.), a domain (gov.cn) and contents leaders
# (发展基础......3) stay whole.
_LATIN_STOP = re.compile(rf"(?<=[\u4e00-\u9fff”’）)%])\.(?!\.)[{_CLOSERS}]?")
_LATIN_STOP_END = re.compile(r"[\u4e00-\u9fff”’）)%]\.$")


def _split_latin_stops(piece: str) -> list[str]:
    """Return a piece cut after each ASCII point that ends a sentence (see _LATIN_STOP)."""
    if "." not in piece:
        return [piece]
    out, last = [], 0
    for m in _LATIN_STOP.finditer(piece):
        out.append(piece[last : m.end()])
        last = m.end()
    out.append(piece[last:])
    return [p for p in (p.strip() for p in out) if p]


# A line of a table printed a row to a line: two figures apart (1050 1600, 8.6 ≤5, — >5,
# 【2800】【4000】) or its attribute column at the end (预期性). It is no wrapped prose: it does not
# count for the wrap width and is never joined to the lines around it.
_TABLE_ROW = re.compile(
    r"[\d%】\]〕—][ \t]+(?:[≤≥<>]|约)?[【\[〔]?[\d—]|[】\]〕][【\[〔]|(?:预期性|约束性)$"
)
# A page number of a PDF copy on a line of its own (- 3 - and 第3页 are removed with cleaning).
_PAGE_NUMBER = re.compile(r"\d{1,4}")
# A footnote printed at the foot of a page: a line that opens with its mark (① to ⑳, [1], 〔1〕).
_FOOTNOTE = re.compile(r"[\u2460-\u2473]|[\[〔［]\d{1,2}[\]〕］](?!\d)")
MIN_RUNNING_HEADER = 6  # characters: shorter repeated lines are more likely table cells


def _running_headers(lines: list[str]) -> set[str]:
    """Return the lines repeated as page headers: the same open line, not a heading, twice or more."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for line in lines:
        if len(line) < MIN_RUNNING_HEADER or not _open_line(line):
            continue
        if line in seen and not _ANY_HEADING.match(line) and not _TABLE_ROW.search(line):
            repeated.add(line)
        seen.add(line)
    return repeated


def _short_open(line: str, cut: Callable[[str], bool]) -> bool:
    """Return whether a line is open and short without being a heading or a row (a cell, a title)."""
    return (
        _open_line(line)
        and not cut(line)
        and not _ANY_HEADING.match(line)
        and not _TABLE_ROW.search(line)
    )


def unwrap_lines(text: str) -> str:
    """Return text with the line breaks of hard wrapping removed (paragraphs and headings kept).

    A text counts as hard-wrapped when most of its lines that end mid-sentence (table rows and
    page furniture aside) have about the same length, the wrap width, and hardly any line is
    longer. Such a line is joined to the next unless the next one starts with a heading marker;
    shorter lines (titles, headings) and the rows of a table keep their breaks. The page
    furniture between the pages goes, so that a sentence cut by a page break is joined whole: a
    page number on a line of its own (kept after a short line, which makes it a table's cell) and
    a running header, the same line on every page (its first occurrence stays, as the title,
    unless it cuts a sentence).
    """
    lines = text.split("\n")
    headers = _running_headers(lines)
    widths = sorted(
        len(line)
        for line in lines[:-1]
        if _open_line(line)
        and not _ANY_HEADING.match(line)
        and not _TABLE_ROW.search(line)
        and not _PAGE_NUMBER.fullmatch(line)
        and line not in headers
    )
    if len(widths) < 3:
        return text
    width = widths[len(widths) // 2]
    near = sum(abs(n - width) <= WRAP_TOLERANCE for n in widths)
    if width < MIN_WRAP_WIDTH or near < 0.6 * len(widths):
        return text
    # Nor is it when some lines are longer than that width (paragraphs a line each, with a few
    # titles of one length): wrapping leaves no line longer than its width but a table's.
    longer = sum(
        len(line) > width + WRAP_TOLERANCE and not _TABLE_ROW.search(line) for line in lines
    )
    if longer > MAX_LONGER_SHARE * near:
        return text

    def cut(line: str) -> bool:
        """Return whether a line ends mid-sentence at the wrap width (its text goes on)."""
        return (
            _open_line(line)
            and len(line) >= width - WRAP_TOLERANCE
            and not _ANY_HEADING.match(line)
            and not _TABLE_ROW.search(line)
        )

    def joined(prev: str, line: str) -> bool:
        """Return whether a line goes on the sentence that the line before it cut."""
        return cut(prev) and not _ANY_HEADING.match(line) and not _TABLE_ROW.search(line)

    kept: list[str] = []
    seen: set[str] = set()
    # Footnotes at the foot of a page whose last sentence goes on on the next page: they wait
    # until that paragraph ends, so that the sentence is joined whole and each note stays a line.
    notes: list[str] = []
    for line in lines:
        if line in headers:
            first = line not in seen
            seen.add(line)
            if first and not (kept and cut(kept[-1])):
                kept.append(line)
            continue
        if _PAGE_NUMBER.fullmatch(line) and kept and not _short_open(kept[-1], cut):
            continue
        # (A note is one line that closes: a line at the wrap width that opens with a mark is
        # the sentence going on, its reference mark wrapped to the line's start.)
        if kept and cut(kept[-1]) and _FOOTNOTE.match(line) and not cut(line):
            notes.append(line)
            continue
        if notes and not joined(kept[-1], line):
            kept += notes
            notes = []
        kept.append(line)
    kept += notes
    out = [kept[0]] if kept else []
    for prev, line in zip(kept, kept[1:], strict=False):
        out.append(line if joined(prev, line) else "\n" + line)
    return "".join(out)


@dataclass(frozen=True)
class SplitResult:
    """Sentences of one text with what splitting did to it."""

    sentences: pd.DataFrame
    n_raw: int
    n_duplicates: int
    toc_removed: int
    headings: tuple[str, ...]


def _leader_marks(block: str) -> int:
    """Return the number of leader marks in a contents block (…, .. and · each count)."""
    return block.count("…") + block.count("..") + block.count("·")


def _toc_blocks(text: str) -> list[re.Match[str]]:
    """Return the table-of-contents blocks of a text, in order.

    A block is a run of entries with enough leader marks, or the entries right after a 目录 line
    that end in page numbers in order (a contents table typed without leaders).
    """
    blocks = []
    if any(pair in text for pair in _LEADER_PAIRS):
        blocks = [b for b in _TOC.finditer(text) if _leader_marks(b.group(0)) >= 4]
    if "目" in text:
        plain = [
            b
            for b in _PLAIN_TOC.finditer(text)
            if text[b.start() - 1 : b.start()] in ("", "\n") and _plain_toc(b.group(0))
        ]
        if plain:
            blocks = sorted(blocks + plain, key=lambda b: b.start())
    return blocks


def _plain_toc(block: str) -> bool:
    """Return whether a block after 目录 lists enough entries with page numbers that never fall."""
    pages = [int(m.group(3)) for m in _PLAIN_TOC_TITLE.finditer(block)]
    return len(pages) >= MIN_PLAIN_TOC_ENTRIES and pages == sorted(pages)


def toc_titles(text: str, blocks: list[re.Match[str]] | None = None) -> list[str]:
    """Return the headings listed in a table-of-contents block (marker + title), in order."""
    out: list[str] = []
    for block in _toc_blocks(text) if blocks is None else blocks:
        found = list(_TOC_TITLE.finditer(block.group(0)))
        if not found:  # a contents table without leaders
            found = list(_PLAIN_TOC_TITLE.finditer(block.group(0)))
        out.extend(m.group(1) + m.group(2).strip() for m in found)
    return out


def remove_toc(text: str, blocks: list[re.Match[str]] | None = None) -> tuple[str, int]:
    """Return the text without its table-of-contents blocks, and how many characters were removed."""
    blocks = _toc_blocks(text) if blocks is None else blocks
    pieces, last = [], 0
    for b in blocks:
        pieces += [text[last : b.start()], "\n"]
        last = b.end()
    pieces.append(text[last:])
    return "".join(pieces), sum(len(b.group(0)) for b in blocks)


def raw_sentences(text: str) -> list[str]:
    """Return the text cut at sentence punctuation and line breaks, blanks dropped, no other change."""
    return [piece for piece, _ in _line_pieces(text)]


def _line_pieces(text: str) -> list[tuple[str, bool]]:
    """Return the raw sentences of a text, each with whether it may carry a heading.

    A segment after a semicolon on the same line is the next item of a list (注：1．…；2．…,
    （1）…；（2）…), never a heading.
    """
    out: list[tuple[str, bool]] = []
    after_semicolon = False
    for raw in _PIECE.findall(text):
        if not raw:  # the empty match at a line break (or the end): a new line
            after_semicolon = False
        elif piece := raw.strip():
            for part in _split_latin_stops(piece):
                out.append((part, not after_semicolon))
                after_semicolon = part.rstrip(_CLOSERS)[-1:] in "；;"
    return out


def _heading_level(s: str) -> tuple[int, re.Match[str]] | None:
    if s[:1] not in _MARKER_FIRST:
        return None
    m = _ANY_HEADING.match(s)
    return (_HEADING_LEVELS[m.lastindex - 1], m) if m else None


def _cut_heading(s: str, level: int, marker_end: int, titles: tuple[str, ...]) -> int:
    """Return where the heading that starts s ends (0 when s is not a heading after all).

    `titles` are the contents table's headings, longest first.
    """
    if s.startswith(titles):
        return len(next(t for t in titles if s.startswith(t)))
    if level == 1 and (section := _SECTION_MARKER.search(s, marker_end + 1)):
        # 第一章发展现状与形势第一节发展现状…: a chapter's title ends at its first section.
        return section.start()
    body = s.rstrip(TERMINATORS + _CLOSERS)
    if len(body) <= 24 or (len(body) <= MAX_HEADING and "，" not in body[marker_end:]):
        return len(s)  # the whole segment is the heading (e.g. 一、规划背景 or （一）发展基础。)
    rest = s[marker_end:]
    first_punct = re.search(r"[，、：:“]", rest)
    time = _TIME_OPENERS.search(rest, 4)
    if time and time.start() <= 24 and (first_punct is None or time.start() <= first_punct.start()):
        return marker_end + time.start()
    if level not in GLUED_LEVELS:
        return 0  # a numbered lead sentence: keep it whole as a sentence
    opener = _OPENERS.search(rest, 4)
    if opener and opener.start() <= 24:
        if first_punct is None or opener.start() <= first_punct.start():
            return marker_end + opener.start()
    if level == 7:
        return marker_end  # an unnamed box: keep its marker as the section, body as text
    return 0


def detach_headings(s: str, known: list[str]) -> tuple[list[tuple[int, str]], str]:
    """Return the headings glued at the start of a sentence (level, text) and the remaining body."""
    return _detach_headings(s, tuple(sorted(known, key=len, reverse=True)))


def _detach_headings(s: str, titles: tuple[str, ...]) -> tuple[list[tuple[int, str]], str]:
    """Return what `detach_headings` does, given the known headings longest first."""
    heads: list[tuple[int, str]] = []
    while s:
        found = _heading_level(s)
        if not found:
            break
        level, m = found
        cut = _cut_heading(s, level, m.end(), titles)
        if cut == 0:
            break
        heads.append((level, s[:cut].strip()))
        s = s[cut:].strip()
    return heads, s


def _numbered_lists_made_uniform(
    pieces: list[tuple[list[tuple[int, str]], str]],
) -> list[tuple[list[tuple[int, str]], str]]:
    """Return the (headings, body) pieces with the items of a list of numbered sentences as sentences.

    Items of one list (the same numbered level under the same heading) are all headings or all
    sentences, but `_cut_heading` decides each by its length: of the principles 1．坚持…。 to
    5．坚持…。 the one short enough (3．坚持金融开放，树立国际竞争意识。) would be the only heading,
    and the sentences after it would wrongly fall in its section. So when a list holds a numbered
    sentence, its items detached as headings that are written as sentences (closed by 。 or
    another terminator) and have no headings of their own under them become sentences too. Items
    with sub-headings, and titles without a terminator, stay headings; nothing becomes a heading.
    """
    path: dict[int, int] = {}  # level -> index of the heading on the current path
    has_children: set[int] = set()  # headings with a heading of a lower level under them
    with_sentence: set[tuple[int | None, int]] = set()  # lists holding a numbered sentence
    candidates: dict[int, tuple[int, tuple[int | None, int]]] = {}  # heading -> (piece, list)

    def list_of(level: int) -> tuple[int | None, int]:
        """Return the list an item of this level belongs to: (its parent heading, level)."""
        return max((v for k, v in path.items() if k < level), default=None), level

    n = 0
    for i, (heads, body) in enumerate(pieces):
        for j, (level, head) in enumerate(heads):
            has_children.update(v for k, v in path.items() if k < level)
            if level in NUMBERED_LEVELS and j == len(heads) - 1 and not body:
                if head[-1] in TERMINATORS:
                    candidates[n] = (i, list_of(level))
            path = {k: v for k, v in path.items() if k < level}
            path[level] = n
            n += 1
        found = _heading_level(body) if body else None
        if found and found[0] in NUMBERED_LEVELS:
            with_sentence.add(list_of(found[0]))
    out = list(pieces)
    for h, (i, key) in candidates.items():
        if key in with_sentence and h not in has_children:
            heads, _ = out[i]
            out[i] = (heads[:-1], heads[-1][1])
    return out


# A title line of a text whose automatic numbering was lost on export (a Word file saved as text:
# 发展基础, 金融实力显著增强, 主要任务 on lines of their own): a few Chinese characters, no figure,
# no punctuation.
_BARE_TITLE = re.compile(r"[\u4e00-\u9fff]{2,16}")
MIN_BARE_TITLES = 3  # fewer such lines are stray words (a signature, a date line), not a structure


def _bare_titles_as_headings(
    pieces: list[tuple[list[tuple[int, str]], str]], text: str
) -> list[tuple[list[tuple[int, str]], str]]:
    """Return the pieces of a text with no numbered heading, its bare title lines made headings.

    Only used when no line carries a heading marker, so a numbered plan (whose bullet lists and
    table cells are also short lines) is never read this way. The titles' levels are unknown: all
    are of one level, and each opens a section of its own. The first line is the document's title.
    """
    lines = {line.strip() for line in text.split("\n")[1:]}
    titles = [
        i
        for i, (_, body) in enumerate(pieces)
        if i > 0 and body in lines and _BARE_TITLE.fullmatch(body)
    ]
    if len(titles) < MIN_BARE_TITLES:
        return pieces
    out = list(pieces)
    for i in titles:
        out[i] = ([(1, out[i][1])], "")
    return out


def _key(text: str) -> str:
    """Return the form under which two sentences count as the same (white space removed)."""
    return "".join(text.split())


def _empty_table() -> pd.DataFrame:
    """Return the sentence table of a text with no sentences."""
    df = pd.DataFrame(columns=["section", "kind", "text", "n_chars"])
    df.insert(0, "sentence_id", range(1, 1))
    return df


def _section(path: dict[int, str]) -> str:
    """Return the section path of the headings open at each level, outermost first."""
    return " > ".join(path[k] for k in sorted(path))


def split_sentences(text: str) -> SplitResult:
    """Return the distinct sentences of a cleaned text with section paths and splitting counts."""
    blocks = _toc_blocks(text)
    titles = tuple(sorted(toc_titles(text, blocks), key=len, reverse=True))
    text, toc_removed = remove_toc(text, blocks)
    text = unwrap_lines(text)
    sections: list[str] = []
    kinds: list[str] = []
    texts: list[str] = []
    seen_headings: set[str] = set()
    seen_sentences: set[str] = set()
    path: dict[int, str] = {}
    section = ""
    n_raw = 0
    n_dup = 0

    def keep(piece: str, kind: str, section: str, seen: set[str], level: int = 0) -> None:
        """Add a heading or sentence to the table unless the same one was already added.

        Chapter, section, 一、 and 专栏 titles are unique in a plan, so a repeated one is a copy; a
        numbered heading ((一), 1．, (1)) is a copy only under the same parents: every
        chapter may have its own （一）发展目标.
        """
        nonlocal n_raw, n_dup
        n_raw += 1
        key = _key(section if level in NUMBERED_LEVELS else piece)
        if key in seen:
            n_dup += 1
            return
        seen.add(key)
        sections.append(section)
        kinds.append(kind)
        texts.append(piece)

    pieces = [
        # Only a segment opening with a marker character can carry a heading.
        _detach_headings(raw, titles) if may_head and raw[0] in _MARKER_FIRST else ([], raw)
        for raw, may_head in _line_pieces(text)
    ]
    if not any(heads for heads, _ in pieces):
        pieces = _bare_titles_as_headings(pieces, text)
    for heads, body in _numbered_lists_made_uniform(pieces):
        for level, head in heads:
            path = {k: v for k, v in path.items() if k < level}
            path[level] = head.rstrip(TERMINATORS)
            section = _section(path)
            keep(head, "heading", section, seen_headings, level)
        if body and not heads:
            # A numbered item written as a sentence ends the section of the item before it.
            found = _heading_level(body)
            if found and found[0] in NUMBERED_LEVELS:
                kept = {k: v for k, v in path.items() if k < found[0] or k not in NUMBERED_LEVELS}
                if kept != path:
                    path = kept
                    section = _section(path)
        if body:
            keep(body, "sentence", section, seen_sentences)
    columns = {"section": sections, "kind": kinds, "text": texts, "n_chars": list(map(len, texts))}
    n = len(texts)
    df = pd.DataFrame({"sentence_id": range(1, n + 1), **columns}) if n else _empty_table()
    heads = tuple(t for t, k in zip(texts, kinds, strict=True) if k == "heading")
    return SplitResult(df, n_raw=n_raw, n_duplicates=n_dup, toc_removed=toc_removed, headings=heads)

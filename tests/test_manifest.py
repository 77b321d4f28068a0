"""The manifest is validated as a whole: every problem listed with its line, exit code 2."""

from __future__ import annotations

import codecs
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plancompare import cli, paths
from plancompare.manifest import ManifestError, load_manifest

GOOD_ENTRY = """\
  - id: {id}
    city: Chengdu
    city_zh: 成都
    title_zh: 成都市金融业发展第十一个五年规划
    title_en: Chengdu financial-sector development
    period: [2006, 2010]
    baseline_year: 2005
    source: raw/{id}.txt
"""

# One mistake of every kind; the comment on each line says what must be reported there.
EVERY_MISTAKE = """\
plans:
  - id: good
    city: Chengdu
    city_zh: 成都
    title_zh: 标题
    title_en: Title
    period: [2006, 2010]
    baseline_year: 2005
    source: raw/good.txt
  - id: good
    city: Chengdu
    city_zh: 成都
    title_zh: 标题
    title_en: Title
    period: [2006, 2010]
    baseline_year: 2005
    source: raw/other.txt
  - id: ../evil
    city: X
    city_zh: 某
    title_zh: 标题
    title_en: T
    period: [2010, 2006]
    baseline_year: 2005
    source: ../../etc/passwd
    colour: red
  - id: no-title
    city: Y
    city_zh: 某
    title_en: T
    period: [2016, 2020]
    baseline_year: 2015
    source: /etc/passwd
    encoding: klingon
  - id: twice
    city: Z
    city: Z2
    city_zh: 某
    title_zh: 标题
    title_en: T
    period: [2016, 2020]
    baseline_year: twenty
    source: raw/twice.txt
comparisons:
  - [good, nowhere]
  - [good]
  - [good, good]
"""

EXPECTED = [
    "line 10: duplicate plan id 'good' (first at line 2)",
    "line 18: plan '../evil': id '../evil' is not a safe file name",
    "line 23: plan '../evil': period end 2006 precedes its start 2010",
    "line 25: plan '../evil': source '../../etc/passwd' is outside the manifest's folder",
    "line 26: plan '../evil': unknown field 'colour'",
    "line 27: plan 'no-title': missing field 'title_zh'",
    "line 33: plan 'no-title': source '/etc/passwd' is outside the manifest's folder",
    "line 34: plan 'no-title': unknown encoding 'klingon'",
    "line 37: field 'city' given twice",
    "line 42: plan 'twice': baseline_year: Input should be a valid integer",
    "line 45: comparison names unknown plan 'nowhere'",
    "line 46: comparison must be a pair [left_id, right_id]",
    "line 47: comparison of plan 'good' with itself",
]


def write(folder: Path, text: str) -> Path:
    """Write a manifest into folder and return its path."""
    path = folder / "plans.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_mistake_is_listed_once_with_its_line(tmp_path):
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, EVERY_MISTAKE))
    problems = err.value.problems
    assert len(problems) == len(EXPECTED), "\n".join(problems)
    for problem, expected in zip(problems, EXPECTED, strict=True):
        assert problem.startswith(expected), (problem, expected)


def test_cli_prints_every_problem_and_exits_2_without_a_traceback(tmp_path):
    manifest = write(tmp_path, EVERY_MISTAKE)
    proc = subprocess.run(
        [
            sys.executable,
            str(paths.ROOT / "run_all.py"),
            "--manifest",
            str(manifest),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(EXPECTED) + 1
    assert all(line.startswith(f"error: {manifest}: line ") for line in lines[:-1])
    assert "13 problem(s)" in lines[-1]
    assert not (tmp_path / "out").exists()  # nothing was done


def test_a_baseline_year_after_the_period_start_is_refused_on_its_line(tmp_path):
    text = "plans:\n" + GOOD_ENTRY.format(id="late").replace(
        "baseline_year: 2005", "baseline_year: 2012"
    )
    text += (
        GOOD_ENTRY.format(id="both")
        .replace("[2006, 2010]", "[2010, 2006]")
        .replace("baseline_year: 2005", "baseline_year: 2011")
    )
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, text + "comparisons: []\n"))
    assert err.value.problems == [
        "line 8: plan 'late': baseline year 2012 is after the period's start 2006",
        "line 15: plan 'both': period end 2006 precedes its start 2010",
        "line 16: plan 'both': baseline year 2011 is after the period's start 2010",
    ]


def test_the_shipped_manifest_is_valid():
    manifest = load_manifest(paths.MANIFEST)
    assert [p.id for p in manifest.plans] == ["chongqing-2016-2020", "chengdu-2006-2010"]
    assert manifest.comparisons == (("chongqing-2016-2020", "chengdu-2006-2010"),)


def test_a_valid_manifest_keeps_plan_lines(tmp_path):
    text = "plans:\n" + GOOD_ENTRY.format(id="a") + GOOD_ENTRY.format(id="b")
    manifest = load_manifest(write(tmp_path, text + "comparisons:\n  - [a, b]\n"))
    assert manifest.lines == {"a": 2, "b": 10}
    assert manifest.source_path(manifest.plan("b")) == (tmp_path / "raw" / "b.txt").resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plans: [\n  - id: a\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("plans: []\n", "'plans' must be a non-empty list"),
        ("plans:\n" + GOOD_ENTRY.format(id="a") + "extras: 1\n", "unknown top-level key 'extras'"),
        ("plans:\n" + GOOD_ENTRY.format(id="a").replace("Chengdu\n", "'  '\n", 1), "line 3:"),
    ],
)
def test_malformed_manifests(tmp_path, text, expected):
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, text))
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_manifest_not_utf8_names_the_offset(tmp_path):
    path = tmp_path / "plans.yml"
    path.write_bytes("plans:\n  - id: 成都\n".encode("gb18030"))
    with pytest.raises(ManifestError, match="not UTF-8 text \\(byte offset 15\\)"):
        load_manifest(path)


def test_cli_missing_manifest_exits_2(tmp_path, capsys):
    assert cli.main(["--manifest", str(tmp_path / "none.yml"), "--out", str(tmp_path)]) == 2
    assert "manifest file not found" in capsys.readouterr().err


def test_cli_unknown_only_name_exits_2(tmp_path, capsys):
    code = cli.main(["--only", "atlantis-2006-2010", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "no plan or report named atlantis-2006-2010" in capsys.readouterr().err


# --- found by a probe of bad inputs ----------------------------------------------------------

ONE = GOOD_ENTRY.format(id="a")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The loader keeps the last of two keys: the first list would vanish without a word.
        (
            "plans:\n" + ONE + "plans:\n" + GOOD_ENTRY.format(id="b"),
            "line 10: key 'plans' given twice",
        ),
        (
            "plans:\n" + ONE.replace("[2006, 2010]", "[2006]"),
            "line 7: plan 'a': 'period' needs two items, [start, end]",
        ),
        (
            "plans:\n" + ONE.replace("[2006, 2010]", "[true, 2010]"),
            "line 7: plan 'a': period.0: Input should be a valid integer",
        ),
        (
            "plans:\n" + ONE.replace("baseline_year: 2005", "baseline_year: false"),
            "line 8: plan 'a': baseline_year: Input should be a valid integer",
        ),
        (
            "plans:\n" + ONE.replace("[2006, 2010]", "[2006, 100000000000000000000]"),
            "line 7: plan 'a': period.1: Input should be less than or equal to 2200",
        ),
    ],
)
def test_more_malformed_manifests_name_their_line(tmp_path, text, expected):
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, text))
    assert expected in err.value.problems, err.value.problems


def test_a_symbolic_link_loop_is_refused_on_its_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").symlink_to(raw / "b.txt")
    (raw / "b.txt").symlink_to(raw / "a.txt")
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, "plans:\n" + ONE))
    assert err.value.problems == [
        "line 9: plan 'a': source 'raw/a.txt' cannot be resolved (a symbolic-link loop?)"
    ]


@pytest.mark.parametrize(
    ("flag", "make", "expected"),
    [
        ("--out", lambda p: p.write_text("x"), "is a file, not a folder"),
        ("--processed", lambda p: p.write_text("x"), "is a file, not a folder"),
        ("--notebooks", lambda p: None, "is not a folder"),
    ],
)
def test_cli_refuses_unusable_folders_before_any_work(tmp_path, capsys, flag, make, expected):
    target = tmp_path / "target"
    make(target)
    args = ["--out", str(tmp_path / "out"), "--processed", str(tmp_path / "processed")]
    code = cli.main([*args, flag, str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {flag} {target} {expected}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing done


def test_cli_refuses_a_lock_timeout_that_is_not_a_number(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--lock-timeout", "nan"])
    assert exit_.value.code == 2
    assert "must be zero or more, got nan" in capsys.readouterr().err


def test_plans_of_one_city_and_period_are_labelled_by_their_ids(tmp_path):
    (tmp_path / "a.txt").write_text("金融。", encoding="utf-8")
    entry = (
        "  - {{id: {id}, city: Wuhan, city_zh: 武汉, title_zh: 规划, title_en: Plan, "
        "period: [{a}, {b}], baseline_year: {base}, source: a.txt}}\n"
    )
    text = "plans:\n" + "".join(
        entry.format(id=i, a=a, b=a + 4, base=a - 1)
        for i, a in (("wuhan-a", 2016), ("wuhan-fintech", 2016), ("wuhan-old", 2011))
    )
    (tmp_path / "m.yml").write_text(text, encoding="utf-8")
    labels = [p.label() for p in load_manifest(tmp_path / "m.yml").plans]
    assert labels == [
        "Wuhan 武汉 2016–2020 (wuhan-a)",
        "Wuhan 武汉 2016–2020 (wuhan-fintech)",
        "Wuhan 武汉 2011–2015",
    ]


@pytest.mark.parametrize(
    ("plans_and_comparisons", "message"),
    [
        (
            "  - {id: a, city: A, city_zh: 甲, title_zh: 规划, title_en: P, period: '2011-2015', "
            "baseline_year: 2010, source: a.txt}\n",
            "line 2: plan 'a': 'period' must be a list of two years, [start, end], e.g. [2011, 2015]",
        ),
        (
            "  - {id: a, city: A, city_zh: 甲, title_zh: 规划, title_en: P, period: [2011, 2015], "
            "baseline_year: 2010, source: a.txt}\n"
            "  - {id: b, city: B, city_zh: 乙, title_zh: 规划, title_en: P, period: [2011, 2015], "
            "baseline_year: 2010, source: a.txt}\ncomparisons:\n  - [a, b]\n  - [b, a]\n",
            "line 6: comparison b vs a repeats a vs b in the other order",
        ),
    ],
)
def test_more_manifest_mistakes_are_named_plainly(tmp_path, plans_and_comparisons, message):
    (tmp_path / "a.txt").write_text("金融。", encoding="utf-8")
    (tmp_path / "m.yml").write_text("plans:\n" + plans_and_comparisons, encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_manifest(tmp_path / "m.yml")
    assert err.value.problems == [message]


# --- found by a second probe of bad inputs -----------------------------------------------------


def test_an_impossible_date_is_refused_on_its_line_not_with_a_traceback(tmp_path):
    text = "plans:\n" + ONE + "    issued: 2016-13-45\n"
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, text))
    assert err.value.problems == [
        "line 10: '2016-13-45' is not a valid date (month must be in 1..12)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "plans:\n" + ONE + "comparisons:\n  a: b\n",
            "line 10: 'comparisons' must be a list of [left_id, right_id] pairs",
        ),
        (
            "plans:\n  a:\n    city: Chengdu\n",
            "line 1: 'plans' must be a non-empty list of entries ('- id: ...')",
        ),
        ("common: &c\n  city: Chengdu\nplans:\n" + ONE, "line 1: unknown top-level key 'common'"),
        (
            "plans:\n" + ONE.replace("id: a", "id: " + "a" * 70),
            f"line 2: plan '{'a' * 70}': id '{'a' * 70}' is too long (70 characters, at most 64)",
        ),
        # An alias repeats its anchor's entry: the repeat is named where the alias is.
        (
            "plans:\n" + ONE.replace("  - id: a", "  - &a\n    id: a") + "  - *a\n",
            "line 11: duplicate plan id 'a' (first at line 2)",
        ),
        ("# plans to come\n", "the manifest is empty (no 'plans' and 'comparisons')"),
    ],
)
def test_whole_manifest_mistakes_name_their_line(tmp_path, text, expected):
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, text))
    assert err.value.problems == [expected]


def test_a_utf16_manifest_or_a_folder_is_named_as_such(tmp_path):
    path = tmp_path / "plans.yml"
    path.write_bytes(codecs.BOM_UTF16_LE + ("plans:\n" + ONE).encode("utf-16-le"))
    with pytest.raises(ManifestError) as err:
        load_manifest(path)
    assert err.value.problems == ["UTF-16 (or other wide) text: save the manifest as UTF-8"]
    with pytest.raises(ManifestError) as err:
        load_manifest(tmp_path)
    assert err.value.problems == ["a folder, not a manifest file"]

"""The rendered reports in a real browser (Debian's chromium via Playwright), with no network:
every chart draws, the sentence table filters, the contents links resolve, no console errors."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from plancompare import paths

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = paths.ROOT / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(rendered):
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    pages = sorted(p for p in rendered.out.glob("*.html") if p.name != "index.html")
    assert len(pages) >= 3
    return pages


def charts_in_notebook(path: Path) -> int:
    """Return how many charts the executed notebook's outputs hold."""
    nb = nbformat.read(path, as_version=4)
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if 'class="pc-chart"' in str(out.get("data", {}).get("text/html", ""))
    )


class Opened:
    """A report opened from disk in an offline page, with what the page reported."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(offline=True, viewport={"width": 1000, "height": 900})
        self.blocked: list[str] = []
        self.errors: list[str] = []

        def block(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                self.blocked.append(route.request.url)
                route.abort()

        self.context.route("**/*", block)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def opened(browser, reports):
    pages = {p.name: Opened(browser, p) for p in reports}
    yield pages
    for o in pages.values():
        o.close()


def test_every_chart_draws(opened, rendered):
    for name, o in opened.items():
        expected = charts_in_notebook(rendered.out / "notebooks" / name.replace(".html", ".ipynb"))
        assert expected >= 1
        assert o.page.locator(".pc-chart").count() == expected, name
        o.page.wait_for_function(
            f"document.querySelectorAll('.pc-chart svg.marks').length >= {expected}",
            timeout=20000,
        )
        drawn = o.page.evaluate(
            """() => Array.from(document.querySelectorAll('.pc-chart')).filter(
                 d => d.querySelector('svg.marks g') && d.getBoundingClientRect().height > 50
               ).length"""
        )
        assert drawn == expected, f"{name}: {drawn} of {expected} charts drawn"


def test_no_console_errors_and_no_network(opened):
    for name, o in opened.items():
        o.page.wait_for_timeout(200)
        assert o.errors == [], f"{name}: {o.errors}"
        assert o.blocked == [], f"{name} asked the network for {o.blocked}"


def test_search_table_filters(opened):
    for name, o in opened.items():
        box = o.page.locator("#all-sentences-search")
        rows = o.page.locator("#all-sentences tbody tr")
        total = rows.count()
        assert total > 100, name
        visible = "#all-sentences tbody tr:not([style*='display: none'])"
        term = "征信" if "chengdu" not in name or "compare" in name else "保险"
        box.fill(term)
        shown = o.page.locator(visible)
        n = shown.count()
        assert 0 < n < total, f"{name}: {n} of {total} rows after searching {term}"
        texts = shown.all_inner_texts()
        assert all(term in t for t in texts)
        assert f"{n} of {total} rows" in o.page.locator("#all-sentences-count").inner_text()
        box.fill("")
        assert o.page.locator(visible).count() == total


def test_term_links_drill_down_to_sentences(opened):
    name = next(n for n in opened if n.startswith("compare"))
    o = opened[name]
    link = o.page.locator("a.pc-find").first
    term = link.get_attribute("data-q")
    link.click()
    assert o.page.locator("#all-sentences-search").input_value() == term
    shown = o.page.locator("#all-sentences tbody tr:not([style*='display: none'])")
    assert shown.count() > 0
    assert all(term.lower() in t.lower() for t in shown.all_inner_texts())
    o.page.locator("#all-sentences-search").fill("")


def test_contents_links_resolve(opened):
    for name, o in opened.items():
        missing = o.page.evaluate(
            """() => Array.from(document.querySelectorAll('nav.pc-toc a')).map(
                 a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""
        )
        assert missing == [], f"{name}: contents links without a target {missing}"


def test_chinese_renders_with_a_cjk_font(opened):
    for name, o in opened.items():
        family = o.page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "Noto Sans CJK SC" in family, name


def test_screenshots(opened):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, o in opened.items():
        o.page.wait_for_timeout(300)
        path = ARTIFACTS / name.replace(".html", ".png")
        o.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10000
    (ARTIFACTS / "screenshots.json").write_text(
        json.dumps(sorted(opened), indent=1) + "\n", encoding="utf-8"
    )


def test_search_finds_a_traditional_sentence_by_its_simplified_term(browser, tmp_path):
    import pandas as pd

    from plancompare import report

    sentences = pd.DataFrame(
        {
            "plan_id": ["t", "t", "s"],
            "sentence_id": [1, 2, 1],
            "section": "",
            "kind": "sentence",
            "text": ["支持銀行業發展。", "完善支付體系。", "支持银行业发展。"],
            "text_simplified": ["支持银行业发展。", "完善支付体系。", "支持银行业发展。"],
            "primary_category": "institutions",
            "matched_terms": "",
            "evidence": "",
        }
    )
    page_html = report.sentences_table(sentences, {"t": "Trad", "s": "Simp"}, "all").data
    path = tmp_path / "search.html"
    path.write_text(f'<!doctype html><meta charset="utf-8"><body>{page_html}</body>', "utf-8")
    o = Opened(browser, path)
    try:
        o.page.locator("#all-search").fill("银行")
        shown = o.page.locator("#all tbody tr:not([style*='display: none'])").all_inner_texts()
        assert len(shown) == 2 and any("銀行" in t for t in shown), shown
        assert o.errors == []
    finally:
        o.close()

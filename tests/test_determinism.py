"""Rendering unchanged inputs twice gives byte-identical HTML, and every report stays small.

The first render forks its kernels from the warm server, the second starts ordinary ones: the
pages must not tell them apart.
"""

from __future__ import annotations

import re

import pytest
from conftest import run_all

MAX_BYTES = 3 * 1024 * 1024

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def second_render(rendered, tmp_path_factory):
    """Render the same manifest again, from the same tables, into a new folder, cold kernels."""
    out = tmp_path_factory.mktemp("render-again") / "reports"
    proc = run_all("--out", str(out), "--processed", str(rendered.processed), "--cold-kernels")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


_COMMIT = re.compile(rb"Project commit: <code>[0-9a-f]{40}</code>")


def _commit(page: bytes) -> bytes:
    m = _COMMIT.search(page)
    return m.group(0) if m else b""


def _pages(folder):
    return sorted(p.name for p in folder.glob("*.html") if p.name != "index.html")


def test_two_renders_are_byte_identical(rendered, second_render):
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    names = _pages(rendered.out)
    assert len(names) >= 3 and names == _pages(second_render)
    for name in names:
        a = (rendered.out / name).read_bytes()
        b = (second_render / name).read_bytes()
        commits = {_commit(a), _commit(b)}
        if len(commits) > 1:
            # Someone committed to the shared checkout between the two renders: the project
            # commit in the footer changed (a changed input); everything else must not.
            a, b = _COMMIT.sub(b"", a), _COMMIT.sub(b"", b)
        assert a == b, f"{name} differs between two renders of unchanged inputs"


def test_reports_are_small_and_carry_no_clock_or_random_ids(rendered):
    for name in _pages(rendered.out):
        page = (rendered.out / name).read_text("utf-8")
        assert len(page.encode("utf-8")) < MAX_BYTES, f"{name} is over 3 MB"
        assert '"start_time"' not in page and '"duration"' not in page
        assert not re.search(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d", page), f"{name} has a timestamp"
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", page)

"""The HTML report in a real browser: headless Chromium renders the demo's report, takes a
screenshot (checked for a sane, non-blank page) and dumps the DOM (checked for the expected
headings); a page of hostile posts runs nothing.

Chromium comes from Debian's packages (``.ci/run`` installs it). Without it the tests are
skipped locally, and fail in CI (``CI`` set), so the check is never silently lost.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from hubbub import hookimpl
from hubbub.plugin_host import PluginHost
from hubbub.project import Project
from hubbub.report import ReportScope, Section, Table, build_report, render_report

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs this test")


def _run(
    chromium: Path, tmp_path: Path, page: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1280,2000",
            *options,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )


def test_the_demo_report_renders_in_chromium(
    chromium: Path, demo_project: Project, tmp_path: Path
) -> None:
    from PIL import Image

    page = Path(demo_project.directory) / "report.html"
    shot = tmp_path / "report.png"
    result = _run(chromium, tmp_path, page, f"--screenshot={shot}")
    assert shot.is_file(), result.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        grey = image.convert("L")
        histogram = grey.histogram()
        # mostly white paper, but a real page: text and charts darken a fair share of pixels
        dark = sum(histogram[:128]) / (1280 * 2000)
        assert 0.005 < dark < 0.5, dark
        # ink in the top, middle and bottom thirds (headings, figures, charts all painted)
        for top in (0, 666, 1333):
            band = grey.crop((0, top, 1280, top + 666))
            low, _high = band.getextrema()
            assert low < 100, f"blank band at y={top}"
    dom = _run(chromium, tmp_path, page, "--dump-dom")
    html = dom.stdout
    assert "<h1>SkyJet demo</h1>" in html
    for heading in (
        "Overview",
        "Topic: baggage",
        "Topic: delays",
        "Share of voice",
        "Topic influencers",
        "Responsiveness",
    ):
        assert f'-title">{heading}</h2>' in html, heading
    assert html.count("<svg ") >= 8
    assert "Customers still waiting (oldest first)" in html


class _Hostile:
    @hookimpl
    def report_sections(self, scope: ReportScope) -> list[Section]:
        attacks = [
            "<script>document.title='pwned'</script>",
            '"><img src=x onerror="document.title=\'pwned\'">',
            "<a href=\"javascript:document.title='pwned'\">x</a>",
            "<svg onload=\"document.title='pwned'\"></svg>",
            "@Acme حقيبتي ضاعت 😡",
        ]
        return [
            Section(
                "attacks",
                "Attacks <b>here</b>",
                intro=attacks[0],
                tables=[Table("Posts", ["text"], [{"text": text} for text in attacks], ["text"])],
                notes=attacks,
            )
        ]


def test_hostile_text_runs_nothing_in_chromium(
    chromium: Path, project: Project, tmp_path: Path
) -> None:
    host = PluginHost(load_entry_points=False)
    host.add(_Hostile(), name="hostile")
    stream = io.StringIO()
    render_report(build_report(project, host=host), "html", stream, host=host)
    page = tmp_path / "hostile.html"
    page.write_text(stream.getvalue(), encoding="utf-8")
    html = _run(chromium, tmp_path, page, "--dump-dom").stdout
    assert "<title>test proj — hubbub report</title>" in html
    assert "pwned</title>" not in html
    body = html[html.index("<main>") :]
    # the browser's DOM has no element from a post: each attack is text, shown as typed
    for tag in ("<script", "<img", "<b>", '<a href="javascript', "<svg"):
        assert tag not in body, tag
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in body
    assert "حقيبتي ضاعت 😡" in body

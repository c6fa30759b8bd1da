"""Each reporter's structure and numbers on the demo, and escaping of hostile posts."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hubbub.plugin_host import PluginHost
from hubbub.plugins.reporters import markdown_escape, sparkline
from hubbub.project import Project
from hubbub.report import build_report, render_report

HOSTILE = [
    "<script>alert('script')</script> @Acme my lost bag",
    '"><img src=x onerror=alert(1)> @Acme where is my luggage',
    "[click me](javascript:alert(1)) @Acme https://evil.example/phish www.evil.example",
    '=HYPERLINK("http://evil.example","refund") @Acme lost bag',
    "+cmd|' /C calc'!A0 @Acme luggage",
    "| cell | ![x](http://evil.example/t.png) **bold** <b>tag</b> `code` @Acme #baggage",
    "@Acme حقيبتي ضاعت في المطار 😡 #baggage",
    "@Acme ✈️ 👩‍👩‍👧 lost bag again 🧳",
]
HOSTILE_AUTHORS = [
    "<b>mallory</b>",
    "=cmd",
    "+plus",
    "-minus",
    "attacker",
    "x",
    "rtl_user",
    "emoji",
]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project whose unanswered customer posts and author names are attacks."""
    import orjson
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source

    directory = tmp_path_factory.mktemp("hostile")
    (directory / "hubbub.toml").write_text(
        '[project]\nname = "Hostile <i>test</i>"\n\n[brands.acme]\nhandles = ["Acme"]\n'
        'keywords = ["acme"]\n\n[topics]\nbaggage = \'"lost bag" OR #baggage OR luggage\'\n',
        encoding="utf-8",
    )
    path = directory / "posts.jsonl"
    with path.open("wb") as stream:
        for number, (text, author) in enumerate(zip(HOSTILE, HOSTILE_AUTHORS, strict=True)):
            record = {
                "id": str(100 + number),
                "text": text,
                "author": author,
                "created_at": f"2026-03-0{1 + number % 5}T10:00:00Z",
                "mentions": ["Acme"],
                "hashtags": ["baggage"] if "#baggage" in text else [],
            }
            stream.write(orjson.dumps(record) + b"\n")
    project = Project.load(directory)
    host = PluginHost(load_entry_points=False)
    try:
        source = host.get("source", "jsonl")(FileOptions(path=str(path)), key="hostile")  # type: ignore[call-arg]
        summary = run_source(project.store, source, host=host, kind="test")
        assert summary.stored == len(HOSTILE), summary
        return build_report(project, host=host).to_dict()
    finally:
        project.close()


def _render(report: dict[str, Any], fmt: str) -> str:
    stream = io.StringIO()
    render_report(report, fmt, stream, host=PluginHost(load_entry_points=False))
    return stream.getvalue()


@pytest.fixture(scope="module")
def demo_data(demo_project: Project) -> dict[str, Any]:
    return build_report(demo_project, host=PluginHost(load_entry_points=False)).to_dict()


# ---------------------------------------------------------------- structure on the demo


def test_json_is_the_report_itself(demo_data: dict[str, Any]) -> None:
    parsed = json.loads(_render(demo_data, "json"))
    assert parsed == json.loads(json.dumps(demo_data))
    assert [section["id"] for section in parsed["sections"]][:2] == ["overview", "topic-baggage"]


def test_markdown_has_a_heading_per_section_and_the_numbers(demo_data: dict[str, Any]) -> None:
    text = _render(demo_data, "markdown")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings == [markdown_escape(section["title"]) for section in demo_data["sections"]]
    assert "| Posts | 20,000 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| skyjet |")]
    assert rows, "the share-of-voice and leaderboard rows name the brand"


def test_csv_holds_every_table_with_its_section(demo_data: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(_render(demo_data, "csv"))))
    sections = {row["section"] for row in rows}
    assert {
        "overview",
        "topic-delays",
        "share-of-voice",
        "influencers",
        "responsiveness",
    } <= sections
    volume = [
        row for row in rows if row["section"] == "overview" and row["table"] == "Posts per day"
    ]
    assert sum(int(row["posts"]) for row in volume) == 20_000
    board = [row for row in rows if row["table"] == "Leaderboard"]
    assert [row["rank"] for row in board] == ["1", "2", "3"]


def test_the_terminal_table_shows_each_section(demo_data: dict[str, Any]) -> None:
    text = _render(demo_data, "table")
    for section in demo_data["sections"]:
        assert section["title"] in text
    assert "20,000" in text and "marked: 2026-03-19" in text


def test_html_is_one_self_contained_file(demo_data: dict[str, Any]) -> None:
    html = _render(demo_data, "html")
    assert html.startswith("<!DOCTYPE html>")
    # nothing loads from elsewhere: no script, stylesheet link, remote image or font
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only in-page refs
    assert "default-src 'none'" in html
    assert "@media print" in html and "@media (max-width" in html
    charts = sum(len(section["charts"]) for section in demo_data["sections"])
    assert html.count("<svg ") == charts
    assert html.count("<details>") == charts
    assert html.count("<title>") == charts + 1  # the page's and one per chart
    for section in demo_data["sections"]:
        assert f'<section id="{section["id"]}"' in html


def test_sparkline() -> None:
    assert sparkline([0, 5, 10, None]) == "▁▅█ "
    assert sparkline([None]) == ""


# ---------------------------------------------------------------- hostile posts


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)


def test_hostile_posts_reach_the_report(hostile_report: dict[str, Any]) -> None:
    responsiveness = next(s for s in hostile_report["sections"] if s["id"] == "responsiveness")
    waiting = next(t for t in responsiveness["tables"] if t["title"].startswith("Customers"))
    texts = [row["text"] for row in waiting["rows"]]
    assert len(texts) == len(HOSTILE)  # so every attack below is really in the output
    assert {row["author"] for row in waiting["rows"]} == set(HOSTILE_AUTHORS)


def test_html_escapes_everything_from_posts(hostile_report: dict[str, Any]) -> None:
    html = _render(hostile_report, "html")
    parser = _Elements()
    parser.feed(html)
    assert "script" not in parser.tags
    assert "img" not in parser.tags and "b" not in parser.tags and "i" not in parser.tags
    assert "a" in parser.tags  # only the table of contents' own links
    for name, value in parser.attributes:
        assert not name.startswith("on"), (name, value)
        if name == "href":
            assert value is not None and value.startswith("#"), value
    assert "&lt;script&gt;" in html and "&#34;&gt;&lt;img src=x onerror" in html
    assert "Hostile &lt;i&gt;test&lt;/i&gt;" in html
    # right-to-left text and emoji come through as characters, in a dir=auto cell
    assert '<td class="text" dir="auto">@Acme حقيبتي ضاعت في المطار 😡 #baggage</td>' in html
    assert "👩‍👩‍👧" in html


def test_markdown_makes_nothing_live(hostile_report: dict[str, Any]) -> None:
    text = _render(hostile_report, "markdown")
    waiting = [
        line for line in text.splitlines() if line.startswith("| acme |") and "10:00 UTC" in line
    ]
    assert len(waiting) == len(HOSTILE)
    for line in waiting:
        # every row keeps the table's five cells: no "|" from a post splits a cell
        assert len(re.findall(r"(?<!\\)\|", line)) == 6, line
    body = "\n".join(waiting)
    assert "<" not in body.replace("\\<", "")  # no raw HTML tag can open
    assert "](" not in body.replace("\\](", "")  # no link or image
    assert "https://evil" not in body and "www.evil" not in body  # no autolink
    assert "\\*\\*bold\\*\\*" in body and "\\`code\\`" in body
    assert "حقيبتي ضاعت في المطار 😡" in body


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("*x* _y_", "\\*x\\* \\_y\\_"),
        ("<b>", "\\<b\\>"),
        ("[a](b)", "\\[a\\](b)"),
        ("line\nbreak", "line break"),
        ("see https://x.example", "see https:\u200b//x.example"),
        ("mail me@evil.example", "mail me@\u200bevil.example"),
        ("$x$ &amp;", "\\$x\\$ \\&amp;"),
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert markdown_escape(text) == escaped


def test_csv_neutralises_formulas(hostile_report: dict[str, Any]) -> None:
    rows = list(csv.reader(io.StringIO(_render(hostile_report, "csv"))))
    cells = [cell for row in rows for cell in row]
    assert cells, "the CSV has rows"
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert "'=cmd" in cells and "'+plus" in cells and "'-minus" in cells
    assert any(cell.startswith("'@Acme") for cell in cells)
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert any(cell.startswith("'+cmd|") for cell in cells)


def test_the_terminal_table_prints_markup_literally(hostile_report: dict[str, Any]) -> None:
    text = _render(hostile_report, "table")
    assert "<b>mallory</b>" in text or "<b>mallory</" in text
    assert "Hostile <i>test</i>" in text


# ---------------------------------------------------------------- the command


def test_report_command_formats_and_files(
    cli: Callable[..., Any],
    demo_project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", "")  # the shared demo: bundled plugins only
    directory = demo_project.directory
    result = cli("report", "-p", directory, "--format", "json", "--window", "week")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scope"]["window"] == "week"
    target = tmp_path / "r.md"
    result = cli("report", "-p", directory, "-f", "md", "--since", "2026-03-20", "-o", target)
    assert result.exit_code == 0, result.output
    assert f"Report: {target}" in result.stderr
    assert target.read_text(encoding="utf-8").startswith("# SkyJet demo")
    charts = tmp_path / "charts"
    result = cli("report", "-p", directory, "-f", "svg", "-o", charts)
    assert result.exit_code == 0, result.output
    svgs = sorted(charts.glob("*.svg"))
    assert svgs and svgs[0].read_text(encoding="utf-8").startswith("<?xml")


def test_report_html_defaults_to_the_project_folder(
    cli: Callable[..., Any], make_project: Callable[..., Project]
) -> None:
    empty = make_project("empty")
    result = cli("report", "-p", empty.directory, "-f", "html")
    assert result.exit_code == 0, result.output
    path = Path(empty.directory) / "report.html"
    assert f"Report: {path}" in result.stderr
    assert "No posts in this time frame." in path.read_text(encoding="utf-8")


def test_report_rejects_a_bad_date(
    cli: Callable[..., Any], project: Project, error_line: Any
) -> None:
    result = cli("report", "-p", project.directory, "--since", "yesterday-ish")
    assert result.exit_code == 1
    assert "--since" in error_line(result.stderr)


def test_a_plugin_reporter_is_a_report_format(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from hubbub import Reporter, hookimpl
    from hubbub.testing import make_project, run_cli

    class TitlesReporter(Reporter):
        name = "titles"
        description = "just the section titles"

        def render(self, report: dict, stream: Any) -> None:
            for section in report["sections"]:
                stream.write(section["title"] + "\n")

    @hookimpl
    def register_reporters(register: Any) -> None:
        register(TitlesReporter)

    plugin = SimpleNamespace(__name__="titles", register_reporters=register_reporters)
    project = make_project(tmp_path, posts=[{"text": "hello there"}], plugins={"titles": plugin})
    result = run_cli("report", "--format", "titles", project=project, plugins={"titles": plugin})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Overview"
    unknown = run_cli("report", "--format", "nope", project=project)
    assert unknown.exit_code == 1
    assert "unknown reporter 'nope'" in unknown.stderr

"""``hubbub ingest``: every configured source, one failing source not stopping the others."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hubbub.api_source import ApiSource
from pytest_httpserver import HTTPServer

TAG = "/api/v1/timelines/tag/acme"


def status(n: int) -> dict:
    """A minimal Mastodon Status entity."""
    return {
        "id": str(110000000000000000 + n),
        "created_at": f"2024-05-01T09:0{n}:00.000Z",
        "in_reply_to_id": None,
        "uri": f"https://mastodon.example/users/alice/statuses/{n}",
        "visibility": "public",
        "content": f"<p>acme post {n}</p>",
        "account": {"id": "1", "username": "alice", "acct": "alice"},
        "mentions": [],
        "tags": [],
    }


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ApiSource, "client_defaults", {"sleep": lambda s: None, "random": lambda: 0}
    )


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
<item><title>Acme</title><guid>g1</guid><pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate></item>
</channel></rss>"""


def config(server: HTTPServer) -> str:
    base = server.url_for("/").rstrip("/")
    return f"""
[[sources]]
type = "mastodon-api"
name = "masto"
instance = "{base}"
hashtags = ["acme"]
limit = 2

[[sources]]
type = "http-json"
name = "broken"
url = "{base}/down"
retries = 1

[[sources]]
type = "rss"
name = "blog"
feeds = ["{base}/feed.xml"]
"""


def serve(server: HTTPServer) -> None:
    server.expect_request(TAG, query_string={"limit": "2"}).respond_with_json(
        [status(2), status(1)]
    )
    server.expect_request(TAG).respond_with_json([])
    server.expect_request("/down").respond_with_data("maintenance", status=503)
    server.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/rss+xml")


def test_ingest_runs_every_source_and_reports_a_table(httpserver, make_project, cli) -> None:
    serve(httpserver)
    project = make_project(extra=config(httpserver))
    result = cli("ingest", "-p", project.directory)
    assert result.exit_code == 1, result.output  # one source failed
    for word in ("source", "fetched", "new", "duplicates", "rejected", "errors", "masto", "blog"):
        assert word in result.stdout
    assert "broken: HTTP 503" in result.stderr and "gave up after 2 attempts" in result.stderr

    again = cli("ingest", "masto", "blog", "-p", project.directory, "--format", "json")
    assert again.exit_code == 0, again.output
    rows = {row["source"]: row for row in orjson.loads(again.stdout)}
    assert set(rows) == {"masto", "blog"}
    assert (rows["masto"]["fetched"], rows["masto"]["new"]) == (0, 0)  # nothing new after min_id
    assert (rows["blog"]["fetched"], rows["blog"]["new"], rows["blog"]["duplicates"]) == (1, 0, 1)


def test_first_run_counts_and_json_fields(httpserver, make_project, cli) -> None:
    serve(httpserver)
    project = make_project(extra=config(httpserver))
    result = cli("ingest", "-p", project.directory, "--format", "json")
    rows = {row["source"]: row for row in orjson.loads(result.stdout)}
    assert rows["masto"] | {"error_messages": []} == {
        "source": "masto",
        "type": "mastodon-api",
        "fetched": 2,
        "new": 2,
        "duplicates": 0,
        "rejected": 0,
        "errors": 0,
        "error_messages": [],
    }
    assert rows["broken"]["errors"] == 1 and rows["broken"]["fetched"] == 0
    assert rows["blog"]["new"] == 1


def test_unknown_source_name_and_no_sources(httpserver, make_project, cli) -> None:
    project = make_project(extra=config(httpserver))
    result = cli("ingest", "nope", "-p", project.directory)
    assert result.exit_code == 1
    assert "no configured source named nope (configured: blog, broken, masto)" in result.stderr
    empty = make_project("empty")
    result = cli("ingest", "-p", empty.directory)
    assert result.exit_code == 1 and "no [[sources]] configured" in result.stderr


def test_bad_options_name_the_source(make_project, cli) -> None:
    project = make_project(extra='[[sources]]\ntype = "rss"\nname = "blog"\nfeeds = ["ftp://x"]\n')
    result = cli("ingest", "-p", project.directory)
    assert result.exit_code == 1
    assert "sources[0] (blog): feeds" in result.stderr and "http(s) URL" in result.stderr


API_SOURCES = [
    "mastodon-api",
    "bluesky-api",
    "reddit-api",
    "hackernews-api",
    "rss",
    "twitter-api",
    "http-json",
]
DOCS = Path(__file__).resolve().parent.parent / "docs" / "sources"


@pytest.mark.parametrize("name", API_SOURCES)
def test_each_api_source_has_a_page_naming_every_option(name: str) -> None:
    from hubbub.plugin_host import get_host

    cls = get_host().sources()[name]
    page = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    own = set(cls.Options.model_fields) - {"timeout", "retries", "max_wait", "max_pages"}
    missing = [option for option in sorted(own) if f"`{option}`" not in page]
    assert missing == [], f"docs/sources/{name}.md does not document {missing}"
    assert f'type = "{name}"' in page  # a worked example
    assert f"[{name}.md]" in (DOCS / "index.md").read_text(encoding="utf-8")


def test_every_toml_example_in_the_source_docs_is_valid() -> None:
    import re
    import tomllib

    from hubbub.plugin_host import get_host

    sources = get_host().sources()
    checked = 0
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for index, section in enumerate(tomllib.loads(block).get("sources", [])):
                options = {
                    k: v for k, v in section.items() if k not in ("type", "name", "interval")
                }
                sources[section["type"]].parse_options(options, f"{page.name} sources[{index}]")
                checked += 1
    assert checked >= 2 * len(API_SOURCES) - 1  # one example per page and the index's six


def test_a_source_ended_by_a_401_keeps_what_it_committed(
    httpserver, make_project, cli, monkeypatch
) -> None:
    monkeypatch.setenv("MASTODON_TOKEN", "token-that-expired-42")
    httpserver.expect_request(TAG, query_string={"limit": "2"}).respond_with_json(
        [status(2), status(1)]
    )
    httpserver.expect_request(TAG).respond_with_json([])
    httpserver.expect_request("/api/v1/timelines/tag/other").respond_with_data(
        '{"error":"The access token was revoked"}', status=401
    )
    base = httpserver.url_for("/").rstrip("/")
    project = make_project(
        extra=f'[[sources]]\ntype = "mastodon-api"\nname = "masto"\ninstance = "{base}"\n'
        'hashtags = ["acme", "other"]\nlimit = 2\n'
    )
    result = cli("ingest", "-p", project.directory, "--format", "json")
    assert result.exit_code == 1
    (row,) = orjson.loads(result.stdout)
    assert (row["fetched"], row["new"], row["errors"]) == (2, 2, 1)
    assert "HTTP 401" in row["error_messages"][0]
    assert "check MASTODON_TOKEN" in result.stderr
    assert "token-that-expired-42" not in result.output


def test_a_configured_file_source_reads_only_what_was_appended(make_project, cli) -> None:
    project = make_project(
        extra='[[sources]]\ntype = "jsonl"\nname = "archive"\npath = "in.jsonl"\n'
    )
    line = (
        '{{"id": "{n}", "text": "acme {n}", "author": "a", "created_at": "2024-05-01T09:00:00Z"}}\n'
    )
    path = project.directory / "in.jsonl"
    path.write_text(line.format(n=1) + line.format(n=2), encoding="utf-8")
    first = cli("ingest", "-p", project.directory, "--format", "json")
    assert first.exit_code == 0, first.output
    assert orjson.loads(first.stdout)[0]["new"] == 2
    with path.open("a", encoding="utf-8") as stream:
        stream.write(line.format(n=3))
    second = orjson.loads(cli("ingest", "-p", project.directory, "--format", "json").stdout)
    assert (second[0]["fetched"], second[0]["new"]) == (1, 1)

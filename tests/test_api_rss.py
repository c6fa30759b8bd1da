"""The feed source against a loopback server: RSS, Atom, JSON Feed, ETag and faults."""

from __future__ import annotations

from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.rss import RssSource
from hubbub.store import Store
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    sleeps: list[float] = []
    monkeypatch.setattr(ApiSource, "client_defaults", {"sleep": sleeps.append, "random": lambda: 0})
    return sleeps


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'hubbub.db'}")
    yield opened
    opened.close()


def rss(*items: int) -> str:
    body = "".join(
        f"""<item><title>Acme news {n}</title><link>https://blog.example/{n}</link>
        <guid isPermaLink="false">post-{n}</guid><author>editor@blog.example (Ed)</author>
        <pubDate>Wed, 01 May 2024 0{n}:00:00 GMT</pubDate>
        <description>&lt;p&gt;Acme &lt;b&gt;launch&lt;/b&gt; #acme {n}&lt;/p&gt;</description></item>"""
        for n in items
    )
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Acme blog</title>
    <link>https://blog.example/</link><language>en-us</language>{body}</channel></rss>"""


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom feed</title><id>urn:feed</id>
<updated>2024-05-01T12:00:00Z</updated>
<entry><title>First</title><id>urn:entry:1</id><link href="https://atom.example/1"/>
<updated>2024-05-01T12:00:00Z</updated><author><name>Ann</name></author>
<content type="html">&lt;p&gt;Hello &lt;i&gt;world&lt;/i&gt;&lt;/p&gt;</content></entry>
<entry><title>No date</title><id>urn:entry:2</id></entry>
</feed>"""


def source(server: HTTPServer, *paths: str, **options: Any) -> RssSource:
    settings = {"feeds": [server.url_for(path) for path in paths], **options}
    return RssSource(RssSource.parse_options(settings, "test"), key="feeds")


def texts(store: Store) -> list[tuple[str, str, str]]:
    rows = store.engine.connect().exec_driver_sql(
        "SELECT external_id, author, text FROM posts ORDER BY external_id"
    )
    return [tuple(row) for row in rows]


def test_rss_with_etag_second_run_is_a_304_and_new_items_arrive(
    httpserver: HTTPServer, store: Store
) -> None:
    httpserver.expect_ordered_request("/rss").respond_with_data(
        rss(1, 2), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    httpserver.expect_ordered_request("/rss", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_ordered_request("/rss", headers={"If-None-Match": '"v1"'}).respond_with_data(
        rss(1, 2, 3),
        content_type="application/rss+xml",
        headers={"ETag": '"v2"', "Last-Modified": "Wed, 01 May 2024 03:00:00 GMT"},
    )
    first = run_source(store, source(httpserver, "/rss"), kind="ingest")
    assert (first.read, first.stored) == (2, 2)
    assert texts(store)[0] == (
        "post-1",
        "editor@blog.example (Ed)",
        "Acme news 1\n\nAcme launch #acme 1",
    )
    second = run_source(store, source(httpserver, "/rss"), kind="ingest")
    assert (second.read, second.stored) == (0, 0)
    third = run_source(store, source(httpserver, "/rss"), kind="ingest")
    assert (third.read, third.stored, third.duplicates) == (3, 1, 2)
    httpserver.check_assertions()
    assert store.get_cursor("feeds") == {
        "streams": {
            httpserver.url_for("/rss"): {
                "etag": '"v2"',
                "modified": "Wed, 01 May 2024 03:00:00 GMT",
            }
        }
    }


def test_atom_and_json_feed_and_an_entry_without_a_date_is_a_reject(
    httpserver: HTTPServer, store: Store
) -> None:
    httpserver.expect_request("/atom").respond_with_data(ATOM, content_type="application/atom+xml")
    httpserver.expect_request("/feed.json").respond_with_json(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "JSON blog",
            "authors": [{"name": "Jo"}],
            "items": [
                {
                    "id": "j1",
                    "url": "https://json.example/1",
                    "content_html": "<p>Acme &amp; co</p>",
                    "date_published": "2024-05-01T10:00:00Z",
                    "tags": ["acme"],
                }
            ],
        },
        content_type="application/feed+json",
    )
    src = source(httpserver, "/atom", "/feed.json")
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (2, 1)
    assert texts(store) == [
        ("j1", "Jo", "Acme & co"),
        ("urn:entry:1", "Ann", "First\n\nHello world"),
    ]
    (reject,) = store.rejects(source="feeds")
    assert "no published or updated date" in reject["reason"]
    assert src.errors == []


def test_malformed_xml_is_a_reject_or_an_error_for_that_feed_only(
    httpserver: HTTPServer, store: Store, _no_waiting: list[float]
) -> None:
    # cut off mid-entry: what can be recovered is read, the broken entry is a reject
    httpserver.expect_request("/truncated").respond_with_data(
        "<rss><channel><title>x</title><item><title>a</", content_type="application/rss+xml"
    )
    httpserver.expect_request("/garbage").respond_with_data(
        b"\x00\x01 <<< not xml", content_type="application/rss+xml"
    )
    httpserver.expect_request("/html").respond_with_data(
        "<html><body>Bad gateway</body></html>", content_type="text/html"
    )
    httpserver.expect_oneshot_request("/ok").respond_with_data("", status=503)
    httpserver.expect_request("/ok").respond_with_data(rss(1), content_type="application/rss+xml")
    src = source(httpserver, "/truncated", "/garbage", "/html", "/ok")
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 2
    assert "malformed feed" in src.errors[0] and "/garbage" in src.errors[0]
    assert "malformed feed (text/html is not an XML media type)" in src.errors[1]
    assert len(_no_waiting) == 1  # the 503 was retried once

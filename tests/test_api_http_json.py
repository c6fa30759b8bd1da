"""The generic HTTP JSON source: field mapping, three kinds of pagination, resuming, secrets."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.errors import ConfigError
from hubbub.ingest import run_source
from hubbub.plugins.http_json import HttpJsonSource
from hubbub.store import Store
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ApiSource, "client_defaults", {"sleep": lambda s: None, "random": lambda: 0}
    )


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'hubbub.db'}")
    yield opened
    opened.close()


def credential_error(store: Store, src: ApiSource) -> str:
    """Run ``src``, which must end with exactly one error; return it."""
    run_source(store, src, kind="ingest")
    assert len(src.errors) == 1, src.errors
    return src.errors[0]


def item(n: int) -> dict[str, Any]:
    """An item in a typical vendor shape: nested user, epoch timestamp."""
    return {
        "uid": 9000 + n,
        "body": {"plain": f"review {n}: acme support was quick"},
        "user": {"login": f"user{n}"},
        "ts": 1714554000 + n * 60,
    }


FIELDS = {"id": "uid", "text": "body.plain", "author": "user.login", "created_at": "ts"}


def source(server: HTTPServer, **options: Any) -> HttpJsonSource:
    settings = {"url": server.url_for("/reviews"), "items": "data", "fields": FIELDS, **options}
    return HttpJsonSource(HttpJsonSource.parse_options(settings, "test"), key="reviews")


def stored(store: Store) -> list[tuple[str, str]]:
    rows = store.engine.connect().exec_driver_sql(
        "SELECT external_id, author FROM posts ORDER BY external_id"
    )
    return [tuple(row) for row in rows]


def test_next_link_in_the_body_across_three_pages(httpserver: HTTPServer, store: Store) -> None:
    url = httpserver.url_for("/reviews")
    httpserver.expect_ordered_request("/reviews", query_string={"q": "acme"}).respond_with_json(
        {"data": [item(1), item(2)], "links": {"next": f"{url}?q=acme&after=2"}}
    )
    httpserver.expect_ordered_request(
        "/reviews", query_string={"q": "acme", "after": "2"}
    ).respond_with_json({"data": [item(3)], "links": {"next": f"{url}?q=acme&after=3"}})
    httpserver.expect_ordered_request(
        "/reviews", query_string={"q": "acme", "after": "3"}
    ).respond_with_json({"data": [item(4)], "links": {"next": None}})
    summary = run_source(
        store,
        source(httpserver, params={"q": "acme"}, pagination="next", next_path="links.next"),
        batch_size=2,
        kind="ingest",
    )
    httpserver.check_assertions()
    assert (summary.read, summary.stored) == (4, 4)
    assert stored(store)[0] == ("9001", "user1")
    # no since_field: the next run starts over (the store drops what it has)
    assert store.get_cursor("reviews") == {"streams": {}}


def test_cursor_pagination_resumes_after_a_failure_and_since_asks_only_for_new(
    httpserver: HTTPServer, store: Store
) -> None:
    options = {
        "pagination": "cursor",
        "cursor_path": "meta.next_cursor",
        "cursor_param": "cursor",
        "since_param": "since",
        "since_field": "ts",
        "retries": 0,
    }
    httpserver.expect_ordered_request("/reviews", query_string="").respond_with_json(
        {"data": [item(2), item(1)], "meta": {"next_cursor": "abc"}}
    )
    httpserver.expect_ordered_request("/reviews", query_string={"cursor": "abc"}).respond_with_data(
        "{truncated", content_type="application/json"
    )
    broken = source(httpserver, **options)
    assert run_source(store, broken, kind="ingest").stored == 2
    assert "malformed JSON" in broken.errors[0]
    assert store.get_cursor("reviews") == {
        "streams": {"default": {"next": "abc", "since": None, "pending": item(2)["ts"]}}
    }
    httpserver.clear()
    httpserver.expect_ordered_request("/reviews", query_string={"cursor": "abc"}).respond_with_json(
        {"data": [item(0)], "meta": {"next_cursor": None}}
    )
    resumed = run_source(store, source(httpserver, **options), kind="ingest")
    assert (resumed.stored, resumed.duplicates) == (1, 0)
    assert store.get_cursor("reviews") == {"streams": {"default": {"since": item(2)["ts"]}}}
    httpserver.clear()
    httpserver.expect_ordered_request(
        "/reviews", query_string={"since": str(item(2)["ts"])}
    ).respond_with_json({"data": [item(3)], "meta": {}})
    again = run_source(store, source(httpserver, **options), kind="ingest")
    httpserver.check_assertions()
    assert (again.read, again.stored) == (1, 1)
    assert [row[0] for row in stored(store)] == ["9000", "9001", "9002", "9003"]


def test_page_numbers_until_an_empty_page_and_bad_items_are_rejects(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = item(3)
    del bad["user"]
    httpserver.expect_ordered_request("/reviews", query_string={"p": "1"}).respond_with_json(
        {"data": [item(1), "not an object"]}
    )
    httpserver.expect_ordered_request("/reviews", query_string={"p": "2"}).respond_with_json(
        {"data": [bad]}
    )
    httpserver.expect_ordered_request("/reviews", query_string={"p": "3"}).respond_with_json(
        {"data": []}
    )
    summary = run_source(
        store, source(httpserver, pagination="page", page_param="p"), kind="ingest"
    )
    httpserver.check_assertions()
    assert (summary.stored, summary.rejected) == (1, 2)
    reasons = sorted(row["reason"] for row in store.rejects(source="reviews"))
    assert "author" in reasons[1] and "expected a JSON object" in reasons[0]


def test_secret_header_from_the_environment_and_401_names_it(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = source(httpserver, headers_env={"X-Api-Key": "REVIEWS_KEY"})
    assert re.search("set the environment variable REVIEWS_KEY", credential_error(store, src))
    monkeypatch.setenv("REVIEWS_KEY", "key-1234567890")
    httpserver.expect_request(
        "/reviews", headers={"X-Api-Key": "key-1234567890"}
    ).respond_with_data("invalid key key-1234567890", status=403)
    caught = credential_error(store, source(httpserver, headers_env={"X-Api-Key": "REVIEWS_KEY"}))
    assert "REVIEWS_KEY" in caught and "key-1234567890" not in caught


def test_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="cursor_path"):
        HttpJsonSource.parse_options({"url": "https://x.example", "pagination": "cursor"}, "here")
    with pytest.raises(ConfigError, match="url"):
        HttpJsonSource.parse_options({"url": "ftp://x"}, "here")

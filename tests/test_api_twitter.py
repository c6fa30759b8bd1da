"""The Twitter/X API v2 source against a loopback server replaying v2 response pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.twitter_api import TwitterApiSource
from hubbub.store import Store
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


BEARER = "AAAAAAAAAAAAAAAAAAAAAbearer-token-value"


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    sleeps: list[float] = []
    monkeypatch.setattr(
        ApiSource,
        "client_defaults",
        {"sleep": sleeps.append, "random": lambda: 0, "clock": lambda: 1_714_554_000.0},
    )
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", BEARER)
    return sleeps


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


def tweet_id(n: int) -> str:
    return str(1785000000000000000 + n)


def page(*numbers: int, next_token: str | None = None) -> dict[str, Any]:
    """A recent-search response page with its authors in ``includes.users``."""
    meta: dict[str, Any] = {"result_count": len(numbers)}
    if numbers:
        meta |= {"newest_id": tweet_id(max(numbers)), "oldest_id": tweet_id(min(numbers))}
    if next_token:
        meta["next_token"] = next_token
    return {
        "data": [
            {
                "id": tweet_id(n),
                "text": f"@SkyJet where is my bag {n}",
                "author_id": "42",
                "conversation_id": tweet_id(n),
                "created_at": f"2024-05-01T09:{n:02d}:00.000Z",
                "lang": "en",
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": n},
                "edit_history_tweet_ids": [tweet_id(n)],
            }
            for n in numbers
        ],
        "includes": {"users": [{"id": "42", "username": "traveller", "name": "T"}]},
        "meta": meta,
    }


def source(server: HTTPServer, **options: Any) -> TwitterApiSource:
    settings = {"base_url": server.url_for("/2"), "max_results": 10, **options}
    return TwitterApiSource(TwitterApiSource.parse_options(settings, "t"), key="x")


SEARCH = "/2/tweets/search/recent"


def test_search_pages_with_a_rate_limit_and_since_id_on_the_next_run(
    httpserver: HTTPServer, store: Store, _no_waiting: list[float]
) -> None:
    auth = {"Authorization": f"Bearer {BEARER}"}
    httpserver.expect_ordered_request(SEARCH, headers=auth).respond_with_json(
        page(4, 3, next_token="t2")
    )
    httpserver.expect_ordered_request(SEARCH).respond_with_data(
        '{"title":"Too Many Requests"}',
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1714554060"},
    )
    httpserver.expect_ordered_request(SEARCH).respond_with_json(page(2, 1))
    first = run_source(store, source(httpserver, searches=["@SkyJet bag"]), kind="ingest")
    assert (first.read, first.stored) == (4, 4)
    assert _no_waiting == [60.0]
    requests = [request for request, _ in httpserver.log]
    assert requests[0].args["query"] == "@SkyJet bag" and "since_id" not in requests[0].args
    assert requests[2].args["next_token"] == "t2"
    assert store.get_cursor("x") == {"streams": {"search:@SkyJet bag": {"since_id": tweet_id(4)}}}
    httpserver.expect_ordered_request(SEARCH).respond_with_json(page(5))
    second = run_source(store, source(httpserver, searches=["@SkyJet bag"]), kind="ingest")
    httpserver.check_assertions()
    assert httpserver.log[-1][0].args["since_id"] == tweet_id(4)
    assert (second.read, second.stored) == (1, 1)
    row = (
        store.engine.connect()
        .exec_driver_sql(f"SELECT author, likes FROM posts WHERE external_id = '{tweet_id(5)}'")
        .one()
    )
    assert tuple(row) == ("traveller", 5)


def test_user_timeline_and_an_empty_page(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request("/2/users/by/username/SkyJet").respond_with_json(
        {"data": {"id": "777", "username": "SkyJet", "name": "SkyJet"}}
    )
    httpserver.expect_request("/2/users/777/tweets").respond_with_json(
        {"meta": {"result_count": 0}}
    )
    src = source(httpserver, users=["@SkyJet"])
    summary = run_source(store, src, kind="ingest")
    assert (summary.read, src.errors) == (0, [])


def test_no_token_and_a_rejected_token_name_the_variable(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request(SEARCH).respond_with_json(
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
        status=401,
    )
    caught = credential_error(store, source(httpserver, searches=["x"]))
    assert "TWITTER_BEARER_TOKEN" in caught and BEARER not in caught
    monkeypatch.delenv("TWITTER_BEARER_TOKEN")
    assert re.search(
        "set the environment variable TWITTER_BEARER_TOKEN",
        credential_error(store, source(httpserver, searches=["x"])),
    )


def test_malformed_page_is_an_error_and_a_bad_tweet_a_reject(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = page(1, 2)
    bad["data"][1]["created_at"] = "not a date"
    httpserver.expect_ordered_request(SEARCH).respond_with_json(bad)
    httpserver.expect_ordered_request(SEARCH).respond_with_data("<html>", content_type="text/html")
    src = source(httpserver, searches=["a", "b"])
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 1 and "malformed JSON" in src.errors[0]

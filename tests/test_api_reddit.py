"""The Reddit source against a loopback server replaying Reddit's Listing shapes."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.reddit_api import RedditApiSource
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
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("REDDIT_CLIENT_SECRET", raising=False)
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


T0 = 1714554000


def link(n: int, comments: int = 0) -> dict[str, Any]:
    """A ``t3`` thing as listings return it."""
    return {
        "kind": "t3",
        "data": {
            "id": f"1c{n:04d}",
            "name": f"t3_1c{n:04d}",
            "subreddit": "acme",
            "title": f"Acme broke again {n}",
            "selftext": "Anyone else?",
            "author": f"redditor{n}",
            "created_utc": float(T0 + n * 60),
            "score": 5,
            "num_comments": comments,
            "permalink": f"/r/acme/comments/1c{n:04d}/acme_broke/",
            "url": f"https://www.reddit.com/r/acme/comments/1c{n:04d}/acme_broke/",
        },
    }


def listing(*things: dict[str, Any], after: str | None = None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": after, "before": None, "children": list(things)}}


def comment(n: int, parent: str, link_id: str) -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": f"k{n:05d}",
            "name": f"t1_k{n:05d}",
            "author": "AcmeSupport",
            "body": "Sorry! DM us please.",
            "created_utc": float(T0 + 3600),
            "parent_id": parent,
            "link_id": link_id,
            "score": 1,
            "replies": "",
        },
    }


def source(server: HTTPServer, **options: Any) -> RedditApiSource:
    base = server.url_for("/").rstrip("/")
    settings = {
        "base_url": base,
        "oauth_url": f"{base}/oauth",
        "token_url": f"{base}/api/v1/access_token",
        "limit": 2,
        **options,
    }
    return RedditApiSource(RedditApiSource.parse_options(settings, "t"), key="reddit")


NEW = "/r/acme/new.json"
Q = {"limit": "2", "raw_json": "1"}


def test_new_listing_pages_resumes_and_stops_at_the_last_run(
    httpserver: HTTPServer, store: Store, _no_waiting: list[float]
) -> None:
    httpserver.expect_ordered_request(NEW, query_string=Q).respond_with_json(
        listing(link(4), link(3), after="t3_1c0003")
    )
    httpserver.expect_oneshot_request(
        NEW, query_string={**Q, "after": "t3_1c0003"}
    ).respond_with_data("", status=429, headers={"Retry-After": "2"})
    httpserver.expect_request(NEW, query_string={**Q, "after": "t3_1c0003"}).respond_with_json(
        listing(link(2), link(1), after=None)
    )
    first = run_source(store, source(httpserver, subreddits=["r/acme"]), kind="ingest")
    assert (first.read, first.stored) == (4, 4)
    assert _no_waiting == [2.0]
    assert store.get_cursor("reddit") == {"streams": {"r:acme": {"since": float(T0 + 240)}}}
    httpserver.clear()
    httpserver.expect_ordered_request(NEW, query_string=Q).respond_with_json(
        listing(link(6), link(5), after="t3_1c0005")
    )
    httpserver.expect_ordered_request(
        NEW, query_string={**Q, "after": "t3_1c0005"}
    ).respond_with_json(listing(link(4), link(3), after="t3_1c0003"))
    second = run_source(store, source(httpserver, subreddits=["acme"]), kind="ingest")
    httpserver.check_assertions()  # it stopped at the page holding the last run's newest
    assert (second.stored, second.duplicates) == (2, 2)


def test_search_with_comment_trees_through_oauth(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "app-id-123")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "app-secret-456")
    basic = base64.b64encode(b"app-id-123:app-secret-456").decode()
    httpserver.expect_request(
        "/api/v1/access_token",
        method="POST",
        headers={"Authorization": f"Basic {basic}"},
        data="grant_type=client_credentials",
    ).respond_with_json({"access_token": "tok-abcdef123456", "token_type": "bearer"})
    bearer = {"Authorization": "Bearer tok-abcdef123456"}
    post = link(1, comments=1)
    httpserver.expect_request(
        "/oauth/r/acme+acmehelp/search",
        query_string={**Q, "q": "outage", "sort": "new", "type": "link", "restrict_sr": "1"},
        headers=bearer,
    ).respond_with_json(listing(post))
    httpserver.expect_request("/oauth/comments/1c0001", headers=bearer).respond_with_json(
        [listing(post), listing(comment(1, "t3_1c0001", "t3_1c0001"))]
    )
    src = source(
        httpserver, searches=["outage"], search_subreddits=["acme", "acmehelp"], comments=True
    )
    summary = run_source(store, src, kind="ingest")
    assert src.errors == []
    assert (summary.stored, summary.duplicates) == (2, 1)
    row = (
        store.engine.connect()
        .exec_driver_sql(
            "SELECT reply_to_id, conversation_id FROM posts WHERE author = 'AcmeSupport'"
        )
        .one()
    )
    assert tuple(row) == ("1c0001", "1c0001")


def test_refused_oauth_app_names_the_variables(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDDIT_CLIENT_ID", "app-id-123")
    assert re.search(
        "REDDIT_CLIENT_SECRET", credential_error(store, source(httpserver, subreddits=["acme"]))
    )
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "wrong-secret-999")
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        {"message": "Unauthorized", "error": 401}, status=401
    )
    caught = credential_error(store, source(httpserver, subreddits=["acme"]))
    assert "REDDIT_CLIENT_ID" in caught and "wrong-secret-999" not in caught


def test_not_a_listing_is_an_error_and_a_bad_thing_a_reject(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = link(2)
    bad["data"]["created_utc"] = "yesterday"
    httpserver.expect_request(NEW, query_string=Q).respond_with_json(listing(link(1), bad))
    httpserver.expect_request("/r/other/new.json").respond_with_json({"error": 404})
    src = source(httpserver, subreddits=["acme", "other"])
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 1 and "Listing" in src.errors[0]


def more(parent: str, *ids: str) -> dict[str, Any]:
    """A "more" stub: comments Reddit left out of the tree, to fetch by id."""
    return {
        "kind": "more",
        "data": {"count": len(ids), "name": f"t1_{ids[0]}", "id": ids[0], "parent_id": parent,
                 "depth": 1, "children": list(ids)},
    }  # fmt: skip


def test_more_stubs_are_fetched_with_morechildren_deeper_ones_too(
    httpserver: HTTPServer, store: Store
) -> None:
    post = link(1, comments=5)
    top = comment(1, "t3_1c0001", "t3_1c0001")
    top["data"]["replies"] = listing(more("t1_k00001", "k00002", "k00003"))
    httpserver.expect_request(NEW, query_string=Q).respond_with_json(listing(post))
    httpserver.expect_request("/comments/1c0001.json").respond_with_json(
        [listing(post), listing(top, more("t3_1c0001", "k00004"))]
    )
    calls: list[str] = []

    def morechildren(request: Any) -> Any:
        from werkzeug import Response

        children = request.args["children"]
        calls.append(children)
        assert request.args["link_id"] == "t3_1c0001"
        assert request.args["api_type"] == "json"
        if children == "k00005":  # the server fails this one: a reject, the rest goes on
            return Response("oops", status=404)
        things = [comment(int(n[1:]), "t1_k00001", "t3_1c0001") for n in children.split(",")]
        if "k00002" in children:
            things.append(more("t1_k00002", "k00005"))  # deeper: fetched next
        return Response(json.dumps({"json": {"errors": [], "data": {"things": things}}}),
                        content_type="application/json")  # fmt: skip

    httpserver.expect_request("/api/morechildren.json").respond_with_handler(morechildren)
    src = source(httpserver, subreddits=["acme"], comments=True)
    summary = run_source(store, src, kind="ingest")
    # the two stubs' ids in one call, then the deeper stub its answer held
    assert calls == ["k00002,k00003,k00004", "k00005"]
    external = {
        row[0] for row in store.engine.connect().exec_driver_sql("SELECT external_id FROM posts")
    }
    assert external == {"1c0001", "k00001", "k00002", "k00003", "k00004"}
    assert summary.rejected == 1
    [reject] = store.rejects()
    assert "morechildren" in reject["position"] and "404" in reject["reason"]

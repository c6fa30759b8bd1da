"""The Bluesky API source against a loopback XRPC server: login, search, feeds, threads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.bluesky_api import BlueskyApiSource
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
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    monkeypatch.delenv("BLUESKY_APP_PASSWORD", raising=False)


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


ANA = "did:plc:ana000000000000000000000"
SKY = "did:plc:skyjet0000000000000000000"


def view(n: int, did: str = ANA, handle: str = "ana.bsky.social", **record: Any) -> dict[str, Any]:
    """An ``app.bsky.feed.defs#postView``."""
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3k{n:011d}",
        "cid": f"bafyrei{n:020d}",
        "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0].title()},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": f"skyjet lost my bag {n}",
            "createdAt": f"2024-05-01T09:{n:02d}:00.000Z",
            "langs": ["en"],
            **record,
        },
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 1,
        "indexedAt": f"2024-05-01T09:{n:02d}:01.000Z",
    }


def source(server: HTTPServer, **options: Any) -> BlueskyApiSource:
    base = server.url_for("/").rstrip("/")
    settings = {"service": base, "appview": base, "limit": 2, **options}
    return BlueskyApiSource(BlueskyApiSource.parse_options(settings, "t"), key="sky")


SEARCH = "/xrpc/app.bsky.feed.searchPosts"


def test_login_search_pages_and_a_second_run_since_the_newest(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUESKY_HANDLE", "listener.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")

    def login() -> None:
        httpserver.expect_ordered_request(
            "/xrpc/com.atproto.server.createSession", method="POST"
        ).respond_with_json(
            {"accessJwt": "jwt-access-0123456789", "refreshJwt": "jwt-refresh-987654"}
        )

    login()
    auth = {"Authorization": "Bearer jwt-access-0123456789"}
    base = {"q": "skyjet", "sort": "latest", "limit": "2"}
    httpserver.expect_ordered_request(SEARCH, query_string=base, headers=auth).respond_with_json(
        {"posts": [view(4), view(3)], "cursor": "2"}
    )
    httpserver.expect_ordered_request(
        SEARCH, query_string={**base, "cursor": "2"}, headers=auth
    ).respond_with_json({"posts": [view(2)]})
    summary = run_source(store, source(httpserver, searches=["skyjet"]), kind="ingest")
    assert (summary.read, summary.stored) == (3, 3)
    newest = view(4)["indexedAt"]
    assert store.get_cursor("sky") == {"streams": {"search:skyjet": {"since": newest}}}
    login()
    httpserver.expect_ordered_request(
        SEARCH, query_string={**base, "since": newest}, headers=auth
    ).respond_with_json({"posts": [view(5), view(4)], "cursor": "x"})
    again = run_source(store, source(httpserver, searches=["skyjet"]), kind="ingest")
    httpserver.check_assertions()
    login = httpserver.log[0][0]
    assert login.get_json() == {
        "identifier": "listener.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert (again.stored, again.duplicates) == (1, 1)  # stopped at the known post


def test_author_feed_with_replies_and_a_thread_without_login(
    httpserver: HTTPServer, store: Store
) -> None:
    question = view(1)
    answer = view(
        2,
        did=SKY,
        handle="skyjet.bsky.social",
        reply={
            "root": {"uri": question["uri"], "cid": question["cid"]},
            "parent": {"uri": question["uri"], "cid": question["cid"]},
        },
    )
    httpserver.expect_request(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        query_string={"actor": "skyjet.bsky.social", "filter": "posts_with_replies", "limit": "2"},
    ).respond_with_json(
        {"feed": [{"post": answer, "reply": {"root": question, "parent": question}}]}
    )
    httpserver.expect_request(
        "/xrpc/app.bsky.feed.getPostThread", query_string={"uri": question["uri"]}
    ).respond_with_json(
        {
            "thread": {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": question,
                "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": answer}],
            }
        }
    )
    src = source(httpserver, authors=["@skyjet.bsky.social"], threads=[question["uri"]])
    summary = run_source(store, src, kind="ingest")
    assert src.errors == []
    assert summary.stored == 2
    row = (
        store.engine.connect()
        .exec_driver_sql(
            "SELECT author, reply_to_id, conversation_id FROM posts WHERE author LIKE 'skyjet%'"
        )
        .one()
    )
    assert tuple(row) == ("skyjet.bsky.social", question["uri"], question["uri"])


def test_wrong_app_password_names_the_variables(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUESKY_HANDLE", "listener.bsky.social")
    assert re.search(
        "BLUESKY_APP_PASSWORD", credential_error(store, source(httpserver, searches=["x"]))
    )
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wrong-pass-1234")
    httpserver.expect_request("/xrpc/com.atproto.server.createSession").respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        status=401,
    )
    caught = credential_error(store, source(httpserver, searches=["x"]))
    text = caught
    assert "BLUESKY_HANDLE" in text and "BLUESKY_APP_PASSWORD" in text
    assert "wrong-pass-1234" not in text


def test_malformed_response_is_an_error_and_bad_posts_rejects(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = view(2)
    del bad["author"]
    httpserver.expect_request(
        SEARCH, query_string={"q": "a", "sort": "latest", "limit": "2"}
    ).respond_with_json({"posts": [view(1), bad]})
    httpserver.expect_request(
        SEARCH, query_string={"q": "b", "sort": "latest", "limit": "2"}
    ).respond_with_json({"error": "InternalServerError"})
    src = source(httpserver, searches=["a", "b"])
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 1 and "posts list" in src.errors[0]

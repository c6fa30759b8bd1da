"""The Mastodon API source against a loopback server replaying Mastodon's shapes."""

from __future__ import annotations

from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.mastodon_api import MastodonApiSource
from hubbub.store import Store
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    sleeps: list[float] = []
    monkeypatch.setattr(
        ApiSource, "client_defaults", {"sleep": sleeps.append, "random": lambda: 0.0}
    )
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


ACCOUNT_IDS = {"alice": "1", "AcmeHelp": "2", "carol": "3"}


def status(
    n: int, acct: str = "alice", reply_to: int | None = None, **extra: Any
) -> dict[str, Any]:
    """A Mastodon Status entity as ``/api/v1/timelines/tag`` returns it."""
    value = {
        "id": str(110000000000000000 + n),
        "created_at": f"2024-05-01T09:{n % 60:02d}:00.000Z",
        "in_reply_to_id": str(110000000000000000 + reply_to) if reply_to else None,
        "in_reply_to_account_id": "3" if reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://mastodon.example/users/{acct}/statuses/{n}",
        "url": f"https://mastodon.example/@{acct}/{n}",
        "replies_count": 0,
        "reblogs_count": 1,
        "favourites_count": 2,
        "content": f'<p>post {n} about <a href="https://mastodon.example/tags/acme" '
        f'class="mention hashtag" rel="tag">#<span>acme</span></a></p>',
        "reblog": None,
        "account": {
            "id": ACCOUNT_IDS[acct],
            "username": acct,
            "acct": acct,
            "display_name": acct.title(),
            "followers_count": 10,
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "acme", "url": "https://mastodon.example/tags/acme"}],
        "emojis": [],
    }
    value.update(extra)
    return value


def source(server: HTTPServer, **options: Any) -> MastodonApiSource:
    settings = {"instance": server.url_for("/").rstrip("/"), "limit": 2, **options}
    return MastodonApiSource(MastodonApiSource.parse_options(settings, "test"), key="masto")


def link(server: HTTPServer, path: str, max_id: str, min_id: str) -> dict[str, str]:
    base = server.url_for(path)
    return {"Link": f'<{base}?max_id={max_id}>; rel="next", <{base}?min_id={min_id}>; rel="prev"'}


TAG = "/api/v1/timelines/tag/acme"


def ids(store: Store) -> list[str]:
    rows = store.engine.connect().exec_driver_sql("SELECT external_id FROM posts").fetchall()
    return sorted(str(row[0])[-2:] for row in rows)


def test_hashtag_walks_back_then_forward_and_a_second_run_gets_only_new(
    httpserver: HTTPServer, store: Store
) -> None:
    s = {n: status(n) for n in range(1, 8)}
    page1, page2 = [s[4], s[3]], [s[2], s[1]]
    httpserver.expect_ordered_request(TAG, query_string={"limit": "2"}).respond_with_json(
        page1, headers=link(httpserver, TAG, s[3]["id"], s[4]["id"])
    )
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "max_id": s[3]["id"]}
    ).respond_with_json(page2, headers=link(httpserver, TAG, s[1]["id"], s[2]["id"]))
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "max_id": s[1]["id"]}
    ).respond_with_json([])
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "min_id": s[4]["id"]}
    ).respond_with_json([])
    first = run_source(store, source(httpserver, hashtags=["#acme"]), batch_size=3, kind="ingest")
    httpserver.check_assertions()
    assert (first.read, first.stored) == (4, 4)
    assert store.get_cursor("masto") == {"streams": {"tag:acme": {"min_id": s[4]["id"]}}}

    # new statuses arrive: the next run asks only for what follows the newest one
    httpserver.clear()
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "min_id": s[4]["id"]}
    ).respond_with_json([s[6], s[5]])
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "min_id": s[6]["id"]}
    ).respond_with_json([s[7]])
    second = run_source(store, source(httpserver, hashtags=["acme"]), kind="ingest")
    httpserver.check_assertions()
    assert (second.read, second.stored, second.duplicates) == (3, 3, 0)
    assert store.get_cursor("masto") == {"streams": {"tag:acme": {"min_id": s[7]["id"]}}}
    assert ids(store) == ["01", "02", "03", "04", "05", "06", "07"]


def test_interrupted_first_run_resumes_without_loss_or_duplicates(
    httpserver: HTTPServer, store: Store
) -> None:
    s = {n: status(n) for n in range(1, 5)}
    httpserver.expect_ordered_request(TAG, query_string={"limit": "2"}).respond_with_json(
        [s[4], s[3]], headers=link(httpserver, TAG, s[3]["id"], s[4]["id"])
    )
    httpserver.expect_request(
        TAG, query_string={"limit": "2", "max_id": s[3]["id"]}
    ).respond_with_data("unavailable", status=503)
    broken = source(httpserver, hashtags=["acme"], retries=1)
    summary = run_source(store, broken, kind="ingest")
    assert summary.stored == 2
    assert len(broken.errors) == 1 and "HTTP 503" in broken.errors[0]
    assert store.get_cursor("masto") == {
        "streams": {"tag:acme": {"newest": s[4]["id"], "max_id": s[3]["id"]}}
    }

    httpserver.clear()
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "max_id": s[3]["id"]}
    ).respond_with_json([s[2], s[1]])  # no Link header and a full page: ask once more
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "max_id": s[1]["id"]}
    ).respond_with_json([])
    httpserver.expect_ordered_request(
        TAG, query_string={"limit": "2", "min_id": s[4]["id"]}
    ).respond_with_json([])
    resumed = run_source(store, source(httpserver, hashtags=["acme"]), kind="ingest")
    httpserver.check_assertions()
    assert (resumed.read, resumed.stored, resumed.duplicates) == (2, 2, 0)
    assert ids(store) == ["01", "02", "03", "04"]


def test_account_statuses_include_replies_and_threads_bring_context(
    httpserver: HTTPServer, store: Store
) -> None:
    question = status(1, acct="carol", replies_count=1)
    carol = {"id": "3", "username": "carol", "acct": "carol", "url": "https://x.example/@carol"}
    answer = status(2, acct="AcmeHelp", reply_to=1, mentions=[carol])
    httpserver.expect_request(
        "/api/v1/accounts/lookup", query_string={"acct": "AcmeHelp"}
    ).respond_with_json({"id": "2", "acct": "AcmeHelp"})
    httpserver.expect_request(
        "/api/v1/accounts/2/statuses", query_string={"limit": "2", "exclude_replies": "false"}
    ).respond_with_json([answer])
    httpserver.expect_request(
        "/api/v1/accounts/2/statuses",
        query_string={"limit": "2", "exclude_replies": "false", "min_id": answer["id"]},
    ).respond_with_json([])
    httpserver.expect_request(f"/api/v1/statuses/{answer['id']}/context").respond_with_json(
        {"ancestors": [question], "descendants": []}
    )
    summary = run_source(
        store, source(httpserver, accounts=["@AcmeHelp"], threads=True), kind="ingest"
    )
    assert (summary.stored, summary.rejected) == (2, 0)
    rows = store.engine.connect().exec_driver_sql(
        "SELECT author, reply_to_id, reply_to_author, conversation_id FROM posts ORDER BY external_id"
    )
    assert [tuple(row) for row in rows] == [
        ("carol", None, None, question["id"]),
        # the reply's thread root is not in its own response: no conversation id is guessed
        ("AcmeHelp", question["id"], "carol", None),
    ]


def test_search_a_bad_status_is_a_reject_and_malformed_json_an_error(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = status(2)
    del bad["account"]
    httpserver.expect_request(
        "/api/v2/search",
        query_string={"q": "acme", "type": "statuses", "resolve": "false", "limit": "2"},
    ).respond_with_json({"accounts": [], "statuses": [status(1), bad], "hashtags": []})
    httpserver.expect_request(
        "/api/v2/search",
        query_string={
            "q": "acme",
            "type": "statuses",
            "resolve": "false",
            "limit": "2",
            "min_id": bad["id"],
        },
    ).respond_with_json({"accounts": [], "statuses": [], "hashtags": []})
    httpserver.expect_request(
        "/api/v2/search",
        query_string={
            "q": "acme",
            "type": "statuses",
            "resolve": "false",
            "limit": "2",
            "max_id": status(1)["id"],
        },
    ).respond_with_json({"accounts": [], "statuses": [], "hashtags": []})
    httpserver.expect_request(TAG).respond_with_data("<html>oops", content_type="text/html")
    src = source(httpserver, hashtags=["acme"], searches=["acme"])
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 1 and "malformed JSON" in src.errors[0]
    (reject,) = store.rejects(source="masto")
    assert reject["position"].startswith("GET /api/v2/search status 2")


def test_401_ends_the_source_naming_the_token_variable(
    httpserver: HTTPServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASTODON_TOKEN", "wrong-token-abcdef")
    httpserver.expect_request(
        TAG, headers={"Authorization": "Bearer wrong-token-abcdef"}
    ).respond_with_data('{"error":"The access token is invalid"}', status=401)
    caught = credential_error(store, source(httpserver, hashtags=["acme", "other"]))
    assert "MASTODON_TOKEN" in caught
    assert "wrong-token-abcdef" not in caught
    assert len(httpserver.log) == 1  # the other hashtag was not tried


def test_429_then_success(httpserver: HTTPServer, store: Store, _no_waiting: list[float]) -> None:
    httpserver.expect_oneshot_request(TAG).respond_with_data(
        "", status=429, headers={"X-RateLimit-Reset": "2000-01-01T00:00:00Z", "Retry-After": "3"}
    )
    httpserver.expect_request(TAG, query_string={"limit": "2"}).respond_with_json([status(1)])
    httpserver.expect_request(TAG).respond_with_json([])
    summary = run_source(store, source(httpserver, hashtags=["acme"]), kind="ingest")
    assert summary.stored == 1
    assert _no_waiting == [3.0]


def test_ctrl_c_mid_page_commits_only_whole_pages_cursor_and_resumes(
    httpserver: HTTPServer, store: Store
) -> None:
    s = {n: status(n) for n in range(1, 7)}
    for n in (6, 4, 2):  # three pages back in time, each with a Link to the next
        httpserver.expect_request(
            TAG, query_string={"limit": "2", **({"max_id": s[n + 1]["id"]} if n < 6 else {})}
        ).respond_with_json(
            [s[n], s[n - 1]], headers=link(httpserver, TAG, s[n - 1]["id"], s[n]["id"])
        )
    httpserver.expect_request(
        TAG, query_string={"limit": "2", "max_id": s[1]["id"]}
    ).respond_with_json([])
    httpserver.expect_request(
        TAG, query_string={"limit": "2", "min_id": s[6]["id"]}
    ).respond_with_json([])

    class Interrupted(MastodonApiSource):
        def read(self, cursor):
            for count, item in enumerate(super().read(cursor), 1):
                if count == 4:
                    raise KeyboardInterrupt
                yield item

    interrupted = Interrupted(source(httpserver, hashtags=["acme"]).options, key="masto")
    with pytest.raises(KeyboardInterrupt):
        run_source(store, interrupted, batch_size=3, kind="ingest")
    # statuses 6, 5, 4 were committed; the cursor is that of page 1 (4 is on page 2)
    assert ids(store) == ["04", "05", "06"]
    assert store.get_cursor("masto") == {
        "streams": {"tag:acme": {"newest": s[6]["id"], "max_id": s[5]["id"]}}
    }
    resumed = run_source(store, source(httpserver, hashtags=["acme"]), kind="ingest")
    assert (resumed.read, resumed.stored, resumed.duplicates) == (4, 3, 1)
    assert ids(store) == ["01", "02", "03", "04", "05", "06"]
    assert store.get_cursor("masto") == {"streams": {"tag:acme": {"min_id": s[6]["id"]}}}

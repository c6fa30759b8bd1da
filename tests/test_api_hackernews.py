"""The Hacker News Algolia source against a loopback server replaying Algolia's shapes."""

from __future__ import annotations

from typing import Any

import pytest
from hubbub.api_source import ApiSource
from hubbub.ingest import run_source
from hubbub.plugins.hackernews_api import HackerNewsApiSource
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


T0 = 1714554000


def hit(n: int) -> dict[str, Any]:
    """A comment hit as ``/api/v1/search_by_date`` returns it."""
    return {
        "_tags": ["comment", f"author_user{n}", "story_100"],
        "author": f"user{n}",
        "comment_text": f"<p>Acme&#x27;s API is down again ({n})</p>",
        "created_at": "2024-05-01T09:00:00Z",
        "created_at_i": T0 + n,
        "objectID": str(1000 + n),
        "parent_id": 100,
        "story_id": 100,
        "story_title": "Acme outage",
        "updated_at": "2024-05-01T09:00:00Z",
    }


def response(hits: list[dict[str, Any]], page: int, pages: int) -> dict[str, Any]:
    return {
        "hits": hits,
        "hitsPerPage": 2,
        "nbHits": 4,
        "nbPages": pages,
        "page": page,
        "query": "acme",
        "processingTimeMS": 1,
    }


def query(page: int, since: int = 0, until: int | None = None) -> dict[str, str]:
    filters = f"created_at_i>{since}" + (f",created_at_i<={until}" if until else "")
    return {
        "query": "acme",
        "tags": "(story,comment)",
        "numericFilters": filters,
        "hitsPerPage": "2",
        "page": str(page),
    }


def source(server: HTTPServer, **options: Any) -> HackerNewsApiSource:
    settings = {
        "base_url": server.url_for("/api/v1"),
        "queries": ["acme"],
        "hits_per_page": 2,
        **options,
    }
    return HackerNewsApiSource(HackerNewsApiSource.parse_options(settings, "t"), key="hn")


def test_pages_resume_after_a_fault_and_a_second_run_asks_only_for_newer(
    httpserver: HTTPServer, store: Store, _no_waiting: list[float]
) -> None:
    path = "/api/v1/search_by_date"
    httpserver.expect_ordered_request(path, query_string=query(0)).respond_with_json(
        response([hit(4), hit(3)], 0, 2)
    )
    httpserver.expect_request(path, query_string=query(1, until=T0 + 4)).respond_with_data(
        "bad gateway", status=502
    )
    broken = source(httpserver, retries=2)
    assert run_source(store, broken, kind="ingest").stored == 2
    assert "HTTP 502" in broken.errors[0] and len(_no_waiting) == 2
    httpserver.clear()
    httpserver.expect_ordered_request(path, query_string=query(1, until=T0 + 4)).respond_with_json(
        response([hit(2), hit(1)], 1, 2)
    )
    resumed = run_source(store, source(httpserver), kind="ingest")
    assert (resumed.read, resumed.stored) == (2, 2)
    assert store.get_cursor("hn") == {"streams": {"acme": {"since": T0 + 4}}}
    httpserver.expect_ordered_request(path, query_string=query(0, since=T0 + 4)).respond_with_json(
        response([hit(5)], 0, 1)
    )
    newer = run_source(store, source(httpserver), kind="ingest")
    httpserver.check_assertions()
    assert (newer.read, newer.stored, newer.duplicates) == (1, 1, 0)
    row = (
        store.engine.connect()
        .exec_driver_sql(
            "SELECT author, text, reply_to_id, conversation_id FROM posts WHERE external_id = '1005'"
        )
        .one()
    )
    assert tuple(row) == ("user5", "Acme's API is down again (5)", "100", "100")


def test_a_bad_hit_is_a_reject_and_a_wrong_shape_an_error(
    httpserver: HTTPServer, store: Store
) -> None:
    bad = hit(2)
    bad["created_at"] = "not a date"
    del bad["created_at_i"]
    httpserver.expect_request("/api/v1/search_by_date", query_string=query(0)).respond_with_json(
        response([hit(1), bad], 0, 1)
    )
    src = source(httpserver, queries=["acme", "other"])
    httpserver.expect_request("/api/v1/search_by_date").respond_with_json({"message": "oops"})
    summary = run_source(store, src, kind="ingest")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert len(src.errors) == 1 and "hits list" in src.errors[0]

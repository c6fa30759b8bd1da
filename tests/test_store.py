"""The store: no duplicates, exact ids, Unicode kept, full-text search, WAL, one transaction per batch."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hubbub import Post, Reject
from hubbub.export import iter_native
from hubbub.ingest import run_source
from hubbub.plugins.native import JsonlSource
from hubbub.store import Store, posts_table

#: every test that builds a project runs on SQLite and on PostgreSQL (tests/conftest.py)
pytestmark = pytest.mark.backends

UNICODE_TEXTS = {
    "arabic": "مرحبا بالعالم، الطائرة تأخرت ساعتين ‏@SkyJet",
    "emoji": "lost my bag again 😡👩‍👩‍👧‍👦 🇳🇱 #baggage",
    "combining": "cafe\u0301 na\u0308ive Z\u0335\u0321a\u0338lgo",
    "cjk": "行李丢了，客服没有回复。荷物が届かない 수하물",
    "mixed": "RTL \u202eevil\u202c and zero\u200bwidth, tab\tand newline\nsecond line",
}


def import_file(store: Store, path: Path, *, key: str | None = None, **options: Any) -> Any:
    """Run the native JSONL source over ``path`` into ``store``."""
    source = JsonlSource(JsonlSource.Options(path=str(path), **options), key=key or f"file:{path}")
    return run_source(store, source)


def sample_post(external_id: str, platform: str = "twitter", text: str = "hello") -> Post:
    """A minimal post."""
    return Post(
        platform=platform,
        external_id=external_id,
        author="alice",
        text=text,
        created_at=datetime(2024, 5, 1, 12),
    )


def test_reimporting_the_same_file_never_duplicates(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(30)])
    first = import_file(project.store, path)
    assert (first.read, first.stored, first.duplicates) == (30, 30, 0)
    # another key: no cursor, so every line is read again and skipped as known
    second = import_file(project.store, path, key="file:copy")
    assert (second.read, second.stored, second.duplicates) == (30, 0, 30)
    assert project.store.count_posts() == 30


def test_same_external_id_on_another_platform_is_another_post(project: Any) -> None:
    store = project.store
    stored = store.write_batch(
        [sample_post("1", "twitter"), sample_post("1", "mastodon"), sample_post("1", "twitter")],
        [],
        source="test",
    )
    assert stored == 2
    assert store.write_batch([sample_post("1", "mastodon")], [], source="test") == 0
    with store.engine.connect() as conn:
        pairs = conn.execute(sa.select(posts_table.c.platform, posts_table.c.external_id)).all()
    assert sorted(pairs) == [("mastodon", "1"), ("twitter", "1")]


def test_the_unique_constraint_holds_outside_hubbub(project: Any) -> None:
    store = project.store
    store.write_batch([sample_post("9")], [], source="test")
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            sa.insert(posts_table).values(
                platform="twitter",
                external_id="9",
                author="x",
                text="x",
                created_at=datetime(2024, 5, 1),
            )
        )


def test_big_ids_survive_exactly(project: Any, tmp_path: Path, jsonl: Any) -> None:
    path = jsonl(
        tmp_path / "ids.jsonl",
        [
            b'{"id": "18446744073709551615", "text": "max u64 as a string", "author": "a",'
            b' "created_at": "2024-05-01T12:00:00Z"}',
            b'{"id": 1630000000000000001, "text": "above 2**53 as a JSON int", "author": "b",'
            b' "created_at": "2024-05-01T12:00:00Z", "reply_to_id": 1630000000000000003}',
            b'{"id": 18446744073709551615, "platform": "other", "text": "max u64 as an int",'
            b' "author": "c", "created_at": "2024-05-01T12:00:00Z"}',
        ],
    )
    summary = import_file(project.store, path)
    assert (summary.stored, summary.rejected) == (3, 0)
    exported = list(iter_native(project.store))
    assert [record["id"] for record in exported] == [
        "18446744073709551615",
        "1630000000000000001",
        "18446744073709551615",
    ]
    assert exported[1]["reply_to_id"] == "1630000000000000003"
    if project.store.dialect == "sqlite":
        with sqlite3.connect(project.directory / "hubbub.db") as conn:
            types = {row[0] for row in conn.execute("SELECT typeof(external_id) FROM posts")}
        assert types == {"text"}


def test_an_id_beyond_64_bits_as_a_json_number_is_rejected_not_rounded(
    project: Any, tmp_path: Path, jsonl: Any
) -> None:
    path = jsonl(
        tmp_path / "huge.jsonl",
        [
            b'{"id": 18446744073709551616, "text": "t", "author": "a",'
            b' "created_at": "2024-05-01T12:00:00Z"}'
        ],
    )
    summary = import_file(project.store, path)
    assert (summary.stored, summary.rejected) == (0, 1)
    (reject,) = project.store.rejects()
    assert "is a float: its exact value is lost" in reject["reason"]


def test_unicode_round_trips_through_import_and_export(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    records = [
        record(n, text=text, author_name=f"{name} نور 🌙", author=f"u_{name}")
        for n, (name, text) in enumerate(UNICODE_TEXTS.items())
    ]
    path = jsonl(tmp_path / "unicode.jsonl", records)
    assert import_file(project.store, path).stored == len(records)
    exported = list(iter_native(project.store))
    assert exported == records
    with project.store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT text FROM posts ORDER BY id")).scalars().all()
    assert stored == list(UNICODE_TEXTS.values())


def test_full_text_index_finds_imported_text(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    texts = [
        "Lost bag at Schiphol again",
        "the crew was lovely",
        "Still no news about my LOST luggage",
        UNICODE_TEXTS["arabic"],
        "Café au lait on board",
    ]
    path = jsonl(tmp_path / "fts.jsonl", [record(n, text=t) for n, t in enumerate(texts)])
    import_file(project.store, path)
    store = project.store
    assert store.full_text_count("lost") == 2
    assert store.full_text_count('"lost bag"') == 1
    assert store.full_text_count("lov*") == 1
    assert store.full_text_count("بالعالم") == 1
    assert store.full_text_count("cafe") == 1  # diacritics removed in the index
    assert store.full_text_count("nothing") == 0


def test_full_text_index_follows_updates_and_deletes(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "fts.jsonl", [record(1, text="old words"), record(2, text="kept")])
    import_file(project.store, path)
    store = project.store
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(posts_table).where(posts_table.c.text == "old words").values(text="new")
        )
    assert (store.full_text_count("old"), store.full_text_count("new")) == (0, 1)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(posts_table).where(posts_table.c.text == "new"))
    assert store.full_text_count("new") == 0
    assert store.full_text_count("kept") == 1
    if store.dialect == "postgresql":
        return
    # each post is indexed exactly once: FTS5's own check fails on doubled or stale entries
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)")


@pytest.mark.backends("sqlite")
def test_wal_mode_is_on(project: Any) -> None:
    project.store.write_batch([sample_post("1")], [], source="test")
    with project.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too
    with sqlite3.connect(project.directory / "hubbub.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_batch_is_one_transaction(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    store = project.store

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise sa.exc.OperationalError("UPSERT cursor", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "_save_cursor", fail)
    with pytest.raises(sa.exc.OperationalError):
        store.write_batch(
            [sample_post("1")], [Reject("line 2", "bad")], source="s", cursor={"offset": 10}
        )
    assert (store.count_posts(), store.count_rejects()) == (0, 0)
    assert store.get_cursor("s") is None


def test_cursor_and_rejects_are_saved_with_the_batch(project: Any) -> None:
    store = project.store
    stored = store.write_batch(
        [sample_post("1"), sample_post("2")],
        [Reject("line 3", "invalid JSON", "{oops"), Reject("line 4", "NUL", "a\x00b")],
        source="file:x",
        cursor={"offset": 120, "line": 4},
    )
    assert stored == 2
    assert store.get_cursor("file:x") == {"offset": 120, "line": 4}
    rejects = {row["position"]: row for row in store.rejects()}
    assert set(rejects) == {"line 3", "line 4"}
    assert rejects["line 3"]["record"] == "{oops"
    # PostgreSQL cannot store NUL in text: the record keeps a visible replacement
    assert rejects["line 4"]["record"] == "a\ufffdb"
    # the same reject again (a resumed run) is not stored twice
    store.write_batch([], [Reject("line 3", "invalid JSON", "{oops")], source="file:x")
    assert store.count_rejects() == 2


def test_runs_are_recorded_with_their_summary(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(1), b"broken"])
    import_file(project.store, path)
    with project.store.engine.connect() as conn:
        (run,) = conn.execute(sa.text("SELECT kind, target, status, summary FROM runs")).all()
    assert run.kind == "import"
    assert run.status == "done"
    assert '"stored":1' in run.summary
    assert '"rejected":1' in run.summary

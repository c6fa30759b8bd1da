"""Schema migrations: the newest revision is applied once, and it matches the models exactly."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import hubbub.migrations
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hubbub.errors import StoreError
from hubbub.models import SQLModel
from hubbub.store import SCHEMA_VERSION, Store
from migration_helpers import database_at, insert_old_post

MIGRATIONS = Path(hubbub.migrations.__file__).parent


def script_directory() -> ScriptDirectory:
    """hubbub's Alembic scripts (core/migrations/versions)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _unquote(default: str | None) -> str | None:
    """``('')``, ``''`` and the empty string are one default; so are ``'[]'`` and ``[]``."""
    if default is None:
        return None
    text = default.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return re.sub(r"^'(.*)'$", r"\1", text, flags=re.S)


def compare_defaults(
    _context: Any,
    _inspected_column: Any,
    _metadata_column: Any,
    inspected_default: str | None,
    _metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool:
    """Whether server defaults differ (Alembic reads SQLite's ``DEFAULT ''`` back as ``('')``)."""
    return _unquote(inspected_default) != _unquote(rendered_metadata_default)


def include_object(_object: Any, name: str | None, type_: str, *_args: Any) -> bool:
    """Leave out what no model describes: the FTS5 tables and Alembic's own table."""
    return not (
        type_ == "table" and name and (name.startswith("posts_fts") or name == "alembic_version")
    )


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A URL for a new SQLite database."""
    return f"sqlite:///{tmp_path / 'hubbub.db'}"


def test_schema_version_is_the_newest_migration(db_url: str) -> None:
    scripts = script_directory()
    heads = scripts.get_heads()
    assert heads == [SCHEMA_VERSION], "one head, and store.SCHEMA_VERSION names it"
    store = Store.open(db_url)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_an_empty_database_has_no_version(db_url: str) -> None:
    store = Store.open(db_url, migrate=False)
    assert store.schema_version() is None
    store.close()


def test_migrated_database_matches_the_models(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": compare_defaults,
                "include_object": include_object,
            },
        )
        differences = compare_metadata(context, SQLModel.metadata)
    store.close()
    assert differences == []


def test_fts_index_and_its_triggers_exist(db_url: str, tmp_path: Path) -> None:
    Store.open(db_url).close()
    with sqlite3.connect(tmp_path / "hubbub.db") as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    # new posts are indexed by the store itself; triggers follow deletes and edits
    assert {"posts_fts", "posts_fts_delete", "posts_fts_update"} <= names


def test_opening_a_migrated_database_does_not_migrate_again(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_url).close()
    calls: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda _config, revision: calls.append(revision))
    store = Store.open(db_url)
    assert calls == []
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    # the patch does record calls: a fresh database does go through it
    Store.open(f"{db_url}.new").close()
    assert calls == ["head"]


def test_reopening_keeps_the_data(db_url: str, record: Any, tmp_path: Path, jsonl: Any) -> None:
    from hubbub.ingest import run_source
    from hubbub.plugins.native import JsonlSource

    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(5)])
    store = Store.open(db_url)
    run_source(store, JsonlSource(JsonlSource.Options(path=str(path)), key="k"))
    store.close()
    store = Store.open(db_url)
    assert store.count_posts() == 5
    assert store.full_text_count("baggage") == 5
    store.close()


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    store = Store.open(db_url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with store.engine.connect() as conn:
        left = set(sa.inspect(conn).get_table_names())
    assert left <= {"alembic_version"}
    store.migrate()
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_a_missing_database_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        Store.open(f"sqlite:///{tmp_path / 'nowhere' / 'hubbub.db'}")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "hubbub.db"
    path.write_bytes(b"this is not an SQLite database, just text" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open(f"sqlite:///{path}")


def test_an_invalid_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open("nonsense://")


def test_a_database_from_an_unknown_schema_version_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    Store.open(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"schema version '9999'.*newer hubbub"):
        Store.open(url)


def test_0004_lists_the_analyzer_versions_already_stored(tmp_path: Path) -> None:
    def fill(conn: sa.Connection) -> None:
        insert_old_post(conn)
        for analyzer, key, version in [("sentiment", "label", "1"), ("sentiment", "x", "0"),
                                       ("language", "lang", "1")]:  # fmt: skip
            conn.execute(
                sa.text("INSERT INTO annotations VALUES (1, :a, :k, :v, '\"x\"')"),
                {"a": analyzer, "k": key, "v": version},
            )

    url = f"sqlite:///{tmp_path / 'old.db'}"
    database_at(url, "0003", fill)
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            listed = set(conn.execute(sa.text("SELECT analyzer, version FROM analyzer_versions")))
            indexes = {index["name"] for index in sa.inspect(conn).get_indexes("annotations")}
        assert listed == {("sentiment", "1"), ("sentiment", "0"), ("language", "1")}
        assert "ix_annotations_analyzer_version" not in indexes
    finally:
        store.close()


def test_0005_keeps_every_annotation_in_a_table_without_rowid(tmp_path: Path) -> None:
    def fill(conn: sa.Connection) -> None:
        insert_old_post(conn)
        conn.execute(  # indexed, as hubbub indexes what it stores
            sa.text(
                "INSERT INTO posts_fts (rowid, text, hashtags, mentions) VALUES (1, 'hi', '[]', '[]')"
            )
        )
        for key, value in [("label", '"positive"'), ("scores", '{"compound": 0.5}')]:
            conn.execute(
                sa.text("INSERT INTO annotations VALUES (1, 'sentiment', :k, '1', :v)"),
                {"k": key, "v": value},
            )

    url = f"sqlite:///{tmp_path / 'old.db'}"
    database_at(url, "0004", fill)
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            schema = conn.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE name = 'annotations'")
            ).scalar()
            rows = set(conn.execute(sa.text("SELECT * FROM annotations")))
        assert schema.rstrip().endswith("WITHOUT ROWID")
        assert rows == {
            (1, "sentiment", "label", "1", '"positive"'),
            (1, "sentiment", "scores", "1", '{"compound": 0.5}'),
        }
        assert store.annotations_for([1]) == {
            1: {"sentiment": {"label": "positive", "scores": {"compound": 0.5}}}
        }
        with store.engine.begin() as conn:  # the foreign key still cascades
            conn.execute(sa.text("DELETE FROM posts"))
            assert conn.execute(sa.text("SELECT count(*) FROM annotations")).scalar() == 0
    finally:
        store.close()

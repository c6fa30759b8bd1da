"""PostgreSQL: the same answers as SQLite, COPY ingest, the tsvector index, `hubbub db`.

A small demo world (planted answers) is imported and analysed on both backends through
the CLI, and every analysis prints the same JSON on both. The PostgreSQL server is the
throwaway cluster of ``tests/postgres_server.py`` (or ``HUBBUB_TEST_POSTGRES_URL``);
without one these tests skip, saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub import Post, Reject
from hubbub.fulltext import near_tsquery, search_vector, terms_tsquery, tokens
from hubbub.project import Project
from hubbub.search import search
from hubbub.store import SCHEMA_VERSION, Store, annotations_table, engine_url, posts_table
from typer.testing import Result

#: the analyses compared between the backends (each prints JSON)
ANALYSES = [
    ("trends", "--format", "json"),
    ("share-of-voice", "--format", "json"),
    ("share-of-voice", "--window", "day", "--format", "json"),
    ("influencers", "--topic", "baggage", "--format", "json"),
    ("influencers", "--topic", "delays", "--format", "json"),
    ("responsiveness", "--format", "json"),
    ("sentiment", "--by", "topic", "--format", "json"),
    ("search", '"lost bag" OR #baggage OR luggage', "--limit", "0", "--format", "json"),
    ("search", "refund* -@SkyJetHelp lang:en", "--limit", "0", "--format", "json"),
    ("search", '"delayed again"~3 OR is:quote', "--limit", "0", "--format", "json"),
]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, postgres_server: Any) -> Iterator[Any]:
    """The demo world (seed 7, 1,000 posts) as a records file, a config and its answers."""
    from hubbub.demo.world import generate

    generated = generate(seed=7, posts=1000)
    folder = tmp_path_factory.mktemp("world")
    data = folder / "posts.jsonl"
    data.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in generated.records))
    url = postgres_server.acquire()
    yield {
        "config": generated.config_toml,
        "data": data,
        "expected": generated.expected,
        "url": url,
    }
    postgres_server.release(url)


@pytest.fixture(scope="module")
def both(world: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The world imported and analysed in a SQLite project and a PostgreSQL one."""
    from hubbub.cli import get_app
    from hubbub.plugin_host import reset_host
    from typer.testing import CliRunner

    runner = CliRunner()
    folders = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBBUB_LOAD_PLUGINS", "")  # the bundled plugins only
        for backend in ("sqlite", "postgresql"):
            reset_host()
            folder = tmp_path_factory.mktemp(backend)
            config = world["config"]
            if backend == "postgresql":
                config = config.replace('"sqlite:///hubbub.db"', f'"{world["url"]}"')
            (folder / "hubbub.toml").write_text(config, encoding="utf-8")
            _ok(runner.invoke(get_app(), ["import", str(world["data"]), "-p", str(folder)]))
            _ok(runner.invoke(get_app(), ["analyze", "-p", str(folder)]))
            folders[backend] = folder
        reset_host()
    return folders


@pytest.mark.parametrize("args", ANALYSES, ids=lambda args: " ".join(args[:3]))
def test_every_analysis_gives_the_same_answer_on_both_backends(
    both: dict[str, Path], cli: Callable[..., Result], args: tuple[str, ...]
) -> None:
    sqlite = orjson.loads(_ok(cli(*args, "-p", both["sqlite"])))
    postgresql = orjson.loads(_ok(cli(*args, "-p", both["postgresql"])))
    assert sqlite, "an empty answer would prove nothing"
    assert postgresql == sqlite


def test_the_planted_answers_are_found_on_postgresql(
    both: dict[str, Path], world: dict[str, Any]
) -> None:
    from hubbub.demo.check import planted_vs_measured

    results = {}
    for backend, folder in both.items():
        project = Project.load(folder)
        try:
            results[backend] = [
                (check.analysis, check.subject, check.planted, check.measured, check.ok)
                for check in planted_vs_measured(project, world["expected"])
            ]
        finally:
            project.close()
    assert results["postgresql"] == results["sqlite"]
    assert any(ok for *_rest, ok in results["postgresql"])


def test_posts_and_annotations_are_the_same_rows(both: dict[str, Path]) -> None:
    rows = {}
    for backend, folder in both.items():
        project = Project.load(folder)
        try:
            with project.store.engine.connect() as conn:
                posts = conn.execute(sa.select(posts_table).order_by(posts_table.c.id)).all()
                notes = conn.execute(
                    sa.select(annotations_table).order_by(
                        annotations_table.c.post_id,
                        annotations_table.c.analyzer,
                        annotations_table.c.key,
                    )
                ).all()
        finally:
            project.close()
        rows[backend] = ([tuple(row) for row in posts], [tuple(row) for row in notes])
    assert len(rows["sqlite"][0]) == 1000
    assert rows["postgresql"] == rows["sqlite"]


# ---------------------------------------------------------------- the store on PostgreSQL


def _post(external_id: str, text: str = "hello", author: str = "alice", **fields: Any) -> Post:
    return Post(
        platform="twitter",
        external_id=external_id,
        author=author,
        text=text,
        created_at=datetime(2026, 3, 10, 8, 0),
        **fields,
    )


@pytest.mark.backends("postgresql")
def test_copy_ingest_skips_known_posts_even_within_one_batch(
    make_project: Callable[..., Project],
) -> None:
    store = make_project().store
    assert store.dialect == "postgresql"
    assert store.write_batch([_post("1"), _post("2"), _post("1", "again")], [], source="s") == 2
    assert store.write_batch([_post("2"), _post("3")], [], source="s") == 1
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(posts_table.c.external_id, posts_table.c.text).order_by(posts_table.c.id)
        ).all()
    # the first copy of a post wins, and ids follow the input order
    assert [tuple(row) for row in stored] == [("1", "hello"), ("2", "hello"), ("3", "hello")]


@pytest.mark.backends("postgresql")
def test_a_reject_seen_again_keeps_one_row_with_the_latest_reason(
    make_project: Callable[..., Project],
) -> None:
    store = make_project().store
    store.write_batch(
        [], [Reject("line 1", "old"), Reject("line 2", "b"), Reject("line 1", "new")], source="f"
    )
    store.write_batch([], [Reject("line 2", "newer", "rec")], source="f")
    rows = {row["position"]: (row["reason"], row["record"]) for row in store.rejects()}
    assert rows == {"line 1": ("new", ""), "line 2": ("newer", "rec")}


@pytest.mark.backends("postgresql")
def test_annotations_are_copied_and_replaced(make_project: Callable[..., Project]) -> None:
    store = make_project().store
    store.write_batch([_post("1")], [], source="s")
    row = {"post_id": 1, "analyzer": "sentiment", "key": "label", "version": "1"}
    store.write_annotations([{**row, "value": "neutral"}, {**row, "value": "negative"}])
    store.write_annotations([{**row, "version": "2", "value": {"x": [1, 2]}}])
    assert store.annotations_for([1]) == {1: {"sentiment": {"label": {"x": [1, 2]}}}}


@pytest.mark.backends("postgresql")
def test_the_search_vector_is_written_and_gin_indexed(make_project: Callable[..., Project]) -> None:
    store = make_project().store
    store.write_batch(
        [_post("1", "Café spam_bot e-mail", hashtags=["Lost_Bag"], mentions=["SkyJet"])],
        [],
        source="s",
    )
    with store.engine.connect() as conn:
        vector = conn.execute(sa.text("SELECT search_vector::text FROM posts")).scalar()
        indexes = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'posts'")
        ).scalars()
        assert any("gin (search_vector)" in index for index in indexes)
    assert vector == "'cafe':5 'e':7 'lost_bag':1A 'mail':8 'skyjet':3B 'spam_bot':6"


@pytest.mark.backends("postgresql")
def test_an_edit_outside_hubbub_empties_the_vector_until_it_is_computed_again(
    make_project: Callable[..., Project],
) -> None:
    store = make_project().store
    store.write_batch([_post("1", "call me at secret_handle"), _post("2", "kept")], [], source="s")
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(posts_table).where(posts_table.c.external_id == "1").values(text="gone")
        )
        # at once, before hubbub looks again: the old words are no longer in the index
        stale = conn.execute(sa.text("SELECT count(*) FROM posts WHERE search_vector IS NULL"))
        assert stale.scalar() == 1
    assert [hit.external_id for hit in search(store, "gone")] == ["1"]
    assert search(store, "secret_handle") == []
    assert store.refresh_search_vectors() == 0


@pytest.mark.backends
def test_a_forgotten_handle_is_no_longer_found_in_other_posts(
    make_project: Callable[..., Project], cli: Callable[..., Result]
) -> None:
    project = make_project()
    project.store.write_batch(
        [
            _post("1", "hi from kim_w", author="kim_w"),
            Post(
                platform="twitter",
                external_id="2",
                author="bob",
                text="@kim_w agreed",
                mentions=["kim_w"],
                created_at=datetime(2026, 3, 10, 9, 0),
            ),
        ],
        [],
        source="s",
    )
    assert len(search(project.store, "@kim_w OR kim_w")) == 2
    result = cli("forget", "--author", "kim_w", "--yes", "-p", project.directory)
    assert result.exit_code == 0, result.output
    assert search(project.store, "@kim_w OR kim_w") == []
    assert [hit.external_id for hit in search(project.store, "agreed")] == ["2"]


@pytest.mark.backends
def test_incremental_topic_tagging_counts_what_it_added(
    make_project: Callable[..., Project],
) -> None:
    from hubbub.topics import tag_topics

    store = make_project().store
    topics = {"bags": "bag OR #baggage"}
    store.write_batch([_post("1", "my bag"), _post("2", "no")], [], source="s")
    first = tag_topics(store, topics)["bags"]
    assert (first.added, first.posts, first.scanned) == (1, 1, 2)
    store.write_batch([_post("3", "bag again"), _post("4", "a bag")], [], source="s")
    later = tag_topics(store, topics)["bags"]
    assert (later.added, later.posts, later.scanned, later.retagged) == (2, 3, 2, False)


def test_tokens_follow_the_fts5_tokenizer() -> None:
    assert tokens("Café SPAM_bot e-mail, LIS. ١٢ naïve") == [
        "cafe", "spam_bot", "e", "mail", "lis", "١٢", "naive"
    ]  # fmt: skip
    # combining marks separate tokens (as in FTS5): the query is matched as written
    assert tokens("cafe\u0301") == ["cafe"]
    assert tokens("Ωμέγα") == ["ωμέγα"]  # accents are folded for Latin letters only


def test_tsquery_terms_carry_the_part_as_a_weight() -> None:
    assert terms_tsquery("text", "lost bag") == "('lost':D <-> 'bag':D)"
    assert terms_tsquery("hashtags", "Storm", prefix=True) == "'storm':*A"
    assert terms_tsquery("mentions", "alice.bsky.social") == (
        "('alice':B <-> 'bsky':B <-> 'social':B)"
    )
    assert search_vector("", "[]", "[]") == ""


def test_proximity_expands_to_every_order_and_spacing() -> None:
    assert near_tsquery("luggage lost", 1) == (
        "(('luggage':D <1> 'lost':D) | ('luggage':D <2> 'lost':D) | "
        "('lost':D <1> 'luggage':D) | ('lost':D <2> 'luggage':D))"
    )
    from hubbub.errors import HubbubError

    with pytest.raises(HubbubError, match="too many words"):
        near_tsquery("a b c d e f", 10)


@pytest.mark.backends
def test_proximity_with_three_words_matches_alike_on_both_backends(
    make_project: Callable[..., Project],
) -> None:
    store = make_project().store
    texts = ["a x b y c", "c b a", "a x x x b c", "a b", "b a x x c", "a c x b"]
    store.write_batch([_post(text, text) for text in texts], [], source="s")

    def found(query: str) -> list[str]:
        return sorted(hit.external_id for hit in search(store, query, limit=None))

    # FTS5's NEAR: at most N tokens between the first word and the last, in any order
    assert found('"a b c"~0') == []
    assert found('"a b c"~1') == ["c b a"]
    assert found('"a b c"~2') == ["a c x b", "c b a"]
    assert found('"a b c"~3') == ["a c x b", "a x b y c", "b a x x c", "c b a"]


# ---------------------------------------------------------------- migrations


def test_migrate_creates_the_schema_on_an_empty_postgresql_database(
    postgres_server: Any, cli: Callable[..., Result]
) -> None:
    url = postgres_server.create_database()
    try:
        result = cli("db", "migrate", "--database", url)
        assert result.exit_code == 0, result.output
        assert f"migrated from schema none (empty) to {SCHEMA_VERSION}" in result.stderr
        result = cli("db", "migrate", "--database", url)
        assert f"already at schema {SCHEMA_VERSION}" in result.stderr
        store = Store.open(url, migrate=False)
        assert store.schema_version() == SCHEMA_VERSION
        store.close()
    finally:
        postgres_server.drop_database(url)


def test_migrate_on_a_project_and_an_error_is_one_line(
    make_project: Callable[..., Project], cli: Callable[..., Result], error_line: Any
) -> None:
    project = make_project()
    project.store  # noqa: B018 - opening creates and migrates the database
    result = cli("db", "migrate", "-p", project.directory)
    assert result.exit_code == 0, result.output
    assert f"already at schema {SCHEMA_VERSION}" in result.stderr
    result = cli("db", "migrate", "--database", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert "cannot open the database" in error_line(result.stderr)


def test_the_postgresql_schema_matches_the_models_and_downgrades(postgres_server: Any) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config as AlembicConfig
    from alembic.migration import MigrationContext
    from hubbub.models import SQLModel

    url = postgres_server.create_database()
    try:
        store = Store.open(url)
        with store.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        # the search vector and its indexes are PostgreSQL's alone, outside the models
        extra = [
            diff
            for diff in differences
            if "search_vector" in str(diff) or "search_stale" in str(diff)
        ]
        assert extra
        assert [diff for diff in differences if diff not in extra] == []
        import hubbub.migrations

        config = AlembicConfig()
        config.set_main_option("script_location", str(Path(hubbub.migrations.__file__).parent))
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with store.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        store.migrate()
        assert store.schema_version() == SCHEMA_VERSION
        store.close()
    finally:
        postgres_server.drop_database(url)


# ---------------------------------------------------------------- hubbub db copy


def test_copy_moves_a_sqlite_project_to_postgresql_and_is_idempotent(
    both: dict[str, Path], postgres_server: Any, cli: Callable[..., Result]
) -> None:
    target = postgres_server.create_database()
    try:
        first = cli("db", "copy", "--to", target, "-p", both["sqlite"], "--format", "json")
        tables = {row["table"]: row for row in orjson.loads(_ok(first))}
        assert tables["posts"]["written"] == tables["posts"]["source_rows"] == 1000
        for row in tables.values():
            assert row["target_rows"] == row["source_rows"], row
        assert tables["annotations"]["target_rows"] > 1000
        assert tables["post_topics"]["target_rows"] > 0
        again = cli("db", "copy", "--to", target, "-p", both["sqlite"], "--format", "json")
        tables = {row["table"]: row for row in orjson.loads(_ok(again))}
        assert tables["posts"]["written"] == 0
        assert all(row["target_rows"] == row["source_rows"] for row in tables.values())

        copied = both["sqlite"].parent / "copied"
        copied.mkdir(exist_ok=True)
        config = (both["sqlite"] / "hubbub.toml").read_text(encoding="utf-8")
        (copied / "hubbub.toml").write_text(
            config.replace('"sqlite:///hubbub.db"', f'"{target}"'), encoding="utf-8"
        )
        for args in (ANALYSES[0], ANALYSES[3], ANALYSES[7], ANALYSES[8]):
            assert orjson.loads(_ok(cli(*args, "-p", copied))) == orjson.loads(
                _ok(cli(*args, "-p", both["sqlite"]))
            )
        # new posts get fresh ids after the copied ones (the sequence was moved on)
        project = Project.load(copied)
        try:
            assert project.store.write_batch([_post("new-after-copy")], [], source="s") == 1
            with project.store.engine.connect() as conn:
                newest = conn.execute(sa.select(sa.func.max(posts_table.c.id))).scalar()
            assert newest == 1001
        finally:
            project.close()
    finally:
        postgres_server.drop_database(target)


def test_copy_refuses_a_database_holding_other_posts(
    both: dict[str, Path], postgres_server: Any, cli: Callable[..., Result], error_line: Any
) -> None:
    target = postgres_server.acquire()
    store = Store.open(target)
    store.write_batch([_post("someone-else")], [], source="s")
    store.close()
    try:
        result = cli("db", "copy", "--to", target, "-p", both["sqlite"])
        assert result.exit_code == 1
        assert "already holds other posts" in error_line(result.stderr)
    finally:
        postgres_server.release(target)


def test_postgresql_urls_use_psycopg_3() -> None:
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("sqlite:///x.db") == "sqlite:///x.db"

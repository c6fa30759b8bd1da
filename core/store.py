"""The store: one database (SQLite by default) holding posts, annotations, findings,
cursors, rejects and runs.

Opening a store migrates it to the current schema with Alembic, so upgrading hubbub
never loses a database. Bulk writes go through SQLAlchemy Core in batches; each batch
(its posts, its rejects and the source's cursor) is one transaction, so a killed run
leaves the database consistent and a rerun resumes without loss or duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from hubbub.errors import StoreError
from hubbub.models import (
    AnalyzerVersion,
    Annotation,
    PostRecord,
    RejectRecord,
    Run,
    SourceCursor,
)
from hubbub.posts import POST_FIELDS, Post, Reject
from hubbub.timeutil import utcnow
from sqlalchemy.engine import Connection, Engine

#: the newest migration; a test checks it matches the migration scripts
SCHEMA_VERSION = "0005"
#: WAL pages between automatic checkpoints on SQLite (SQLite's default: 1000)
WAL_CHECKPOINT_PAGES = 8000
#: a rejected record's input is kept up to this many characters
REJECT_RECORD_CHARS = 10_000

posts_table: sa.Table = PostRecord.__table__  # type: ignore[assignment]
annotations_table: sa.Table = Annotation.__table__  # type: ignore[assignment]
analyzer_versions_table: sa.Table = AnalyzerVersion.__table__  # type: ignore[assignment]
runs_table: sa.Table = Run.__table__  # type: ignore[assignment]
cursors_table: sa.Table = SourceCursor.__table__  # type: ignore[assignment]
rejects_table: sa.Table = RejectRecord.__table__  # type: ignore[assignment]


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def post_row(post: Post) -> dict[str, Any]:
    """The row dict the posts table takes for ``post``."""
    row = {name: getattr(post, name) for name in POST_FIELDS}
    row["mentions"] = _dumps(post.mentions) if post.mentions else "[]"
    row["hashtags"] = _dumps(post.hashtags) if post.hashtags else "[]"
    return row


def _sqlite_datetime(moment: datetime) -> str:
    """``moment`` as SQLAlchemy's SQLite ``DateTime`` writes it (microseconds always shown).

    ``isoformat(" ")`` with a check is twice as fast as ``isoformat(timespec=...)``,
    whose keyword argument parsing costs more than the formatting.
    """
    text = moment.isoformat(" ")
    return text if moment.microsecond else text + ".000000"


def post_values(post: Post, created_at: Any) -> tuple[Any, ...]:
    """``post`` as positional values in :data:`~hubbub.posts.POST_FIELDS` order.

    ``created_at`` is given as the backend writes it (text on SQLite's fast path, the
    datetime on PostgreSQL); mentions and hashtags are JSON text.
    """
    return (
        post.platform,
        post.external_id,
        post.source,
        post.url,
        post.author,
        post.author_name,
        post.author_followers,
        post.text,
        post.lang,
        created_at,
        post.reply_to_id,
        post.reply_to_author,
        post.conversation_id,
        post.repost_of_id,
        post.repost_of_author,
        post.quote_of_id,
        post.quote_of_author,
        _dumps(post.mentions) if post.mentions else "[]",
        _dumps(post.hashtags) if post.hashtags else "[]",
        post.likes,
        post.reposts,
        post.replies,
        post.raw,
    )


def _sqlite_post_tuple(post: Post) -> tuple[Any, ...]:
    """``post`` as parameters for the SQLite fast path.

    The timestamp is written in the exact text form SQLAlchemy's SQLite ``DateTime``
    uses, so stored values compare correctly with bound query parameters.
    """
    return post_values(post, _sqlite_datetime(post.created_at))


_SQLITE_INSERT_POSTS = (
    f"INSERT INTO posts ({', '.join(POST_FIELDS)}) VALUES ({', '.join('?' for _ in POST_FIELDS)}) "
    "ON CONFLICT (platform, external_id) DO NOTHING"
)
_SQLITE_INDEX_NEW_POSTS = (
    "INSERT INTO posts_fts(rowid, text, hashtags, mentions) "
    "SELECT id, text, hashtags, mentions FROM posts WHERE id > ?"
)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    # checkpoint the WAL every ~32 MB rather than every 4 MB: each checkpoint syncs the
    # disk, and bulk imports rewrite the same index pages batch after batch
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()


def engine_url(url: str) -> str:
    """``url`` with its driver named: ``postgresql://…`` (and ``postgres://…``) use psycopg 3."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def safe_url(url: str) -> str:
    """``url`` with any password masked, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def create_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``postgresql://`` URLs use psycopg 3; a password is better left out of the URL
    (libpq reads ``PGPASSWORD`` and ``~/.pgpass``).
    """
    url = engine_url(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        directory = Path(url[len("sqlite:///") :]).parent
        if not directory.is_dir():
            raise StoreError(f"cannot create the database: folder {directory} does not exist")
    try:
        # connections move between threads (ingest writes in a background thread);
        # the pool still hands each connection to one thread at a time
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        extra: dict[str, Any] = {}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # one shared connection, or each thread would see its own empty database
            extra["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, connect_args=connect_args, **extra)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
        raise StoreError(f"invalid database URL {safe_url(url)!r}: {error}") from None
    except ImportError as error:
        raise StoreError(
            f"the database driver for {url.split(':', 1)[0]!r} is not installed ({error.name}); "
            "PostgreSQL needs `pip install 'psycopg[binary]'`"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


class Store:
    """Access to one hubbub database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            raise StoreError(f"unsupported database {self.dialect!r} (use SQLite or PostgreSQL)")
        self._insert = insert
        self._insert_posts = insert(posts_table).on_conflict_do_nothing(
            index_elements=["platform", "external_id"]
        )
        rejects_insert = insert(rejects_table)
        # a record rejected again keeps one row, with the latest reason and run
        self._insert_rejects = rejects_insert.on_conflict_do_update(
            index_elements=["source", "position"],
            set_={
                name: rejects_insert.excluded[name]
                for name in ("run_id", "reason", "record", "created_at")
            },
        )

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open (and create or migrate) the database at ``url``."""
        store = cls(create_engine(url))
        if migrate:
            store.migrate()
            store.refresh_search_vectors()
        return store

    def refresh_search_vectors(self) -> int:
        """On PostgreSQL, compute the search vectors of posts edited since (a trigger empties
        an edited post's vector) or stored outside hubbub; returns how many. SQLite's
        triggers keep its index right, so there it does nothing."""
        if self.dialect != "postgresql":
            return 0
        from hubbub.pg_store import refresh_search_vectors

        with self.engine.begin() as conn:
            return refresh_search_vectors(conn)

    def schema_version(self) -> str | None:
        """The Alembic revision the database is at, or ``None`` for an empty database."""
        try:
            with self.engine.connect() as conn:
                if not sa.inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.DatabaseError as error:  # also "file is not a database"
            reason = " ".join(str(error.orig).split())
            raise StoreError(f"cannot open the database: {reason}") from None

    def migrate(self) -> None:
        """Bring the schema to :data:`SCHEMA_VERSION` (does nothing when it is already there)."""
        current = self.schema_version()
        if current == SCHEMA_VERSION:
            return
        from alembic import command
        from alembic.config import Config as AlembicConfig
        from alembic.util import CommandError

        config = AlembicConfig()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(f"cannot migrate the database: {error}") from None
        except CommandError:
            raise StoreError(
                f"the database is at schema version {current!r}, which this hubbub "
                f"(schema {SCHEMA_VERSION}) does not know: was it made by a newer hubbub?"
            ) from None

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # ------------------------------------------------------------ writing

    def write_batch(
        self,
        posts: Sequence[Post],
        rejects: Sequence[Reject],
        *,
        source: str,
        cursor: dict[str, Any] | None = None,
        run_id: int | None = None,
    ) -> int:
        """Store a batch in one transaction: posts (skipping known ones), rejects and cursor.

        :returns: how many of ``posts`` were new.
        """
        stored = 0
        with self.engine.begin() as conn:
            if posts:
                stored = self._insert_post_rows(conn, posts)
            if rejects:
                now = utcnow()
                rows = [
                    {
                        "run_id": run_id,
                        "source": source,
                        "position": reject.position,
                        "reason": reject.reason,
                        # PostgreSQL text cannot hold NUL; the reason says it was there
                        "record": reject.record[:REJECT_RECORD_CHARS].replace("\x00", "\ufffd"),
                        "created_at": now,
                    }
                    for reject in rejects
                ]
                if self.dialect == "postgresql":
                    from hubbub.pg_store import copy_rejects

                    copy_rejects(conn, rows)
                else:
                    conn.execute(self._insert_rejects, rows)
            if cursor is not None:
                self._save_cursor(conn, source, cursor)
        return stored

    def _insert_post_rows(self, conn: Connection, posts: Sequence[Post]) -> int:
        """Insert posts not stored yet (and index them for full-text search); returns how many."""
        if self.dialect == "postgresql":
            from hubbub.pg_store import copy_posts

            return copy_posts(conn, posts)
        # SQLite hands out rowids above the current maximum, so the new rows of this
        # batch are exactly those above it; they are indexed in the same transaction.
        # The driver's cursor is used directly (inside SQLAlchemy's transaction): the
        # generic parameter handling of exec_driver_sql costs 20% of ingest time.
        cursor = conn.connection.cursor()
        try:
            cursor.execute("SELECT coalesce(max(id), 0) FROM posts")
            before = cursor.fetchone()[0]
            cursor.executemany(_SQLITE_INSERT_POSTS, [_sqlite_post_tuple(post) for post in posts])
            stored = cursor.rowcount
            if stored:
                cursor.execute(_SQLITE_INDEX_NEW_POSTS, (before,))
        finally:
            cursor.close()
        return stored

    def _save_cursor(self, conn: Connection, source: str, cursor: dict[str, Any]) -> None:
        statement = self._insert(cursors_table).values(
            source=source, cursor=_dumps(cursor), updated_at=utcnow()
        )
        statement = statement.on_conflict_do_update(
            index_elements=["source"],
            set_={"cursor": statement.excluded.cursor, "updated_at": statement.excluded.updated_at},
        )
        conn.execute(statement)

    def get_cursor(self, source: str) -> dict[str, Any] | None:
        """The saved cursor of ``source``, or ``None``."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(cursors_table.c.cursor).where(cursors_table.c.source == source)
            ).scalar()
        return orjson.loads(value) if value else None

    def start_run(self, kind: str, target: str = "") -> int:
        """Record the start of a run; returns its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.insert(runs_table).values(
                    kind=kind, target=target, started_at=utcnow(), status="running", summary="{}"
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        """Record the end of a run with its status and summary counts."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(runs_table)
                .where(runs_table.c.id == run_id)
                .values(finished_at=utcnow(), status=status, summary=_dumps(summary))
            )

    # ------------------------------------------------------------ reading

    def count_posts(self) -> int:
        """How many posts are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(posts_table)).scalar())

    def iter_posts(self, batch_size: int = 5000) -> Iterator[list[sa.Row[Any]]]:
        """All posts in id order, as batches of rows (keyset pagination: flat memory)."""
        last_id = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(posts_table)
                    .where(posts_table.c.id > last_id)
                    .order_by(posts_table.c.id)
                    .limit(batch_size)
                ).all()
            if not rows:
                return
            yield rows
            last_id = rows[-1].id

    def annotations_for(self, post_ids: Sequence[int]) -> dict[int, dict[str, dict[str, Any]]]:
        """``{post_id: {analyzer: {key: value}}}`` for the given posts."""
        found: dict[int, dict[str, dict[str, Any]]] = {}
        if not post_ids:
            return found
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    annotations_table.c.post_id,
                    annotations_table.c.analyzer,
                    annotations_table.c.key,
                    annotations_table.c.value,
                ).where(annotations_table.c.post_id.in_(list(post_ids)))
            )
            for post_id, analyzer, key, value in rows:
                found.setdefault(post_id, {}).setdefault(analyzer, {})[key] = orjson.loads(value)
        return found

    def write_annotations(self, rows: Sequence[dict[str, Any]]) -> None:
        """Upsert annotation rows ``{post_id, analyzer, key, version, value}`` (value as JSON)."""
        if not rows:
            return
        from hubbub.annotation_writer import record_versions

        versions = {(row["analyzer"], row["version"]) for row in rows}
        if self.dialect == "postgresql":
            from hubbub.pg_store import copy_annotations

            names = ("post_id", "analyzer", "key", "version")
            with self.engine.begin() as conn:
                record_versions(conn, versions)
                copy_annotations(
                    conn, [(*(row[name] for name in names), _dumps(row["value"])) for row in rows]
                )
            return
        statement = self._insert(annotations_table)
        statement = statement.on_conflict_do_update(
            index_elements=["post_id", "analyzer", "key"],
            set_={"version": statement.excluded.version, "value": statement.excluded.value},
        )
        with self.engine.begin() as conn:
            record_versions(conn, versions)
            conn.execute(
                statement,
                [{**row, "value": _dumps(row["value"])} for row in rows],
            )

    def rejects(
        self, *, source: str | None = None, limit: int | None = 100
    ) -> list[dict[str, Any]]:
        """Rejected records, newest first, optionally of one source."""
        query = sa.select(rejects_table).order_by(rejects_table.c.id.desc())
        if source:
            query = query.where(rejects_table.c.source == source)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def clear_rejects(self, source: str) -> int:
        """Forget the rejects of ``source`` (before it is read again from the start)."""
        with self.engine.begin() as conn:
            return conn.execute(
                sa.delete(rejects_table).where(rejects_table.c.source == source)
            ).rowcount

    def count_rejects(self) -> int:
        """How many rejects are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(rejects_table)).scalar())

    def full_text_count(self, match: str) -> int:
        """How many posts a full-text expression finds.

        On SQLite ``match`` is an FTS5 ``MATCH`` expression over the text, hashtags and
        mentions. On PostgreSQL it is read in the query language (words, ``"phrases"``,
        ``prefix*``, ``AND``/``OR``/``NOT``) and looks in the same three places.
        """
        if self.dialect == "postgresql":
            from hubbub.query import PostgresCompiler, Terms, parse_query

            self.refresh_search_vectors()
            compiler = PostgresCompiler()
            node = parse_query(match).node
            leaves = [leaf for leaf, _ in node.walk() if isinstance(leaf, Terms)]
            if len(leaves) != 1 or leaves[0] != node:
                where = compiler.where(node)
            else:  # one word or phrase: in any of the three parts, as FTS5 does
                where = sa.or_(
                    *(
                        compiler.match(
                            compiler.terms_expression(Terms(column, node.value, node.prefix))
                        )
                        for column in ("text", "hashtags", "mentions")
                    )
                )
            with self.engine.connect() as conn:
                return int(
                    conn.execute(
                        sa.select(sa.func.count()).select_from(posts_table).where(where)
                    ).scalar()
                )
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH :q"), {"q": match}
                ).scalar()
            )

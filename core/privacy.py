"""Personal data: forgetting an author, dropping old raw payloads, pseudonymising exports.

Listening stores what people wrote, under their handles. This module gives the three
tools docs/privacy.md describes:

* :func:`forget_authors` deletes an author's posts (with their annotations, topic tags and
  full-text index entries), the rejects and findings that name them, and replaces their
  handle wherever other people's posts refer to them (``reply_to_author``,
  ``repost_of_author``, ``quote_of_author``, ``mentions``, ``@handle`` in the text, and
  in the raw payload) with a pseudonym. That pseudonym is an HMAC of the handle under a
  random key that is thrown away, so the same person keeps one node in threads and
  graphs, but nobody can tell afterwards whom it stood for. One transaction: all or
  nothing.
* :func:`apply_retention` empties the raw payload of posts written more than N days ago
  (``[project] raw_retention_days``) and deletes rejects stored more than N days ago.
* :class:`Pseudonymizer` turns an exported native record's handles into stable keyed
  hashes (``user_`` + 16 hex digits of HMAC-SHA256) and drops display names and URLs.

Everything here is portable SQLAlchemy Core. On SQLite the full-text index follows deleted
and changed posts through the triggers of migration 0002; :func:`_purge_sqlite` then makes
deleted text physically unreadable (``secure_delete``, an FTS5 ``optimize`` and a WAL
checkpoint), which is SQLite-only maintenance kept behind the store's dialect check.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.store import annotations_table, posts_table, rejects_table
from hubbub.timeutil import utcnow

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.store import Store
    from sqlalchemy.engine import Connection

__all__ = [
    "SALT_FILE",
    "ForgetSummary",
    "HandleMatcher",
    "PrivacyError",
    "Pseudonymizer",
    "RetentionSummary",
    "apply_configured_retention",
    "apply_retention",
    "forget_authors",
    "normalise_handle",
    "project_salt",
    "salt_from_env",
]

#: the per-project salt of pseudonymised exports, in the project folder
SALT_FILE = ".hubbub-salt"
#: what a forgotten author's handle becomes in other people's posts
FORGOTTEN_PREFIX = "forgotten_"
#: what every handle becomes in a pseudonymised export
PSEUDONYM_PREFIX = "user_"
#: hex digits of the HMAC kept in a pseudonym (64 bits: no collisions in practice)
PSEUDONYM_HEX_DIGITS = 16
#: the handle columns of a post that refer to another author
REFERENCE_COLUMNS = ("reply_to_author", "repost_of_author", "quote_of_author")
#: the native fields an export pseudonymises, and those it drops
HANDLE_FIELDS = ("author", *REFERENCE_COLUMNS)
DROPPED_FIELDS = ("author_name", "url")

_PAGE = 1000
# an @mention as hubbub.records extracts them from post text
_MENTION = re.compile(r"(?<![\w@])@(\w{1,64}(?:@[\w.-]+\w)?)")
# the same with dots and dashes inside (Bluesky's kim.bsky.social), for known handles
_MENTION_DOTTED = re.compile(r"(?<![\w@])@(\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?)")
# a URL path segment, where a handle often stands (x.com/kim/status/1, /@kim/123)
_URL_SEGMENT = re.compile(r"(?<=/)(@?)(\w(?:[\w.-]*\w)?)(?![\w-])")


class PrivacyError(HubbubError):
    """A forget, retention or pseudonymisation request that cannot be carried out."""


def normalise_handle(handle: str) -> str:
    """A handle as hubbub compares them: stripped, without a leading ``@``, lower case."""
    return handle.strip().lstrip("@").lower()


def _keyed_hash(key: bytes, handle: str) -> str:
    digest = hmac.new(key, normalise_handle(handle).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_DIGITS]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------- finding handles in text


class HandleMatcher:
    """Finds some handles (case-insensitively) in strings and JSON values, and replaces them.

    Three rules, from strict to loose:

    * a whole string value equal to a handle, with or without ``@`` (:meth:`is_handle`);
    * inside a string, ``@handle`` as a mention and ``/handle`` or ``/@handle`` as a URL
      path segment (:meth:`scrub`) — the way handles appear in post text and payloads;
    * any standalone token equal to the handle (:meth:`mentions_anywhere`), for input that
      could not be parsed (rejects).

    A handle followed by ``@instance`` is another account (fediverse) and is not matched.
    """

    def __init__(self, handles: Iterable[str]) -> None:
        self.handles = frozenset(
            name for name in (normalise_handle(handle) for handle in handles) if name
        )
        names = "|".join(re.escape(name) for name in sorted(self.handles, key=len, reverse=True))
        end = r"(?![\w-]|[.@]\w)"
        self._in_text = re.compile(
            rf"(?:(?<![\w@.-])@|(?<=/)@?)(?P<handle>{names}){end}", re.IGNORECASE
        )
        self._token = re.compile(rf"(?<![\w@.-])@?(?:{names}){end}", re.IGNORECASE)

    def is_handle(self, value: str) -> bool:
        """Whether ``value`` is one of the handles (``@`` and case do not matter)."""
        return normalise_handle(value) in self.handles

    def mentions_anywhere(self, text: str) -> bool:
        """Whether one of the handles stands anywhere in ``text`` as a token of its own."""
        return self._token.search(text) is not None

    def scrub(self, text: str, replace: Callable[[str], str]) -> str:
        """``text`` with each ``@handle`` and ``/handle`` replaced by ``replace(handle)``."""
        if not self.handles:
            return text

        def substitute(match: re.Match[str]) -> str:
            head = match.group(0)[: match.start("handle") - match.start()]
            return head + replace(match.group("handle"))

        return self._in_text.sub(substitute, text)

    def rewrite_value(self, value: Any, replace: Callable[[str], str]) -> Any:
        """A JSON value with the handles replaced in every string (and key) inside it."""
        if isinstance(value, str):
            if self.is_handle(value):
                return ("@" if value.strip().startswith("@") else "") + replace(value)
            return self.scrub(value, replace)
        if isinstance(value, list):
            return [self.rewrite_value(item, replace) for item in value]
        if isinstance(value, dict):
            return {
                self.rewrite_value(key, replace): self.rewrite_value(item, replace)
                for key, item in value.items()
            }
        return value

    def rewrite_payload(self, text: str, replace: Callable[[str], str]) -> str:
        """A raw payload or JSON column with the handles replaced (re-serialised if changed)."""
        if not text:
            return text
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            # not JSON (or numbers orjson cannot hold): quoted values, mentions, URL segments
            quoted = re.compile(
                r'"@?(' + "|".join(re.escape(name) for name in self.handles) + ')"', re.IGNORECASE
            )
            text = quoted.sub(lambda match: '"' + replace(match.group(1)) + '"', text)
            return self.scrub(text, replace)
        rewritten = self.rewrite_value(value, replace)
        return text if rewritten == value else orjson.dumps(rewritten).decode()


# ---------------------------------------------------------------- forgetting an author


@dataclass
class ForgetSummary:
    """What :func:`forget_authors` deleted and rewrote, per table."""

    handles: list[str]
    platform: str | None = None
    dry_run: bool = False
    #: table -> rows deleted
    deleted: dict[str, int] = field(default_factory=dict)
    #: table -> rows kept but rewritten (the handle replaced by a pseudonym)
    rewritten: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per table: ``table``, ``deleted``, ``rewritten``."""
        tables = list(dict.fromkeys([*self.deleted, *self.rewritten]))
        return [
            {
                "table": name,
                "deleted": self.deleted.get(name, 0),
                "rewritten": self.rewritten.get(name, 0),
            }
            for name in tables
        ]

    @property
    def changed(self) -> bool:
        """Whether anything was (or, in a dry run, would be) deleted or rewritten."""
        return any(self.deleted.values()) or any(self.rewritten.values())


def forget_authors(
    store: Store,
    handles: Sequence[str],
    *,
    platform: str | None = None,
    dry_run: bool = False,
) -> ForgetSummary:
    """Delete every trace of the authors ``handles`` from ``store``, in one transaction.

    :param handles: handles as users type them (``@`` and case do not matter).
    :param platform: only their posts on this platform (and references to them there);
        rejects and findings carry no platform and are matched by handle alone.
    :param dry_run: count what would change, then roll everything back.
    :returns: the rows deleted and rewritten per table.
    :raises PrivacyError: for an empty handle.
    """
    wanted = sorted({normalise_handle(handle) for handle in handles})
    if not wanted or "" in wanted:
        raise PrivacyError("--author needs a handle, e.g. --author @alice")
    summary = ForgetSummary(wanted, platform.lower() if platform else None, dry_run)
    key = secrets.token_bytes(32)  # never stored: the pseudonyms cannot be traced back

    def pseudonym(handle: str) -> str:
        return FORGOTTEN_PREFIX + _keyed_hash(key, handle)

    sqlite = store.dialect == "sqlite"
    with store.engine.connect() as conn, _secure_delete(conn):
        transaction = conn.begin()
        try:
            _forget(conn, summary, HandleMatcher(wanted), pseudonym, sqlite=sqlite)
            if sqlite and summary.changed and not dry_run:
                _purge_sqlite(conn)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    if summary.changed and not dry_run:
        if sqlite:
            _checkpoint_sqlite(store)
        refresh = getattr(store, "refresh_search_vectors", None)
        if refresh is not None:  # PostgreSQL: the rewritten posts' search vectors, now
            refresh()
    return summary


def _forget(
    conn: Connection,
    summary: ForgetSummary,
    matcher: HandleMatcher,
    pseudonym: Callable[[str], str],
    *,
    sqlite: bool,
) -> None:
    """The deletes and rewrites of :func:`forget_authors`, on an open transaction."""
    from hubbub.topics import post_topics_table, topic_state_table

    names = [*matcher.handles, *("@" + name for name in matcher.handles)]
    p = posts_table.c
    theirs = sa.func.lower(p.author).in_(names)
    if summary.platform:
        theirs = sa.and_(theirs, p.platform == summary.platform)
    their_ids = sa.select(p.id).where(theirs)
    deleted_ids = set(conn.execute(their_ids).scalars())
    summary.deleted["annotations"] = _count(
        conn.execute(sa.delete(annotations_table).where(annotations_table.c.post_id.in_(their_ids)))
    )
    summary.deleted["post_topics"] = _count(
        conn.execute(sa.delete(post_topics_table).where(post_topics_table.c.post_id.in_(their_ids)))
    )
    summary.deleted["posts"] = _count(conn.execute(sa.delete(posts_table).where(theirs)))
    if sqlite:
        # the delete trigger of migration 0002 removed each post's full-text entry
        summary.deleted["posts_fts"] = summary.deleted["posts"]
    summary.rewritten["posts"] = _rewrite_references(conn, summary.platform, matcher, pseudonym)
    summary.deleted["rejects"] = _forget_rejects(conn, matcher)
    deleted, rewritten = _forget_findings(conn, matcher, pseudonym)
    summary.deleted["findings"], summary.rewritten["findings"] = deleted, rewritten
    alerts = _forget_alerts(conn, matcher, pseudonym, deleted_ids)
    if alerts is not None:
        summary.deleted["alerts"], summary.rewritten["alerts"] = alerts
    if summary.deleted["posts"] or summary.rewritten["posts"]:
        # topic counts and tags changed: every topic is re-tagged when next needed
        summary.deleted["topic_state"] = _count(conn.execute(sa.delete(topic_state_table)))
    first = ("posts", "posts_fts")  # as people read it
    summary.deleted = {
        **{name: summary.deleted[name] for name in first if name in summary.deleted},
        **{name: count for name, count in summary.deleted.items() if name not in first},
    }


def _count(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


def _like_any(column: Any, handles: Iterable[str]) -> Any:
    """``lower(column) LIKE '%handle%'`` for any of ``handles`` (a cheap prefilter)."""
    return sa.or_(
        *(
            sa.func.lower(column).like(f"%{_like_escape(handle)}%", escape="\\")
            for handle in handles
        )
    )


def _pages(conn: Connection, table: sa.Table, columns: Sequence[Any], where: Any) -> Iterator[Any]:
    """Rows of ``table`` that ``where`` selects, in id order, a page at a time."""
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, *columns)
            .where(table.c.id > last_id, where)
            .order_by(table.c.id)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _rewrite_references(
    conn: Connection,
    platform: str | None,
    matcher: HandleMatcher,
    pseudonym: Callable[[str], str],
) -> int:
    """Replace the handles in other authors' posts that refer to them; returns how many."""
    p = posts_table.c
    names = [*matcher.handles, *("@" + name for name in matcher.handles)]
    refers = sa.or_(
        *(sa.func.lower(getattr(p, column)).in_(names) for column in REFERENCE_COLUMNS),
        _like_any(p.mentions, matcher.handles),
        _like_any(p.text, matcher.handles),
        _like_any(p.raw, matcher.handles),
    )
    if platform:
        refers = sa.and_(refers, p.platform == platform)
    columns = [getattr(p, name) for name in (*REFERENCE_COLUMNS, "mentions", "text", "raw")]
    changes: list[tuple[int, dict[str, Any]]] = []
    for row in _pages(conn, posts_table, columns, refers):
        values: dict[str, Any] = {}
        for column in REFERENCE_COLUMNS:
            value = getattr(row, column)
            if value and matcher.is_handle(value):
                values[column] = pseudonym(value)
        mentions = matcher.rewrite_payload(row.mentions, pseudonym)
        text = matcher.scrub(row.text, pseudonym)
        raw = matcher.rewrite_payload(row.raw, pseudonym)
        for column, old, new in (
            ("mentions", row.mentions, mentions),
            ("text", row.text, text),
            ("raw", row.raw, raw),
        ):
            if new != old:
                values[column] = new
        if values:
            changes.append((row.id, values))
    for post_id, values in changes:
        conn.execute(sa.update(posts_table).where(p.id == post_id).values(**values))
    return len(changes)


def _forget_rejects(conn: Connection, matcher: HandleMatcher) -> int:
    """Delete rejects whose input names a handle anywhere (it cannot be parsed to tell who)."""
    r = rejects_table.c
    doomed = [
        row.id
        for row in _pages(conn, rejects_table, [r.record], _like_any(r.record, matcher.handles))
        if matcher.mentions_anywhere(row.record)
    ]
    deleted = 0
    for start in range(0, len(doomed), _PAGE):
        chunk = doomed[start : start + _PAGE]
        deleted += _count(conn.execute(sa.delete(rejects_table).where(r.id.in_(chunk))))
    return deleted


def _forget_findings(
    conn: Connection, matcher: HandleMatcher, pseudonym: Callable[[str], str]
) -> tuple[int, int]:
    """Delete findings about them; replace their handle in the others. (deleted, rewritten)"""
    from hubbub.models import Finding

    findings: sa.Table = Finding.__table__  # type: ignore[assignment]
    f = findings.c
    names = [*matcher.handles, *("@" + name for name in matcher.handles)]
    deleted = _count(conn.execute(sa.delete(findings).where(sa.func.lower(f.subject).in_(names))))
    changes = []
    mention = sa.or_(_like_any(f.details, matcher.handles), _like_any(f.scope, matcher.handles))
    for row in _pages(conn, findings, [f.scope, f.details], mention):
        details = matcher.rewrite_payload(row.details, pseudonym)
        scope = matcher.scrub(row.scope, pseudonym)
        if (details, scope) != (row.details, row.scope):
            changes.append((row.id, {"details": details, "scope": scope}))
    for finding_id, values in changes:
        conn.execute(sa.update(findings).where(f.id == finding_id).values(**values))
    return deleted, len(changes)


def _forget_alerts(
    conn: Connection,
    matcher: HandleMatcher,
    pseudonym: Callable[[str], str],
    deleted_ids: set[int],
) -> tuple[int, int] | None:
    """Alerts (when the schema has them): delete those about them, scrub and unlink the rest."""
    from hubbub import models

    record = getattr(models, "AlertRecord", None)
    if record is None or not sa.inspect(conn).has_table("alerts"):
        return None
    alerts: sa.Table = record.__table__
    a = alerts.c
    names = [*matcher.handles, *("@" + name for name in matcher.handles)]
    deleted = _count(conn.execute(sa.delete(alerts).where(sa.func.lower(a.subject).in_(names))))
    changes = []
    for row in _pages(conn, alerts, [a.message, a.details, a.example_post_ids], sa.true()):
        values: dict[str, Any] = {}
        message = matcher.scrub(row.message, pseudonym)
        details = matcher.rewrite_payload(row.details, pseudonym)
        examples = orjson.loads(row.example_post_ids or "[]")
        kept = [post_id for post_id in examples if post_id not in deleted_ids]
        if message != row.message:
            values["message"] = message
        if details != row.details:
            values["details"] = details
        if kept != examples:
            values["example_post_ids"] = orjson.dumps(kept).decode()
        if values:
            changes.append((row.id, values))
    for alert_id, values in changes:
        conn.execute(sa.update(alerts).where(a.id == alert_id).values(**values))
    return deleted, len(changes)


@contextmanager
def _secure_delete(conn: Connection) -> Iterator[None]:
    """On SQLite, overwrite deleted content with zeros while inside (a connection setting)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    conn.rollback()  # end the transaction the pragma began; the setting stays
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete = {int(before or 0)}")
        conn.rollback()


def _purge_sqlite(conn: Connection) -> None:
    """Rewrite the full-text index without the deleted entries (SQLite only).

    FTS5 records a delete as a marker beside the old entry until its segments merge;
    ``optimize`` merges them now, so forgotten words are gone from the file too (the
    freed pages are zeroed: ``secure_delete`` is on for this transaction).
    """
    conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")


def _checkpoint_sqlite(store: Store) -> None:
    """Copy the write-ahead log into the database and empty it, so old pages do not linger."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.rollback()


# ---------------------------------------------------------------- retention


@dataclass
class RetentionSummary:
    """What :func:`apply_retention` removed."""

    days: int
    cutoff: datetime
    raw_payloads: int = 0
    rejects: int = 0
    dry_run: bool = False

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per table: ``table``, ``deleted``, ``rewritten`` (raw payload emptied)."""
        return [
            {"table": "posts", "deleted": 0, "rewritten": self.raw_payloads},
            {"table": "rejects", "deleted": self.rejects, "rewritten": 0},
        ]

    def line(self) -> str:
        """One sentence for the user."""
        verb = "Would drop" if self.dry_run else "Dropped"
        posts = "post" if self.raw_payloads == 1 else "posts"
        rejects = "reject" if self.rejects == 1 else "rejects"
        return (
            f"{verb} the raw payload of {self.raw_payloads:,} {posts} written before "
            f"{self.cutoff:%Y-%m-%d} and {self.rejects:,} {rejects} stored before then "
            f"({self.days} days ago)"
        )


def apply_retention(
    store: Store, days: int, *, now: datetime | None = None, dry_run: bool = False
) -> RetentionSummary:
    """Empty the raw payloads of posts older than ``days`` and delete older rejects.

    A post's age is its ``created_at`` (the store keeps no time of storing); a reject's
    is when it was stored. The normalised fields of the posts stay.

    :param now: the current UTC time (naive), for tests.
    :param dry_run: count only.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise PrivacyError(f"retention needs a whole number of days above 0, got {days!r}")
    cutoff = (now or utcnow()) - timedelta(days=days)
    summary = RetentionSummary(days, cutoff, dry_run=dry_run)
    p, r = posts_table.c, rejects_table.c
    old_posts = sa.and_(p.created_at < cutoff, p.raw != "")
    old_rejects = r.created_at < cutoff
    if dry_run:
        with store.engine.connect() as conn:
            summary.raw_payloads = conn.execute(
                sa.select(sa.func.count()).select_from(posts_table).where(old_posts)
            ).scalar_one()
            summary.rejects = conn.execute(
                sa.select(sa.func.count()).select_from(rejects_table).where(old_rejects)
            ).scalar_one()
        return summary
    with store.engine.connect() as conn, _secure_delete(conn), conn.begin():
        # the column is NOT NULL: an empty string is "no payload", as for posts without one
        summary.raw_payloads = _count(
            conn.execute(sa.update(posts_table).where(old_posts).values(raw=""))
        )
        summary.rejects = _count(conn.execute(sa.delete(rejects_table).where(old_rejects)))
    if store.dialect == "sqlite" and (summary.raw_payloads or summary.rejects):
        _checkpoint_sqlite(store)
    return summary


def apply_configured_retention(project: Project) -> RetentionSummary | None:
    """Apply ``[project] raw_retention_days`` if it is set; ``None`` when it is not."""
    days = project.config.project.raw_retention_days
    if days is None:
        return None
    return apply_retention(project.store, days)


# ---------------------------------------------------------------- pseudonymised export


def project_salt(directory: Path) -> bytes:
    """The project's pseudonymisation salt from ``DIR/.hubbub-salt``, created on first use.

    The file holds 64 random hex digits and is readable by its owner only.
    """
    path = directory / SALT_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = secrets.token_hex(32)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return project_salt(directory)
        except OSError as error:
            raise PrivacyError(f"cannot create the salt file {path}: {error.strerror}") from None
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
    except (OSError, UnicodeDecodeError) as error:
        raise PrivacyError(f"cannot read the salt file {path}: {error}") from None
    if not text:
        raise PrivacyError(f"the salt file {path} is empty; delete it to make a new salt")
    return text.encode()


def salt_from_env(name: str) -> bytes:
    """The salt held by the environment variable ``name`` (never printed)."""
    value = os.environ.get(name, "")
    if not value:
        raise PrivacyError(f"--salt-env {name}: the environment variable {name} is not set")
    return value.encode()


class Pseudonymizer:
    """Replaces the handles of native records with keyed hashes, for sharing an export.

    ``user_`` + the first 16 hex digits of HMAC-SHA256(salt, handle in lower case): the
    same handle gives the same pseudonym in every record and every export under one salt,
    another salt gives others, and without the salt a pseudonym cannot be turned back
    into a handle (nor checked against a guess).
    """

    def __init__(self, salt: bytes) -> None:
        if not salt:
            raise PrivacyError("a pseudonymisation salt cannot be empty")
        self._salt = salt
        self._cache: dict[str, str] = {}

    def pseudonym(self, handle: str) -> str:
        """The pseudonym of ``handle`` (``@`` and case do not matter)."""
        key = normalise_handle(handle)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = PSEUDONYM_PREFIX + _keyed_hash(self._salt, key)
        return found

    def text(self, text: str, known: frozenset[str] = frozenset()) -> str:
        """``text`` with every ``@mention`` (and the ``known`` handles in URL paths) replaced.

        :param known: handles (normalised) of the record, replaced also as a URL path
            segment (``x.com/kim/status/1``) and with dots (``@kim.bsky.social``).
        """
        if "@" in text:
            text = _MENTION_DOTTED.sub(lambda match: self._mention(match, known), text)
        if known and "/" in text:
            text = _URL_SEGMENT.sub(lambda match: self._segment(match, known), text)
        return text

    def _mention(self, match: re.Match[str], known: frozenset[str]) -> str:
        handle = match.group(1)
        if handle.lower() not in known:
            # as hubbub.records reads a mention (no dots), so text and mentions agree
            plain = _MENTION.match(match.group(0))
            if plain is not None and plain.end() < match.end():
                return "@" + self.pseudonym(plain.group(1)) + match.group(0)[plain.end() :]
        return "@" + self.pseudonym(handle)

    def _segment(self, match: re.Match[str], known: frozenset[str]) -> str:
        if match.group(2).lower() in known:
            return match.group(1) + self.pseudonym(match.group(2))
        return match.group(0)

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A pseudonymised copy of a native record (as :func:`hubbub.export.native_record` makes).

        Handles in ``author``, ``reply_to_author``, ``repost_of_author``,
        ``quote_of_author`` and ``mentions``, ``@mentions`` in ``text`` and in annotation
        values, and every handle of the record inside a ``raw`` payload are replaced;
        ``author_name`` and ``url`` (which holds the handle on most platforms) are dropped.
        """
        handles = [record[name] for name in HANDLE_FIELDS if record.get(name)]
        handles += list(record.get("mentions") or [])
        known = frozenset(normalise_handle(handle) for handle in handles)
        out = {name: value for name, value in record.items() if name not in DROPPED_FIELDS}
        for name in HANDLE_FIELDS:
            if out.get(name):
                out[name] = self.pseudonym(out[name])
        if "mentions" in out:
            out["mentions"] = [self.pseudonym(handle) for handle in out["mentions"] or []]
        if isinstance(out.get("text"), str):
            out["text"] = self.text(out["text"], known)
        if out.get("annotations"):
            out["annotations"] = self._scrub_value(out["annotations"], known)
        if out.get("raw") and known:
            matcher = HandleMatcher(known)
            raw = out["raw"]
            out["raw"] = (
                matcher.rewrite_payload(raw, self.pseudonym)
                if isinstance(raw, str)
                else matcher.rewrite_value(raw, self.pseudonym)
            )
        return out

    def _scrub_value(self, value: Any, known: frozenset[str]) -> Any:
        """``@mentions`` replaced in every string of a JSON value (other strings kept)."""
        if isinstance(value, str):
            return self.text(value, known)
        if isinstance(value, list):
            return [self._scrub_value(item, known) for item in value]
        if isinstance(value, dict):
            return {key: self._scrub_value(item, known) for key, item in value.items()}
        return value

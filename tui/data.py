"""What the screens read and do, as plain functions over the core API (no Textual here).

Screens call these from thread workers. They only fetch and shape data for display;
every number comes from the core modules (``hubbub.trends``, ``hubbub.responsiveness``,
…). The few reads the core has no function for yet (a post's thread, the runs of each
source, stored findings) are single indexed queries, paged or limited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from hubbub.errors import ConfigError, HubbubError
from hubbub.store import cursors_table, posts_table, runs_table

if TYPE_CHECKING:
    from hubbub.ingest import IngestSummary
    from hubbub.project import Project

#: the kinds of runs that read a source (analysis and report runs are not sources)
SOURCE_RUN_KINDS = ("import", "ingest", "demo")
#: a topic name that can be written as a bare TOML key
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def newest_post_time(project: Project) -> datetime | None:
    """When the newest stored post was written (naive UTC), or ``None`` for no posts."""
    with project.store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(posts_table.c.created_at))).scalar()


# ---------------------------------------------------------------- posts and threads


@dataclass
class BrandAnswer:
    """A brand's first reply to an inbound post, as :mod:`hubbub.responsiveness` pairs them."""

    brand: str
    answered: bool
    reply_author: str | None = None
    replied_at: datetime | None = None
    response: str = ""


@dataclass
class PostThread:
    """A post with the other posts of its conversation and the brands' answers to it."""

    post: dict[str, Any]
    thread: list[dict[str, Any]] = field(default_factory=list)
    answers: list[BrandAnswer] = field(default_factory=list)


_POST_COLUMNS = (
    "id",
    "external_id",
    "platform",
    "author",
    "author_name",
    "author_followers",
    "created_at",
    "text",
    "url",
    "lang",
    "reply_to_id",
    "reply_to_author",
    "conversation_id",
    "likes",
    "reposts",
    "replies",
)


def post_thread(project: Project, post_id: int, *, limit: int = 50) -> PostThread:
    """The post ``post_id`` (store id), up to ``limit`` posts of its thread, and brand answers.

    The thread is the posts of the same conversation on the same platform (or the
    direct replies when the post has no conversation id), oldest first. Answers come
    from :func:`hubbub.responsiveness.analyze_responsiveness` over the post's instant.

    :raises HubbubError: when the post does not exist.
    """
    from hubbub.responsiveness import analyze_responsiveness, format_duration

    p = posts_table.c
    columns = [p[name] for name in _POST_COLUMNS]
    with project.store.engine.connect() as conn:
        row = conn.execute(sa.select(*columns).where(p.id == post_id)).first()
        if row is None:
            raise HubbubError(f"post {post_id} is not in the store")
        post = dict(row._mapping)
        conversation = post["conversation_id"]
        same_thread = (
            p.conversation_id == conversation
            if conversation
            else p.reply_to_id == post["external_id"]
        )
        rows = conn.execute(
            sa.select(*columns)
            .where(p.platform == post["platform"], sa.or_(same_thread, p.id == post_id))
            .order_by(p.created_at, p.id)
            .limit(limit)
        ).all()
    result = PostThread(post, [dict(item._mapping) for item in rows])
    if project.config.brands:
        moment = post["created_at"]
        report = analyze_responsiveness(
            project, since=moment, until=moment + timedelta(microseconds=1)
        )
        for brand, inbound in report.posts.items():
            for item in inbound:
                if item.post_id == post_id:
                    result.answers.append(
                        BrandAnswer(
                            brand,
                            item.answered,
                            item.reply_author,
                            item.replied_at,
                            format_duration(item.response_seconds),
                        )
                    )
    return result


# ---------------------------------------------------------------- sources and runs


@dataclass
class SourceRow:
    """A source: configured in ``hubbub.toml`` or seen in past runs (imports, the demo)."""

    key: str
    type: str
    configured: bool
    last_run: datetime | None = None
    status: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    cursor: dict[str, Any] | None = None


def source_rows(project: Project) -> list[SourceRow]:
    """Configured sources first, then every other source key the runs table knows."""
    rows: dict[str, SourceRow] = {}
    for section in project.config.sources:
        key = section.name or section.type
        rows[key] = SourceRow(key, section.type, True)
    runs, cursors = runs_table.c, cursors_table.c
    with project.store.engine.connect() as conn:
        latest = (
            sa.select(sa.func.max(runs.id))
            .where(runs.target != "", runs.kind.in_(SOURCE_RUN_KINDS))
            .group_by(runs.target)
            .scalar_subquery()
        )
        for run in conn.execute(sa.select(runs_table).where(runs.id.in_(latest))):
            item = rows.get(run.target) or rows.setdefault(
                run.target, SourceRow(run.target, run.kind, False)
            )
            item.last_run = run.finished_at or run.started_at
            item.status = run.status
            item.summary = orjson.loads(run.summary or "{}")
        for source, cursor in conn.execute(sa.select(cursors.source, cursors.cursor)):
            if source in rows:
                rows[source].cursor = orjson.loads(cursor)
    return list(rows.values())


def run_configured_sources(
    project: Project,
    progress: Callable[[str, IngestSummary, int, int | None], None] | None = None,
) -> list[IngestSummary]:
    """Run every ``[[sources]]`` of ``hubbub.toml`` from its cursor, as ``hubbub ingest`` does.

    Sources are built by :func:`hubbub.cli.ingest_commands.configured_sources`.

    :param progress: called after each batch with the source key, the counts so far,
        the work done and the total work (``None`` when unknown).
    :raises HubbubError: when there are no sources or one is misconfigured.
    """
    from hubbub.cli.ingest_commands import configured_sources
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host

    if not project.config.sources:
        raise ConfigError(
            "no [[sources]] in hubbub.toml: add one to ingest (docs/configuration.md)"
        )
    host = get_host()
    summaries = []
    for source in configured_sources(project, host):
        summaries.append(
            run_source(
                project.store,
                source,
                host=host,
                batch_size=project.config.project.batch_size,
                kind="ingest",
                progress=_reporter(source.key, progress),
            )
        )
    from hubbub.privacy import apply_configured_retention

    apply_configured_retention(project)  # as `hubbub ingest` does after its sources
    return summaries


def _reporter(
    key: str, progress: Callable[[str, IngestSummary, int, int | None], None] | None
) -> Callable[[IngestSummary, int, int | None], None] | None:
    """``progress`` with the source key bound (``None`` stays ``None``)."""
    if progress is None:
        return None

    def report(summary: IngestSummary, done: int, total: int | None) -> None:
        progress(key, summary, done, total)

    return report


# ---------------------------------------------------------------- plugins and findings


def plugin_rows(project: Project | None = None) -> list[dict[str, Any]]:
    """Each loaded plugin: name, version, bundled, hooks, what it registered, its
    ``[plugins.NAME]`` options (the project's values, else the defaults) and errors."""
    from hubbub.plugin_host import get_host

    rows = []
    for info in get_host().info.values():
        options, option_errors = info.options_shown(project)
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "bundled": info.bundled,
                "hooks": list(info.hooks),
                "registered": list(info.registered),
                "options": options,
                "errors": [*info.errors, *option_errors],
            }
        )
    return rows


def finding_rows(project: Project, *, limit: int = 200) -> list[dict[str, Any]]:
    """Stored findings of corpus analyzers (any plugin's), newest first, at most ``limit``."""
    from hubbub.models import Finding

    findings: sa.Table = Finding.__table__  # type: ignore[assignment]
    with project.store.engine.connect() as conn:
        rows = conn.execute(sa.select(findings).order_by(findings.c.id.desc()).limit(limit))
        return [dict(row._mapping) for row in rows]


# ---------------------------------------------------------------- saving a topic


def save_topic(project: Project, name: str, query: str) -> None:
    """Add ``name = query`` under ``[topics]`` in ``hubbub.toml`` and reload the configuration.

    The file is edited as text (its comments stay); a change that does not load is
    undone.

    :raises HubbubError: for a bad name, a topic that exists, or a malformed query.
    """
    from hubbub.config import load_config
    from hubbub.query import parse_query

    name = name.strip()
    if not TOPIC_NAME.match(name):
        raise HubbubError("a topic name is letters, digits, '-' and '_' (at most 64)")
    if name in project.config.topics:
        raise HubbubError(f"topic {name!r} already exists")
    parse_query(query, timezone=project.config.project.timezone)
    path = project.config_path
    original = path.read_text(encoding="utf-8")
    line = f"{name} = {json.dumps(query, ensure_ascii=False)}\n"
    lines = original.splitlines(keepends=True)
    header = next(
        (index for index, text in enumerate(lines) if text.strip().startswith("[topics]")), None
    )
    if header is None:
        text = original + ("" if original.endswith("\n") or not original else "\n")
        text += f"\n[topics]\n{line}"
    else:
        lines.insert(header + 1, line)
        text = "".join(lines)
    path.write_text(text, encoding="utf-8")
    try:
        project.config = load_config(path)
    except HubbubError:
        path.write_text(original, encoding="utf-8")
        raise

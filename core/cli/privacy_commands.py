"""``hubbub forget`` and ``hubbub retention``: removing personal data (docs/privacy.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.privacy import ForgetSummary, RetentionSummary
    from hubbub.project import Project

COLUMNS = ["table", "deleted", "rewritten"]


#: how the counts of a forget read in a sentence: table -> (one, many)
_NOUNS = {
    "posts": ("post", "posts"),
    "posts_fts": ("search-index entry", "search-index entries"),
    "annotations": ("annotation", "annotations"),
    "post_topics": ("topic tag", "topic tags"),
    "rejects": ("reject", "rejects"),
    "findings": ("finding", "findings"),
    "alerts": ("alert", "alerts"),
    "topic_state": ("topic tagging state", "topic tagging states"),
}


def _plan(summary: ForgetSummary, *, done: bool = False) -> str:
    """What a forget deletes and rewrites (``done``: did), in words."""
    deleted = ", ".join(
        f"{count:,} {_NOUNS.get(table, (table, table))[count != 1]}"
        for table, count in summary.deleted.items()
        if count
    )
    rewritten = summary.rewritten.get("posts", 0)
    delete, replace = ("deleted", "replaced") if done else ("deletes", "replaces")
    text = f"{delete} {deleted or 'nothing'}"
    if rewritten:
        posts = "post" if rewritten == 1 else "posts"
        text += f" and {replace} the handle with a pseudonym in {rewritten:,} other {posts}"
    return text


def _retention(proj: Project, days: int | None, dry_run: bool) -> RetentionSummary:
    from hubbub.privacy import apply_retention

    days = days if days is not None else proj.config.project.raw_retention_days
    if days is None:
        raise HubbubError(
            f"{proj.config_path}: no retention configured; set [project] raw_retention_days "
            "or pass --days N"
        )
    return apply_retention(proj.store, days, dry_run=dry_run)


def _named_in_config(proj: Project, handles: list[str]) -> list[str]:
    """The keys of ``hubbub.toml`` (topics, brands) whose values name one of ``handles``."""
    from hubbub.privacy import HandleMatcher

    matcher = HandleMatcher(handles)
    keys = [
        f"topics.{name}"
        for name, query in proj.config.topics.items()
        if matcher.mentions_anywhere(query)
    ]
    for name, brand in proj.config.brands.items():
        if any(matcher.mentions_anywhere(value) for value in [*brand.handles, *brand.keywords]):
            keys.append(f"brands.{name}")
    return keys


@command("forget")
def forget(
    author: Annotated[
        list[str] | None,
        typer.Option(
            "--author",
            "-a",
            metavar="HANDLE",
            help="Forget this author (with or without @, any case). Repeatable.",
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(help="Only their posts on this platform (default: every platform)."),
    ] = None,
    expired: Annotated[
        bool,
        typer.Option(
            "--expired",
            help="Also apply [project] raw_retention_days (as `hubbub retention` does).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be deleted; change nothing.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Delete an author's posts, annotations, rejects and findings; pseudonymise references."""
    from hubbub.privacy import forget_authors
    from hubbub.project import Project

    if not author and not expired:
        raise HubbubError("say what to forget: --author HANDLE (repeatable) or --expired")
    proj = Project.load(project)
    try:
        if expired:
            _retention(proj, None, dry_run=True)  # not configured: stop before deleting anything
        rows = []
        if author:
            if not yes and not dry_run:
                plan = forget_authors(proj.store, author, platform=platform, dry_run=True)
                who = ", ".join(plan.handles)
                if plan.changed:  # nothing to delete: nothing to ask
                    message(f"Forgetting {who} {_plan(plan)}. This cannot be undone.")
                    try:
                        go_ahead = typer.confirm("Go ahead?", default=False, err=True)
                    except typer.Abort:  # no answer (stdin closed)
                        typer.echo("", err=True)
                        go_ahead = False
                    if not go_ahead:
                        message("Nothing was deleted (pass --yes to skip the question).")
                        raise typer.Exit(1)
            summary = forget_authors(proj.store, author, platform=platform, dry_run=dry_run)
            rows += summary.rows()
            who = ", ".join(summary.handles)
            if dry_run:
                message(f"Forgetting {who} {_plan(summary)} (dry run: nothing was changed)")
            else:
                message(f"Forgot {who}: {_plan(summary, done=True)}")
            named = _named_in_config(proj, summary.handles)
            if named:
                message(
                    f"Warning: hubbub.toml still names {who}: {', '.join(named)} "
                    "(edit it by hand; the file is not changed)"
                )
        if expired:
            retention = _retention(proj, None, dry_run)
            both = bool(rows)
            rows += [
                {**row, "table": f"{row['table']} (expired)"} if both else row
                for row in retention.rows()
            ]
            message(retention.line())
    finally:
        proj.close()
    title = "Would delete (dry run)" if dry_run else "Deleted"
    emit(rows, fmt, columns=COLUMNS, title=title)


@command("retention")
def retention(
    days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Drop what is older than this many days [default: [project] raw_retention_days].",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be dropped; change nothing.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Empty the raw payloads of posts older than the retention period; drop old rejects."""
    from hubbub.project import Project

    proj = Project.load(project)
    try:
        summary = _retention(proj, days, dry_run)
    finally:
        proj.close()
    message(summary.line())
    emit(
        summary.rows(), fmt, columns=COLUMNS, title="Would drop (dry run)" if dry_run else "Dropped"
    )

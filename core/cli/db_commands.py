"""``hubbub db migrate`` and ``hubbub db copy --to URL``: the project's database itself."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from hubbub.cli import ProjectOption, app
from hubbub.cli.output import OutputFormat, emit, message
from hubbub.errors import HubbubError

db_app = typer.Typer(
    name="db",
    help="The project's database: migrate its schema, copy it to another database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(db_app)

F = TypeVar("F", bound=Callable[..., Any])


def db_command(name: str) -> Callable[[F], F]:
    """``db_app.command`` that turns a :class:`HubbubError` into one line and exit code 1."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except HubbubError as error:
                typer.echo(f"Error: {error}", err=True)
                raise typer.Exit(error.exit_code) from None

        db_app.command(name)(wrapper)
        return function

    return decorate


@db_command("migrate")
def migrate(
    project: ProjectOption = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Migrate this database URL instead of the project's (no project needed).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Bring the database's schema to this hubbub's version (creating it when empty)."""
    from hubbub.store import SCHEMA_VERSION, Store, safe_url

    if database is None:
        from hubbub.project import Project

        url = Project.load(project).database_url
    else:
        url = database
    store = Store.open(url, migrate=False)
    try:
        before = store.schema_version()
        store.migrate()
    finally:
        store.close()
    where = safe_url(url)
    if before == SCHEMA_VERSION:
        message(f"{where}: already at schema {SCHEMA_VERSION}")
    else:
        message(f"{where}: migrated from schema {before or 'none (empty)'} to {SCHEMA_VERSION}")


@db_command("copy")
def copy(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The target database URL, e.g. postgresql://hubbub@db.example/acme (its "
            "tables are created; leave the password to PGPASSWORD or ~/.pgpass).",
            show_default=False,
        ),
    ],
    project: ProjectOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """Copy every post, annotation, finding, cursor and reject to another database.

    Running it again is safe: it skips what is already there and finishes an
    interrupted copy. Then point `database` in hubbub.toml at the new URL.
    """
    from hubbub.db_copy import copy_database
    from hubbub.project import Project
    from hubbub.store import Store, safe_url

    loaded = Project.load(project)
    if to.strip() == loaded.database_url:
        raise HubbubError("--to names the project's own database")
    target = Store.open(to)
    shown: dict[str, int] = {}

    def progress(table: str, written: int) -> None:
        if written - shown.get(table, 0) >= 50_000:
            shown[table] = written
            message(f"{table}: {written:,} rows…")

    try:
        results = copy_database(loaded.store, target, progress=progress)
    finally:
        target.close()
        loaded.close()
    emit(
        [result.as_row() for result in results],
        fmt,
        title=f"Copied to {safe_url(to)}",
    )
    posts = next((result for result in results if result.table == "posts"), None)
    if posts is not None:
        message(
            f"{posts.written:,} new posts copied; the target holds {posts.target_rows:,} "
            f"of the source's {posts.source_rows:,}. To use it, set "
            f'database = "{safe_url(to)}" in {loaded.config_path}'
        )

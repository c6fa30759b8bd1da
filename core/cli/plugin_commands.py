"""``hubbub plugins`` (what is loaded and what each plugin registered) and ``hubbub plugin new``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, app, command
from hubbub.cli.output import FormatOption, OutputFormat, emit
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.project import Project


def _find_project(directory: Path | None) -> Project | None:
    from hubbub.project import Project

    try:
        return Project.load(directory)
    except HubbubError:
        if directory is not None:
            raise
        return None


@command("plugins")
def plugins(
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """List loaded plugins: version, hooks, what each registered, options, load errors.

    Options are a plugin's ``[plugins.NAME]`` settings: the project's values when a
    project is found (``--project``, ``$HUBBUB_PROJECT`` or the cwd upward), else the defaults.
    """
    from hubbub.plugin_host import get_host

    found = _find_project(project)
    rows: list[dict[str, Any]] = []
    for info in get_host().info.values():
        options, option_errors = info.options_shown(found)
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "bundled": info.bundled,
                "hooks": info.hooks,
                "registered": info.registered,
                "options": options,
                "errors": [*info.errors, *option_errors],
            }
        )
    if found is not None:
        found.close()
    if fmt is not OutputFormat.table:
        emit(rows, fmt, title="Plugins")
        return
    # a terminal table of seven columns wraps badly: options get a table of their own
    emit(rows, fmt, columns=[key for key in rows[0] if key != "options"], title="Plugins")
    option_rows = [
        {"plugin": row["name"], "option": option.split("=", 1)[0], "value": option.split("=", 1)[1]}
        for row in rows
        for option in row["options"]
    ]
    if option_rows:
        emit(option_rows, fmt, title="Plugin options")


plugin_app = typer.Typer(
    name="plugin",
    help="Work on plugins: `hubbub plugin new NAME` writes a ready plugin package.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(plugin_app)


@plugin_app.command("new")
def new_plugin(
    name: Annotated[
        str, typer.Argument(help="The plugin's name, e.g. `sarcasm` or `hubbub-sarcasm`.")
    ],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to write the package (default: ./hubbub-NAME)."),
    ] = None,
) -> None:
    """Write a plugin package: pyproject.toml with the entry point, hookimpls, a passing test, README."""
    from hubbub.scaffold import write_plugin

    try:
        written = write_plugin(name, directory)
    except HubbubError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None
    for path in written.files:
        typer.echo(str(path))
    typer.echo(
        f"Wrote plugin {written.name!r} in {written.directory}. Next: "
        f"pip install -e {written.directory} && pytest {written.directory}",
        err=True,
    )

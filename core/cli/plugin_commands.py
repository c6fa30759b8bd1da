"""``hubbub plugins`` (what is loaded and what each plugin registered) and ``hubbub plugin new``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, app, command
from hubbub.cli.output import OutputFormat, emit
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.plugin_host import PluginInfo
    from hubbub.project import Project


def _options_shown(info: PluginInfo, project: Project | None) -> tuple[list[str], list[str]]:
    """``key=value`` for a plugin's options (the project's values, else defaults), and errors."""
    model = info.options_model
    if model is None:
        return [], []
    if project is not None:
        try:
            values = project.plugin_options(info.name).model_dump(mode="json")
        except HubbubError as error:
            return [], [str(error)]
        return [f"{key}={value!r}" for key, value in values.items()], []
    shown = []
    for key, spec in model.model_fields.items():
        default = (
            "<required>"
            if spec.is_required()
            else repr(spec.get_default(call_default_factory=True))
        )
        shown.append(f"{key}={default}")
    return shown, []


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
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
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
        options, option_errors = _options_shown(info, found)
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
    emit(rows, fmt, title="Plugins")


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

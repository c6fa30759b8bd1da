"""The ``hubbub`` command line (typer).

Commands are thin: they parse options, call plain functions in ``hubbub``, and print.
A :class:`hubbub.HubbubError` becomes one line on stderr and exit code 1, never a
traceback. Heavy modules are imported inside commands so ``hubbub --help`` is quick.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from hubbub import __version__
from hubbub.errors import HubbubError

app = typer.Typer(
    name="hubbub",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Social listening: collect public posts, analyse them, report what matters.",
    rich_markup_mode=None,
)

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Project directory (default: $HUBBUB_PROJECT, else the nearest hubbub.toml upward).",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``app.command`` that turns a :class:`HubbubError` into one line and exit code 1."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*inner_args: Any, **inner_kwargs: Any) -> Any:
            try:
                return function(*inner_args, **inner_kwargs)
            except HubbubError as error:
                typer.echo(f"Error: {error}", err=True)
                raise typer.Exit(error.exit_code) from None

        app.command(*args, **kwargs)(wrapper)
        return function

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hubbub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Social listening: collect public posts, analyse them, report what matters."""


def _load_commands() -> None:
    from hubbub.cli import project_commands  # noqa: F401, I001
    from hubbub.cli import data_commands, plugin_commands  # noqa: F401
    from hubbub.cli import analysis_commands  # noqa: F401
    from hubbub.cli import responsiveness_commands  # noqa: F401
    from hubbub.cli import topic_commands  # noqa: F401
    from hubbub.cli import influence_commands  # noqa: F401
    from hubbub.cli import tui_commands  # noqa: F401
    from hubbub.cli import report_commands  # noqa: F401
    from hubbub.cli import ingest_commands  # noqa: F401
    from hubbub.cli import privacy_commands  # noqa: F401
    from hubbub.cli import watch_commands  # noqa: F401
    from hubbub.cli import db_commands  # noqa: F401


_app_ready = False


def get_app() -> typer.Typer:
    """The CLI app with bundled and plugin commands registered (once).

    Bundled commands live here; third-party plugins add theirs through
    ``register_commands``. When no third-party plugin is installed the plugins are not
    loaded at all until a command needs them, which keeps ``hubbub --help`` fast.
    """
    global _app_ready
    if not _app_ready:
        _load_commands()
        from hubbub.entry_points import third_party_entry_points

        if third_party_entry_points():
            from hubbub.plugin_host import PluginHost

            # only third-party plugins add commands: the bundled ones (and the process's
            # plugin host) load when a command needs them, so `hubbub --help` stays fast
            host = PluginHost(bundled=False)
            host.register_commands(app)
            for name, errors in host.errors.items():
                for error in errors:
                    typer.echo(f"Warning: plugin {name!r}: {error}", err=True)
        _app_ready = True
    return app


def main() -> None:
    """Console-script entry point."""
    get_app()(prog_name="hubbub")

"""Test helpers for plugin authors: a project with given posts, the CLI in-process.

Import them in a plugin's tests::

    from hubbub.testing import make_project, run_cli

or use the pytest fixtures ``hubbub_project`` and ``hubbub_cli``, which pytest finds
by itself once hubbub is installed (the ``pytest11`` entry point ``hubbub``, see
:mod:`hubbub.pytest_plugin`). Every helper that takes ``plugins`` builds a plugin host
with the bundled plugins plus those, and *without* the installed third-party ones, so a
plugin's tests pass whether or not the plugin (or any other) is installed.

Heavy modules are imported inside the functions, so importing this one is quick.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubbub.plugin_host import PluginHost
    from hubbub.posts import Post
    from hubbub.project import Project

#: when the made-up posts of :func:`make_project` start (UTC); post ``n`` is ``n`` minutes later
START = datetime(2024, 5, 1, 9, 0, 0)

#: plugins as modules/objects (named by ``__name__``) or as ``{name: plugin}``
Plugins = Mapping[str, Any] | Sequence[Any]


def _plugin_pairs(plugins: Plugins) -> list[tuple[str, Any]]:
    if isinstance(plugins, Mapping):
        return list(plugins.items())
    pairs = []
    for plugin in plugins:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        pairs.append((name, plugin))
    return pairs


def make_host(plugins: Plugins = ()) -> PluginHost:
    """A plugin host with the bundled plugins and ``plugins``, ignoring installed entry points.

    :param plugins: modules or objects with hookimpls, or ``{name: plugin}`` to register
        each under the name its entry point has (so ``[plugins.NAME]`` options and
        ``hubbub plugins`` use that name).
    :returns: the host; :attr:`~hubbub.plugin_host.PluginHost.errors` says what failed.
    """
    from hubbub.plugin_host import PluginHost

    return PluginHost(load_entry_points=False, extra=_plugin_pairs(plugins))


@contextlib.contextmanager
def using_host(host: PluginHost) -> Iterator[PluginHost]:
    """Make ``host`` the process-wide plugin host (what commands and projects use) for a while."""
    from hubbub import plugin_host

    previous = plugin_host._host
    plugin_host._host = host
    try:
        yield host
    finally:
        plugin_host._host = previous


def post_record(n: int = 0, **fields: Any) -> dict[str, Any]:
    """A native record for post number ``n``: every required field set, ``fields`` on top.

    ``id`` defaults to ``str(n + 1)``, ``author`` to ``user{n}``, ``created_at`` to
    :data:`START` plus ``n`` minutes and ``text`` to ``post {n}``.
    """
    record: dict[str, Any] = {
        "id": str(n + 1),
        "author": f"user{n}",
        "created_at": (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "text": f"post {n}",
    }
    record.update(fields)
    return record


def make_post(n: int = 0, **fields: Any) -> Post:
    """A :class:`hubbub.Post` built from :func:`post_record` (``platform`` defaults to ``test``)."""
    from hubbub.records import post_from_record

    record = post_record(n, **fields)
    platform = record.pop("platform", "test")
    return post_from_record(
        record, raw=json.dumps(record), source="test", platform=platform, now=_now()
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise TypeError(f"cannot write {value!r} to TOML")


def to_toml(config: Mapping[str, Any]) -> str:
    """Write a ``hubbub.toml``-shaped dict as TOML (tables of scalars, lists and inline tables).

    ``{"brands": {"acme": {"handles": ["Acme"]}}}`` becomes a ``[brands.acme]`` table;
    a list of tables (``sources``) becomes ``[[sources]]`` entries.
    """
    lines: list[str] = []

    def table(path: list[str], values: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
        nested = {k: v for k, v in values.items() if isinstance(v, Mapping)}
        if path and (scalars or not nested):
            lines.append("[" + ".".join(_toml_key(part) for part in path) + "]")
        for key, value in scalars.items():
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
        for key, value in nested.items():
            table([*path, key], value)

    for key, value in config.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for item in value:
                lines.append(f"[[{_toml_key(key)}]]")
                lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in item.items())
        elif isinstance(value, Mapping):
            table([key], value)
        else:
            raise TypeError(f"top-level key {key!r} must be a table, got {value!r}")
    return "\n".join(lines) + "\n"


def make_project(
    directory: str | Path,
    posts: Iterable[Mapping[str, Any] | Post] = (),
    config: Mapping[str, Any] | str | None = None,
    *,
    plugins: Plugins | None = None,
    name: str = "test project",
) -> Project:
    """A project in ``directory`` (created) with a ``hubbub.toml`` and ``posts`` stored.

    :param directory: where the project goes (pass pytest's ``tmp_path``); it must not
        hold a ``hubbub.toml`` yet.
    :param posts: native records (dicts; missing ``id``, ``author``, ``created_at`` are
        filled in as :func:`post_record` does, numbered by position) or :class:`hubbub.Post`
        objects. They are stored as ``hubbub import`` stores them.
    :param config: the rest of ``hubbub.toml``: a dict such as ``{"brands": {"acme":
        {"keywords": ["acme"]}}, "plugins": {"emotions": {"lexicon": "basic"}}}`` or TOML text.
    :param plugins: plugins whose options ``project.plugin_options(NAME)`` reads (as in
        :func:`make_host`); ``None``: the process-wide host (installed plugins).
    :param name: ``[project] name``.
    :returns: the loaded :class:`hubbub.project.Project` (call ``close()`` when done; the
        ``hubbub_project`` fixture does).
    :raises hubbub.errors.ConfigError: when ``config`` is not a valid ``hubbub.toml``.
    """
    from hubbub.config import CONFIG_NAME
    from hubbub.posts import Post
    from hubbub.project import Project

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    if config is None:
        config_text = ""
    elif isinstance(config, str):
        config_text = config
    else:
        config = dict(config)
        project_section = {"name": name, **dict(config.pop("project", {}))}
        config_text = to_toml({"project": project_section, **config})
    if "[project]" not in config_text:
        config_text = f"[project]\nname = {json.dumps(name)}\n" + config_text
    path.write_text(config_text, encoding="utf-8")
    project = Project.load(directory)
    if plugins is not None:
        project.host = make_host(plugins)
    built = [
        item if isinstance(item, Post) else make_post(n, **dict(item))
        for n, item in enumerate(posts)
    ]
    if built:
        for post in built:
            post.source = post.source or "test"
        project.store.write_batch(built, [], source="test")
    return project


@dataclass
class CliResult:
    """What a command did: its exit code, stdout, stderr and the exception it raised, if any."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """stdout and stderr together (stdout first)."""
        return self.stdout + self.stderr

    def json(self) -> Any:
        """stdout parsed as JSON (for ``--format json``)."""
        return json.loads(self.stdout)


def run_cli(
    *args: str | Path,
    plugins: Plugins | None = None,
    project: Project | str | Path | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
) -> CliResult:
    """Run ``hubbub ARGS…`` in this process and return what it did (it never raises).

    :param args: the command line after ``hubbub`` (paths are turned into strings).
    :param plugins: plugins to load besides the bundled ones (modules, objects or
        ``{name: plugin}``); their ``register_commands`` commands are available. ``None``:
        the installed plugins, as the real ``hubbub`` loads them.
    :param project: adds ``--project DIR`` after the command words when given (a
        :class:`~hubbub.project.Project` or a directory).
    :param input: text for the command's stdin.
    :param env: extra environment variables for the run.
    :returns: a :class:`CliResult`; a crash is in ``exception`` with ``exit_code`` 1. With
        ``plugins``, their load and registration errors start ``stderr`` as
        ``Warning: plugin 'NAME': …`` lines, as the real command line prints them.
    """
    import typer
    from hubbub.cli import get_app
    from typer.testing import CliRunner

    warnings = ""
    words = [str(arg) for arg in args]
    if project is not None:
        directory = getattr(project, "directory", project)
        words = [*words, "--project", str(directory)]
    base = get_app()
    runner = CliRunner()
    if plugins is None:
        result = runner.invoke(base, words, input=input, env=dict(env or {}))
    else:
        host = make_host(plugins)
        app = typer.Typer(
            name=base.info.name,
            no_args_is_help=True,
            add_completion=False,
            pretty_exceptions_enable=False,
            rich_markup_mode=None,
        )
        app.registered_callback = base.registered_callback
        app.registered_commands = [
            command
            for command in base.registered_commands
            if getattr(command.callback, "__module__", "").startswith("hubbub.")
        ]
        app.registered_groups = list(base.registered_groups)
        host.register_commands(app)
        # what the real command line prints before it runs
        warnings = "".join(
            f"Warning: plugin {name!r}: {error}\n"
            for name, errors in host.errors.items()
            for error in errors
        )
        with using_host(host):
            result = runner.invoke(app, words, input=input, env=dict(env or {}))
    exception = result.exception
    if isinstance(exception, SystemExit):
        exception = None
    return CliResult(result.exit_code, result.stdout, warnings + result.stderr, exception)

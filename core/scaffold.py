"""``hubbub plugin new NAME``: write a ready plugin package.

The package has a ``pyproject.toml`` with the ``hubbub`` entry point, one module with a
``PluginOptions`` model, a post analyzer and a command, a test that passes as written
(with or without installing the package) and a README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hubbub.errors import HubbubError

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


@dataclass
class PluginPackage:
    """What :func:`write_plugin` wrote."""

    #: the entry-point name: how ``hubbub plugins`` and ``[plugins.NAME]`` refer to it
    name: str
    #: the distribution name (``hubbub-NAME``)
    distribution: str
    #: the importable module (``hubbub_NAME``)
    module: str
    directory: Path
    files: list[Path] = field(default_factory=list)


def plugin_names(name: str) -> tuple[str, str, str]:
    """``(entry-point name, distribution, module)`` for a plugin called ``name``.

    ``sarcasm`` and ``hubbub-sarcasm`` both give ``("sarcasm", "hubbub-sarcasm", "hubbub_sarcasm")``.

    :raises HubbubError: for a name that is not lower-case letters, digits and single ``-``/``_``.
    """
    cleaned = name.strip().lower()
    short = re.sub(r"^hubbub[-_]", "", cleaned)
    if not _NAME.match(short) or short == "hubbub":
        raise HubbubError(
            f"invalid plugin name {name!r}: use lower-case letters, digits and '-', starting with a letter"
        )
    return short, f"hubbub-{short.replace('_', '-')}", "hubbub_" + short.replace("-", "_")


PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{distribution}"
version = "0.1.0"
description = "A hubbub plugin: {name}"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["hubbub>={hubbub_version}"]

[project.optional-dependencies]
test = ["pytest>=8"]

# hubbub finds the plugin through this entry point; its name is the plugin's name
[project.entry-points.hubbub]
{name} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# the tests import the module from here, installed or not
pythonpath = ["."]
"""

MODULE = '''\
"""hubbub plugin {name!r}: an ``exclamations`` post analyzer and a ``hubbub {name}`` command.

Settings live in ``hubbub.toml`` under ``[plugins.{name}]`` (see :class:`PluginOptions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from hubbub import HubbubError, Options, PostAnalyzer, hookimpl
from pydantic import Field

PLUGIN_NAME = "{name}"


class PluginOptions(Options):
    """``[plugins.{name}]`` in ``hubbub.toml``; unknown keys are an error."""

    shout_threshold: int = Field(
        2, ge=1, description="Exclamation marks from which a post counts as shouting."
    )


class Exclamations(PostAnalyzer):
    """Counts the exclamation marks of each post."""

    name = "{name}"
    description = "exclamation marks per post"
    #: bump when results would change: posts analysed by an older version are analysed again
    version = "1"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        """One ``{{"exclamations": n}}`` per post, in order."""
        return [{{"exclamations": post.text.count("!")}} for post in posts]


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the post analyzer."""
    register(Exclamations)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    """Add ``hubbub {name}``."""

    @cli.command("{name}")
    def count_shouting(
        project: Annotated[
            Path | None, typer.Option("--project", "-p", help="Project directory.")
        ] = None,
    ) -> None:
        """Print how many stored posts shout (``shout_threshold`` exclamation marks or more)."""
        from hubbub.project import Project

        try:
            loaded = Project.load(project)
            threshold = loaded.plugin_options(PLUGIN_NAME).shout_threshold
        except HubbubError as error:
            typer.echo(f"Error: {{error}}", err=True)
            raise typer.Exit(1) from None
        shouting = sum(
            row.text.count("!") >= threshold for rows in loaded.store.iter_posts() for row in rows
        )
        loaded.close()
        typer.echo(shouting)
'''

TEST = '''\
"""Tests for the {name!r} plugin, with hubbub's test helpers (no install needed)."""

from __future__ import annotations

from pathlib import Path

import {module}
from hubbub.testing import make_host, make_post, make_project, run_cli

#: register the module under its entry-point name, as an installed plugin is
PLUGINS = {{"{name}": {module}}}


def test_plugin_loads_and_registers_its_analyzer() -> None:
    host = make_host(PLUGINS)
    assert host.errors.get("{name}") is None, host.errors
    assert host.info["{name}"].registered == ["analyzer:{name}"]
    assert "register_commands" in host.info["{name}"].hooks


def test_analyzer_counts_exclamation_marks() -> None:
    analyzer = {module}.Exclamations()
    posts = [make_post(0, text="wow!!"), make_post(1, text="fine")]
    assert analyzer.analyze(posts) == [{{"exclamations": 2}}, {{"exclamations": 0}}]


def test_command_counts_shouting_posts_with_the_configured_threshold(tmp_path: Path) -> None:
    posts = [{{"text": "wow!!"}}, {{"text": "yay!"}}, {{"text": "fine"}}]
    config = {{"plugins": {{"{name}": {{"shout_threshold": 1}}}}}}
    project = make_project(tmp_path, posts=posts, config=config)
    project.close()
    result = run_cli("{name}", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2"


def test_a_bad_option_is_one_clear_error(hubbub_project, hubbub_cli) -> None:
    project = hubbub_project(config={{"plugins": {{"{name}": {{"shout_threshold": 0}}}}}})
    result = hubbub_cli("{name}", project=project, plugins=PLUGINS)
    assert result.exit_code == 1
    assert "[plugins.{name}]: shout_threshold" in result.stderr
'''

README = """\
# {distribution}

A [hubbub](https://github.com/hubbub) plugin: an `exclamations` post analyzer
(`{name}`) and a `hubbub {name}` command that counts the stored posts that shout.

## Install

```console
pip install -e .
hubbub plugins        # lists {name!r} with what it registered
```

## Settings

```toml
[plugins.{name}]
shout_threshold = 2   # exclamation marks from which a post counts as shouting
```

## Use

```console
hubbub analyze --only {name}
hubbub {name}
```

## Test

```console
pip install -e '.[test]'
pytest
```

The tests use hubbub's test helpers (`hubbub.testing`) and the `hubbub_project` and
`hubbub_cli` pytest fixtures, and run whether or not the package is installed.
"""


def write_plugin(name: str, directory: Path | None = None) -> PluginPackage:
    """Write a plugin package for ``name`` into ``directory`` (default ``./hubbub-NAME``).

    :raises HubbubError: for an invalid name, or when ``directory`` exists and is not empty.
    """
    from hubbub import __version__

    short, distribution, module = plugin_names(name)
    target = Path(directory) if directory is not None else Path.cwd() / distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise HubbubError(f"{target} exists and is not empty; choose another --dir")
    values = {
        "name": short,
        "distribution": distribution,
        "module": module,
        "hubbub_version": __version__,
    }
    package = PluginPackage(short, distribution, module, target.resolve())
    contents = {
        "pyproject.toml": PYPROJECT.format(**values),
        f"{module}.py": MODULE.format(**values),
        f"tests/test_{module}.py": TEST.format(**values),
        "README.md": README.format(**values),
    }
    for relative, text in contents.items():
        path = package.directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        package.files.append(path)
    return package

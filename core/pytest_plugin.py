"""hubbub's pytest plugin (entry point ``pytest11: hubbub``): fixtures for plugin authors.

Installed with hubbub, so a plugin's tests can use these without a ``conftest.py``:

- ``hubbub_project(posts=(), config=None, plugins=None)``: a project in ``tmp_path``
  (see :func:`hubbub.testing.make_project`), closed after the test.
- ``hubbub_cli(*args, plugins=None, project=None, input=None, env=None)``: run a
  ``hubbub`` command in-process (see :func:`hubbub.testing.run_cli`).

Both leave the process-wide plugin host as they found it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.testing import CliResult


@pytest.fixture
def hubbub_project(tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """Make projects in ``tmp_path``: ``hubbub_project(posts=[...], config={...})``."""
    from hubbub.testing import make_project

    made: list[Project] = []

    def make(
        posts: Any = (), config: Any = None, *, plugins: Any = None, name: str = "test project"
    ) -> Project:
        directory = tmp_path / f"hubbub-project-{len(made)}"
        project = make_project(directory, posts, config, plugins=plugins, name=name)
        made.append(project)
        return project

    yield make
    for project in made:
        project.close()


@pytest.fixture
def hubbub_cli() -> Callable[..., CliResult]:
    """Run ``hubbub ARGS…`` in-process: ``hubbub_cli("plugins", "--format", "json")``."""
    from hubbub.testing import run_cli

    return run_cli

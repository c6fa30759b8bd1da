"""Shared fixtures: isolated projects in ``tmp_path``, native records in real shapes, the CLI.

Every test starts with a fresh plugin host and without the ``HUBBUB_*`` environment
variables, so nothing leaks between tests or in from the developer's shell.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub.plugin_host import reset_host
from hubbub.project import Project
from typer.testing import CliRunner, Result

#: when the sample conversation starts (all fixture times are UTC, ISO 8601 with "Z")
START = datetime(2024, 5, 1, 9, 0, 0)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``backends`` marker."""
    config.addinivalue_line(
        "markers",
        "backends(*names): run the test on SQLite and on PostgreSQL, or on the backends "
        "named (the `backend` parameter; `make_project` and `database` follow it)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``backends`` run once per backend."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker and "backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend", list(marker.args) or ["sqlite", "postgresql"], indirect=True
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """The throwaway PostgreSQL server (``tests/postgres_server.py``), with a migrated template.

    Skips the test, with the reason, where no server can be had, unless
    ``HUBBUB_TEST_REQUIRE_POSTGRES`` is set (``.ci/run`` sets it where the binaries are
    installed): then that is a failure, so CI never passes without the PostgreSQL tests.
    """
    import os

    from postgres_server import running_server

    with running_server() as server:
        if isinstance(server, str):
            if os.environ.get("HUBBUB_TEST_REQUIRE_POSTGRES"):
                pytest.fail(f"HUBBUB_TEST_REQUIRE_POSTGRES is set, but {server}")
            pytest.skip(server)
        from hubbub.store import Store

        template = server.create_database()
        Store.open(template).close()
        server.template = template.rsplit("/", 1)[1]
        yield server


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the parameter of a ``backends`` test (else ``sqlite``)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], str | None]]:
    """A factory of database URLs on the test's backend: ``None`` (the project's default
    SQLite file) on SQLite, an empty migrated database on PostgreSQL (emptied afterwards
    for the next test)."""
    made: list[str] = []
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None

    def new() -> str | None:
        if server is None:
            return None
        made.append(server.acquire())
        return made[-1]

    yield new
    for url in made:
        server.release(url)


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No project, plugin restriction or tracing from the environment; a fresh plugin host."""
    for name in ("HUBBUB_PROJECT", "HUBBUB_LOAD_PLUGINS", "HUBBUB_TRACE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    reset_host()
    yield
    reset_host()


def native_record(n: int, **fields: Any) -> dict[str, Any]:
    """A native record as an export writes it (every field set), for post number ``n``.

    Ids are snowflake-sized strings, as X/Twitter's are; ``fields`` override or add keys
    (pass ``None`` to drop one).
    """
    post_id = str(1790000000000000000 + n)
    record: dict[str, Any] = {
        "id": post_id,
        "platform": "twitter",
        "author": f"user{n % 7}",
        "created_at": (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "text": f"@SkyJet my bag number {n} is lost again #baggage",
        "url": f"https://x.com/user{n % 7}/status/{post_id}",
        "author_name": f"User {n % 7}",
        "author_followers": 100 * n,
        "lang": "en",
        "reply_to_id": "1790000000000000000",
        "reply_to_author": "SkyJet",
        "conversation_id": "1790000000000000000",
        "likes": n % 5,
        "reposts": n % 3,
        "replies": 0,
        "mentions": ["SkyJet"],
        "hashtags": ["baggage"],
    }
    for key, value in fields.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def write_jsonl(path: Path, items: Iterable[dict[str, Any] | bytes]) -> Path:
    """Write one JSON line per dict (bytes are written as a line verbatim); returns ``path``."""
    with path.open("wb") as stream:
        for item in items:
            line = item if isinstance(item, bytes) else orjson.dumps(item)
            stream.write(line + b"\n")
    return path


def read_jsonl(data: bytes | str) -> list[dict[str, Any]]:
    """Parse JSON lines (as ``hubbub export`` writes them)."""
    if isinstance(data, str):
        data = data.encode()
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


# Helpers are handed out as fixtures so tests never import conftest (works in any import mode).


@pytest.fixture
def record() -> Callable[..., dict[str, Any]]:
    """:func:`native_record`, as a fixture."""
    return native_record


@pytest.fixture
def jsonl() -> Callable[[Path, Iterable[dict[str, Any] | bytes]], Path]:
    """:func:`write_jsonl`, as a fixture."""
    return write_jsonl


@pytest.fixture
def parse_jsonl() -> Callable[[bytes | str], list[dict[str, Any]]]:
    """:func:`read_jsonl`, as a fixture."""
    return read_jsonl


@pytest.fixture
def error_line() -> Callable[[str], str]:
    """:func:`one_line_error`, as a fixture."""
    return one_line_error


@pytest.fixture
def make_project(
    tmp_path: Path, database: Callable[[], str | None]
) -> Iterator[Callable[..., Project]]:
    """Build a project directory with a ``hubbub.toml``; ``[project]`` keys as keyword arguments.

    ``extra`` is appended verbatim (brands, topics, sources). Stores are closed afterwards.
    In a test marked ``backends``, each project is on the backend of the test's
    ``backend`` parameter (a fresh PostgreSQL database per project); else on SQLite.
    """
    opened: list[Project] = []

    def make(name: str = "proj", *, extra: str = "", **project: Any) -> Project:
        directory = tmp_path / name
        directory.mkdir(parents=True)
        url = database() if "database" not in project else None
        settings = {"name": f"test {name}", **({"database": url} if url else {}), **project}
        lines = ["[project]"] + [
            f"{key} = {orjson.dumps(value).decode()}" for key, value in settings.items()
        ]
        (directory / "hubbub.toml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        loaded = Project.load(directory)
        opened.append(loaded)
        return loaded

    yield make
    for loaded in opened:
        loaded.close()


@pytest.fixture
def project(make_project: Callable[..., Project]) -> Project:
    """An empty project with default settings."""
    return make_project()


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``hubbub ARGS…`` in-process through typer's ``CliRunner``; returns the result."""
    from hubbub.cli import get_app

    app = get_app()
    runner = CliRunner()

    def invoke(*args: str | Path, **kwargs: Any) -> Result:
        return runner.invoke(app, [str(arg) for arg in args], **kwargs)

    return invoke


@pytest.fixture(scope="session")
def hubbub_bin() -> Path:
    """The installed ``hubbub`` console script of the interpreter running the tests."""
    candidate = Path(sys.executable).parent / "hubbub"
    if candidate.is_file():
        return candidate
    found = shutil.which("hubbub")
    if found is None:
        pytest.skip("the hubbub console script is not installed")
    return Path(found)


def one_line_error(text: str) -> str:
    """The single ``Error: …`` line of a failed command's stderr (asserts there is exactly one)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The demo project (seed 42, 20,000 posts), built once per test session; treat it as read-only.

    Built with the bundled plugins only (third-party ones installed in the environment
    would add their own annotations). Its folder holds ``expected.json`` (the planted
    answers) and ``report.html``.
    """
    from hubbub.demo.build import build_demo

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBBUB_LOAD_PLUGINS", "")
        reset_host()
        try:
            built = build_demo(tmp_path_factory.mktemp("shared-demo") / "demo")
        finally:
            reset_host()
    yield built.project
    built.project.close()

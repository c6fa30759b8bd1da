"""``hubbub analyze --executor dask``: the same annotations as in this process, on a Dask cluster.

One ``LocalCluster`` of two worker processes serves the whole module (its start is the
slow part); the runs connect to it with ``--scheduler``, as they would to a real cluster.
The test analyzers live in this module, which the workers import: they are started with
this process's ``sys.path``, as a cluster's workers need the plugins installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hubbub import PostAnalyzer, hookimpl
from hubbub.dask_executor import DaskError, DaskExecutor
from hubbub.project import Project
from hubbub.store import annotations_table
from hubbub.testing import make_project, run_cli

dask = pytest.importorskip("dask")
pytest.importorskip("distributed")  # before any dask.config.set: it adds Dask's settings


class Fragile(PostAnalyzer):
    """Raises on any post containing "boom" (so that post alone gets an ``error``)."""

    name = "fragile"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        if any("boom" in post.text for post in posts):
            raise RuntimeError("cannot read boom")
        return [{"words": len(post.text.split())} for post in posts]


class Crashing(PostAnalyzer):
    """Ends its whole worker process on a post containing "crash" (a segfault, say)."""

    name = "crashing"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        if any("crash" in post.text for post in posts) and os.environ.get("HUBBUB_DASK_WORKER"):
            os._exit(3)
        return [{"ok": True} for _ in posts]


class TestPlugin:
    """Registers the test analyzers (as a third-party plugin would)."""

    @hookimpl
    def register_analyzers(self, register: Any) -> None:
        register(Fragile)
        register(Crashing)


PLUGINS = {"dask-test": TestPlugin()}

TEXTS = [
    ("I love this airline! :)", "en"),
    ("Worst. Service. Ever!!!", "en"),
    ("¡Me encanta esta aerolínea!", "es"),
    ("the flight was delayed again, this is terrible", None),
    ("perdieron mi maleta otra vez", None),
    ("تأخرت رحلتي مرة أخرى", None),
    ("😍😍", None),
    ("boom: the parser cannot read this one", "en"),
    ("great crew, thank you so much", None),
]


def corpus(posts: int = 300) -> list[dict[str, Any]]:
    """``posts`` records: every text of :data:`TEXTS` with a few suffixes, many duplicates."""
    records = []
    for n in range(posts):
        text, lang = TEXTS[n % len(TEXTS)]
        record: dict[str, Any] = {"text": f"{text} #{n % 7}", "author": f"user{n % 11}"}
        if lang:
            record["lang"] = lang
        records.append(record)
    return records


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    """A ``LocalCluster`` of two worker processes, started by :class:`DaskExecutor` itself.

    A task whose worker dies is not retried on another (``allowed-failures`` 0), so the
    crash test kills one worker, not all of them in turn.
    """
    os.environ["HUBBUB_DASK_WORKER"] = "1"  # the workers inherit it; this process drops it
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            executor = DaskExecutor(workers=2)
            executor.connect()
    finally:
        del os.environ["HUBBUB_DASK_WORKER"]
    yield executor
    executor.close()


@pytest.fixture
def new_project(tmp_path: Path) -> Iterator[Any]:
    """Make projects holding :func:`corpus` posts in ``tmp_path``."""
    made: list[Project] = []

    def make(name: str, config: Any = None, posts: int = 300, records: Any = None) -> Project:
        project = make_project(
            tmp_path / name, corpus(posts) if records is None else records, config
        )
        made.append(project)
        return project

    yield make
    for project in made:
        project.close()


def annotation_rows(project: Project) -> list[tuple[Any, ...]]:
    """Every annotation row (post, analyzer, key, version, value), sorted."""
    a = annotations_table.c
    with project.store.engine.connect() as conn:
        query = sa.select(a.post_id, a.analyzer, a.key, a.version, a.value)
        return sorted(tuple(row) for row in conn.execute(query))


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_local_cluster_has_two_single_threaded_worker_processes(
    cluster: DaskExecutor,
) -> None:
    assert list(cluster.client.nthreads().values()) == [1, 1]
    assert cluster.workers == 2
    pids = set(cluster.client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    assert cluster.address.startswith("tcp://127.0.0.1:")


def test_dask_gives_the_same_annotations_as_this_process(
    cluster: DaskExecutor, new_project: Any
) -> None:
    serial, distributed = new_project("serial"), new_project("dask")
    options = ("--only", "sentiment", "--only", "fragile", "--batch-size", "40")
    here = run_cli("analyze", *options, "--executor", "serial", project=serial, plugins=PLUGINS)
    assert here.exit_code == 0, here.output
    there = run_cli(
        "analyze",
        *options,
        "--executor",
        "dask",
        "--scheduler",
        cluster.address,
        "--format",
        "json",
        project=distributed,
        plugins=PLUGINS,
    )
    assert there.exit_code == 0, there.output
    assert "2 worker(s)" in there.stderr
    rows = annotation_rows(distributed)
    assert rows == annotation_rows(serial)
    analysed = {row["analyzer"]: row for row in there.json()}
    assert set(analysed) == {"language", "sentiment", "fragile"}
    assert all(row["posts"] == 300 for row in analysed.values())
    # 9 texts x 7 suffixes, each analysed once however many batches it appears in
    assert analysed["fragile"]["unique_texts"] == 63
    # the failing post is recorded for that post alone, as in this process
    errors = {row[0] for row in rows if row[1] == "fragile" and row[2] == "error"}
    assert len(errors) == analysed["fragile"]["errors"] == 300 // 9
    assert ("fragile", "error", '{"type":"RuntimeError","message":"cannot read boom"}') in {
        row[1:3] + row[4:] for row in rows
    }
    assert "fragile: 33 posts failed" in there.stderr
    languages = {row[4] for row in rows if row[1] == "language" and row[2] == "lang"}
    assert {'"en"', '"es"', '"ar"', '"zxx"'} <= languages

    again = run_cli(
        "analyze",
        *options,
        "--scheduler",
        f"tcp://127.0.0.1:{closed_port()}",  # nothing to do: it does not even connect
        project=distributed,
        plugins=PLUGINS,
    )
    assert again.exit_code == 0, again.output
    assert "Nothing to analyse" in again.stderr
    assert annotation_rows(distributed) == rows


def test_the_analyze_section_chooses_dask_and_its_scheduler(
    cluster: DaskExecutor, new_project: Any
) -> None:
    config = {"analyze": {"executor": "dask", "scheduler": cluster.address}}
    project = new_project("configured", config, posts=30)
    result = run_cli("analyze", "--only", "fragile", project=project, plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    assert "fragile 30 in" in result.stderr and "2 worker(s)" in result.stderr
    local = new_project("local", posts=30)
    result = run_cli("analyze", "--only", "fragile", project=local, plugins=PLUGINS)
    assert "1 worker(s)" in result.stderr  # small work, local executor: this process


def test_an_unreachable_scheduler_is_one_line_and_exit_1(new_project: Any, error_line: Any) -> None:
    project = new_project("unreachable", posts=5)
    address = f"tcp://127.0.0.1:{closed_port()}"
    started = time.perf_counter()
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        result = run_cli("analyze", "--scheduler", address, project=project, plugins=PLUGINS)
    assert result.exit_code == 1
    line = error_line(result.stderr)
    assert line.startswith(f"Error: cannot reach the Dask scheduler at {address}")
    assert time.perf_counter() - started < 10
    assert annotation_rows(project) == []


def test_bad_executor_choices_are_one_line_errors(new_project: Any, error_line: Any) -> None:
    project = new_project("bad", posts=5)
    serial = run_cli("analyze", "--executor", "serial", "--scheduler", "tcp://127.0.0.1:1",
                     project=project)  # fmt: skip
    assert serial.exit_code == 1
    assert "needs --executor dask" in error_line(serial.stderr)
    scheme = run_cli("analyze", "--scheduler", "udp://127.0.0.1:1", project=project)
    assert scheme.exit_code == 1
    assert "unknown protocol 'udp'" in error_line(scheme.stderr)


def test_without_dask_installed_the_error_says_how_to_install_it(
    new_project: Any, error_line: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project("no-dask", posts=5)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = run_cli("analyze", "--executor", "dask", project=project)
    assert result.exit_code == 1
    line = error_line(result.stderr)
    assert "not installed" in line and "pip install 'hubbub[dask]'" in line


def test_dask_is_not_imported_by_help_or_a_local_run(tmp_path: Path) -> None:
    make_project(tmp_path / "lazy").close()  # nothing to analyse: the run stays short
    script = (
        "import sys\n"
        "from hubbub.cli import main\n"
        "for args in (['--help'], ['analyze', '--help'], ['analyze', '-p', sys.argv[1]]):\n"
        "    sys.argv = ['hubbub', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exit:\n"
        "        assert not exit.code, (args, exit.code)\n"
        "print(sorted({'dask', 'distributed'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lazy")],
        capture_output=True,
        text=True,
        env={**os.environ, "HUBBUB_LOAD_PLUGINS": ""},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_run_stops_once_the_cluster_has_had_no_workers_for_the_timeout() -> None:
    class WorkersGone:
        def nthreads(self) -> dict[str, int]:
            return {}

    executor = DaskExecutor("127.0.0.1:1")
    assert executor.scheduler == "tcp://127.0.0.1:1"
    executor.client, executor._timeout = WorkersGone(), 0.2
    executor.check_workers()  # the first check without workers starts the clock
    time.sleep(0.3)
    with pytest.raises(DaskError, match=r"tcp://127.0.0.1:1 has had no workers for 0.2s"):
        executor.check_workers()
    executor.client = None


# last: a worker is still restarting when it ends
def test_a_crashed_worker_is_one_line_and_the_stored_batches_stay(
    cluster: DaskExecutor, new_project: Any, error_line: Any
) -> None:
    records = [{"text": f"post {n}" + (" crash" if n == 150 else "")} for n in range(200)]
    project = new_project("crash", records=records)
    result = run_cli(
        "analyze", "--only", "crashing", "--batch-size", "20", "--scheduler", cluster.address,
        project=project, plugins=PLUGINS,
    )  # fmt: skip
    assert result.exit_code == 1
    line = error_line(result.stderr)
    assert "'crashing'" in line and "a Dask worker died while analysing a batch" in line
    stored = sorted({row[0] for row in annotation_rows(project)})
    assert stored and stored == list(range(1, len(stored) + 1))  # whole batches, in order
    assert len(stored) % 20 == 0 and len(stored) <= 140  # none from the crash on

"""Importing files: resumable cursors, growing and changed files, and a real killed import."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub.ingest import run_source
from hubbub.plugins.native import CsvSource, JsonlSource


def jsonl_source(path: Path, key: str = "file:posts") -> JsonlSource:
    """A native JSONL source over ``path`` with a fixed cursor key."""
    return JsonlSource(JsonlSource.Options(path=str(path)), key=key)


def append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records as JSON lines."""
    with path.open("ab") as stream:
        for item in records:
            stream.write(orjson.dumps(item) + b"\n")


def stored_ids(project: Any) -> list[str]:
    """External ids of all stored posts, in storage order."""
    return [row.external_id for rows in project.store.iter_posts() for row in rows]


def test_a_growing_file_imports_only_the_new_lines(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(10)])
    first = run_source(project.store, jsonl_source(path), batch_size=4)
    assert (first.read, first.stored, first.resumed) == (10, 10, False)
    cursor = project.store.get_cursor("file:posts")
    assert (cursor["line"], cursor["offset"]) == (10, path.stat().st_size)

    append_jsonl(path, [record(n) for n in range(10, 15)])
    second = run_source(project.store, jsonl_source(path), batch_size=4)
    assert (second.read, second.stored, second.duplicates, second.resumed) == (5, 5, 0, True)
    assert project.store.get_cursor("file:posts")["line"] == 15

    third = run_source(project.store, jsonl_source(path))
    assert (third.read, third.resumed) == (0, True)
    assert stored_ids(project) == [record(n)["id"] for n in range(15)]


def test_rejects_in_the_appended_part_get_their_real_line_numbers(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(3)])
    run_source(project.store, jsonl_source(path))
    with path.open("ab") as stream:
        stream.write(orjson.dumps(record(3)) + b"\n{broken\n")
    summary = run_source(project.store, jsonl_source(path))
    assert (summary.stored, summary.rejected) == (1, 1)
    assert [row["position"] for row in project.store.rejects()] == ["line 5"]


def test_a_file_whose_beginning_changed_is_read_from_the_start(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(10)])
    run_source(project.store, jsonl_source(path))
    # the file is rewritten: a new first line, the old ones, one more at the end
    jsonl(path, [record(100)] + [record(n) for n in range(11)])
    summary = run_source(project.store, jsonl_source(path))
    assert summary.resumed is False
    assert (summary.read, summary.stored, summary.duplicates) == (12, 2, 10)
    assert project.store.count_posts() == 12
    assert project.store.get_cursor("file:posts")["line"] == 12


def test_a_truncated_file_is_read_from_the_start(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(10)])
    run_source(project.store, jsonl_source(path))
    jsonl(path, [record(n) for n in range(3)])
    summary = run_source(project.store, jsonl_source(path))
    assert (summary.resumed, summary.read, summary.stored, summary.duplicates) == (False, 3, 0, 3)


def test_an_edited_line_before_the_cursor_is_noticed(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(5)])
    run_source(project.store, jsonl_source(path))
    data = path.read_bytes().replace(b"bag number 2", b"bag NUMBER 2")
    path.write_bytes(data)  # same size, different bytes
    summary = run_source(project.store, jsonl_source(path))
    assert (summary.resumed, summary.read, summary.duplicates) == (False, 5, 5)


def test_a_growing_csv_keeps_its_header(project: Any, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "author,created_at,text,id\nalice,2024-05-01T12:00:00Z,first,1\n", encoding="utf-8"
    )
    source = CsvSource(CsvSource.Options(path=str(path)), key="file:csv")
    assert run_source(project.store, source).stored == 1
    assert project.store.get_cursor("file:csv")["header"] == ["author", "created_at", "text", "id"]
    with path.open("a", encoding="utf-8") as stream:
        stream.write('bob,2024-05-01T12:01:00Z,"second, with a comma",2\n')
    source = CsvSource(CsvSource.Options(path=str(path)), key="file:csv")
    summary = run_source(project.store, source)
    assert (summary.read, summary.stored, summary.rejected, summary.resumed) == (1, 1, 0, True)
    (rows,) = project.store.iter_posts()
    assert [(row.external_id, row.author, row.text) for row in rows] == [
        ("1", "alice", "first"),
        ("2", "bob", "second, with a comma"),
    ]


class InterruptedSource(JsonlSource):
    """A JSONL source whose reading is interrupted (Ctrl-C) after ``stop_after`` items."""

    stop_after = 25

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Any]:
        for count, item in enumerate(super().read(cursor), start=1):
            yield item
            if count == self.stop_after:
                raise KeyboardInterrupt


def test_an_interrupted_run_resumes_after_the_last_committed_batch(
    project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(40)])
    interrupted = InterruptedSource(InterruptedSource.Options(path=str(path)), key="file:posts")
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, interrupted, batch_size=10)
    # two whole batches were committed; the five items after them were not
    assert project.store.count_posts() == 20
    assert project.store.get_cursor("file:posts")["line"] == 20
    with project.store.engine.connect() as conn:
        statuses = conn.execute(sa.text("SELECT status FROM runs")).scalars().all()
    assert statuses == ["interrupted"]

    summary = run_source(project.store, jsonl_source(path), batch_size=10)
    assert (summary.read, summary.stored, summary.duplicates, summary.resumed) == (20, 20, 0, True)
    assert stored_ids(project) == [record(n)["id"] for n in range(40)]


# ---------------------------------------------------------------- a real kill

POSTS = 60_000
DISTINCT = 59_000  # the last 1,000 lines repeat earlier ids
BATCH = 500


def kill_test_ids() -> list[str]:
    """The id on each line of the big file."""
    return [str(1790000000000000000 + n % DISTINCT) for n in range(POSTS)]


def wait_for_posts(db: Path, process: subprocess.Popen[bytes], deadline: float) -> int:
    """Poll the database until the import has committed some posts; returns how many."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the import ended (exit {process.returncode}) before it could be killed")
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                count = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
        except sqlite3.OperationalError:  # not created or migrated yet
            count = 0
        if count:
            return count
        time.sleep(0.005)
    pytest.fail("no posts were stored in time")


def test_a_killed_import_leaves_a_consistent_database_and_a_rerun_completes(
    make_project: Any, tmp_path: Path, hubbub_bin: Path
) -> None:
    project = make_project(batch_size=BATCH)
    ids = kill_test_ids()
    path = tmp_path / "big.jsonl"
    with path.open("wb") as stream:
        for n, post_id in enumerate(ids):
            stream.write(
                orjson.dumps(
                    {
                        "id": post_id,
                        "text": f"post {n} about #baggage",
                        "author": f"user{n % 97}",
                        "created_at": 1714560000 + n,
                    }
                )
                + b"\n"
            )
    command = [str(hubbub_bin), "import", "-p", str(project.directory), str(path)]
    db = project.directory / "hubbub.db"

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_posts(db, process, time.monotonic() + 30)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = project.store
    cursor = store.get_cursor(f"file:{path.resolve()}")
    assert cursor is not None
    lines_done = cursor["line"]
    assert 0 < lines_done < POSTS
    assert lines_done % BATCH == 0, "a whole number of batches was committed"
    stored_before = store.count_posts()
    assert stored_before == len(set(ids[:lines_done]))
    assert store.full_text_count("baggage") == stored_before
    project.close()

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    read_again = POSTS - lines_done
    stored_now = DISTINCT - stored_before
    assert rerun.stderr.strip() == (
        f"{path}: read {read_again}, stored {stored_now}, "
        f"duplicates {read_again - stored_now}, rejected 0 "
        "(resumed where the last import stopped)"
    )
    store = project.store
    assert store.count_posts() == DISTINCT
    with store.engine.connect() as conn:
        distinct = conn.execute(sa.text("SELECT count(DISTINCT external_id) FROM posts")).scalar()
    assert distinct == DISTINCT
    assert store.full_text_count("baggage") == DISTINCT


def test_reimporting_with_another_map_reads_the_file_afresh(
    cli: Any, project: Any, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,body,author,created_at\n"
        "1,first post,alice,2024-05-01T12:00:00Z\n"
        "2,second post,bob,2024-05-01T12:05:00Z\n",
        encoding="utf-8",
    )
    first = cli("import", "-p", project.directory, path)
    assert "stored 0" in first.stderr and "rejected 2" in first.stderr
    assert {row["reason"] for row in project.store.rejects()} == {"missing required field text"}
    # the same file with the right mapping is read again, not "nothing new"
    second = cli("import", "-p", project.directory, "--map", "text=body", path)
    assert second.exit_code == 0, second.output
    assert "read 2, stored 2" in second.stderr
    assert project.store.count_posts() == 2
    assert project.store.rejects() == []  # the old reasons no longer hold
    again = cli("import", "-p", project.directory, "--map", "text=body", path)
    assert "nothing new since the last import" in again.stderr

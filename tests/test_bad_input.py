"""Bad input: each broken record becomes a reject with its line and reason; the rest is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub.ingest import run_source
from hubbub.plugins.native import CsvSource, JsonlSource

LIMIT = 2048


def good(n: int, **fields: Any) -> bytes:
    """A valid native JSON line for post ``n``."""
    return orjson.dumps(
        {
            "id": str(n),
            "text": f"good post {n} about #baggage",
            "author": "alice",
            "created_at": "2024-05-01T12:00:00Z",
            **fields,
        }
    )


def bad(n: int, **fields: Any) -> bytes:
    """A native JSON line for post ``n`` with ``fields`` replacing the good ones."""
    return good(n, **fields)


#: line number -> (the line, words its reject reason must contain); ``None``: stored
JSONL_LINES: list[tuple[bytes, tuple[str, ...] | None]] = [
    (good(1), None),
    (b'{"id": "2", "text": "cut off', ("invalid JSON",)),
    (good(3), None),
    (b'{"id": "4", "text": "no author or date"}', ("missing required fields author, created_at",)),
    (bad(5, created_at="next tuesday"), ("created_at", "'next tuesday'", "not an ISO 8601")),
    (bad(6, created_at="1800-01-01T00:00:00Z"), ("created_at", "out of range")),
    (bad(7, created_at="2999-12-31T00:00:00Z"), ("created_at", "out of range")),
    (
        good(8).replace(b'"2024-05-01T12:00:00Z"', b"99999999999999999999"),
        ("created_at", "out of range"),
    ),
    (bad(9, created_at="2024-02-30"), ("created_at", "'2024-02-30'")),
    (
        b'{"id": "10", "text": "bad \xff\xfe bytes", "author": "a", "created_at": 1714560000}',
        ("invalid UTF-8",),
    ),
    (b'{"id": "11", "text": "raw \x00 byte", "author": "a", "created_at": 1714560000}', ("NUL",)),
    (
        b'{"id": "12", "text": "escaped \\u0000 nul", "author": "a", "created_at": 1714560000}',
        ("NUL",),
    ),
    (bad(13, text="x" * (LIMIT + 100)), (f"record over {LIMIT} bytes",)),
    (good(14), None),
    (b"[1, 2, 3]", ("expected a JSON object, got list",)),
    (bad(16, id=1.5), ("id", "float")),
    (bad(17, likes=-4), ("likes must not be negative",)),
    (bad(18, mentions="[broken"), ("mentions is not a valid JSON list",)),
    (b"   ", None),  # a blank line is neither a post nor a reject
    (good(20, text="ünïcödé 🎉 survives"), None),
    (good(21, created_at="2024-05-01T14:00:00+02:00"), None),
    (good(22, created_at="1714560000"), None),
]
JSONL_STORED = {"1", "3", "14", "20", "21", "22"}


@pytest.fixture
def small_project(make_project: Any) -> Any:
    """A project whose records may be at most 2 KiB."""
    return make_project(max_record_bytes=LIMIT)


def write_lines(path: Path, lines: list[bytes], *, final_newline: bool = True) -> Path:
    """Write raw lines joined by newlines."""
    path.write_bytes(b"\n".join(lines) + (b"\n" if final_newline else b""))
    return path


def test_every_kind_of_bad_jsonl_line_is_rejected_with_its_line_and_reason(
    cli: Any, small_project: Any, tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", [line for line, _ in JSONL_LINES])
    result = cli("import", "-p", small_project.directory, path)
    assert result.exit_code == 0, result.output
    expected_rejects = {
        f"line {number}": words
        for number, (_, words) in enumerate(JSONL_LINES, start=1)
        if words is not None
    }
    read = len(JSONL_STORED) + len(expected_rejects)
    assert result.stderr.strip() == (
        f"{path}: read {read}, stored {len(JSONL_STORED)}, duplicates 0, "
        f"rejected {len(expected_rejects)} — see `hubbub rejects`"
    )
    store = small_project.store
    rejects = {row["position"]: row for row in store.rejects(limit=None)}
    assert set(rejects) == set(expected_rejects)
    for position, words in expected_rejects.items():
        for word in words:
            assert word in rejects[position]["reason"], (position, rejects[position]["reason"])
        assert rejects[position]["source"] == f"file:{path.resolve()}"
        assert "\x00" not in rejects[position]["record"]
    exported = [
        orjson.loads(line)
        for line in cli("export", "-p", small_project.directory).stdout.splitlines()
    ]
    assert {item["id"] for item in exported} == JSONL_STORED
    texts = {item["id"]: item["text"] for item in exported}
    assert texts["20"] == "ünïcödé 🎉 survives"
    created = {item["id"]: item["created_at"] for item in exported}
    assert created["21"] == "2024-05-01T12:00:00Z"
    assert created["22"] == "2024-05-01T10:40:00Z"


def test_an_oversize_line_is_rejected_unread_and_kept_short(
    small_project: Any, tmp_path: Path
) -> None:
    huge = bad(2, text="y" * 50_000)
    path = write_lines(tmp_path / "huge.jsonl", [good(1), huge, good(3)])
    source = JsonlSource(
        JsonlSource.Options(path=str(path), max_record_bytes=LIMIT), key="file:huge"
    )
    summary = run_source(small_project.store, source)
    assert (summary.stored, summary.rejected) == (2, 1)
    (reject,) = small_project.store.rejects()
    assert reject["position"] == "line 2"
    assert reject["reason"] == f"record over {LIMIT} bytes"
    assert len(reject["record"]) <= 2000
    assert small_project.store.full_text_count("yyyy*") == 0


def test_a_line_just_under_the_limit_is_stored(small_project: Any, tmp_path: Path) -> None:
    line = good(1)
    line = good(1, text="z" * (LIMIT - len(line) + len("good post 1 about #baggage")))
    assert len(line) == LIMIT
    path = write_lines(tmp_path / "edge.jsonl", [line, good(2, text="z" * LIMIT)])
    source = JsonlSource(JsonlSource.Options(path=str(path), max_record_bytes=LIMIT), key="edge")
    summary = run_source(small_project.store, source)
    assert (summary.stored, summary.rejected) == (1, 1)


def test_a_last_line_without_newline_is_read(small_project: Any, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "tail.jsonl", [good(1), good(2)], final_newline=False)
    summary = run_source(
        small_project.store, JsonlSource(JsonlSource.Options(path=str(path)), key="tail")
    )
    assert (summary.read, summary.stored) == (2, 2)


def test_a_bom_at_the_start_of_a_jsonl_file_is_ignored(small_project: Any, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bom.jsonl", [b"\xef\xbb\xbf" + good(1), good(2)])
    summary = run_source(
        small_project.store, JsonlSource(JsonlSource.Options(path=str(path)), key="bom")
    )
    assert (summary.stored, summary.rejected) == (2, 0)


def test_an_empty_file_imports_nothing(cli: Any, small_project: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = cli("import", "-p", small_project.directory, path)
    assert result.exit_code == 0, result.output
    assert "read 0, stored 0, duplicates 0, rejected 0" in result.stderr


# ---------------------------------------------------------------- CSV

CSV_TEXT = (
    "\ufeffid,text,author,created_at,mentions,hashtags,likes\n"  # line 1, with a BOM
    '1,"Lost bag, again.\nSecond line with ""quotes""",alice,2024-05-01T12:00:00Z,'
    "SkyJet bob,baggage lost,3\n"  # lines 2-3
    "2,plain,bob,2024-05-01T12:01:00Z,,,\n"  # line 4
    "3,too,many,fields,here,x,y,z\n"  # line 5
    "119237.0,float id from a spreadsheet,carol,1714560000,@SkyJet,#refund,7.0\n"  # line 6
    '4,"nul \x00 inside",dave,2024-05-01T12:00:00Z,,,\n'  # line 7
    "5,missing date,erin,,,,\n"  # line 8
    "6,bad date,frank,yesterday,,,\n"  # line 9
    "\n"  # line 10: blank
    "7,last one,gina,2024-05-01T12:05:00Z,,,\n"  # line 11
)


def test_csv_quirks_and_bad_rows(cli: Any, small_project: Any, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_bytes(
        CSV_TEXT.encode("utf-8")
        + b'8,"bad \xff byte",hank,2024-05-01T12:00:00Z,,,\n'  # line 12
        + b"9,fine,ivy,2024-05-01T12:00:00Z,,,\n"  # line 13
    )
    result = cli("import", "-p", small_project.directory, path)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"{path}: read 10, stored 5, duplicates 0, rejected 5")
    rejects = {row["position"]: row["reason"] for row in small_project.store.rejects(limit=None)}
    assert set(rejects) == {"line 5", "line 7", "line 8", "line 9", "line 12"}
    assert rejects["line 5"] == "expected 7 fields as in the header, got 8"
    assert "NUL" in rejects["line 7"]
    assert rejects["line 8"] == "missing required field created_at"
    assert "'yesterday'" in rejects["line 9"]
    assert rejects["line 12"] == "invalid UTF-8 at byte 7 of the line"
    exported = {
        item["id"]: item
        for item in map(
            orjson.loads, cli("export", "-p", small_project.directory).stdout.splitlines()
        )
    }
    assert set(exported) == {"1", "2", "119237", "7", "9"}
    first = exported["1"]
    assert first["text"] == 'Lost bag, again.\nSecond line with "quotes"'
    assert first["mentions"] == ["SkyJet", "bob"]
    assert first["hashtags"] == ["baggage", "lost"]
    assert first["likes"] == 3
    repaired = exported["119237"]
    assert (repaired["mentions"], repaired["hashtags"], repaired["likes"]) == (
        ["SkyJet"],
        ["refund"],
        7,
    )
    assert repaired["created_at"] == "2024-05-01T10:40:00Z"
    assert exported["2"]["mentions"] == []


def test_csv_with_a_map_and_a_tsv(small_project: Any, tmp_path: Path) -> None:
    path = tmp_path / "tweets.tsv"
    path.write_text(
        "tweet_id\tbody\tuser\ttime\n1630000000000000001\thello\tanna\t2024-05-01T12:00:00Z\n",
        encoding="utf-8",
    )
    options = CsvSource.Options(
        path=str(path),
        field_map={"id": "tweet_id", "text": "body", "author": "user", "created_at": "time"},
    )
    summary = run_source(small_project.store, CsvSource(options, key="tsv"))
    assert (summary.stored, summary.rejected) == (1, 0)
    (rows,) = small_project.store.iter_posts()
    assert rows[0].external_id == "1630000000000000001"
    assert orjson.loads(rows[0].raw) == {
        "tweet_id": "1630000000000000001",
        "body": "hello",
        "user": "anna",
        "time": "2024-05-01T12:00:00Z",
    }


def test_oversize_csv_rows_are_rejected_and_their_neighbours_kept(
    small_project: Any, tmp_path: Path
) -> None:
    half = "h" * (LIMIT // 2 + 10)
    path = tmp_path / "big.csv"
    path.write_text(
        "id,text,author,created_at\n"
        f'1,"{"w" * (LIMIT + 10)}",a,2024-05-01T12:00:00Z\n'  # line 2: one line over the limit
        "2,ok,b,2024-05-01T12:00:00Z\n"  # line 3
        f'3,"{half}\n{half}",c,2024-05-01T12:00:00Z\n'  # lines 4-5: over the limit together
        "4,also ok,d,2024-05-01T12:00:00Z\n",  # line 6
        encoding="utf-8",
    )
    options = CsvSource.Options(path=str(path), max_record_bytes=LIMIT)
    summary = run_source(small_project.store, CsvSource(options, key="big"))
    assert (summary.stored, summary.rejected) == (2, 2)
    rejects = {row["position"]: row for row in small_project.store.rejects()}
    assert set(rejects) == {"line 2", "line 4"}
    assert {row["reason"] for row in rejects.values()} == {f"record over {LIMIT} bytes"}
    assert rejects["line 2"]["record"].startswith('1,"www')
    (rows,) = small_project.store.iter_posts()
    assert [row.text for row in rows] == ["ok", "also ok"]

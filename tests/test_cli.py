"""The command line through typer's CliRunner: exit codes, stdout for data, stderr for messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import orjson
from hubbub import __version__
from hubbub.config import load_config


def test_version(cli: Any) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"hubbub {__version__}"


def test_no_arguments_shows_help(cli: Any) -> None:
    result = cli()
    assert "import" in result.output
    assert "Usage" in result.output


def test_init_creates_toml_and_database(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "acme"
    result = cli("init", target, "--name", "Acme listening")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Created" in result.stderr
    config = load_config(target / "hubbub.toml")
    assert config.project.name == "Acme listening"
    assert (target / "hubbub.db").is_file()
    # the database is ready: a command on the new project works straight away
    listed = cli("rejects", "-p", target, "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert orjson.loads(listed.stdout) == []


def test_init_refuses_to_overwrite(cli: Any, tmp_path: Path, error_line: Any) -> None:
    target = tmp_path / "acme"
    assert cli("init", target).exit_code == 0
    (target / "hubbub.toml").write_text('[project]\nname = "mine"\n', encoding="utf-8")
    result = cli("init", target)
    assert result.exit_code == 1
    assert "already exists; not overwriting it" in error_line(result.stderr)
    assert (target / "hubbub.toml").read_text(encoding="utf-8") == '[project]\nname = "mine"\n'


def test_init_defaults_the_name_to_the_folder(cli: Any, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "globex-watch").exit_code == 0
    assert load_config(tmp_path / "globex-watch" / "hubbub.toml").project.name == "globex-watch"


def test_import_prints_a_summary_on_stderr(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(12)])
    result = cli("import", "-p", project.directory, path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == f"{path}: read 12, stored 12, duplicates 0, rejected 0"
    assert project.store.count_posts() == 12
    again = cli("import", "-p", project.directory, path)
    assert again.exit_code == 0
    assert again.stderr.strip() == f"{path}: nothing new since the last import"
    assert project.store.count_posts() == 12


def test_import_several_files_one_summary_each(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    first = jsonl(tmp_path / "a.jsonl", [record(n) for n in range(3)])
    second = jsonl(tmp_path / "b.ndjson", [record(n) for n in range(2, 6)])
    result = cli("import", "-p", project.directory, first, second)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{first}: read 3, stored 3, duplicates 0, rejected 0",
        f"{second}: read 4, stored 3, duplicates 1, rejected 0",
    ]


def test_import_tells_the_format_from_the_content_not_the_extension(
    cli: Any, project: Any, tmp_path: Path, error_line: Any
) -> None:
    path = tmp_path / "export.txt"
    path.write_text(
        "id,text,author,created_at\n1,hello,alice,2024-05-01T12:00:00Z\n", encoding="utf-8"
    )
    result = cli("import", "-p", project.directory, path)
    assert result.exit_code == 0, result.output
    assert "stored 1" in result.stderr
    assert project.store.count_posts() == 1

    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\nnothing to import\n", encoding="utf-8")
    refused = cli("import", "-p", project.directory, notes)
    assert refused.exit_code == 1
    assert "cannot tell its format from its content; pass --format" in error_line(refused.stderr)
    forced = cli("import", "-p", project.directory, "--format", "jsonl", notes)
    assert forced.exit_code == 0
    assert "rejected 2" in forced.stderr


def test_import_map_reads_another_column(
    cli: Any, project: Any, tmp_path: Path, jsonl: Any, parse_jsonl: Any
) -> None:
    path = jsonl(
        tmp_path / "other.jsonl",
        [
            {"id": "1", "body": "mapped text", "author": "a", "created_at": "2024-05-01T12:00:00Z"},
            {"id": "2", "body": "more", "author": "b", "created_at": "2024-05-01T12:01:00Z"},
        ],
    )
    result = cli("import", "-p", project.directory, "--map", "text=body", path)
    assert result.exit_code == 0, result.output
    assert "stored 2, duplicates 0, rejected 0" in result.stderr
    exported = parse_jsonl(cli("export", "-p", project.directory).stdout)
    assert [item["text"] for item in exported] == ["mapped text", "more"]


def test_import_platform_option(cli: Any, project: Any, tmp_path: Path, jsonl: Any) -> None:
    path = jsonl(
        tmp_path / "m.jsonl",
        [{"id": "1", "text": "toot", "author": "a", "created_at": "2024-05-01T12:00:00Z"}],
    )
    assert cli("import", "-p", project.directory, "--platform", "mastodon", path).exit_code == 0
    exported = orjson.loads(cli("export", "-p", project.directory).stdout)
    assert exported["platform"] == "mastodon"


def test_bad_map_is_a_one_line_error(
    cli: Any, project: Any, tmp_path: Path, jsonl: Any, error_line: Any
) -> None:
    path = jsonl(tmp_path / "x.jsonl", [])
    result = cli("import", "-p", project.directory, "--map", "txt=body", path)
    assert result.exit_code == 1
    assert "'txt' is not a native field" in error_line(result.stderr)
    result = cli("import", "-p", project.directory, "--map", "text", path)
    assert result.exit_code == 1
    assert "expected FIELD=COLUMN" in error_line(result.stderr)


def test_unknown_format_is_a_one_line_error(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any, error_line: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(1)])
    result = cli("import", "-p", project.directory, "--format", "xml", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    line = error_line(result.stderr)
    assert line.startswith("Error: unknown import format 'xml' (available: ")
    assert "csv, " in line and "jsonl" in line
    assert project.store.count_posts() == 0


def test_missing_file_is_a_one_line_error(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any, error_line: Any
) -> None:
    present = jsonl(tmp_path / "posts.jsonl", [record(1)])
    missing = tmp_path / "missing.jsonl"
    result = cli("import", "-p", project.directory, present, missing)
    assert result.exit_code == 1
    assert error_line(result.stderr) == f"Error: {missing}: no such file"
    # files are checked before anything is imported
    assert project.store.count_posts() == 0


def test_missing_project_is_a_one_line_error(
    cli: Any, tmp_path: Path, record: Any, jsonl: Any, error_line: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(1)])
    result = cli("import", "-p", tmp_path / "nowhere", path)
    assert result.exit_code == 1
    assert "is not a hubbub project" in error_line(result.stderr)


def test_bad_config_is_a_one_line_error(
    cli: Any, tmp_path: Path, record: Any, jsonl: Any, error_line: Any
) -> None:
    directory = tmp_path / "broken"
    directory.mkdir()
    (directory / "hubbub.toml").write_text('[project]\ndatabse = "x.db"\n', encoding="utf-8")
    result = cli("import", "-p", directory, jsonl(tmp_path / "p.jsonl", [record(1)]))
    assert result.exit_code == 1
    assert error_line(result.stderr) == (
        f"Error: {directory.resolve() / 'hubbub.toml'}: project.databse: unknown key"
    )


def test_rejects_json_is_a_list_of_flat_objects(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(1), b"{not json", record(3, author=None)])
    assert cli("import", "-p", project.directory, path).exit_code == 0
    result = cli("rejects", "-p", project.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert isinstance(rows, list)
    assert len(rows) == 2
    for row in rows:
        assert set(row) == {"id", "run_id", "source", "position", "reason", "record", "created_at"}
        assert all(not isinstance(value, dict | list) for value in row.values())
        assert row["source"] == f"file:{path.resolve()}"
        assert row["created_at"].endswith("Z")
    assert [row["position"] for row in rows] == ["line 3", "line 2"]  # newest first
    assert rows[0]["reason"] == "missing required field author"
    assert rows[1]["reason"].startswith("invalid JSON")
    assert rows[1]["record"] == "{not json"  # the line, without its line ending


def test_rejects_csv_and_limit(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [b"[1]", b"[2]", b"=cmd|' /C calc'!A0"])
    assert cli("import", "-p", project.directory, path).exit_code == 0
    result = cli("rejects", "-p", project.directory, "--format", "csv", "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["position"] for row in rows] == ["line 3", "line 2"]
    # a record that a spreadsheet would run as a formula is neutralised
    assert rows[0]["record"].startswith("'=")


def test_rejects_table(cli: Any, project: Any, tmp_path: Path, jsonl: Any) -> None:
    # (a file holding only "[1]" would be read as a one-line JSON document: "item 1")
    path = jsonl(tmp_path / "posts.jsonl", [b'"not an object"'])
    assert cli("import", "-p", project.directory, path).exit_code == 0
    result = cli("rejects", "-p", project.directory)
    assert result.exit_code == 0
    assert "Rejects (1 of 1)" in result.stdout
    # columns wrap at the runner's 80 columns: check words, not whole cells
    assert "line 1" in result.stdout
    assert "expected" in result.stdout


def test_export_round_trips_into_a_second_project(
    cli: Any, make_project: Any, tmp_path: Path, record: Any, jsonl: Any, parse_jsonl: Any
) -> None:
    first, second = make_project("first"), make_project("second")
    records = [record(n) for n in range(20)]
    records[3] = record(3, text="مرحبا 👋🏽 e\u0301 你好", mentions=[], hashtags=[])
    records[4] = record(4, created_at="2024-05-01T12:00:00.250000Z")
    records[5] = record(5, repost_of_id="1790000000000000001", repost_of_author="user1")
    records[6] = record(6, reply_to_id=None, reply_to_author=None, likes=None, url=None)
    source = jsonl(tmp_path / "in.jsonl", records)
    assert cli("import", "-p", first.directory, source).exit_code == 0

    exported = tmp_path / "export.jsonl"
    result = cli("export", "-p", first.directory, "-o", exported)
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Exported 20 posts to {exported}"
    assert parse_jsonl(exported.read_bytes()) == records

    assert cli("import", "-p", second.directory, exported).exit_code == 0
    again = cli("export", "-p", second.directory)
    assert again.exit_code == 0
    assert again.stdout.encode() == exported.read_bytes()


def test_export_to_stdout_is_native_jsonl(
    cli: Any, project: Any, tmp_path: Path, record: Any, jsonl: Any, parse_jsonl: Any
) -> None:
    path = jsonl(tmp_path / "posts.jsonl", [record(1), record(2)])
    cli("import", "-p", project.directory, path)
    result = cli("export", "-p", project.directory)
    assert result.exit_code == 0
    assert parse_jsonl(result.stdout) == [record(1), record(2)]
    assert result.stderr.strip() == "Exported 2 posts"


def test_plugins_json(cli: Any) -> None:
    result = cli("plugins", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    native = next(row for row in rows if row["name"] == "native")
    assert native == {
        "name": "native",
        "version": __version__,
        "bundled": True,
        "hooks": ["register_sources"],
        "registered": ["source:jsonl", "source:csv"],
        "options": [],
        "errors": [],
    }

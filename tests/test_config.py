"""``hubbub.toml``: validation errors users can act on, and finding the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from hubbub.config import CONFIG_NAME, find_project_dir, load_config, resolve_database_url
from hubbub.errors import ConfigError, ProjectNotFound
from hubbub.project import Project


def write_config(directory: Path, text: str) -> Path:
    """Write ``text`` as ``directory/hubbub.toml`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    """The message of the ConfigError that loading ``path`` raises (asserted one line)."""
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    return message


def test_a_full_config_loads(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
[project]
name = "Acme listening"
database = "sqlite:///hubbub.db"
timezone = "Europe/Amsterdam"
max_record_bytes = 2048
batch_size = 500

[[sources]]
type = "jsonl"
name = "archive"
path = "posts.jsonl"

[brands.acme]
handles = ["@Acme", "AcmeHelp"]
keywords = ["acme"]
reply_target = "1h30m"
business_hours = "Mon-Fri 08:00-18:00 Europe/Amsterdam"

[brands.globex]
handles = ["Globex"]

[topics]
baggage = '"lost bag" OR #baggage OR luggage'
""",
    )
    config = load_config(path)
    assert config.project.name == "Acme listening"
    assert (config.project.max_record_bytes, config.project.batch_size) == (2048, 500)
    assert config.brands["acme"].handles == ["Acme", "AcmeHelp"]
    assert config.brands["acme"].reply_target_seconds == 5400
    assert config.brands["globex"].reply_target == "1h"
    assert config.sources[0].type == "jsonl"
    assert config.sources[0].options() == {"path": "posts.jsonl"}
    assert config.topics["baggage"] == '"lost bag" OR #baggage OR luggage'


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))
    assert config.project.database == "sqlite:///hubbub.db"
    assert config.project.max_record_bytes == 1024 * 1024
    assert config.project.timezone == "UTC"


def test_a_misspelt_key_names_file_and_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[project]\ndatabse = "sqlite:///x.db"\n')
    assert config_error(path) == f"{path}: project.databse: unknown key"


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[brand.acme]\nhandles = []\n")
    assert config_error(path) == f"{path}: brand: unknown key"


def test_a_wrong_type_names_the_key_and_the_value(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[project]\nbatch_size = "lots"\n')
    message = config_error(path)
    assert "project.batch_size" in message
    assert "integer" in message
    assert "'lots'" in message


def test_a_non_positive_limit_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[project]\nmax_record_bytes = 0\n")
    message = config_error(path)
    assert "project.max_record_bytes" in message
    assert "greater than 0" in message


def test_a_bad_reply_target_names_the_brand_and_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[brands.acme]\nhandles = ["Acme"]\nreply_target = "soon"\n')
    message = config_error(path)
    assert "brands.acme.reply_target" in message
    assert "'soon'" in message
    assert "15m" in message


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[project]\ntimezone = "Mars/Olympus_Mons"\n')
    message = config_error(path)
    assert "project.timezone" in message
    assert "unknown time zone 'Mars/Olympus_Mons'" in message


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[project]\nname = "unterminated\n')
    message = config_error(path)
    assert "invalid TOML" in message
    assert "line 2" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b'[project]\nname = "caf\xe9"\n')
    assert "not UTF-8" in config_error(path)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    assert config_error(path) == f"{path}: no such file"


def test_several_problems_are_counted_on_one_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[project]\ndatabse = "x"\nbatch_size = "lots"\n')
    assert "(and 1 more)" in config_error(path)


# ---------------------------------------------------------------- finding the project


def test_explicit_project_directory(tmp_path: Path) -> None:
    write_config(tmp_path / "proj", "")
    assert find_project_dir(tmp_path / "proj") == (tmp_path / "proj").resolve()


def test_explicit_path_to_the_toml_file_is_accepted(tmp_path: Path) -> None:
    path = write_config(tmp_path / "proj", "")
    assert find_project_dir(path) == (tmp_path / "proj").resolve()


def test_explicit_directory_without_toml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound, match=r"is not a hubbub project .*hubbub init"):
        find_project_dir(tmp_path)


def test_hubbub_project_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path / "from-env", "")
    write_config(tmp_path / "here", "")
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.setenv("HUBBUB_PROJECT", str(tmp_path / "from-env"))
    assert find_project_dir() == (tmp_path / "from-env").resolve()


def test_argument_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path / "from-env", "")
    write_config(tmp_path / "from-arg", "")
    monkeypatch.setenv("HUBBUB_PROJECT", str(tmp_path / "from-env"))
    assert find_project_dir(tmp_path / "from-arg") == (tmp_path / "from-arg").resolve()


def test_nearest_toml_upward_from_a_nested_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "outer", "")
    write_config(tmp_path / "outer" / "inner", "")
    nested = tmp_path / "outer" / "inner" / "data" / "2024"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_project_dir() == (tmp_path / "outer" / "inner").resolve()
    monkeypatch.chdir(tmp_path / "outer")
    assert find_project_dir() == (tmp_path / "outer").resolve()


def test_no_project_anywhere_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lonely = tmp_path / "no" / "project" / "here"
    lonely.mkdir(parents=True)
    if any((parent / CONFIG_NAME).is_file() for parent in lonely.resolve().parents):
        pytest.skip("a hubbub.toml exists above the temporary directory")
    monkeypatch.chdir(lonely)
    with pytest.raises(ProjectNotFound) as caught:
        find_project_dir()
    message = str(caught.value)
    assert f"no {CONFIG_NAME} in {lonely.resolve()} or any parent" in message
    assert "--project" in message


def test_cli_uses_env_and_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli, error_line
) -> None:
    write_config(tmp_path / "proj", "")
    monkeypatch.setenv("HUBBUB_PROJECT", str(tmp_path / "proj"))
    result = cli("rejects", "--format", "json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / "hubbub.db").is_file()
    monkeypatch.delenv("HUBBUB_PROJECT")
    nested = tmp_path / "proj" / "sub"
    nested.mkdir()
    monkeypatch.chdir(nested)
    assert cli("rejects", "--format", "json").exit_code == 0
    result = cli("rejects", "-p", tmp_path / "elsewhere")
    assert result.exit_code == 1
    assert "is not a hubbub project" in error_line(result.stderr)


def test_relative_sqlite_url_is_made_relative_to_the_project(tmp_path: Path) -> None:
    assert resolve_database_url("sqlite:///data/h.db", tmp_path) == (
        f"sqlite:///{(tmp_path / 'data' / 'h.db').resolve()}"
    )
    assert resolve_database_url("sqlite:////abs/h.db", tmp_path) == "sqlite:////abs/h.db"
    assert resolve_database_url("postgresql://u@h/db", tmp_path) == "postgresql://u@h/db"


def test_project_database_lives_next_to_its_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "proj", "")
    monkeypatch.chdir(tmp_path)
    project = Project.load("proj")
    assert project.database_url == f"sqlite:///{(tmp_path / 'proj' / 'hubbub.db').resolve()}"

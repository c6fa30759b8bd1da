"""The public test helpers (``hubbub.testing``) and the pytest fixtures of the ``pytest11`` entry point."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any

import pytest
from hubbub import __version__, hookimpl
from hubbub import plugin_host as plugin_host_module
from hubbub.errors import ConfigError
from hubbub.testing import (
    START,
    make_host,
    make_post,
    make_project,
    post_record,
    run_cli,
    to_toml,
    using_host,
)


class Greeter:
    @hookimpl
    def register_commands(self, cli: Any) -> None:
        @cli.command("greet")
        def greet(name: str = "world") -> None:
            """Greet."""
            print(f"hello {name}")

        @cli.command("crash")
        def crash() -> None:
            """Fail with an unexpected exception."""
            raise RuntimeError("unexpected")


def test_post_record_fills_required_fields() -> None:
    assert post_record(2, text="hi") == {
        "id": "3",
        "author": "user2",
        "created_at": "2024-05-01T09:02:00Z",
        "text": "hi",
    }
    post = make_post(1, text="@Acme hi #Help", platform="lemmy")
    assert (post.platform, post.external_id, post.author) == ("lemmy", "2", "user1")
    assert post.created_at == datetime(2024, 5, 1, 9, 1)
    assert (post.mentions, post.hashtags) == (["Acme"], ["Help"])


def test_make_project_stores_posts_from_records_and_post_objects(tmp_path: Any) -> None:
    posts = [{"text": "first"}, {"text": "second", "author": "alice"}, make_post(7, text="own")]
    project = make_project(tmp_path / "p", posts=posts)
    rows = [row for batch in project.store.iter_posts() for row in batch]
    assert [(row.external_id, row.author, row.text) for row in rows] == [
        ("1", "user0", "first"),
        ("2", "alice", "second"),
        ("8", "user7", "own"),
    ]
    assert rows[0].created_at == START
    assert project.config.project.name == "test project"
    project.close()


def test_make_project_config_from_a_dict_or_toml_text(tmp_path: Any) -> None:
    config = {
        "project": {"timezone": "Europe/Amsterdam"},
        "brands": {"acme": {"handles": ["Acme"], "reply_target": "15m"}},
        "topics": {"baggage": '"lost bag" OR #baggage'},
        "sources": [{"type": "jsonl", "name": "archive", "path": "posts.jsonl"}],
        "plugins": {"my-plugin": {"level": 2, "on": True, "nested": {"a": 1.5}}},
    }
    project = make_project(tmp_path / "dict", config=config, name="Acme")
    loaded = project.config
    assert (loaded.project.name, loaded.project.timezone) == ("Acme", "Europe/Amsterdam")
    assert loaded.brands["acme"].handles == ["Acme"]
    assert loaded.topics == {"baggage": '"lost bag" OR #baggage'}
    assert loaded.sources[0].options() == {"path": "posts.jsonl"}
    assert loaded.plugins == {"my-plugin": {"level": 2, "on": True, "nested": {"a": 1.5}}}
    text = make_project(tmp_path / "text", config='[topics]\nrefunds = "refund*"\n')
    assert text.config.topics == {"refunds": "refund*"}


def test_to_toml_round_trips() -> None:
    data = {
        "brands": {"a b": {"keywords": ["x", 'quo"te']}},
        "plugins": {"p": {"flag": False, "n": 3}},
    }
    assert tomllib.loads(to_toml(data)) == data


def test_make_project_refuses_an_existing_project_and_a_bad_config(tmp_path: Any) -> None:
    make_project(tmp_path / "p").close()
    with pytest.raises(FileExistsError):
        make_project(tmp_path / "p")
    with pytest.raises(ConfigError, match=r"brands\.acme\.handle: unknown key"):
        make_project(tmp_path / "bad", config={"brands": {"acme": {"handle": ["Acme"]}}})


def test_run_cli_runs_bundled_commands_in_process(tmp_path: Any) -> None:
    assert run_cli("--version").stdout == f"hubbub {__version__}\n"
    project = make_project(tmp_path / "p", posts=[{"text": "hello"}])
    project.close()
    result = run_cli("search", "hello", "--format", "json", project=project)
    assert result.exit_code == 0, result.output
    assert [row["text"] for row in result.json()] == ["hello"]


def test_run_cli_with_plugins_adds_their_commands_and_captures_crashes() -> None:
    result = run_cli("greet", "--name", "acme", plugins=[Greeter()])
    assert (result.exit_code, result.stdout) == (0, "hello acme\n")
    crashed = run_cli("crash", plugins={"greeter": Greeter()})
    assert crashed.exit_code == 1
    assert isinstance(crashed.exception, RuntimeError)
    assert run_cli("greet").exit_code == 2  # not installed: no such command


def test_make_host_ignores_installed_plugins_and_names_plugins() -> None:
    host = make_host({"greeter": Greeter()})
    assert not any(not info.bundled for name, info in host.info.items() if name != "greeter")
    assert host.info["greeter"].hooks == ["register_commands"]


def test_using_host_restores_the_previous_host() -> None:
    before = plugin_host_module.get_host()
    other = make_host()
    with using_host(other):
        assert plugin_host_module.get_host() is other
    assert plugin_host_module.get_host() is before


def test_fixtures_from_the_pytest11_entry_point(hubbub_project: Any, hubbub_cli: Any) -> None:
    first = hubbub_project([{"text": "one"}, {"text": "two"}])
    second = hubbub_project(config={"topics": {"t": "two"}})
    assert first.directory != second.directory
    assert first.store.count_posts() == 2
    result = hubbub_cli("search", "two", "--format", "json", project=first)
    assert result.exit_code == 0, result.output
    assert [row["text"] for row in result.json()] == ["two"]
    assert second.config.topics == {"t": "two"}

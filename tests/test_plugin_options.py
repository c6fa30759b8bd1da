"""``[plugins.NAME]`` in ``hubbub.toml``: validated by the plugin's ``PluginOptions``, shown by ``hubbub plugins``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Literal

import pytest
from hubbub import Options, hookimpl
from hubbub.errors import ConfigError
from hubbub.testing import make_project, run_cli
from pydantic import Field


class WatchOptions(Options):
    threshold: int = Field(3, ge=1)
    mode: Literal["strict", "loose"] = "loose"
    words: list[str] = Field(default_factory=list)


@hookimpl
def register_analyzers(register: Any) -> None:
    """A hookimpl, so the plugin has hooks like a real one."""


#: a plugin module stand-in: a PluginOptions model and one hook
WATCH = SimpleNamespace(
    __name__="watch", PluginOptions=WatchOptions, register_analyzers=register_analyzers
)
PLUGINS = {"watch": WATCH}


def test_options_are_validated_with_defaults_filled_in(tmp_path: Any) -> None:
    project = make_project(
        tmp_path,
        config={"plugins": {"watch": {"threshold": 5, "words": ["scam"]}}},
        plugins=PLUGINS,
    )
    options = project.plugin_options("watch")
    assert isinstance(options, WatchOptions)
    assert (options.threshold, options.mode, options.words) == (5, "loose", ["scam"])


def test_a_missing_table_means_defaults(tmp_path: Any) -> None:
    project = make_project(tmp_path, plugins=PLUGINS)
    assert project.plugin_options("watch") == WatchOptions()


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"treshold": 5}, "treshold: unknown key"),
        ({"threshold": 0}, "threshold: Input should be greater than or equal to 1 (got 0)"),
        ({"mode": "lax"}, "mode: Input should be 'strict' or 'loose' (got 'lax')"),
    ],
)
def test_bad_options_are_one_error_naming_file_table_and_key(
    tmp_path: Any, section: dict[str, Any], problem: str
) -> None:
    project = make_project(tmp_path, config={"plugins": {"watch": section}}, plugins=PLUGINS)
    with pytest.raises(ConfigError) as caught:
        project.plugin_options("watch")
    assert str(caught.value) == f"{project.config_path} [plugins.watch]: {problem}"


def test_options_of_a_plugin_not_loaded_or_without_a_model(tmp_path: Any) -> None:
    project = make_project(tmp_path, plugins={"plain": SimpleNamespace(__name__="plain")})
    with pytest.raises(ConfigError, match=r"^\[plugins.nope\]: no plugin 'nope' is loaded$"):
        project.plugin_options("nope")
    with pytest.raises(ConfigError, match=r"plugin 'plain' defines no PluginOptions"):
        project.plugin_options("plain")


def test_plugins_command_shows_defaults_without_a_project(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no hubbub.toml here or above
    result = run_cli("plugins", "--format", "json", plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    row = next(row for row in result.json() if row["name"] == "watch")
    assert row["options"] == ["threshold=3", "mode='loose'", "words=[]"]
    assert row["errors"] == []
    native = next(row for row in result.json() if row["name"] == "native")
    assert native["options"] == []


def test_plugins_command_shows_the_projects_values_and_their_errors(tmp_path: Any) -> None:
    good = make_project(tmp_path / "good", config={"plugins": {"watch": {"mode": "strict"}}})
    bad = make_project(tmp_path / "bad", config={"plugins": {"watch": {"threshold": "many"}}})
    shown = run_cli("plugins", "--format", "json", project=good, plugins=PLUGINS)
    row = next(row for row in shown.json() if row["name"] == "watch")
    assert row["options"] == ["threshold=3", "mode='strict'", "words=[]"]
    broken = run_cli("plugins", "--format", "json", project=bad, plugins=PLUGINS)
    assert broken.exit_code == 0, broken.output
    row = next(row for row in broken.json() if row["name"] == "watch")
    assert row["options"] == []
    assert row["errors"] == [
        f"{bad.config_path} [plugins.watch]: threshold: Input should be a valid integer, "
        "unable to parse string as an integer (got 'many')"
    ]
    good.close()
    bad.close()


def test_plugins_table_lists_options_in_a_table_of_their_own(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("plugins", plugins=PLUGINS)
    assert result.exit_code == 0, result.output
    options_part = result.stdout.split("Plugin options", 1)[1]
    assert "threshold" in options_part and "'loose'" in options_part


def test_an_explicit_project_that_does_not_exist_is_an_error(tmp_path: Any) -> None:
    result = run_cli("plugins", "--project", tmp_path / "nowhere", plugins=PLUGINS)
    assert result.exit_code == 1
    assert "is not a hubbub project" in result.stderr


def test_the_tui_plugins_screen_data_shows_options_and_their_errors(tmp_path: Any) -> None:
    from hubbub.testing import using_host
    from hubbub.tui.data import plugin_rows

    good = make_project(
        tmp_path / "good", config={"plugins": {"watch": {"threshold": 5}}}, plugins=PLUGINS
    )
    with using_host(good.host):
        row = next(row for row in plugin_rows(good) if row["name"] == "watch")
    assert "threshold=5" in row["options"] and row["errors"] == []
    bad = make_project(
        tmp_path / "bad", config={"plugins": {"watch": {"threshold": 0}}}, plugins=PLUGINS
    )
    with using_host(bad.host):
        row = next(row for row in plugin_rows(bad) if row["name"] == "watch")
    assert row["options"] == []
    assert any("threshold" in error for error in row["errors"])

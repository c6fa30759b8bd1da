"""The plugin engine: bundled and third-party plugins, registration checks, failures by name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from importlib import metadata as real_metadata
from typing import Any

import hubbub.entry_points as entry_points_module
import orjson
import pytest
from hubbub import Post, Source, hookimpl
from hubbub import plugin_host as plugin_host_module
from hubbub.errors import HubbubError
from hubbub.ingest import run_source
from hubbub.plugin_host import DEFAULT_PLUGINS, PluginHost, get_host, reset_host
from hubbub.plugins.native import CsvSource, JsonlSource


def make_source(source_name: str, count: int = 3) -> type[Source]:
    """A fresh source class yielding ``count`` posts (a new class per test: registration marks it)."""

    class EchoSource(Source):
        name = source_name
        description = "posts made up for a test"

        def read(self, cursor: dict[str, Any] | None) -> Iterator[Post]:
            for n in range(count):
                yield Post(
                    platform="echo",
                    external_id=str(n),
                    author="echo",
                    text=f"echo {n}",
                    created_at=datetime(2024, 5, 1, 12, n),
                    source=self.key,
                )

    return EchoSource


def plugin_registering(*classes: type[Source], plugin_name: str = "EchoPlugin") -> Any:
    """A plugin object whose ``register_sources`` registers ``classes`` in order."""

    class Plugin:
        @hookimpl
        def register_sources(self, register: Any) -> None:
            for cls in classes:
                register(cls)

    Plugin.__name__ = plugin_name
    return Plugin()


class FakeDist:
    version = "9.9.9"


class FakeEntryPoint:
    """Stands in for an ``importlib.metadata.EntryPoint`` of the ``hubbub`` group."""

    def __init__(self, name: str, plugin: Any = None, error: Exception | None = None) -> None:
        self.name = name
        self.dist = FakeDist()
        self._plugin = plugin
        self._error = error

    def load(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._plugin


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> list[FakeEntryPoint]:
    """Installed ``hubbub`` entry points, faked: append to the returned list."""
    points: list[FakeEntryPoint] = []
    real = real_metadata.entry_points

    def entry_points(**kwargs: Any) -> Any:
        if kwargs.get("group") == entry_points_module.ENTRY_POINT_GROUP:
            return list(points)
        return real(**kwargs)

    monkeypatch.setattr(entry_points_module.metadata, "entry_points", entry_points)
    return points


def test_bundled_native_plugin_registers_jsonl_and_csv() -> None:
    host = PluginHost(load_entry_points=False)
    info = host.info["native"]
    assert info.bundled
    assert info.registered == ["source:jsonl", "source:csv"]
    assert info.hooks == ["register_sources"]
    assert host.sources()["jsonl"] is JsonlSource
    assert host.sources()["csv"] is CsvSource
    assert all(
        cls.plugin != "native"
        for name, cls in host.sources().items()
        if name not in ("jsonl", "csv")
    )
    assert JsonlSource.plugin == "native"
    assert host.errors == {}


def test_plugins_command_shows_native_sources(cli: Any) -> None:
    result = cli("plugins", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in orjson.loads(result.stdout)}
    assert rows["native"]["registered"] == ["source:jsonl", "source:csv"]
    assert rows["native"]["bundled"] is True
    assert rows["native"]["errors"] == []


def test_plugins_command_table_lists_native(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # only the bundled plugins: an installed plugin's error column would narrow the table
    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", "")
    result = cli("plugins")
    assert result.exit_code == 0, result.output
    assert "native" in result.stdout
    assert "source:jsonl" in result.stdout


def test_extra_plugin_registers_a_working_source(project: Any) -> None:
    echo = make_source("echo")
    host = PluginHost(load_entry_points=False, extra=[plugin_registering(echo)])
    assert host.get("source", "echo") is echo
    assert echo.plugin == "EchoPlugin"
    assert host.info["EchoPlugin"].registered == ["source:echo"]
    assert host.info["EchoPlugin"].bundled is False
    summary = run_source(project.store, echo(key="echo"), host=host)
    assert (summary.read, summary.stored) == (3, 3)
    assert project.store.count_posts() == 3


def test_unknown_kind_name_lists_the_choices() -> None:
    host = PluginHost(load_entry_points=False)
    choices = ", ".join(sorted(host.sources()))
    with pytest.raises(
        HubbubError, match=rf"unknown source 'nope' \(available: {re.escape(choices)}\)"
    ):
        host.get("source", "nope")


def test_name_clash_is_refused_and_the_first_registration_kept() -> None:
    impostor = make_source("jsonl")
    host = PluginHost(
        load_entry_points=False, extra=[plugin_registering(impostor, plugin_name="Impostor")]
    )
    assert host.sources()["jsonl"] is JsonlSource
    assert host.errors == {
        "Impostor": [
            "register_sources: PluginError: source 'jsonl' is already registered by plugin 'native'"
        ]
    }
    assert host.info["Impostor"].registered == []


def test_clash_between_two_third_party_plugins_keeps_the_first() -> None:
    first, second = make_source("shared"), make_source("shared")
    host = PluginHost(
        load_entry_points=False,
        extra=[
            plugin_registering(first, plugin_name="First"),
            plugin_registering(second, plugin_name="Second"),
        ],
    )
    assert host.sources()["shared"] is first
    assert "First" not in host.errors
    assert "already registered by plugin 'First'" in host.errors["Second"][0]


def test_registering_a_non_subclass_is_a_type_error_for_that_plugin() -> None:
    class NotASource:
        name = "fake"

    host = PluginHost(
        load_entry_points=False, extra=[plugin_registering(NotASource, plugin_name="Wrong")]
    )
    (error,) = host.errors["Wrong"]
    assert error.startswith("register_sources: TypeError: expected a subclass of hubbub.Source")
    assert "NotASource" in error
    assert "fake" not in host.sources()


def test_registering_an_instance_is_a_type_error() -> None:
    echo = make_source("echo")
    host = PluginHost(
        load_entry_points=False, extra=[plugin_registering(echo(), plugin_name="Instance")]
    )
    assert "TypeError: expected a subclass of hubbub.Source" in host.errors["Instance"][0]
    assert "echo" not in host.sources()


def test_registering_an_abstract_class_is_a_type_error() -> None:
    class HalfSource(Source):
        name = "half"

    host = PluginHost(
        load_entry_points=False, extra=[plugin_registering(HalfSource, plugin_name="Half")]
    )
    assert host.errors["Half"] == [
        "register_sources: TypeError: HalfSource does not implement read"
    ]
    assert "half" not in host.sources()


def test_registering_a_nameless_class_is_a_type_error() -> None:
    nameless = make_source("")
    host = PluginHost(
        load_entry_points=False, extra=[plugin_registering(nameless, plugin_name="Nameless")]
    )
    assert host.errors["Nameless"] == ["register_sources: TypeError: EchoSource has no name"]


def test_a_raising_hook_is_reported_by_name_and_others_still_load() -> None:
    class Exploding:
        @hookimpl
        def register_sources(self, register: Any) -> None:
            raise RuntimeError("boom")

    echo = make_source("echo")
    host = PluginHost(load_entry_points=False, extra=[Exploding(), plugin_registering(echo)])
    assert host.errors == {"Exploding": ["register_sources: RuntimeError: boom"]}
    bundled = PluginHost(load_entry_points=False).sources()
    assert host.sources() == {**bundled, "echo": echo}


def test_a_plugin_without_hookimpls_is_listed_without_errors() -> None:
    class Quiet:
        pass

    host = PluginHost(load_entry_points=False, extra=[Quiet()])
    assert host.info["Quiet"].hooks == []
    assert host.errors == {}


def test_registering_the_same_plugin_name_twice_is_recorded() -> None:
    echo = make_source("echo")
    host = PluginHost(
        load_entry_points=False,
        extra=[
            plugin_registering(echo, plugin_name="Twin"),
            plugin_registering(plugin_name="Twin"),
        ],
    )
    assert host.sources()["echo"] is echo
    assert host.errors["Twin"][0].startswith("failed to register:")


def test_a_raising_batch_stored_hook_does_not_stop_an_import(
    project: Any, tmp_path: Any, record: Any, jsonl: Any
) -> None:
    seen: list[int] = []

    class Listener:
        @hookimpl
        def batch_stored(self, source: str, posts: Any, counts: dict[str, Any]) -> None:
            seen.append(counts["stored"])

    class Crasher:
        @hookimpl
        def batch_stored(self, posts: Any) -> None:
            raise ValueError(f"cannot handle {len(posts)} posts")

    host = PluginHost(load_entry_points=False, extra=[Crasher(), Listener()])
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(25)])
    source = JsonlSource(JsonlSource.Options(path=str(path)), key="file:posts")
    summary = run_source(project.store, source, host=host, batch_size=10)
    assert (summary.read, summary.stored, summary.rejected) == (25, 25, 0)
    assert project.store.count_posts() == 25
    assert seen == [10, 10, 5]
    assert host.errors["Crasher"] == [
        "batch_stored: ValueError: cannot handle 10 posts",
        "batch_stored: ValueError: cannot handle 10 posts",
        "batch_stored: ValueError: cannot handle 5 posts",
    ]


def test_a_raising_batch_stored_hook_does_not_stop_the_import_command(
    monkeypatch: pytest.MonkeyPatch, cli: Any, project: Any, tmp_path: Any, record: Any, jsonl: Any
) -> None:
    class Crasher:
        @hookimpl
        def batch_stored(self) -> None:
            raise RuntimeError("listener down")

    host = PluginHost(load_entry_points=False, extra=[Crasher()])
    monkeypatch.setattr(plugin_host_module, "_host", host)
    path = jsonl(tmp_path / "posts.jsonl", [record(n) for n in range(4)])
    result = cli("import", "-p", project.directory, path)
    assert result.exit_code == 0, result.output
    assert "stored 4" in result.stderr
    assert "Warning: plugin 'Crasher': batch_stored: RuntimeError: listener down" in result.stderr
    assert project.store.count_posts() == 4
    assert host.errors == {"Crasher": ["batch_stored: RuntimeError: listener down"]}
    listed = cli("plugins", "--format", "json")
    rows = {row["name"]: row for row in orjson.loads(listed.stdout)}
    assert rows["Crasher"]["errors"] == ["batch_stored: RuntimeError: listener down"]
    assert rows["Crasher"]["hooks"] == ["batch_stored"]


def test_entry_point_plugins_load_with_their_version(fake_entry_points: list[Any]) -> None:
    echo = make_source("echo")
    fake_entry_points.append(FakeEntryPoint("hubbub-echo", plugin_registering(echo)))
    host = PluginHost()
    info = host.info["hubbub-echo"]
    assert (info.version, info.bundled, info.registered) == ("9.9.9", False, ["source:echo"])
    assert host.sources()["echo"] is echo
    assert echo.plugin == "hubbub-echo"


def test_an_entry_point_that_fails_to_load_is_reported_and_others_load(
    fake_entry_points: list[Any],
) -> None:
    echo = make_source("echo")
    fake_entry_points.append(FakeEntryPoint("broken", error=ImportError("no module named zzz")))
    fake_entry_points.append(FakeEntryPoint("good", plugin_registering(echo)))
    host = PluginHost()
    assert host.errors == {"broken": ["failed to load: ImportError: no module named zzz"]}
    assert "echo" in host.sources()


@pytest.mark.parametrize(
    ("setting", "loaded"),
    [
        (None, {"alpha", "beta"}),
        ("alpha", {"alpha"}),
        (" beta , gamma ", {"beta"}),
        ("", set()),
    ],
)
def test_hubbub_load_plugins_restricts_entry_points(
    monkeypatch: pytest.MonkeyPatch,
    fake_entry_points: list[Any],
    setting: str | None,
    loaded: set[str],
) -> None:
    alpha, beta = make_source("alpha"), make_source("beta")
    fake_entry_points.append(FakeEntryPoint("alpha", plugin_registering(alpha)))
    fake_entry_points.append(FakeEntryPoint("beta", plugin_registering(beta)))
    if setting is not None:
        monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", setting)
    host = PluginHost()
    third_party = {name for name, info in host.info.items() if not info.bundled}
    assert third_party == loaded
    bundled_sources = set(PluginHost(load_entry_points=False).sources())
    assert set(host.sources()) == bundled_sources | loaded
    assert host.info["native"].registered == ["source:jsonl", "source:csv"]


def test_load_entry_points_false_ignores_installed_plugins(fake_entry_points: list[Any]) -> None:
    fake_entry_points.append(FakeEntryPoint("alpha", plugin_registering(make_source("alpha"))))
    host = PluginHost(load_entry_points=False)
    assert set(host.info) == {module.rsplit(".", 1)[-1] for module in DEFAULT_PLUGINS}
    assert "alpha" not in host.sources()


def test_trace_env_prints_hook_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBBUB_TRACE_PLUGINS", "1")
    PluginHost(load_entry_points=False)
    assert "native.register_sources" in capsys.readouterr().err


def test_get_host_is_loaded_once_and_reset_forgets_it() -> None:
    host = get_host()
    assert get_host() is host
    reset_host()
    assert get_host() is not host


def test_a_host_without_bundled_plugins_loads_only_what_it_is_given() -> None:
    class Extra:
        @hookimpl
        def register_commands(self, cli: Any) -> None:
            cli.seen = True

    host = PluginHost(load_entry_points=False, extra=[("extra", Extra())], bundled=False)
    assert set(host.info) == {"extra"}  # the CLI asks only such plugins for commands
    assert all(not registered for registered in host.registry.values())

    class Cli:
        seen = False

    cli = Cli()
    host.register_commands(cli)
    assert cli.seen

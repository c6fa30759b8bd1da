"""Every hook's failure modes are reported by plugin name, and the rest of hubbub keeps working.

Each hook gets a plugin that works, one that raises and one that returns the wrong
thing; the host (or the report) names the culprit and the working plugin still counts.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hubbub import PostAnalyzer, Reporter, Source, hookimpl
from hubbub.plugin_host import PluginHost
from hubbub.report import Section, build_report, render_report
from hubbub.testing import make_host, make_project, run_cli


class Upper(PostAnalyzer):
    name = "upper"

    def analyze(self, posts: Any) -> list[dict[str, Any]]:
        return [{"upper": post.text.isupper()} for post in posts]


class Lines(Reporter):
    name = "lines"

    def render(self, report: dict[str, Any], stream: Any) -> None:
        for section in report["sections"]:
            stream.write(section["title"] + "\n")


class GoodPlugin:
    """Implements every registration hook correctly."""

    @hookimpl
    def register_analyzers(self, register: Any) -> None:
        register(Upper)

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(Lines)

    @hookimpl
    def register_commands(self, cli: Any) -> None:
        @cli.command("hello")
        def hello() -> None:
            """Say hello."""
            print("hello from a plugin")

    @hookimpl
    def report_sections(self, project: Any) -> list[Section]:
        return [Section("good", "Good section", order=900)]


class RaisingPlugin:
    """Every hook raises."""

    @hookimpl
    def register_analyzers(self) -> None:
        raise RuntimeError("analyzers down")

    @hookimpl
    def register_reporters(self) -> None:
        raise RuntimeError("reporters down")

    @hookimpl
    def register_commands(self) -> None:
        raise RuntimeError("commands down")

    @hookimpl
    def report_sections(self) -> None:
        raise RuntimeError("sections down")


class WrongTypesPlugin:
    """Every hook gets its types wrong."""

    @hookimpl
    def register_analyzers(self, register: Any) -> None:
        register(Lines)  # a reporter is not an analyzer

    @hookimpl
    def register_reporters(self, register: Any) -> None:
        register(Upper)  # an analyzer is not a reporter

    @hookimpl
    def register_commands(self, cli: Any) -> Any:
        return "a command"  # commands are added to cli, not returned

    @hookimpl
    def register_sources(self) -> Any:
        return [Source]  # sources are registered through the callback

    @hookimpl
    def report_sections(self) -> Any:
        return {"title": "not a Section"}


def host_with(*plugins: Any) -> PluginHost:
    return make_host({type(plugin).__name__: plugin for plugin in plugins})


def test_registration_failures_are_named_and_the_good_plugin_registers() -> None:
    host = host_with(RaisingPlugin(), WrongTypesPlugin(), GoodPlugin())
    assert host.info["GoodPlugin"].errors == []
    assert host.info["GoodPlugin"].registered == ["analyzer:upper", "reporter:lines"]
    assert host.get("analyzer", "upper") is Upper
    assert host.get("reporter", "lines") is Lines
    assert host.errors["RaisingPlugin"] == [
        "register_analyzers: RuntimeError: analyzers down",
        "register_reporters: RuntimeError: reporters down",
    ]
    wrong = host.errors["WrongTypesPlugin"]
    assert wrong[0] == (
        "register_sources: TypeError: returned [<class 'hubbub.kinds.Source'>]; "
        "this hook returns nothing (register things through its argument)"
    )
    assert wrong[1].startswith(
        "register_analyzers: TypeError: expected a subclass of hubbub.PostAnalyzer or "
        "hubbub.CorpusAnalyzer, got <class "
    )
    assert wrong[2].startswith(
        "register_reporters: TypeError: expected a subclass of hubbub.Reporter"
    )


def test_command_failures_are_warnings_naming_the_plugin_and_commands_still_run() -> None:
    plugins = {"raising": RaisingPlugin(), "wrong": WrongTypesPlugin(), "good": GoodPlugin()}
    result = run_cli("hello", plugins=plugins)
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello from a plugin\n"
    assert (
        "Warning: plugin 'raising': register_commands: RuntimeError: commands down" in result.stderr
    )
    assert (
        "Warning: plugin 'wrong': register_commands: TypeError: returned 'a command'; "
        "this hook returns nothing" in result.stderr
    )
    listed = run_cli("plugins", "--format", "json", plugins=plugins)
    rows = {row["name"]: row for row in listed.json()}
    assert "register_commands: RuntimeError: commands down" in rows["raising"]["errors"]
    assert rows["good"]["errors"] == []


def test_report_section_failures_are_report_problems_and_the_report_goes_on(tmp_path: Any) -> None:
    host = host_with(RaisingPlugin(), WrongTypesPlugin(), GoodPlugin())
    project = make_project(tmp_path, posts=[{"text": "hello"}])
    report = build_report(project, host=host)
    project.close()
    assert "good" in [section.id for section in report.sections]
    assert "plugin 'RaisingPlugin': report_sections: RuntimeError: sections down" in report.problems
    assert any(
        problem.startswith("plugin 'WrongTypesPlugin': report_sections must return a list")
        for problem in report.problems
    )
    stream = io.StringIO()
    host.get("reporter", "lines")().render(report.to_dict(), stream)
    assert "Good section\n" in stream.getvalue()


def test_a_plugin_reporter_renders_the_report_by_its_name(tmp_path: Any) -> None:
    host = host_with(GoodPlugin())
    project = make_project(tmp_path, posts=[{"text": "hello"}])
    report = build_report(project, host=host)
    project.close()
    stream = io.StringIO()
    render_report(report, "lines", stream, host=host)
    assert stream.getvalue().splitlines()[-1] == "Good section"


def test_a_plugin_options_model_of_the_wrong_type_is_named() -> None:
    class BadOptions:
        PluginOptions = dict  # not a hubbub.Options subclass

    host = host_with(BadOptions())
    assert host.errors["BadOptions"] == [
        "PluginOptions: TypeError: expected a subclass of hubbub.Options, got <class 'dict'>"
    ]
    assert host.info["BadOptions"].options_model is None


@pytest.mark.parametrize("disabled", ["", "other"])
def test_hubbub_load_plugins_disables_an_installed_plugin(
    monkeypatch: pytest.MonkeyPatch, disabled: str
) -> None:
    from importlib import metadata

    installed = {ep.name for ep in metadata.entry_points(group="hubbub")}
    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", disabled)
    host = PluginHost()
    assert not installed & {name for name, info in host.info.items() if not info.bundled}

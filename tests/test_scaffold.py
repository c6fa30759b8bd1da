"""``hubbub plugin new``: the package it writes is complete, and its own tests pass.

The generated tests are run for real, by pytest in a subprocess inside the generated
package (its ``pyproject.toml`` puts the package on ``sys.path``), with the plugin
registered the way its tests register it: by module, under its entry-point name. The
package is not pip-installed (too slow for the suite); the tutorial does that by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hubbub.errors import HubbubError
from hubbub.scaffold import plugin_names, write_plugin


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("demo-plugin", ("demo-plugin", "hubbub-demo-plugin", "hubbub_demo_plugin")),
        ("hubbub-sarcasm", ("sarcasm", "hubbub-sarcasm", "hubbub_sarcasm")),
        ("Toxicity", ("toxicity", "hubbub-toxicity", "hubbub_toxicity")),
    ],
)
def test_plugin_names(given: str, expected: tuple[str, str, str]) -> None:
    assert plugin_names(given) == expected


@pytest.mark.parametrize("bad", ["", "9lives", "my plugin", "a--b", "hubbub", "ünï"])
def test_invalid_names_are_refused(bad: str) -> None:
    with pytest.raises(HubbubError, match="invalid plugin name"):
        plugin_names(bad)


def test_cli_writes_the_package(tmp_path: Path, cli: Any) -> None:
    target = tmp_path / "pkg"
    result = cli("plugin", "new", "demo-plugin", "--dir", target)
    assert result.exit_code == 0, result.output
    files = sorted(
        path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()
    )
    assert files == [
        "README.md",
        "hubbub_demo_plugin.py",
        "pyproject.toml",
        "tests/test_hubbub_demo_plugin.py",
    ]
    assert result.stdout.splitlines() == [
        str((target / name).resolve())
        for name in [
            "pyproject.toml",
            "hubbub_demo_plugin.py",
            "tests/test_hubbub_demo_plugin.py",
            "README.md",
        ]
    ]
    assert "pip install -e" in result.stderr
    pyproject = tomllib.loads((target / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "hubbub-demo-plugin"
    assert pyproject["project"]["entry-points"]["hubbub"] == {"demo-plugin": "hubbub_demo_plugin"}
    assert pyproject["tool"]["setuptools"]["py-modules"] == ["hubbub_demo_plugin"]
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "[plugins.demo-plugin]" in readme


def test_cli_refuses_a_non_empty_directory(tmp_path: Path, cli: Any, error_line: Any) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli("plugin", "new", "demo", "--dir", tmp_path)
    assert result.exit_code == 1
    assert error_line(result.stderr) == (
        f"Error: {tmp_path} exists and is not empty; choose another --dir"
    )
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_the_generated_plugin_loads_and_its_tests_pass(tmp_path: Path) -> None:
    package = write_plugin("demo-plugin", tmp_path / "hubbub-demo-plugin")
    sys.path.insert(0, str(package.directory))
    try:
        import hubbub_demo_plugin
        from hubbub.testing import make_host

        host = make_host({"demo-plugin": hubbub_demo_plugin})
        assert "demo-plugin" not in host.errors
        assert host.info["demo-plugin"].registered == ["analyzer:demo-plugin"]
        assert host.info["demo-plugin"].hooks == ["register_analyzers", "register_commands"]
        assert host.info["demo-plugin"].options_model is hubbub_demo_plugin.PluginOptions
    finally:
        sys.path.remove(str(package.directory))
        sys.modules.pop("hubbub_demo_plugin", None)
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUBBUB_")}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package.directory)],
        cwd=package.directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "4 passed" in completed.stdout

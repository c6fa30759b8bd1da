"""Docs that cannot drift: every hook has a reference section and a test that implements it.

The hooks are read from ``hubbub.hookspecs`` when the test runs, so a hook added there
fails these tests until ``docs/plugins/hooks.md`` documents it and a test implements it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pluggy
import pytest
from hubbub import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOK_REFERENCE = ROOT / "docs" / "plugins" / "hooks.md"
#: where tests live: the suite and the example plugins' own tests
TEST_TREES = [ROOT / "tests", *sorted((ROOT / "examples").glob("*/tests"))]
HEADING = re.compile(r"^## `(?P<name>\w+)\((?P<args>[^)]*)\)`\s*$", re.MULTILINE)


def spec_signatures() -> dict[str, str]:
    """Hook name -> ``name(arg1, arg2, ...)`` built from the spec's argument names."""
    manager = pluggy.PluginManager("hubbub")
    manager.add_hookspecs(hookspecs)
    signatures = {}
    for name in dir(hookspecs):
        caller = getattr(manager.hook, name, None)
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None:
            signatures[name] = f"{name}({', '.join(caller.spec.argnames)})"
    return signatures


SIGNATURES = spec_signatures()


def documented() -> dict[str, str]:
    """Hook name -> the signature its heading shows, and each section's body."""
    text = HOOK_REFERENCE.read_text(encoding="utf-8")
    return {match["name"]: f"{match['name']}({match['args']})" for match in HEADING.finditer(text)}


def sections() -> dict[str, str]:
    text = HOOK_REFERENCE.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    bodies = {}
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        bodies[match["name"]] = text[match.end() : end]
    return bodies


def hookimpl_names() -> set[str]:
    """Names of the functions decorated with ``hookimpl`` (any spelling) in the test trees."""
    names: set[str] = set()
    for tree in TEST_TREES:
        for path in tree.rglob("*.py"):
            module = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(module):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    for decorator in node.decorator_list:
                        target = decorator.func if isinstance(decorator, ast.Call) else decorator
                        label = (
                            target.attr
                            if isinstance(target, ast.Attribute)
                            else getattr(target, "id", "")
                        )
                        if label == "hookimpl":
                            names.add(node.name)
    return names


def test_the_specs_are_found() -> None:
    assert {"register_sources", "register_analyzers", "batch_stored"} <= set(SIGNATURES)
    assert SIGNATURES["batch_stored"] == "batch_stored(source, posts, counts)"


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_hook_has_a_section_headed_by_its_signature(name: str) -> None:
    headings = documented()
    assert name in headings, f"docs/plugins/hooks.md has no '## `{SIGNATURES[name]}`' section"
    assert headings[name] == SIGNATURES[name], (
        f"docs/plugins/hooks.md documents {headings[name]}, the spec is {SIGNATURES[name]}"
    )


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_section_says_when_it_runs_what_it_returns_and_shows_an_example(name: str) -> None:
    body = sections().get(name, "")
    assert "**When it runs**" in body, name
    assert "**Returns**" in body, name
    assert "**Parameters**" in body or not hookspecs_args(name), name
    assert re.search(rf"```python\n(?:.*\n)*?@hookimpl\ndef {name}\(", body), (
        f"the {name} section has no example implementing it"
    )


def hookspecs_args(name: str) -> str:
    return SIGNATURES[name].split("(", 1)[1].rstrip(")")


def test_every_documented_hook_exists() -> None:
    unknown = set(documented()) - set(SIGNATURES)
    assert not unknown, f"docs/plugins/hooks.md documents hooks that do not exist: {unknown}"


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_hook_is_implemented_by_some_test(name: str) -> None:
    assert name in hookimpl_names(), (
        f"no test defines an @hookimpl {name}(...): add one that exercises the hook"
    )


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_example_loads_as_a_plugin_without_errors(name: str) -> None:
    import types

    from hubbub.testing import make_host

    body = sections().get(name, "")
    blocks = re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    example = next((block for block in blocks if f"def {name}(" in block), None)
    assert example is not None, f"the {name} section has no example"
    module = types.ModuleType(f"example_{name}")
    exec(compile(example, f"docs/plugins/hooks.md ({name})", "exec"), module.__dict__)
    host = make_host({"example": module})
    assert host.errors.get("example") is None, host.errors["example"]
    assert name in host.info["example"].hooks

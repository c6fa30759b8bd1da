"""Helpers the file-format tests share: import through the CLI, read back, interrupt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hubbub.export import iter_native


def import_file(cli: Any, project: Any, path: Path, *args: str) -> Any:
    """``hubbub import`` (no ``--format``: the format is sniffed); asserts success."""
    result = cli("import", "-p", project.directory, path, *args)
    assert result.exit_code == 0, result.output
    return result


def posts(project: Any) -> dict[str, dict[str, Any]]:
    """Stored posts as native records, by id."""
    return {record["id"]: record for record in iter_native(project.store)}


def interrupted(source_class: type, stop_after: int) -> type:
    """A subclass of ``source_class`` whose reading stops (Ctrl-C) after ``stop_after`` items."""

    class Interrupted(source_class):  # type: ignore[misc, valid-type]
        def read(self, cursor: dict[str, Any] | None) -> Any:
            for count, item in enumerate(super().read(cursor), start=1):
                yield item
                if count == stop_after:
                    raise KeyboardInterrupt

    Interrupted.__name__ = f"Interrupted{source_class.__name__}"
    return Interrupted

"""``hubbub ingest``: run the sources configured in ``hubbub.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.ingest import IngestSummary
    from hubbub.kinds import Source
    from hubbub.plugin_host import PluginHost
    from hubbub.project import Project

COLUMNS = ["source", "type", "fetched", "new", "duplicates", "rejected", "errors"]


def configured_sources(
    project: Project, host: PluginHost, names: list[str] | None = None
) -> list[Source]:
    """The ``[[sources]]`` of ``project`` (or those named), built and validated.

    A relative ``path`` option is taken relative to the project directory, and file
    sources get the project's ``max_record_bytes`` unless their section sets one.
    """
    known = host.sources()
    built: list[Source] = []
    seen: set[str] = set()
    for index, section in enumerate(project.config.sources):
        name = section.name or section.type
        where = f"{project.config_path}: sources[{index}] ({name})"
        if name in seen:
            raise HubbubError(f"{where}: another source is named {name!r}; give each a name")
        seen.add(name)
        if names and name not in names:
            continue
        cls = known.get(section.type)
        if cls is None:
            raise HubbubError(
                f"{where}: unknown source type {section.type!r} "
                f"(available: {', '.join(sorted(known))})"
            )
        settings = section.options()
        path = settings.get("path")
        if isinstance(path, str) and not Path(path).is_absolute():
            settings["path"] = str(project.directory / path)
        if "max_record_bytes" in getattr(cls.Options, "model_fields", {}):
            settings.setdefault("max_record_bytes", project.config.project.max_record_bytes)
        options = cls.parse_options(settings, where)
        built.append(cls(options, key=name))
    if names:
        unknown = [name for name in names if name not in seen]
        if unknown:
            configured = ", ".join(sorted(seen)) or "none"
            raise HubbubError(
                f"no configured source named {', '.join(unknown)} (configured: {configured})"
            )
    return built


def ingest(
    project: Project, host: PluginHost, names: list[str] | None = None
) -> list[dict[str, Any]]:
    """Run each configured source (or those named) and return one summary row per source.

    A source that fails is recorded in its row (``errors`` and ``error_messages``); the
    others still run. Secrets a source holds are redacted from its messages.
    """
    from hubbub.http import redact

    rows = []
    for source in configured_sources(project, host, names):
        summary, problems = _run_one(project, host, source)
        problems = list(getattr(source, "errors", [])) + problems
        secrets = list(getattr(source, "credentials", dict)().values()) if problems else []
        counts = summary.as_dict() if summary is not None else {}
        rows.append(
            {
                "source": source.key,
                "type": source.name,
                "fetched": counts.get("read", 0),
                "new": counts.get("stored", 0),
                "duplicates": counts.get("duplicates", 0),
                "rejected": counts.get("rejected", 0),
                "errors": len(problems),
                "error_messages": [redact(text, secrets) for text in problems],
            }
        )
    return rows


def _run_one(
    project: Project, host: PluginHost, source: Source
) -> tuple[IngestSummary | None, list[str]]:
    """Run one source; its counts (those committed, if it failed midway) and its error."""
    from hubbub.ingest import run_source

    committed: list[IngestSummary] = []

    def keep(so_far: IngestSummary, done: int, total: int | None) -> None:
        if not committed:
            committed.append(so_far)  # the same object accumulates every batch

    try:
        summary = run_source(
            project.store,
            source,
            host=host,
            batch_size=project.config.project.batch_size,
            kind="ingest",
            progress=keep,
        )
    except HubbubError as error:
        return (committed[0] if committed else None), [str(error)]
    except Exception as error:  # a plugin's bug must not stop the other sources
        problem = f"{source.key}: {type(error).__name__}: {error}"
        return (committed[0] if committed else None), [problem]
    return summary, []


@command("ingest")
def ingest_command(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Names of configured sources to run (default: all).", show_default=False
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Fetch what is new from the sources in hubbub.toml, resuming from their cursors."""
    from hubbub.plugin_host import get_host
    from hubbub.project import Project

    proj = Project.load(project)
    host = get_host()
    if not proj.config.sources:
        proj.close()
        raise HubbubError(f"{proj.config_path}: no [[sources]] configured (see docs/sources/)")
    try:
        rows = ingest(proj, host, sources or None)
        from hubbub.privacy import apply_configured_retention

        retention = apply_configured_retention(proj)  # [project] raw_retention_days
    finally:
        proj.close()
    if retention is not None and (retention.raw_payloads or retention.rejects):
        message(retention.line())
    if fmt is OutputFormat.table:
        emit(rows, fmt, columns=COLUMNS, title="Ingest")
    else:
        emit(rows, fmt, columns=[*COLUMNS, "error_messages"])
    for row in rows:
        for text in row["error_messages"]:
            message(f"Error: {text}")
    if any(row["rejected"] for row in rows):
        message("Some records were rejected — see `hubbub rejects`")
    if any(row["errors"] for row in rows):
        raise typer.Exit(1)

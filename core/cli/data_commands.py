"""``hubbub import``, ``hubbub export`` and ``hubbub rejects``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.files import FileSource
    from hubbub.ingest import IngestSummary
    from hubbub.inputs import InputFile
    from hubbub.plugin_host import PluginHost


def parse_field_map(pairs: list[str]) -> dict[str, str]:
    """``["text=body", …]`` → ``{"text": "body"}``; unknown native fields are an error."""
    from hubbub.records import NATIVE_FIELDS

    mapping: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise HubbubError(f"--map {pair!r}: expected FIELD=COLUMN, e.g. --map text=body")
        if field not in NATIVE_FIELDS:
            raise HubbubError(
                f"--map {pair!r}: {field!r} is not a native field ({', '.join(NATIVE_FIELDS)})"
            )
        mapping[field] = column
    return mapping


def pick_file_source(host: PluginHost, source: InputFile, fmt: str | None) -> type[FileSource]:
    """The file source for ``--format``, or the one most sure of the file's content."""
    from hubbub.files import FileSource
    from hubbub.sniff import take_sample

    file_sources = {
        name: cls for name, cls in host.sources().items() if issubclass(cls, FileSource)
    }
    if fmt:
        if fmt not in file_sources:
            choices = ", ".join(sorted(file_sources))
            raise HubbubError(f"unknown import format {fmt!r} (available: {choices})")
        return file_sources[fmt]
    sample = take_sample(source)
    scores: dict[str, float] = {}
    for name, cls in file_sources.items():
        try:
            scores[name] = float(cls.sniff(sample))
        except Exception:  # a plugin's sniffer must not break detection for the rest
            scores[name] = 0.0
    best = max(scores.values(), default=0.0)
    if best > 0:
        leaders = sorted(name for name, score in scores.items() if score == best)
        if len(leaders) == 1:
            return file_sources[leaders[0]]
        raise HubbubError(f"{source}: could be {', '.join(leaders)}; pass --format to choose")
    suffix = Path(source.name).suffix.lower()
    by_extension = [cls for cls in file_sources.values() if suffix in cls.extensions]
    if len(by_extension) == 1:
        return by_extension[0]
    raise HubbubError(
        f"{source}: cannot tell its format from its content; "
        f"pass --format ({', '.join(sorted(file_sources))})"
    )


def _summary_line(path: object, summary: IngestSummary) -> str:
    text = (
        f"{path}: read {summary.read}, stored {summary.stored}, "
        f"duplicates {summary.duplicates}, rejected {summary.rejected}"
    )
    if summary.resumed and not summary.read:
        return f"{path}: nothing new since the last import"
    if summary.resumed:
        text += " (resumed where the last import stopped)"
    if summary.rejected:
        text += " — see `hubbub rejects`"
    return text


@command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="Files to import.", show_default=False)],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Input format (default: told from the content), e.g. jsonl, csv, twitter-v2, mastodon.",
        ),
    ] = None,
    field_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="FIELD=COLUMN: read a native field from another column. Repeatable."
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(help="Platform for records that do not name one (default: the format's)."),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="CSV mapping preset for a known export, e.g. customer-support, twarc-csv "
            "(default: recognised from the header; 'none' for no preset). Implies --format csv.",
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Import posts from files, skipping ones already stored; bad records go to rejects."""
    from hubbub.ingest import run_source
    from hubbub.inputs import expand
    from hubbub.plugin_host import get_host
    from hubbub.project import Project

    mapping = parse_field_map(field_map or [])
    if preset is not None:
        from hubbub.csv_presets import get_preset

        if preset != "none":
            get_preset(preset)  # an unknown name is a one-line error naming the presets
        fmt = fmt or "csv"
    proj = Project.load(project)
    host = get_host()
    sources = []
    for path in files:
        for item in expand(path):
            cls = pick_file_source(host, item, fmt)
            settings: dict[str, object] = {
                "path": str(item.path),
                "member": item.member,
                "field_map": mapping,
                "max_record_bytes": proj.config.project.max_record_bytes,
            }
            if platform is not None:
                settings["platform"] = platform
            if preset is not None:
                if "preset" not in getattr(cls.Options, "model_fields", {}):
                    raise HubbubError(f"--preset applies to CSV input, not --format {cls.name}")
                settings["preset"] = preset
            options = cls.parse_options(settings, f"--format {cls.name}")
            sources.append((item, cls(options, key=item.key)))
    store = proj.store
    reported = {name: len(errors) for name, errors in host.errors.items()}
    with _progress() as advance:
        for path, source in sources:
            summary = run_source(
                store,
                source,
                host=host,
                batch_size=proj.config.project.batch_size,
                progress=advance(path),
            )
            message(_summary_line(path, summary))
    # a plugin's event hook that failed during the import (the posts are stored anyway)
    for name, errors in host.errors.items():
        for error in errors[reported.get(name, 0) :]:
            message(f"Warning: plugin {name!r}: {error}")
    from hubbub.privacy import apply_configured_retention

    retention = apply_configured_retention(proj)  # [project] raw_retention_days
    if retention is not None and (retention.raw_payloads or retention.rejects):
        message(retention.line())
    proj.close()


class _progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[records]} records"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.progress.__enter__()
        return self.advance

    def advance(self, path: Path):
        task = self.progress.add_task(path.name, total=None, records=0)

        def update(summary: IngestSummary, done: int, total: int | None) -> None:
            self.progress.update(task, completed=done, total=total, records=summary.read)

        return update

    def __exit__(self, *exc_info: object) -> None:
        self.progress.__exit__(*exc_info)


@command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query", "-q", help="Only posts matching this query (docs/query-language.md)."
        ),
    ] = None,
    pseudonymize: Annotated[
        bool,
        typer.Option(
            "--pseudonymize",
            help="Replace handles with stable keyed hashes and drop names and URLs (docs/privacy.md).",
        ),
    ] = False,
    salt_env: Annotated[
        str | None,
        typer.Option(
            "--salt-env",
            metavar="VAR",
            help="With --pseudonymize: read the salt from this environment variable "
            "(default: the project's .hubbub-salt file, made on first use).",
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Write every stored post (or those matching --query) with its annotations as native JSONL."""
    from hubbub.export import write_jsonl
    from hubbub.project import Project

    if salt_env is not None and not pseudonymize:
        raise HubbubError("--salt-env only applies with --pseudonymize")
    proj = Project.load(project)
    transform = None
    if pseudonymize:
        from hubbub.privacy import Pseudonymizer, project_salt, salt_from_env

        salt = salt_from_env(salt_env) if salt_env else project_salt(proj.directory)
        transform = Pseudonymizer(salt).record
    where = None
    if query is not None:
        from hubbub.search import search_where

        where = search_where(proj.store, query, timezone=proj.config.project.timezone)
    if output is None:
        count = write_jsonl(proj.store, sys.stdout.buffer, where=where, transform=transform)
        sys.stdout.buffer.flush()
    else:
        with output.open("wb") as stream:
            count = write_jsonl(proj.store, stream, where=where, transform=transform)
    noun = "post" if count == 1 else "posts"
    pseudonymized = " (pseudonymised)" if pseudonymize else ""
    message(f"Exported {count} {noun}{pseudonymized}" + (f" to {output}" if output else ""))
    proj.close()


@command("rejects")
def rejects(
    source: Annotated[
        str | None, typer.Option(help="Only rejects of this source (e.g. file:/path).")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=0, help="How many to show, newest first (0: all).")
    ] = 100,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """List records that could not be stored, with where they were and why."""
    from hubbub.project import Project

    proj = Project.load(project)
    rows = proj.store.rejects(source=source, limit=limit or None)
    total = (
        len(proj.store.rejects(source=source, limit=None)) if source else proj.store.count_rejects()
    )
    proj.close()
    for row in rows:
        row["created_at"] = row["created_at"].isoformat() + "Z"
        if fmt is OutputFormat.table:
            row["record"] = row["record"][:60]
    emit(
        rows,
        fmt,
        columns=["id", "source", "position", "reason", "record", "created_at"],
        title=f"Rejects ({len(rows)} of {total})",
    )

"""``hubbub analyze`` (post analyzers) and ``hubbub sentiment`` (summaries).

Only typer and the CLI helpers are imported at the top; the analysis machinery, the
analyzers and the store load inside the commands, so ``hubbub --help`` stays fast.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.analysis import AnalysisSummary, Executor
    from hubbub.config import AnalyzeSection


class GroupBy(StrEnum):
    """How ``hubbub sentiment`` groups posts."""

    brand = "brand"
    overall = "overall"
    topic = "topic"


class ExecutorName(StrEnum):
    """Where ``hubbub analyze`` runs batches."""

    local = "local"
    serial = "serial"
    dask = "dask"


class Window(StrEnum):
    """Windows of ``hubbub sentiment`` (project time zone; weeks start on Monday)."""

    day = "day"
    week = "week"


class _AnalysisProgress:
    """One rich progress bar per analyzer on stderr when it is a terminal; silent otherwise.

    The bar starts with the first report, once the worker processes exist: they are
    forked from a process without the bar's refresh thread.
    """

    def __enter__(self) -> _AnalysisProgress:
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}
        return self

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:>10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.progress.__enter__()
        return self.progress

    def __call__(self, analyzer: str, done: int, total: int) -> None:
        progress = self.progress or self._start()
        task = self.tasks.get(analyzer)
        if task is None:
            task = self.tasks[analyzer] = progress.add_task(analyzer, total=total)
        progress.update(task, completed=done, total=total)

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc_info)


def _report(summary: AnalysisSummary, fmt: OutputFormat) -> None:
    rows = [run.as_row() for run in summary.runs]
    done = [run for run in summary.runs if run.posts]
    if not done:
        message("Nothing to analyse: every post has current results.")
    else:
        parts = ", ".join(f"{run.analyzer} {run.posts}" for run in done)
        message(f"Analysed posts: {parts} in {summary.seconds:.1f}s, {summary.workers} worker(s).")
    for run in summary.runs:
        if run.errors:
            message(
                f"{run.analyzer}: {run.errors} posts failed (stored as errors); "
                "`hubbub analyze --retry-failed` runs them again."
            )
        unsupported = run.counts.get("unsupported")
        if unsupported:
            message(
                f"{run.analyzer}: {unsupported} posts are in languages it does not read and "
                "are marked unsupported (not neutral); `hubbub sentiment` counts them."
            )
    if fmt is not OutputFormat.table:
        emit(rows, fmt, columns=list(rows[0]) if rows else None)
    elif done:
        table = [
            {
                "analyzer": run.analyzer,
                "version": run.version,
                "posts": run.posts,
                "analysed": run.unique_texts,
                "reused": run.reused,
                "errors": run.errors,
                "results": _shares(run.counts, run.posts),
            }
            for run in done
        ]
        emit(table, fmt, title="Post analyzers (analysed: distinct texts; reused: duplicates)")


def _shares(counts: dict[str, int], total: int, top: int = 4) -> str:
    items = list(counts.items())
    shown = [f"{value} {count / total:.0%}" for value, count in items[:top]]
    if len(items) > top:
        shown.append(f"+{len(items) - top} more")
    return ", ".join(shown)


@command("analyze")
def analyze(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only this analyzer (and those it needs); repeatable. "
            "`hubbub plugins` lists them.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="HUBBUB_WORKERS",
            help="Worker processes, of the local pool or a local Dask cluster (default: "
            "[analyze] workers, else one per core; with the local executor 1 runs in this process).",
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Posts per batch (one transaction each).")
    ] = 2000,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Also re-run posts whose analysis failed.")
    ] = False,
    executor: Annotated[
        ExecutorName | None,
        typer.Option(
            help="local: a process pool (this process for small runs); serial: this process; "
            "dask: a Dask cluster (docs/dask.md). Default: [analyze] executor, else local.",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:8786); implies --executor dask. "
            "Default: [analyze] scheduler, else a local Dask cluster of --workers processes.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Run post analyzers (language, sentiment, …) on posts without a current result."""
    from hubbub.analysis import analyze_project
    from hubbub.project import Project

    proj = Project.load(project)
    try:
        chosen, workers = _choose_executor(proj.config.analyze, executor, scheduler, workers)
        with _AnalysisProgress() as progress:
            summary = analyze_project(
                proj,
                only=only,
                executor=chosen,
                workers=workers,
                batch_size=batch_size,
                retry_failed=retry_failed,
                progress=progress,
            )
    except KeyboardInterrupt:
        message("Interrupted: the batches stored so far are kept; run `hubbub analyze` to go on.")
        raise typer.Exit(130) from None
    finally:
        proj.close()
    _report(summary, fmt)


def _choose_executor(
    settings: AnalyzeSection,
    name: ExecutorName | None,
    scheduler: str | None,
    workers: int | None,
) -> tuple[Executor | None, int | None]:
    """The executor and worker count from the options, else ``[analyze]`` (``None``: local)."""
    if name is None:
        name = ExecutorName.dask if scheduler else ExecutorName(settings.executor)
    if scheduler and name is not ExecutorName.dask:
        raise HubbubError(
            f"--scheduler is the Dask scheduler's address: it needs --executor dask, not {name.value}"
        )
    workers = workers or settings.workers
    if name is ExecutorName.serial:
        from hubbub.analysis import SerialExecutor

        return SerialExecutor(), workers
    if name is ExecutorName.dask:
        from hubbub.dask_executor import DaskExecutor

        return DaskExecutor(scheduler or settings.scheduler, workers), workers
    return None, workers


def parse_bound(value: str | None, option: str, timezone: str, *, end: bool) -> datetime | None:
    """``--since``/``--until`` as a naive UTC time: a date (that whole local day) or a duration back.

    ``--until 2026-03-19`` includes the 19th.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    zone = ZoneInfo(timezone)
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        day = None
    if day is not None:
        if end:
            day += timedelta(days=1)
        return day.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    from hubbub.durations import parse_duration

    try:
        back = parse_duration(text)
    except ValueError:
        raise HubbubError(
            f"{option} {value!r}: expected a date (2026-03-19) or a duration back from now (7d)"
        ) from None
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=back)


@command("sentiment")
def sentiment(
    by: Annotated[
        GroupBy,
        typer.Option(
            help="brand: per brand mentioned (docs/methods.md#brand-mentions); topic: per "
            "topic of hubbub.toml; overall: all posts."
        ),
    ] = GroupBy.brand,
    window: Annotated[
        Window | None, typer.Option(help="One row per day or week (project time zone).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="From this date (2026-03-01) or duration back (7d).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this date (included) or duration back.")
    ] = None,
    analyzer: Annotated[
        str, typer.Option(help="The sentiment analyzer to summarise (its label and scores).")
    ] = "sentiment",
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Sentiment share and mean compound per brand, topic or overall, per day or week."""
    from hubbub.project import Project
    from hubbub.sentiment_summary import project_summary, summary_columns

    proj = Project.load(project)
    timezone = proj.config.project.timezone
    try:
        rows = project_summary(
            proj.config,
            proj.store,
            by=by.value,
            window=window.value if window else None,
            analyzer=analyzer,
            since=parse_bound(since, "--since", timezone, end=False),
            until=parse_bound(until, "--until", timezone, end=True),
            project=proj,
        )
    finally:
        proj.close()
    columns = summary_columns(by.value, window.value if window else None)
    if fmt is OutputFormat.table:
        rows = [readable_summary_row(row) for row in rows]
        columns = [name for name in columns if name in rows[0]] if rows else columns
    title = f"Sentiment by {by.value}" + (f", per {window.value} ({timezone})" if window else "")
    emit(rows, fmt, columns=columns, title=title)
    if fmt is OutputFormat.table and rows and any(row["not_analysed"] for row in rows):
        message("Some posts have no sentiment yet: run `hubbub analyze`.")


def readable_summary_row(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row for people: counts with their share of the scored posts."""
    shown = {name: row[name] for name in ("brand", "topic", "window") if name in row}
    shown["posts"] = row["posts"]
    for label in ("positive", "neutral", "negative"):
        share = row[f"{label}_share"]
        shown[label] = f"{row[label]} ({share:.0%})" if share is not None else str(row[label])
    shown["unsupported"] = row["unsupported"]
    shown["not_analysed"] = row["not_analysed"] + row["errors"]
    for name in ("net_sentiment", "mean_compound"):
        value = row[name]
        shown[name] = "" if value is None else f"{value:+.3f}"
    return shown

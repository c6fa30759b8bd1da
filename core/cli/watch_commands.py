"""``hubbub watch`` (live listening with alerts) and ``hubbub alerts`` (the alerts fired)."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.alerts import Alert
    from hubbub.watch import Watcher, WatchEvent

ALERT_COLUMNS = ["id", "fired_at", "rule", "kind", "subject", "message", "ended_at"]
ALERT_FIELDS = [
    "id",
    "fired_at",
    "rule",
    "kind",
    "subject",
    "window_start",
    "window_end",
    "message",
    "details",
    "example_post_ids",
    "ended_at",
    "delivery",
]


def alert_line(alert: Alert) -> str:
    """One line for an alert: when, which rule, the message."""
    when = alert.fired_at.strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{when} ALERT [{alert.rule}] {alert.message}"


class StatusLine:
    """The live status on stderr: per-source counts, alerts, errors, the next poll.

    On a terminal one line is rewritten in place; otherwise a line is written per cycle.
    """

    def __init__(self, sources: list[str], *, live: bool | None = None) -> None:
        self.counts = dict.fromkeys(sources, 0)
        self.alerts = 0
        self.errors = 0
        self.cycles = 0
        self.live = sys.stderr.isatty() if live is None else live
        self._shown = False

    def text(self, watcher: Watcher | None = None) -> str:
        """The status as one line."""
        parts = [f"{name} {count}" for name, count in self.counts.items()]
        line = f"watch: cycle {self.cycles} | new posts: {', '.join(parts)}"
        line += f" | alerts {self.alerts} | errors {self.errors}"
        wake = watcher.next_wake() if watcher is not None else None
        if wake is not None:
            line += f" | next poll {wake.strftime('%H:%M:%SZ')}"
        return line

    def clear(self) -> None:
        """Erase the live line before other output."""
        if self.live and self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._shown = False

    def show(self, watcher: Watcher | None = None) -> None:
        """Write the status (rewritten in place on a terminal)."""
        if self.live:
            sys.stderr.write("\r\x1b[2K" + self.text(watcher))
            self._shown = True
        else:
            sys.stderr.write(self.text(watcher) + "\n")
        sys.stderr.flush()


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    """SIGINT/SIGTERM: the first sets ``stop``, a second aborts. Returns the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        message("\nStopping after the batch in flight (press Ctrl-C again to abort)…")

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handle)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@command("watch")
def watch_command(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Names of configured sources to watch (default: all).", show_default=False
        ),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run one cycle (poll every source once) and stop.")
    ] = False,
    cycles: Annotated[
        int | None,
        typer.Option("--cycles", min=1, help="Stop after N cycles.", show_default=False),
    ] = None,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Run the post analyzers on new posts.")
    ] = True,
    project: ProjectOption = None,
) -> None:
    """Poll the sources on their intervals, analyse new posts and fire the [[alerts]] rules.

    Ctrl-C (or SIGTERM) stops after the batch in flight; a restart resumes from the
    cursors. Alerts are printed on stdout, one line each; the status goes to stderr.
    """
    from hubbub.project import Project
    from hubbub.watch import Watcher

    proj = Project.load(project)
    stop = threading.Event()
    status: StatusLine | None = None

    def on_event(event: WatchEvent) -> None:
        assert status is not None
        if event.kind == "posts" and event.source is not None:
            status.counts[event.source] = status.counts.get(event.source, 0) + event.count
        elif event.kind == "alert" and event.alert is not None:
            status.alerts += 1
            status.clear()
            typer.echo(alert_line(event.alert))
        elif event.kind == "error":
            status.errors += 1
            status.clear()
            message(f"Error: {event.message}")
        elif event.kind == "cycle":
            status.cycles += 1
            status.show(watcher)

    previous: dict[int, Any] = {}
    try:
        watcher = Watcher(proj, sources=sources or None, on_event=on_event, analyze=analyze)
        status = StatusLine([source.key for source in watcher.sources])
        rules = len(watcher.rules)
        message(
            f"Watching {len(watcher.sources)} source(s) with {rules} alert rule(s) and "
            f"{len(watcher.notifiers)} notifier(s); Ctrl-C stops"
        )
        previous = _install_stop_handlers(stop)
        summary = watcher.run(stop, max_cycles=1 if once else cycles)
    except KeyboardInterrupt:
        if status is not None:
            status.clear()
        message("Aborted; the batches committed so far are kept (a restart resumes)")
        raise typer.Exit(130) from None
    finally:
        _restore_handlers(previous)
        proj.close()
    status.clear()
    if status.live:
        sys.stderr.write("\n")
    total = sum(summary.new_posts.values())
    ended = "stopped" if summary.stopped else "done"
    message(
        f"Watch {ended}: {summary.cycles} cycle(s), {total} new post(s), "
        f"{len(summary.alerts)} alert(s), {len(summary.errors)} error(s)"
    )


def parse_since(value: str | None, timezone: str, now: datetime) -> datetime | None:
    """``--since``: a duration back from ``now`` (``1d``) or an ISO date or date-time."""
    if value is None or not value.strip():
        return None
    from hubbub.durations import parse_duration
    from hubbub.responsiveness import parse_instant

    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        return parse_instant(value, timezone)
    except HubbubError:
        raise HubbubError(
            f"--since {value!r}: expected a duration back from now (1d) or a date (2026-03-19)"
        ) from None


@command("alerts")
def alerts_command(
    since: Annotated[
        str | None,
        typer.Option(
            help="Only alerts fired since: a duration back (1d) or a date/time.",
            show_default=False,
        ),
    ] = None,
    rule: Annotated[
        str | None, typer.Option(help="Only the alerts of this rule.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 100,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """List the alerts fired by `hubbub watch`, newest first."""
    from hubbub.alerts import list_alerts
    from hubbub.project import Project
    from hubbub.timeutil import utcnow

    proj = Project.load(project)
    try:
        bound = parse_since(since, proj.config.project.timezone, utcnow())
        alerts = list_alerts(proj.store, since=bound, rule=rule, limit=limit or None)
    finally:
        proj.close()
    rows = [alert.row() for alert in alerts]
    if fmt is OutputFormat.table:
        emit(rows, fmt, columns=ALERT_COLUMNS, title="Alerts")
        if not rows:
            message("No alerts (they are fired by `hubbub watch`; see docs/watch.md)")
    elif fmt is OutputFormat.csv:
        import orjson

        for row in rows:  # nested values as JSON text in a cell
            row["details"] = orjson.dumps(row["details"]).decode()
            row["delivery"] = orjson.dumps(row["delivery"]).decode()
        emit(rows, fmt, columns=ALERT_FIELDS)
    else:
        emit(rows, fmt, columns=ALERT_FIELDS)

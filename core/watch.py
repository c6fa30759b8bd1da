"""Live listening: poll the configured sources on their intervals, analyse, alert.

A :class:`Watcher` runs *cycles*. Each cycle (:meth:`Watcher.run_cycle`):

1. polls every source that is due (its ``interval``, default ``5m``, since its last
   poll; all are due in the first cycle), each through :func:`hubbub.ingest.run_source`,
   so each batch is committed with the source's cursor and a restart resumes exactly
   after the last committed batch — nothing lost, nothing stored twice;
2. when posts were stored: tags topics and runs the post analyzers on the posts not yet
   analysed (both incremental);
3. evaluates the ``[[alerts]]`` rules at the cycle's moment
   (:func:`hubbub.alert_rules.evaluate_rules`), which stores what fires;
4. for each alert: calls the ``alert_fired`` hook, then its notifiers (retried with
   backoff; a notifier that keeps failing is logged and recorded on the alert's
   ``delivery`` and the watch goes on).

:meth:`Watcher.run` repeats cycles, waiting until the next source is due, until a
``stop`` event is set (checked between sources and between cycles, so the batch in
flight completes) or ``max_cycles`` have run. The clock and the sleep are injectable,
so tests run many cycles without waiting. Progress is reported through ``on_event``
with :class:`WatchEvent`\\ s (what the CLI's status line and the TUI's live view show).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubbub.errors import ConfigError, HubbubError
from hubbub.timeutil import utcnow

if TYPE_CHECKING:
    from hubbub.alert_rules import AlertRule
    from hubbub.alerts import Alert
    from hubbub.kinds import Notifier, Source
    from hubbub.plugin_host import PluginHost
    from hubbub.project import Project

__all__ = [
    "CycleResult",
    "WatchEvent",
    "WatchSummary",
    "Watcher",
    "build_notifiers",
    "deliver",
]

logger = logging.getLogger("hubbub.watch")

#: the first wait between delivery attempts, in seconds (doubling each time)
DELIVERY_BACKOFF = 1.0
#: the longest nap while waiting for the next poll (how soon a stop is noticed)
NAP_SECONDS = 0.2
#: how often a watch applies ``[project] raw_retention_days``
RETENTION_EVERY_SECONDS = 3600.0


@dataclass
class WatchEvent:
    """Something a watch did, for a status line or a live view.

    ``kind`` is ``posts`` (a source was polled: ``count`` new posts), ``alert`` (an alert
    fired: ``alert``), ``error`` (a source, rule or notifier failed: ``message``) or
    ``cycle`` (a cycle ended: ``count`` new posts in it).
    """

    kind: str
    source: str | None = None
    count: int = 0
    alert: Alert | None = None
    message: str = ""


@dataclass
class CycleResult:
    """What one cycle did."""

    #: the cycle's moment (naive UTC): sources were due at it, rules judged at it
    now: datetime
    #: the sources polled, in order
    polled: list[str] = field(default_factory=list)
    #: source -> posts newly stored
    new_posts: dict[str, int] = field(default_factory=dict)
    #: posts analysed by the post analyzers (summed over analyzers)
    analysed: int = 0
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: the cycle was cut short by the stop event (sources not polled stay due)
    stopped: bool = False


@dataclass
class WatchSummary:
    """What a whole :meth:`Watcher.run` did."""

    cycles: int = 0
    #: source -> posts newly stored over the run
    new_posts: dict[str, int] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: the run ended because the stop event was set
    stopped: bool = False


def build_notifiers(project: Project, host: PluginHost) -> dict[str, Notifier]:
    """The ``[[notifiers]]`` of ``project``, built and validated, by name.

    A relative ``path`` option is taken relative to the project directory.

    :raises ConfigError: for an unknown type or options that do not validate.
    """
    from hubbub.alert_rules import parse_notifiers

    known = host.notifiers()
    built: dict[str, Notifier] = {}
    for item in parse_notifiers(project.config.notifiers, str(project.config_path)):
        cls = known.get(item.type)
        if cls is None:
            choices = ", ".join(sorted(known)) or "none"
            raise ConfigError(
                f"{item.where}: type: unknown notifier type {item.type!r} (available: {choices})"
            )
        settings = dict(item.options)
        path = settings.get("path")
        if isinstance(path, str) and not Path(path).is_absolute():
            settings["path"] = str(project.directory / path)
        built[item.name] = cls(cls.parse_options(settings, item.where), key=item.name)
    return built


def deliver(
    notifier: Notifier,
    alert: Alert,
    *,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = DELIVERY_BACKOFF,
) -> str:
    """Send ``alert`` through ``notifier``, retrying with backoff; ``"sent"`` or ``"failed: …"``.

    A notifier that retries on its own (``retries_itself``) is called once; others up to
    ``notifier.attempts`` times, waiting ``backoff``, then twice that, … between tries.
    Never raises: a failure is returned (and logged) so the watch goes on.
    """
    attempts = 1 if notifier.retries_itself else max(1, notifier.attempts)
    problem = ""
    for attempt in range(attempts):
        try:
            notifier.send(alert)
        except Exception as error:  # a notifier's failure must not stop the watch
            problem = str(error) if isinstance(error, HubbubError) else repr(error)
            logger.warning(
                "notifier %s: attempt %d of %d failed for alert %s: %s",
                notifier.key,
                attempt + 1,
                attempts,
                alert.id,
                problem,
            )
            if attempt + 1 < attempts:
                sleep(backoff * 2**attempt)
            continue
        return "sent"
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    logger.error("notifier %s: gave up on alert %s after %s", notifier.key, alert.id, tries)
    return f"failed after {tries}: {problem}"


class Watcher:
    """Polls a project's sources on their intervals, analyses new posts and fires alerts.

    :param project: the listening project.
    :param sources: names of configured sources to watch (default: all).
    :param on_event: called with each :class:`WatchEvent` (in the watching thread).
    :param clock: the current time as naive UTC (default :func:`hubbub.timeutil.utcnow`).
    :param sleep: waits a number of seconds (default: short naps that end when the stop
        event is set); tests pass one that advances their clock.
    :param host: the plugin host (default: the process-wide one).
    :param analyze: run the post analyzers on new posts.
    :raises HubbubError: for no sources, an unknown source name, an invalid source,
        alert rule or notifier.
    """

    def __init__(
        self,
        project: Project,
        *,
        sources: list[str] | None = None,
        on_event: Callable[[WatchEvent], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] | None = None,
        host: PluginHost | None = None,
        analyze: bool = True,
    ) -> None:
        from hubbub.alert_rules import check_config
        from hubbub.cli.ingest_commands import configured_sources

        if host is None:
            from hubbub.plugin_host import get_host

            host = get_host()
        self.project = project
        self.host = host
        self.on_event = on_event
        self.clock = clock
        self.sleep = sleep
        self.analyze = analyze
        if not project.config.sources:
            raise HubbubError(f"{project.config_path}: no [[sources]] configured to watch")
        self.sources: list[Source] = configured_sources(project, host, sources)
        intervals = {
            section.name or section.type: section.interval_seconds
            for section in project.config.sources
        }
        self.intervals: dict[str, timedelta] = {
            source.key: timedelta(seconds=intervals[source.key]) for source in self.sources
        }
        self.rules: list[AlertRule] = check_config(project.config, str(project.config_path))
        self.notifiers: dict[str, Notifier] = build_notifiers(project, host)
        for notifier in self.notifiers.values():
            if notifier.sleep is None and sleep is not None:
                notifier.sleep = sleep
        #: source key -> when it is next due (absent: due now)
        self.next_due: dict[str, datetime] = {}
        self._stop: threading.Event | None = None

    # ------------------------------------------------------------ events

    def _emit(self, event: WatchEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _error(self, result: CycleResult, text: str, source: str | None = None) -> None:
        logger.error("%s", text)
        result.errors.append(text)
        self._emit(WatchEvent("error", source=source, message=text))

    # ------------------------------------------------------------ one cycle

    def due(self, now: datetime) -> list[Source]:
        """The sources due at ``now``, in configuration order."""
        return [
            source
            for source in self.sources
            if self.next_due.get(source.key) is None or self.next_due[source.key] <= now
        ]

    def run_cycle(self, now: datetime | None = None) -> CycleResult:
        """Poll the due sources, analyse what is new, evaluate the rules, notify.

        :param now: the cycle's moment (naive UTC; default: the clock, to the second).
        """
        now = now if now is not None else self.clock().replace(microsecond=0)
        result = CycleResult(now)
        for source in self.due(now):
            if self._stop is not None and self._stop.is_set():
                result.stopped = True
                break
            stored = self._poll(source, result)
            self.next_due[source.key] = now + self.intervals[source.key]
            result.polled.append(source.key)
            result.new_posts[source.key] = stored
            self._emit(WatchEvent("posts", source=source.key, count=stored))
        if any(result.new_posts.values()):
            self._process_new_posts(result)
        self._evaluate(result)
        self._emit(WatchEvent("cycle", count=sum(result.new_posts.values())))
        return result

    def _poll(self, source: Source, result: CycleResult) -> int:
        from hubbub.http import redact
        from hubbub.ingest import IngestSummary, run_source

        committed: list[IngestSummary] = []

        def keep(so_far: IngestSummary, _done: int, _total: int | None) -> None:
            if not committed:
                committed.append(so_far)  # the same object accumulates every batch

        problems: list[str] = []
        try:
            summary: IngestSummary | None = run_source(
                self.project.store,
                source,
                host=self.host,
                batch_size=self.project.config.project.batch_size,
                kind="watch",
                progress=keep,
            )
        except HubbubError as error:
            summary, problems = (committed[0] if committed else None), [str(error)]
        except Exception as error:  # a plugin's bug must not stop the watch
            summary = committed[0] if committed else None
            problems = [f"{source.key}: {type(error).__name__}: {error}"]
        problems = list(getattr(source, "errors", [])) + problems
        if problems:
            credentials = getattr(source, "credentials", None)
            secrets = list(credentials().values()) if callable(credentials) else []
            for text in problems:
                self._error(result, redact(text, secrets), source.key)
        return summary.stored if summary is not None else 0

    def _process_new_posts(self, result: CycleResult) -> None:
        """Tag topics and run the post analyzers on the new posts (both incremental)."""
        from hubbub.privacy import apply_configured_retention
        from hubbub.topics import ensure_tagged

        try:
            # [project] raw_retention_days holds for a long watch as for each `hubbub ingest`
            # (checked once an hour: payloads age by days, and the check reads old posts)
            moment = time.monotonic()
            if moment >= getattr(self, "_retention_due", 0.0):
                apply_configured_retention(self.project)
                self._retention_due = moment + RETENTION_EVERY_SECONDS
            if self.project.config.topics:
                ensure_tagged(self.project)
            if self.analyze:
                from hubbub.analysis import analyze_project

                summary = analyze_project(self.project, host=self.host, workers=1)
                result.analysed = sum(run.posts for run in summary.runs)
        except HubbubError as error:
            self._error(result, f"analysis: {error}")
        except Exception as error:  # a plugin analyzer's bug must not stop the watch
            self._error(result, f"analysis: {type(error).__name__}: {error}")

    def _evaluate(self, result: CycleResult) -> None:
        from hubbub.alert_rules import evaluate_rules
        from hubbub.alerts import record_delivery

        if not self.rules:
            return

        def failed(rule: AlertRule, error: Exception) -> None:
            text = str(error) if isinstance(error, HubbubError) else repr(error)
            self._error(result, f"alert rule {rule.name}: {text}")

        by_name = {rule.name: rule for rule in self.rules}
        for alert in evaluate_rules(self.project, self.rules, result.now, on_error=failed):
            result.alerts.append(alert)
            self.host.call_event("alert_fired", alert=alert)
            self._emit(WatchEvent("alert", alert=alert, message=alert.message))
            rule = by_name[alert.rule]
            targets = rule.notify or list(self.notifiers)
            for name in targets:
                outcome = deliver(self.notifiers[name], alert, sleep=self._delivery_sleep)
                alert.delivery[name] = outcome
                if outcome != "sent":
                    self._error(result, f"notifier {name}: alert {alert.id}: {outcome}")
            if targets:
                record_delivery(self.project.store, alert)

    def _delivery_sleep(self, seconds: float) -> None:
        self._pause(seconds, self._stop)

    def _pause(self, seconds: float, stop: threading.Event | None) -> None:
        """Wait ``seconds`` with the injected sleep, else in short naps that end on ``stop``.

        Naps rather than ``stop.wait``: a signal handler that sets ``stop`` runs in this
        thread, and must not find it inside the event's own lock.
        """
        if self.sleep is not None:
            self.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        while not (stop is not None and stop.is_set()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, NAP_SECONDS))

    # ------------------------------------------------------------ the loop

    def next_wake(self) -> datetime | None:
        """When the next source is due (``None``: one is due already or none is known)."""
        if any(source.key not in self.next_due for source in self.sources):
            return None
        return min(self.next_due.values(), default=None)

    def run(
        self, stop: threading.Event | None = None, max_cycles: int | None = None
    ) -> WatchSummary:
        """Run cycles until ``stop`` is set or ``max_cycles`` have run.

        Between cycles it waits until the next source is due. A stop set during a cycle
        lets the source being polled finish its batch and the cycle evaluate its rules.
        """
        self._stop = stop
        summary = WatchSummary()
        try:
            while True:
                if stop is not None and stop.is_set():
                    summary.stopped = True
                    break
                result = self.run_cycle()
                summary.cycles += 1
                for key, count in result.new_posts.items():
                    summary.new_posts[key] = summary.new_posts.get(key, 0) + count
                summary.alerts.extend(result.alerts)
                summary.errors.extend(result.errors)
                if result.stopped or (stop is not None and stop.is_set()):
                    summary.stopped = True
                    break
                if max_cycles is not None and summary.cycles >= max_cycles:
                    break
                self._wait(stop)
        finally:
            self._stop = None
        return summary

    def _wait(self, stop: threading.Event | None) -> None:
        wake = self.next_wake()
        if wake is None:
            return
        seconds = (wake - self.clock()).total_seconds()
        if seconds > 0:
            self._pause(seconds, stop)

    def status(self) -> dict[str, Any]:
        """Per source: its interval in seconds and when it is next due (ISO 8601 UTC)."""
        return {
            source.key: {
                "interval_seconds": self.intervals[source.key].total_seconds(),
                "next_due": (
                    self.next_due[source.key].isoformat() + "Z"
                    if source.key in self.next_due
                    else None
                ),
            }
            for source in self.sources
        }

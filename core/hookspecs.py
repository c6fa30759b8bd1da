"""Hook specifications: what a hubbub plugin can implement.

Plugins write ``from hubbub import hookimpl`` and implement any of these by name.
pluggy lets an implementation accept only the arguments it needs, so new arguments
can be added to a hook later without breaking existing plugins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from hubbub.alerts import Alert
    from hubbub.posts import Post
    from hubbub.project import Project
    from hubbub.report import ReportScope, Section

hookspec = pluggy.HookspecMarker("hubbub")
hookimpl = pluggy.HookimplMarker("hubbub")


# ---------------------------------------------------------------- Sources


@hookspec
def register_sources(register: Callable[..., None]) -> None:
    """Register source types (``jsonl``, ``csv``, ``mastodon``, …).

    :param register: call ``register(SourceClass)`` once per source type; the class must
        subclass :class:`hubbub.Source` and have a unique ``name``.
    :returns: nothing; registration happens through the callback.
    """


# ---------------------------------------------------------------- Analyzers


@hookspec
def register_analyzers(register: Callable[..., None]) -> None:
    """Register post analyzers and corpus analyzers.

    :param register: call ``register(AnalyzerClass)`` once per analyzer; the class must
        subclass :class:`hubbub.PostAnalyzer` or :class:`hubbub.CorpusAnalyzer`.
    :returns: nothing; registration happens through the callback.
    """


# ---------------------------------------------------------------- Reporters


@hookspec
def register_reporters(register: Callable[..., None]) -> None:
    """Register output formats.

    :param register: call ``register(ReporterClass)`` once per format; the class must
        subclass :class:`hubbub.Reporter`.
    :returns: nothing; registration happens through the callback.
    """


# ---------------------------------------------------------------- Notifiers


@hookspec
def register_notifiers(register: Callable[..., None]) -> None:
    """Register notifier types: where ``hubbub watch`` sends alerts (``webhook``, ``smtp``, …).

    :param register: call ``register(NotifierClass)`` once per notifier type; the class must
        subclass :class:`hubbub.kinds.Notifier` and have a unique ``name``.
    :returns: nothing; registration happens through the callback.
    """


# ---------------------------------------------------------------- Reports


@hookspec
def report_sections(project: Project, scope: ReportScope) -> list[Section] | None:
    """Contribute sections to the report (``hubbub report``, ``hubbub demo``), in every format.

    Called once per plugin for each report; reporters never know which plugin a section
    came from, so a corpus analyzer's findings appear in HTML, Markdown, JSON, CSV and the
    terminal alike.

    :param project: the project being reported on (its config, store and time zone).
    :param scope: the time frame: ``since``/``until`` (naive UTC, ``None`` for open ends),
        ``window`` (``day`` or ``week``) and ``timezone``.
    :returns: a list of :class:`hubbub.report.Section` (text, tables, charts as data), or
        ``None`` for nothing; an exception is reported with the plugin's name and the
        report is built without that plugin's sections.
    """


# ---------------------------------------------------------------- CLI


@hookspec
def register_commands(cli: typer.Typer) -> None:
    """Add commands to the ``hubbub`` command line.

    :param cli: the root :class:`typer.Typer` app; use ``@cli.command()``.
    :returns: nothing.
    """


# ---------------------------------------------------------------- Events


@hookspec
def batch_stored(source: str, posts: Sequence[Post], counts: dict[str, Any]) -> None:
    """Called after each batch of posts is committed to the store.

    :param source: the key of the source the batch came from (``file:/path`` or a
        configured source name).
    :param posts: the posts of the batch, duplicates included (already stored ones
        were skipped by the store).
    :param counts: ``{"read": n, "stored": n, "duplicates": n, "rejected": n}`` for the batch.
    :returns: nothing; an exception is reported with the plugin's name and the run goes on.
    """


@hookspec
def alert_fired(alert: Alert) -> None:
    """Called when an alert rule fires, after the alert is stored and before its notifiers run.

    :param alert: the :class:`hubbub.alerts.Alert`, with its ``id`` set.
    :returns: nothing; an exception is reported with the plugin's name and the watch goes on.
    """

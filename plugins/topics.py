"""Trends and share of voice as corpus analyzers.

The analyses live in :mod:`hubbub.trends` and :mod:`hubbub.share_of_voice` (formulas in
``docs/methods/``); this plugin registers them as the corpus analyzers ``trends`` and
``share_of_voice``, exactly as a third-party plugin would. Their options are the
``[analyzers.trends]`` and ``[analyzers.share_of_voice]`` sections of ``hubbub.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from hubbub import CorpusAnalyzer, HubbubError, Options, hookimpl
from hubbub.trends import TrendsOptions

if TYPE_CHECKING:
    from hubbub.project import Project


def _bounds(scope: dict[str, Any], timezone: str) -> tuple[datetime | None, datetime | None]:
    """``since``/``until`` of a scope: naive UTC datetimes, or strings as ``--since`` takes."""
    from hubbub.query import time_bounds

    since, until = scope.get("since"), scope.get("until")
    for value in (since, until):
        if value is not None and not isinstance(value, datetime | str):
            raise HubbubError(f"expected a date-time or a string, got {value!r}")
    low, high = time_bounds(
        since if isinstance(since, str) else None,
        until if isinstance(until, str) else None,
        timezone=timezone,
    )
    return (since if isinstance(since, datetime) else low), (
        until if isinstance(until, datetime) else high
    )


def _names(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


class TrendsAnalyzer(CorpusAnalyzer):
    """Volume per topic and brand per window; spikes with their drivers; emerging terms."""

    name = "trends"
    description = "spikes in topic and brand volume against a trailing baseline, with drivers"
    Options = TrendsOptions

    def run(self, project: Project, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield one finding per spike (subject: the scope, score: its z-score) and per
        emerging term (subject: the term, score: its log-odds z-score).

        :param scope: optional ``topic``/``topics``, ``brand``/``brands``, ``query``,
            ``since``, ``until`` and ``window`` (overrides the option).
        """
        from hubbub.trends import compute_trends, project_scopes, window_label

        options: TrendsOptions = self.options  # type: ignore[assignment]
        if scope.get("window"):
            options = options.model_copy(update={"window": scope["window"]})
        timezone = project.config.project.timezone
        since, until = _bounds(scope, timezone)
        scopes = project_scopes(
            project,
            topics=_names(scope.get("topic") or scope.get("topics")),
            brands=_names(scope.get("brand") or scope.get("brands")),
            query=scope.get("query"),
        )
        result = compute_trends(
            project, scopes, options=options, since=since, until=until, emerging=True
        )
        for spike, row in zip(result.spikes, result.spike_rows(), strict=True):
            item = spike.volume
            yield {
                "subject": item.scope,
                "score": item.z,
                "scope": item.scope,
                "window_start": item.start,
                "window_end": item.end,
                "details": {
                    **row,
                    "kind": "spike",
                    "drivers": {
                        kind: [
                            {"value": d.value, "count": d.count, "baseline": d.baseline, "z": d.z}
                            for d in drivers
                        ]
                        for kind, drivers in spike.drivers.items()
                    },
                    "examples": spike.examples,
                },
            }
        for term in result.emerging:
            yield {
                "subject": term.term,
                "score": term.z,
                "scope": term.scope,
                "window_start": term.window,
                "window_end": None,
                "details": {
                    "kind": "emerging",
                    "window": window_label(term.window, result.window),
                    "count": term.count,
                    "baseline": term.baseline,
                },
            }


class ShareOfVoiceOptions(Options):
    """Options of the ``share_of_voice`` analyzer (``[analyzers.share_of_voice]``)."""

    #: one share per ``hour``, ``day`` or ``week``; none: the whole period
    window: Literal["hour", "day", "week"] | None = None
    #: ``mentions`` (posts) or ``engagement`` (their likes + reposts + replies)
    by: Literal["mentions", "engagement"] = "mentions"


class ShareOfVoiceAnalyzer(CorpusAnalyzer):
    """Each brand's share of all tracked brands' mentions, split by sentiment."""

    name = "share_of_voice"
    description = "each brand's share of the tracked brands' mentions (or engagement)"
    Options = ShareOfVoiceOptions

    def run(self, project: Project, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield one finding per brand (per window): subject = brand, score = its share.

        :param scope: optional ``topic``, ``since``, ``until``, ``window`` and ``by``
            (override the options).
        """
        from hubbub.share_of_voice import compute_share_of_voice

        options: ShareOfVoiceOptions = self.options  # type: ignore[assignment]
        since, until = _bounds(scope, project.config.project.timezone)
        result = compute_share_of_voice(
            project,
            window=scope.get("window", options.window),
            by=scope.get("by", options.by),
            since=since,
            until=until,
            topic=scope.get("topic"),
        )
        for row in result.rows():
            yield {
                "subject": row["brand"],
                "score": row["share"],
                "scope": f"brand:{row['brand']}",
                "details": row,
            }


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the ``trends`` and ``share_of_voice`` corpus analyzers."""
    register(TrendsAnalyzer)
    register(ShareOfVoiceAnalyzer)

"""Brand responsiveness as a corpus analyzer: one finding per brand (and window).

The analysis itself lives in :mod:`hubbub.responsiveness` (rules in
``docs/methods/responsiveness.md``); this plugin registers it as the corpus analyzer
``responsiveness``, exactly as a third-party plugin would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from hubbub import CorpusAnalyzer, HubbubError, Options, hookimpl

if TYPE_CHECKING:
    from hubbub.project import Project


class ResponsivenessOptions(Options):
    """Options of the ``responsiveness`` analyzer (``[analyzers.responsiveness]``)."""

    #: split the figures into calendar windows: ``day``, ``week`` or ``month`` (none: one per brand)
    window: Literal["day", "week", "month"] | None = None


class ResponsivenessAnalyzer(CorpusAnalyzer):
    """Per brand: response rate, first-response times, share within target and a 0-100 score."""

    name = "responsiveness"
    description = "how fast and how often each brand answers inbound posts (0-100 score)"
    Options = ResponsivenessOptions

    def run(self, project: Project, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield one finding per brand (per window): subject = brand, score = the 0-100 score.

        :param scope: optional ``brand`` (a name or a list of names), ``since`` and
            ``until`` (naive UTC datetimes or ISO strings in the project's time zone) and
            ``window`` (overrides the option).
        """
        from hubbub.responsiveness import analyze_responsiveness, parse_instant

        options: ResponsivenessOptions = self.options  # type: ignore[assignment]
        zone = project.config.project.timezone
        brands = scope.get("brand") or scope.get("brands")
        if isinstance(brands, str):
            brands = [brands]
        report = analyze_responsiveness(
            project,
            brands=brands,
            since=_instant(scope.get("since"), zone, end=False, parse=parse_instant),
            until=_instant(scope.get("until"), zone, end=True, parse=parse_instant),
            window=scope.get("window", options.window),
        )
        for figures in report.figures:
            yield {
                "subject": figures.brand,
                "score": figures.score,
                "scope": f"brand:{figures.brand}",
                "window_start": figures.window_start,
                "window_end": figures.window_end,
                "details": figures.details(),
            }


def _instant(value: Any, zone: str, *, end: bool, parse: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse(value, zone, end=end)
    raise HubbubError(f"responsiveness: expected a date-time, got {value!r}")


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the ``responsiveness`` corpus analyzer."""
    register(ResponsivenessAnalyzer)

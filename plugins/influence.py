"""Topic influence as a corpus analyzer: one finding per reported author per topic.

The analysis lives in :mod:`hubbub.influence` (the method in ``docs/methods/influence.md``);
this plugin registers it as the corpus analyzer ``influence``, exactly as a third-party
plugin would, and owns its options (``[analyzers.influence]``). The analysis module
(numpy, scipy) is imported when the analyzer runs, not when plugins load.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from hubbub import CorpusAnalyzer, HubbubError, Options, hookimpl
from pydantic import Field, field_validator

if TYPE_CHECKING:
    from hubbub.project import Project

#: the interaction kinds (as :data:`hubbub.influence.INTERACTION_KINDS`; a test checks)
KINDS = ("reply", "quote", "repost", "mention")
#: scope keys that override the analyzer's options for one run
_OVERRIDES = (
    "share",
    "top",
    "method",
    "weights",
    "repeats",
    "teleport",
    "alpha",
    "tol",
    "max_iter",
)


class InfluenceOptions(Options):
    """Options of the ``influence`` analyzer (``[analyzers.influence]`` in ``hubbub.toml``).

    The defaults are :mod:`hubbub.influence`'s (a test checks they agree).
    """

    #: the share of the graph's authors to report (``top`` overrides it)
    share: float = Field(0.15, gt=0, le=1)
    #: report exactly this many authors instead of a share
    top: int | None = Field(None, ge=1)
    #: ``pagerank`` (personalised, the default), ``in-strength`` or ``hits`` (authority)
    method: Literal["pagerank", "in-strength", "hits"] = "pagerank"
    #: weight of one interaction of each kind; kinds left out keep their default
    #: (reply 1, quote 1, repost 1, mention 0.5)
    weights: dict[str, float] = Field(default_factory=dict)
    #: how repeated interactions of one author with another add up
    repeats: Literal["sum", "log", "sqrt"] = "sum"
    #: where PageRank teleports: ``active`` authors uniformly, by their ``posts``, or ``all``
    teleport: Literal["active", "posts", "all"] = "active"
    #: PageRank's damping factor (probability of following an edge)
    alpha: float = Field(0.85, gt=0, lt=1)
    #: PageRank / HITS convergence threshold on the L1 change of the scores
    tol: float = Field(1e-12, gt=0)
    #: give up (with an error) after this many iterations
    max_iter: int = Field(10_000, ge=1)

    @field_validator("weights")
    @classmethod
    def _known_kinds(cls, value: dict[str, float]) -> dict[str, float]:
        for kind, weight in value.items():
            if kind not in KINDS:
                raise ValueError(f"unknown interaction kind {kind!r} (kinds: {', '.join(KINDS)})")
            if not math.isfinite(weight) or weight < 0:
                raise ValueError(f"the weight of {kind} must be a number >= 0")
        return value


class InfluenceAnalyzer(CorpusAnalyzer):
    """Who moves the conversation on a topic: personalised PageRank over who engages with whom."""

    name = "influence"
    description = (
        "topic influencers by personalised PageRank over replies, quotes, reposts and mentions"
    )
    Options = InfluenceOptions

    def run(self, project: Project, scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Yield one finding per reported author: subject = handle, score = the centrality.

        :param scope: ``topic`` (a name, or a list of names) and/or ``query``; with neither,
            every topic of ``hubbub.toml``. ``since`` / ``until`` (naive UTC datetimes or ISO
            strings in the project's time zone), and any option (``share``, ``top``,
            ``method``, ``weights``, …) to override it for this run.
        """
        from hubbub.influence import topic_influence
        from hubbub.responsiveness import parse_instant

        options: InfluenceOptions = self.options  # type: ignore[assignment]
        zone = project.config.project.timezone
        since = _instant(scope.get("since"), zone, end=False, parse=parse_instant)
        until = _instant(scope.get("until"), zone, end=True, parse=parse_instant)
        settings = {**options.model_dump(), **{k: scope[k] for k in _OVERRIDES if k in scope}}
        topics = scope.get("topic")
        query = scope.get("query")
        if isinstance(topics, str):
            topics = [topics]
        if not topics:
            topics = [None] if query else list(project.config.topics)
        for topic in topics:
            result = topic_influence(
                project, topic=topic, query=query, since=since, until=until, **settings
            )
            summary = result.summary()
            for influencer in result.influencers:
                yield {
                    "subject": influencer.handle,
                    "score": influencer.score,
                    "scope": result.label,
                    "window_start": since,
                    "window_end": until,
                    "details": {**influencer.details(), "run": summary},
                }


def _instant(value: Any, zone: str, *, end: bool, parse: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse(value, zone, end=end)
    raise HubbubError(f"influence: expected a date-time, got {value!r}")


@hookimpl
def register_analyzers(register: Any) -> None:
    """Register the ``influence`` corpus analyzer."""
    register(InfluenceAnalyzer)

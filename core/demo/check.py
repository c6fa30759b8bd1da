"""Planted versus measured: the demo's known answers next to what hubbub computes.

The demo generator plants answers (``expected.json``); this module runs the real
analyses on the built project and lines the two up, so a user sees at once that the
numbers are right and a test can assert it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubbub.project import Project


@dataclass
class Check:
    """One planted answer and what hubbub measured."""

    analysis: str
    subject: str
    planted: str
    measured: str
    ok: bool

    def row(self) -> dict[str, Any]:
        """A flat row for tables and JSON."""
        return {
            "analysis": self.analysis,
            "subject": self.subject,
            "planted": self.planted,
            "measured": self.measured,
            "ok": "yes" if self.ok else "NO",
        }


def _responsiveness(project: Project, expected: dict[str, Any]) -> list[Check]:
    from hubbub.responsiveness import responsiveness_table

    measured = {row["brand"]: row for row in responsiveness_table(project)}
    checks = []
    for brand, planted in expected.get("responsiveness", {}).items():
        row = measured.get(brand, {})
        rate, median = row.get("response_rate"), row.get("median_seconds")
        checks.append(
            Check(
                "responsiveness",
                brand,
                _rate_and_median(planted["response_rate"], planted["median_seconds"]),
                _rate_and_median(rate, median) if rate is not None else "missing",
                rate == planted["response_rate"] and median == planted["median_seconds"],
            )
        )
    return checks


def _rate_and_median(rate: float, median: float | None) -> str:
    """``rate 0.9200, median 600 s`` (``median none`` when nothing was answered)."""
    shown = "none" if median is None else f"{median:g} s"
    return f"rate {rate:.4f}, median {shown}"


def _share_of_voice(project: Project, expected: dict[str, Any]) -> list[Check]:
    from hubbub.share_of_voice import compute_share_of_voice

    measured = compute_share_of_voice(project).totals()
    return [
        Check(
            "share of voice",
            brand,
            f"{share:.2%}",
            f"{measured.get(brand, 0.0):.2%}",
            round(measured.get(brand, 0.0), 6) == share,
        )
        for brand, share in expected.get("share_of_voice", {}).items()
    ]


def _spikes(project: Project, expected: dict[str, Any]) -> list[Check]:
    from hubbub.trends import compute_trends

    trends = compute_trends(project, explain=False)
    found = {
        (spike.scope.removeprefix("topic:"), spike.volume.start.date().isoformat())
        for spike in trends.spikes
        if spike.scope.startswith("topic:")
    }
    planted = {(item["topic"], item["day"]) for item in expected.get("spikes", [])}
    return [
        Check(
            "spikes",
            "topics",
            ", ".join(f"{topic} on {day}" for topic, day in sorted(planted)) or "none",
            ", ".join(f"{topic} on {day}" for topic, day in sorted(found)) or "none",
            found == planted,
        )
    ]


def _influence(project: Project, expected: dict[str, Any]) -> list[Check]:
    from hubbub.influence import influencers_by_topic

    results = influencers_by_topic(project)
    checks = []
    for topic, planted in expected.get("influencers", {}).items():
        result = results.get(topic)
        ranked = [row["handle"] for row in result.rows()] if result else []
        top = ranked[: len(planted)]
        celebrities = expected.get("celebrities", {}).get(topic, [])
        checks.append(
            Check(
                "influence",
                topic,
                f"top {len(planted)}: {', '.join(sorted(planted))}",
                f"top {len(planted)}: {', '.join(sorted(top))}",
                set(top) == set(planted),
            )
        )
        if celebrities:
            inside = sorted(set(celebrities) & set(ranked))
            checks.append(
                Check(
                    "influence",
                    f"{topic}: celebrities",
                    "outside the top 15%",
                    f"inside: {', '.join(inside)}" if inside else "outside the top 15%",
                    not inside,
                )
            )
    return checks


def planted_vs_measured(project: Project, expected: dict[str, Any]) -> list[Check]:
    """Every planted answer of ``expected`` beside hubbub's measurement of it."""
    return [
        *_responsiveness(project, expected),
        *_share_of_voice(project, expected),
        *_spikes(project, expected),
        *_influence(project, expected),
    ]

"""Responsiveness benchmark: ``hubbub responsiveness`` beside a raw SQL self-join, same database.

Builds (once, cached; see ``_harness.cached_project``) a project of N posts from
``corpus.py`` with its three brands (SkyJet answers fast and often, AeroLux slower,
GlobAir rarely), then measures, each side in a fresh interpreter:

* **hubbub**: :func:`hubbub.responsiveness.analyze_responsiveness` over all brands and
  its rows — what ``hubbub responsiveness`` computes before printing: inbound posts,
  each paired with the brand's first reply, rate, median / p90 / mean, within-target
  share, distribution, weekday x hour view and score;
* **raw**: per brand, one hand-written sqlite3 query: inbound posts (not reposts, not by a
  brand, @-mentioning the brand or replying to it, the parent looked up when
  ``reply_to_author`` is missing) self-joined to the brand's first reply (two correlated
  ``MIN`` subqueries: a direct reply, or a reply in the same conversation addressed to the
  customer), then response rate and median first-response time in Python.

Each side runs once to warm up and then ``--repeat`` times; the median counts. Both
sides' inbound and answered counts are printed, so a disagreement shows.

    python benchmarks/bench_responsiveness.py [--posts 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import (  # noqa: E402
    DEFAULT_POSTS,
    DEFAULT_SEED,
    cached_project,
    loadavg,
    print_table,
    ratio,
    record,
    script_side,
    side_figures,
    side_result,
)

RAW_SQL = """
SELECT i.created_at,
  (SELECT min(r.created_at) FROM posts r
    WHERE r.reply_to_id = i.external_id AND r.platform = i.platform
      AND r.author IN ({handles}) AND r.repost_of_id IS NULL
      AND r.created_at >= i.created_at) AS direct,
  (SELECT min(r.created_at) FROM posts r
    WHERE r.conversation_id = i.conversation_id AND r.platform = i.platform
      AND r.author IN ({handles}) AND r.repost_of_id IS NULL
      AND r.created_at >= i.created_at
      AND (r.reply_to_author = i.author
           OR r.mentions LIKE '%"' || i.author || '"%')) AS in_thread
FROM posts i
LEFT JOIN posts parent
  ON i.reply_to_author IS NULL AND i.reply_to_id IS NOT NULL
  AND parent.platform = i.platform AND parent.external_id = i.reply_to_id
WHERE i.repost_of_id IS NULL
  AND i.author NOT IN ({tracked})
  AND (EXISTS (SELECT 1 FROM json_each(i.mentions) WHERE value IN ({handles}))
       OR coalesce(i.reply_to_author, parent.author) IN ({handles}))
"""


def brand_handles(project_dir: Path) -> dict[str, list[str]]:
    """Each configured brand's handles, from the project's ``hubbub.toml``."""
    import tomllib

    config = tomllib.loads((project_dir / "hubbub.toml").read_text(encoding="utf-8"))
    return {name: section["handles"] for name, section in config["brands"].items()}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def raw_responsiveness(database: Path, brands: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Inbound, answered, response rate and median seconds per brand, in raw SQL + Python."""
    import sqlite3

    tracked = [handle for handles in brands.values() for handle in handles]
    conn = sqlite3.connect(database)
    figures = {}
    for name, handles in brands.items():
        sql = RAW_SQL.format(
            handles=", ".join("?" * len(handles)), tracked=", ".join("?" * len(tracked))
        )
        # the placeholders in the order they appear in the query
        params = [*handles, *handles, *tracked, *handles, *handles]
        waits = []
        inbound = 0
        for created, direct, in_thread in conn.execute(sql, params):
            inbound += 1
            answers = [value for value in (direct, in_thread) if value is not None]
            if answers:
                waits.append((_parse(min(answers)) - _parse(created)).total_seconds())
        figures[name] = {
            "inbound": inbound,
            "answered": len(waits),
            "response_rate": len(waits) / inbound if inbound else 0.0,
            "median_seconds": statistics.median(waits) if waits else None,
        }
    conn.close()
    return figures


def hubbub_responsiveness(project_dir: Path) -> dict[str, dict[str, Any]]:
    """The same figures through :func:`hubbub.responsiveness.analyze_responsiveness`."""
    from hubbub.project import Project
    from hubbub.responsiveness import analyze_responsiveness

    project = Project.load(project_dir)
    report = analyze_responsiveness(project)
    rows = report.rows()
    project.close()
    return {
        row["brand"]: {
            key: row[key] for key in ("inbound", "answered", "response_rate", "median_seconds")
        }
        for row in rows
    }


def run_side(side: str, project_dir: Path, repeat: int) -> None:
    """One side, in this process: a warm-up, then ``repeat`` timed runs; prints the figures."""
    if side == "hubbub":

        def work() -> dict[str, Any]:
            return hubbub_responsiveness(project_dir)

    else:
        brands = brand_handles(project_dir)

        def work() -> dict[str, Any]:
            return raw_responsiveness(project_dir / "hubbub.db", brands)

    figures = work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        figures = work()
        times.append(time.perf_counter() - started)
    side_result(statistics.median(times), brands=figures)


def main() -> None:
    """Build or find the project, measure both sides, print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--side", choices=["hubbub", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run_side(args.side, args.project, args.repeat)
        return
    project_dir = cached_project(args.posts, args.seed)
    print(f"responsiveness, {args.posts:,} posts; load average before: {loadavg()}")
    common = ("--project", str(project_dir), "--repeat", str(args.repeat))
    hubbub = script_side(__file__, "hubbub", *common)
    raw = script_side(__file__, "raw", *common)
    rows = []
    for brand, ours in hubbub.details["brands"].items():
        theirs = raw.details["brands"].get(brand, {})
        rows.append(
            [
                brand,
                ours["inbound"],
                theirs.get("inbound"),
                ours["answered"],
                theirs.get("answered"),
                ours["median_seconds"],
                theirs.get("median_seconds"),
            ]
        )
    print_table(
        [
            "brand",
            "inbound hubbub",
            "inbound raw",
            "answered hubbub",
            "answered raw",
            "median s hubbub",
            "median s raw",
        ],
        rows,
    )
    times = ratio(hubbub.seconds, raw.seconds)
    print(
        f"hubbub {side_figures(hubbub)} | raw {side_figures(raw)} | ratio {times:.2f}x "
        f"(median of {args.repeat}; peak memory of each process tree)"
    )
    record(
        f"responsiveness, {args.posts:,} posts",
        hubbub=side_figures(hubbub),
        baseline=f"raw SQL self-join: {side_figures(raw)}",
        ratio_text=f"{times:.2f}x",
    )


if __name__ == "__main__":
    main()

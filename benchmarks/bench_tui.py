"""TUI first-paint benchmark: the overview screen's data on 1M posts, beside its raw queries.

On the cached project of N posts (default 1,000,000; ``_harness.cached_project``: built
once, analysed, topics tagged, kept under the bench directory), it measures, each side
in a fresh interpreter:

* **hubbub**: from before ``import hubbub.tui.app`` to the overview screen's data being
  on screen — ``create_app`` (project, plugins, the newest post), the app run headless
  with ``App.run_test()`` at 160x50, and the overview's load worker (sentiment overall
  and by brand, share of voice, responsiveness for the waiting customers, topic and
  brand volumes per day with spikes) until its ``DataLoaded`` message has been handled
  (``app.loaded`` then names ``overview``): what a user waits after ``hubbub tui``
  before the numbers appear. The time until the screen was mounted (the empty frame)
  is shown too;
* **raw**: the overview's numbers for the same time frame in hand-written sqlite3:
  sentiment counts overall and per brand (mentions via ``json_each``), share of voice,
  inbound minus answered per brand (``bench_responsiveness``'s self-join) and volumes per
  day per topic and per brand, with spikes over the trailing 7 days in Python.

    python benchmarks/bench_tui.py [--posts 1000000] [--frame 30d] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import (  # noqa: E402
    DEFAULT_SEED,
    cached_project,
    loadavg,
    ratio,
    record,
    script_side,
    side_figures,
    side_result,
)
from bench_report import LABEL_JOIN, _spikes  # noqa: E402
from bench_responsiveness import RAW_SQL, brand_handles  # noqa: E402

FRAMES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
#: the first paint must happen within this many seconds, or the side fails
TIMEOUT = 600


async def _first_paint(project_dir: Path, frame: str) -> dict[str, float]:
    started = time.perf_counter()
    from hubbub.tui.app import create_app
    from hubbub.tui.screens import OverviewScreen

    app = create_app(project_dir, frame=frame)
    mounted = None
    async with app.run_test(size=(160, 50)) as pilot:
        while "overview" not in app.loaded:
            if mounted is None and isinstance(app.screen, OverviewScreen):
                mounted = time.perf_counter() - started
            if time.perf_counter() - started > TIMEOUT:
                raise TimeoutError(f"no overview data after {TIMEOUT} s")
            await pilot.pause(0.005)
        painted = time.perf_counter() - started
    app.project.close()
    return {"painted": painted, "mounted": mounted or painted}


def hubbub_side(project_dir: Path, frame: str) -> None:
    """One first paint in this fresh process; prints the figures."""
    figures = asyncio.run(_first_paint(project_dir, frame))
    side_result(figures.pop("painted"), **figures)


def raw_overview(project_dir: Path, frame: str) -> dict[str, Any]:
    """The overview's numbers for ``frame`` in raw sqlite3 + Python."""
    import sqlite3
    import tomllib

    config = tomllib.loads((project_dir / "hubbub.toml").read_text(encoding="utf-8"))
    brands = brand_handles(project_dir)
    handle_brand = {handle: name for name, handles in brands.items() for handle in handles}
    conn = sqlite3.connect(project_dir / "hubbub.db")
    (newest,) = conn.execute("SELECT max(created_at) FROM posts").fetchone()
    where, params = "1", []
    if frame in FRAMES:
        until = datetime.fromisoformat(newest) + timedelta(seconds=1)
        since = until - FRAMES[frame]
        where = "p.created_at >= ? AND p.created_at < ?"
        params = [since.strftime("%Y-%m-%d %H:%M:%S.%f"), until.strftime("%Y-%m-%d %H:%M:%S.%f")]
    overall = Counter(
        dict(
            conn.execute(
                f"SELECT l.value, count(*) FROM posts p {LABEL_JOIN} WHERE {where} GROUP BY 1",
                params,
            ).fetchall()
        )
    )
    handles = list(handle_brand)
    marks = ", ".join("?" * len(handles))
    by_brand: dict[str, Counter[str]] = defaultdict(Counter)
    volumes: dict[str, Counter[str]] = defaultdict(Counter)
    for day, label, mentioned in conn.execute(
        f"SELECT substr(p.created_at, 1, 10), l.value, group_concat(m.value, ' ') "
        f"FROM posts p JOIN json_each(p.mentions) m {LABEL_JOIN} "
        f"WHERE {where} AND m.value IN ({marks}) GROUP BY p.id",
        [*params, *handles],
    ):
        for brand in {handle_brand[handle] for handle in mentioned.split()}:
            by_brand[brand][label] += 1
            volumes[brand][day] += 1
    total = sum(sum(counts.values()) for counts in by_brand.values())
    shares = {brand: sum(counts.values()) / total for brand, counts in by_brand.items()}
    for topic in config.get("topics", {}):
        volumes[topic] = Counter(
            dict(
                conn.execute(
                    f"SELECT substr(p.created_at, 1, 10), count(*) FROM post_topics t "
                    f"JOIN posts p ON p.id = t.post_id WHERE t.topic = ? AND {where} GROUP BY 1",
                    [topic, *params],
                ).fetchall()
            )
        )
    days = sorted({day for counts in volumes.values() for day in counts})
    spikes = {scope: _spikes(counts, days) for scope, counts in volumes.items()}
    tracked = [handle for names in brands.values() for handle in names]
    waiting = {}
    for name, own in brands.items():
        sql = RAW_SQL.format(
            handles=", ".join("?" * len(own)), tracked=", ".join("?" * len(tracked))
        )
        if frame in FRAMES:
            sql += " AND i.created_at >= ? AND i.created_at < ?"
        rows = conn.execute(sql, [*own, *own, *tracked, *own, *own, *params]).fetchall()
        waiting[name] = sum(
            1 for _, direct, in_thread in rows if direct is None and in_thread is None
        )
    conn.close()
    return {
        "posts": sum(overall.values()),
        "shares": shares,
        "waiting": waiting,
        "spikes": sum(len(found) for found in spikes.values()),
    }


def raw_side(project_dir: Path, frame: str, repeat: int) -> None:
    """The raw overview: a warm-up, then the median of ``repeat`` runs; prints the figures."""
    figures = raw_overview(project_dir, frame)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        figures = raw_overview(project_dir, frame)
        times.append(time.perf_counter() - started)
    side_result(statistics.median(times), **figures)


def main() -> None:
    """Build or find the project, measure the first paint and the raw queries, print both."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--frame", default="30d", choices=[*FRAMES, "all"])
    parser.add_argument("--repeat", type=int, default=3, help="first paints (fresh processes)")
    parser.add_argument("--side", choices=["hubbub", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "hubbub":
        hubbub_side(args.project, args.frame)
        return
    if args.side == "raw":
        raw_side(args.project, args.frame, args.repeat)
        return
    project_dir = cached_project(args.posts, args.seed)
    print(f"TUI first paint, {args.posts:,} posts, frame {args.frame}; load average: {loadavg()}")
    common = ("--project", str(project_dir), "--frame", args.frame)
    paints = sorted(
        (script_side(__file__, "hubbub", *common) for _ in range(args.repeat)),
        key=lambda side: side.seconds,
    )
    hubbub = paints[len(paints) // 2]
    raw = script_side(__file__, "raw", *common, "--repeat", str(args.repeat))
    print(
        f"hubbub first paint: {side_figures(hubbub)} (screen mounted after "
        f"{hubbub.details['mounted']:.2f} s; median of {args.repeat} fresh processes: "
        f"{', '.join(f'{side.seconds:.2f}' for side in paints)} s)"
    )
    print(
        f"raw overview queries: {side_figures(raw)} ({raw.details['posts']:,} posts in the "
        f"frame, waiting {raw.details['waiting']}, {raw.details['spikes']} spikes)"
    )
    times = ratio(hubbub.seconds, raw.seconds)
    print(f"ratio {times:.2f}x")
    record(
        f"TUI first paint (overview, {args.frame}), {args.posts:,} posts",
        hubbub=side_figures(hubbub),
        baseline=f"the overview's raw queries: {side_figures(raw)}",
        ratio_text=f"{times:.2f}x",
    )


if __name__ == "__main__":
    main()

"""Report benchmark: ``hubbub report --format html`` beside its underlying queries run raw.

On the cached project of N posts (``_harness.cached_project``: the corpus imported,
analysed, topics tagged) it measures, each side in a fresh interpreter:

* **hubbub**: the whole command, ``hubbub report --format html -o FILE``, timed from
  outside (interpreter start-up, plugin loading, every section, charts, the HTML);
* **hubbub (in process)**: :func:`hubbub.report.build_report` and
  :func:`hubbub.report.render_report` to HTML, timed inside a warm interpreter;
* **raw**: the report's underlying queries by hand with sqlite3 — period totals;
  sentiment per day; each topic's volume and sentiment per day, with spikes (burst
  over the trailing 7 days and z-score) computed in Python; share of voice per brand
  per day from the mentions; each topic's influencers (its reply and mention edges
  read raw, ``networkx.pagerank`` with teleport toward the topic's authors); each
  brand's responsiveness (``bench_responsiveness``'s self-join) per day — written as
  a bare HTML page of escaped tables.

The raw side leaves out what has no short raw equivalent: emerging terms and the
authors, hashtags and terms that drove each spike, influence explanations and the
follower-rank comparison, the business-hours and weekday x hour views, and the charts
(SVG). So the ratio is an upper bound on what hubbub's own machinery costs.

    python benchmarks/bench_report.py [--posts 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import html
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import (  # noqa: E402
    DEFAULT_POSTS,
    DEFAULT_SEED,
    cached_project,
    loadavg,
    ratio,
    record,
    run_side,
    script_side,
    side_figures,
    side_result,
)
from bench_responsiveness import RAW_SQL, brand_handles  # noqa: E402

LABEL_JOIN = (
    "LEFT JOIN annotations l ON l.post_id = p.id AND l.analyzer = 'sentiment' AND l.key = 'label'"
)


def _day(value: str) -> str:
    return value[:10]


def _spikes(volumes: dict[str, int], days: list[str]) -> list[dict[str, Any]]:
    """Days whose volume is at least twice the trailing 7 days' mean and 3 sd above it."""
    found = []
    series = [volumes.get(day, 0) for day in days]
    for index in range(7, len(series)):
        window = series[index - 7 : index]
        mean = statistics.fmean(window)
        deviation = statistics.pstdev(window) or 1.0
        z = (series[index] - mean) / deviation
        if series[index] >= 2 * max(mean, 1) and z >= 3:
            found.append({"day": days[index], "volume": series[index], "z": round(z, 2)})
    return found


def raw_influencers(conn: Any, topic: str, share: float = 0.15) -> list[tuple[str, float]]:
    """The top ``share`` of a topic's authors by PageRank over its reply and mention edges."""
    import networkx as nx
    import orjson

    weights: Counter[tuple[str, str]] = Counter()
    active: Counter[str] = Counter()
    rows = conn.execute(
        "SELECT p.author, p.reply_to_author, p.mentions FROM post_topics t "
        "JOIN posts p ON p.id = t.post_id WHERE t.topic = ?",
        (topic,),
    )
    for author, reply_to, mentions in rows:
        active[author] += 1
        targets = set(orjson.loads(mentions))
        if reply_to:
            targets.add(reply_to)
        targets.discard(author)
        for target in targets:
            weights[(author, target)] += 1
    graph = nx.DiGraph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    if not graph:
        return []
    teleport = {node: active.get(node, 0) + 0.01 for node in graph}
    ranks = nx.pagerank(graph, personalization=teleport, tol=1e-10)
    ranked = sorted(ranks.items(), key=lambda item: -item[1])
    return ranked[: max(1, int(len(ranked) * share))]


def raw_report(project_dir: Path, output: Path) -> dict[str, int]:
    """The report's underlying queries, raw, written as a bare HTML page; returns sizes."""
    import sqlite3
    import tomllib

    config = tomllib.loads((project_dir / "hubbub.toml").read_text(encoding="utf-8"))
    brands = brand_handles(project_dir)
    handle_brand = {handle: name for name, handles in brands.items() for handle in handles}
    conn = sqlite3.connect(project_dir / "hubbub.db")
    sections: list[tuple[str, list[str], list[list[Any]]]] = []

    totals = conn.execute(
        "SELECT count(*), count(DISTINCT author), min(created_at), max(created_at), "
        "count(reply_to_id), count(repost_of_id), count(quote_of_id) FROM posts"
    ).fetchone()
    sections.append(
        (
            "Overview",
            ["posts", "authors", "first", "last", "replies", "reposts", "quotes"],
            [list(totals)],
        )
    )
    by_day: dict[str, Counter[str]] = defaultdict(Counter)
    for day, label, count in conn.execute(
        f"SELECT substr(p.created_at, 1, 10), l.value, count(*) FROM posts p {LABEL_JOIN} "
        "GROUP BY 1, 2"
    ):
        by_day[day][label or "not analysed"] += count
    days = sorted(by_day)
    sections.append(
        (
            "Sentiment by day",
            ["day", "posts", "positive", "neutral", "negative"],
            [
                [
                    day,
                    sum(by_day[day].values()),
                    by_day[day]['"positive"'],
                    by_day[day]['"neutral"'],
                    by_day[day]['"negative"'],
                ]
                for day in days
            ],
        )
    )

    for topic in config.get("topics", {}):
        volumes: Counter[str] = Counter()
        negative: Counter[str] = Counter()
        for day, label, count in conn.execute(
            f"SELECT substr(p.created_at, 1, 10), l.value, count(*) FROM post_topics t "
            f"JOIN posts p ON p.id = t.post_id {LABEL_JOIN} WHERE t.topic = ? GROUP BY 1, 2",
            (topic,),
        ):
            volumes[day] += count
            if label == '"negative"':
                negative[day] += count
        sections.append(
            (
                f"Topic {topic}",
                ["day", "posts", "negative"],
                [[day, volumes[day], negative[day]] for day in days],
            )
        )
        spikes = _spikes(volumes, days)
        sections.append(
            (
                f"Topic {topic}: spikes",
                ["day", "volume", "z"],
                [[s["day"], s["volume"], s["z"]] for s in spikes],
            )
        )
        influencers = raw_influencers(conn, topic)
        sections.append(
            (
                f"Topic {topic}: influencers",
                ["handle", "score"],
                [[handle, round(score, 6)] for handle, score in influencers[:20]],
            )
        )

    handles = list(handle_brand)
    share_days: dict[str, Counter[str]] = defaultdict(Counter)
    placeholders = ", ".join("?" * len(handles))
    for day, mentioned in conn.execute(
        f"SELECT substr(p.created_at, 1, 10), group_concat(m.value, ' ') FROM posts p, "
        f"json_each(p.mentions) m WHERE m.value IN ({placeholders}) GROUP BY p.id",
        handles,
    ):
        for brand in {handle_brand[handle] for handle in mentioned.split()}:
            share_days[day][brand] += 1
    share_rows = []
    for day in sorted(share_days):
        total = sum(share_days[day].values())
        share_rows.append([day, *(round(share_days[day][b] / total, 4) for b in brands)])
    sections.append(("Share of voice by day", ["day", *brands], share_rows))

    tracked = [handle for names in brands.values() for handle in names]
    for name, own in brands.items():
        sql = RAW_SQL.format(
            handles=", ".join("?" * len(own)), tracked=", ".join("?" * len(tracked))
        )
        daily: dict[str, list[float]] = defaultdict(list)
        inbound: Counter[str] = Counter()
        for created, direct, in_thread in conn.execute(sql, [*own, *own, *tracked, *own, *own]):
            inbound[_day(created)] += 1
            answers = [value for value in (direct, in_thread) if value is not None]
            if answers:
                from datetime import datetime

                daily[_day(created)].append(
                    (
                        datetime.fromisoformat(min(answers)) - datetime.fromisoformat(created)
                    ).total_seconds()
                )
        sections.append(
            (
                f"Responsiveness {name}",
                ["day", "inbound", "answered", "median seconds"],
                [
                    [
                        day,
                        inbound[day],
                        len(daily[day]),
                        statistics.median(daily[day]) if daily[day] else "",
                    ]
                    for day in sorted(inbound)
                ],
            )
        )
    conn.close()

    with output.open("w", encoding="utf-8") as page:
        page.write("<!doctype html><meta charset=utf-8><title>report</title>\n")
        for title, columns, rows in sections:
            page.write(f"<h2>{html.escape(title)}</h2><table><tr>")
            page.write("".join(f"<th>{html.escape(str(c))}</th>" for c in columns) + "</tr>\n")
            for row in rows:
                cells = "".join(f"<td>{html.escape(str(value))}</td>" for value in row)
                page.write(f"<tr>{cells}</tr>\n")
            page.write("</table>\n")
    return {"sections": len(sections), "bytes": output.stat().st_size}


def hubbub_report(project_dir: Path, output: Path) -> dict[str, int]:
    """``build_report`` and ``render_report`` to HTML, as ``hubbub report`` calls them."""
    from hubbub.project import Project
    from hubbub.report import ReportScope, build_report, render_report

    project = Project.load(project_dir)
    built = build_report(project, ReportScope(timezone=project.config.project.timezone))
    with output.open("w", encoding="utf-8") as stream:
        render_report(built, "html", stream)
    project.close()
    return {"sections": len(built.sections), "bytes": output.stat().st_size}


def run_in_process(side: str, project_dir: Path, repeat: int) -> None:
    """One side in this process: a warm-up, then ``repeat`` timed runs; prints the figures."""
    work = hubbub_report if side == "hubbub" else raw_report
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.html"
        figures = work(project_dir, output)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            figures = work(project_dir, output)
            times.append(time.perf_counter() - started)
    side_result(statistics.median(times), **figures)


def cli_side(project_dir: Path, repeat: int) -> Any:
    """``hubbub report --format html -o FILE`` as a user runs it; the median of ``repeat``."""
    executable = Path(sys.executable).parent / "hubbub"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            str(executable),
            "report",
            "--project",
            str(project_dir),
            "--format",
            "html",
            "-o",
            str(Path(tmp) / "report.html"),
        ]
        for _ in range(repeat):
            started = time.perf_counter()
            side = run_side(
                [
                    sys.executable,
                    "-c",
                    "import json, subprocess, sys, time; t = time.perf_counter(); "
                    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
                    "print(json.dumps({'seconds': time.perf_counter() - t}))",
                    *command,
                ]
            )
            side.details["outside"] = time.perf_counter() - started
            results.append(side)
    results.sort(key=lambda item: item.seconds)
    return results[len(results) // 2]


def main() -> None:
    """Build or find the project, measure the sides, print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--side", choices=["hubbub", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run_in_process(args.side, args.project, args.repeat)
        return
    project_dir = cached_project(args.posts, args.seed)
    print(f"report, {args.posts:,} posts; load average before: {loadavg()}")
    common = ("--project", str(project_dir), "--repeat", str(args.repeat))
    try:
        cli = cli_side(project_dir, args.repeat)
    except subprocess.CalledProcessError as error:
        sys.exit(f"hubbub report failed: {error}")
    hubbub = script_side(__file__, "hubbub", *common)
    raw = script_side(__file__, "raw", *common)
    print(f"hubbub report --format html (command): {side_figures(cli)}")
    print(
        f"hubbub build_report + render_report (in process): {side_figures(hubbub)}, "
        f"{hubbub.details['sections']} sections, {hubbub.details['bytes'] / 1e3:,.0f} kB"
    )
    print(
        f"raw queries + bare HTML: {side_figures(raw)}, {raw.details['sections']} tables, "
        f"{raw.details['bytes'] / 1e3:,.0f} kB"
    )
    times = ratio(hubbub.seconds, raw.seconds)
    print(
        f"ratio (in process): {times:.2f}x; command vs raw: "
        f"{ratio(cli.seconds, raw.seconds):.2f}x (median of {args.repeat})"
    )
    record(
        f"report --format html, {args.posts:,} posts",
        hubbub=f"{side_figures(hubbub)} (command: {side_figures(cli)})",
        baseline=f"raw queries + bare HTML: {side_figures(raw)}",
        ratio_text=f"{times:.2f}x",
    )


if __name__ == "__main__":
    main()

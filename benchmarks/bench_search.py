"""Search benchmark: ``hubbub.search`` against the same searches as raw sqlite3 FTS5 queries.

Builds a project of N posts (default 200,000) from ``corpus.py``'s generator, imported the
way ``hubbub import`` does, then times a set of realistic queries two ways:

* hubbub: ``hubbub.search.search(store, QUERY, limit=20)`` — parse (luqum), compile to
  SQL, run, build the hits (newest first), exactly what ``hubbub search QUERY`` does
  minus printing;
* raw: a hand-written sqlite3 query on the same database, ``posts_fts MATCH`` joined to
  ``posts`` for the same columns, newest first, ``LIMIT 20``.

Each query runs ``--repeat`` times both ways after a warm-up; the figure per query is the
median. It prints each query's times and ratio, the median of the hubbub and raw times
and their ratio (target: at most 2x), and the start-up time of ``hubbub --help`` over
several runs (target: under 0.3 s).

    python benchmarks/bench_search.py [--posts 200000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import record  # noqa: E402
from corpus import write_jsonl  # noqa: E402

#: (hubbub query, the same search as a raw FTS5 MATCH expression)
QUERIES = [
    ("delayed", "text : delayed"),
    ('"lost bag"', 'text : "lost bag"'),
    ("refund*", "text : refund*"),
    ("#baggage", "hashtags : baggage"),
    ("@SkyJet", "mentions : skyjet"),
    ("delayed OR cancelled", "text : delayed OR text : cancelled"),
    ("luggage -lost", "text : luggage NOT text : lost"),
    ("storm (delayed OR cancelled)", "text : storm AND (text : delayed OR text : cancelled)"),
    (
        '"lost bag" OR #baggage OR luggage',
        'text : "lost bag" OR hashtags : baggage OR text : luggage',
    ),
    ("delay* OR #delayed OR cancelled", "text : delay* OR hashtags : delayed OR text : cancelled"),
    ('"فقدت حقيبتي"', 'text : "فقدت حقيبتي"'),
    ("terrible service -thanks", "text : terrible AND text : service NOT text : thanks"),
]

RAW_SQL = (
    "SELECT p.id, p.external_id, p.platform, p.author, p.created_at, p.text, p.url, p.lang, "
    "p.likes, p.reposts, p.replies, p.hashtags, p.mentions "
    "FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid WHERE posts_fts MATCH ? "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 20"
)


def build(data: Path, workdir: Path):
    """A hubbub project holding the posts of ``data``."""
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host
    from hubbub.project import init_project

    project = init_project(workdir / "project")
    host = get_host()
    source = host.get("source", "jsonl")(FileOptions(path=str(data)), key=f"file:{data}")
    run_source(project.store, source, host=host, batch_size=project.config.project.batch_size)
    return project


def timed(function, repeat: int) -> tuple[float, object]:
    """The median wall time of ``repeat`` calls (after one warm-up) and the last result."""
    result = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def help_startup(runs: int = 7) -> list[float]:
    """Wall times of ``hubbub --help`` in fresh processes."""
    executable = Path(sys.executable).parent / "hubbub"
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "hubbub.cli"]
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times[1:]  # the first run warms the file cache


def main() -> None:
    """Build the corpus, time every query both ways, print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from hubbub.search import search

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = write_jsonl(workdir / "posts.jsonl", args.posts)
        started = time.perf_counter()
        project = build(data, workdir)
        print(f"imported {args.posts:,} posts in {time.perf_counter() - started:.1f} s")
        store = project.store
        raw = sqlite3.connect(store.engine.url.database)
        hubbub_times, raw_times = [], []
        print(f"{'query':<40} {'hits':>7} {'hubbub ms':>10} {'raw ms':>8} {'ratio':>6}")
        for query, match in QUERIES:
            hubbub_time, hits = timed(lambda q=query: search(store, q, limit=20), args.repeat)
            raw_time, rows = timed(
                lambda m=match: raw.execute(RAW_SQL, (m,)).fetchall(), args.repeat
            )
            got = [hit.post_id for hit in hits]
            expected = [row[0] for row in rows]
            assert got == expected, f"{query}: hubbub and raw disagree"
            total = raw.execute(
                "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?", (match,)
            ).fetchone()[0]
            hubbub_times.append(hubbub_time)
            raw_times.append(raw_time)
            print(
                f"{query:<40} {total:>7,} {hubbub_time * 1000:>10.2f} {raw_time * 1000:>8.2f} "
                f"{hubbub_time / raw_time:>5.2f}x"
            )
        raw.close()
        project.close()
        hubbub_median = statistics.median(hubbub_times)
        raw_median = statistics.median(raw_times)
        print(
            f"median: hubbub {hubbub_median * 1000:.2f} ms, raw {raw_median * 1000:.2f} ms, "
            f"ratio {hubbub_median / raw_median:.2f}x (target <= 2x)"
        )
        record(
            f"search, {args.posts:,} posts, median of {len(QUERIES)} queries",
            hubbub=f"{hubbub_median * 1000:.2f} ms",
            baseline=f"raw FTS5 MATCH: {raw_median * 1000:.2f} ms",
            ratio_text=f"{hubbub_median / raw_median:.2f}x",
            target="<= 2x",
            met=hubbub_median / raw_median <= 2,
        )
    startup = help_startup()
    print(
        f"hubbub --help: median {statistics.median(startup):.3f} s, max {max(startup):.3f} s "
        f"over {len(startup)} runs (target < 0.3 s)"
    )


if __name__ == "__main__":
    main()

"""Scale benchmark: 10M posts streamed from one file into SQLite, memory watched on the way.

Generates (once, cached under the bench directory) a corpus of N posts (default
10,000,000) with ``corpus.py``, then imports it into a new project in a fresh
interpreter exactly as ``hubbub import`` does (one streamed file, batches committed with
the cursor, the full-text index kept). At each checkpoint (1M, 2M, 5M, 10M posts read) it
prints the posts/s so far and since the last checkpoint, the process's resident memory
now and its peak so far. Memory that does not grow with the posts read is what
"ingest streams" promises; 10M posts in SQLite within a laptop's memory is the target.

It runs for a long time (about 5 minutes per 10M posts on an idle 2-core machine, plus
the generation): on a shared machine run it with ``nice -n 10``. The database is
deleted afterwards unless ``--keep``.

    nice -n 10 python benchmarks/bench_scale.py [--posts 10000000] [--zstd] [--keep]

For the ratio to a raw sqlite3 loader on the same data see ``bench_ingest.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import (  # noqa: E402
    DEFAULT_SEED,
    bench_dir,
    cached_corpus,
    current_rss_mb,
    loadavg,
    peak_rss_mb,
    print_table,
    record,
    script_side,
    side_result,
)

CHECKPOINTS = (1_000_000, 2_000_000, 5_000_000, 10_000_000)


def hubbub_side(data: Path, workdir: Path, checkpoints: list[int]) -> None:
    """Import ``data`` into a new project in ``workdir``, noting each checkpoint.

    The same calls as ``_harness.import_corpus`` (``hubbub import``), with a progress callback.
    """
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host
    from hubbub.project import init_project

    project = init_project(workdir / "project", name="scale")
    host = get_host()
    source = host.get("source", "jsonl")(FileOptions(path=str(data)), key=f"file:{data}")
    pending = sorted(checkpoints)
    noted: list[dict[str, float]] = []
    started = time.perf_counter()

    def progress(summary: Any, _done: int, _total: int | None) -> None:
        while pending and summary.read >= pending[0]:
            pending.pop(0)
            elapsed = time.perf_counter() - started
            last = noted[-1] if noted else {"posts": 0, "seconds": 0.0}
            point = {
                "posts": summary.read,
                "seconds": elapsed,
                "posts_per_s": summary.read / elapsed,
                "interval_posts_per_s": (summary.read - last["posts"])
                / max(elapsed - last["seconds"], 1e-9),
                "rss_mb": current_rss_mb(),
                "peak_mb": max(peak_rss_mb(), current_rss_mb()),
                "load": loadavg(),
            }
            noted.append(point)
            print(json.dumps(point), file=sys.stderr, flush=True)

    summary = run_source(
        project.store,
        source,
        host=host,
        batch_size=project.config.project.batch_size,
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    project.close()
    database = workdir / "project" / "hubbub.db"
    side_result(
        elapsed,
        posts=summary.stored,
        read=summary.read,
        rejected=summary.rejected,
        duplicates=summary.duplicates,
        checkpoints=noted,
        database_mb=sum(path.stat().st_size for path in database.parent.glob("hubbub.db*")) / 1e6,
    )


def main() -> None:
    """Generate (or find) the corpus, import it in a fresh process, print the checkpoints."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=CHECKPOINTS[-1])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--zstd", action="store_true", help="read a zstd-compressed corpus")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--side", choices=["hubbub"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--checkpoints", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        hubbub_side(args.data, args.workdir, [int(n) for n in args.checkpoints.split(",")])
        return
    checkpoints = [n for n in CHECKPOINTS if n < args.posts] + [args.posts]
    started = time.perf_counter()
    data = cached_corpus(args.posts, args.seed, ".jsonl.zst" if args.zstd else ".jsonl")
    print(
        f"corpus: {data} ({data.stat().st_size / 1e9:.2f} GB, "
        f"ready in {time.perf_counter() - started:.0f} s)"
    )
    workdir = bench_dir() / f"scale-{args.posts}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir()
    print(f"importing {args.posts:,} posts; load average before: {loadavg()}")
    try:
        side = script_side(
            __file__,
            "hubbub",
            "--data",
            str(data),
            "--workdir",
            str(workdir),
            "--checkpoints",
            ",".join(map(str, checkpoints)),
        )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    details = side.details
    if details["posts"] != details["read"]:
        # every post of the corpus is new and valid: anything else makes the figures wrong
        sys.exit(
            f"only {details['posts']:,} of {details['read']:,} posts stored "
            f"({details['rejected']:,} rejected, {details['duplicates']:,} duplicates)"
        )
    rows = [
        [
            point["posts"],
            point["seconds"],
            point["posts_per_s"],
            point["interval_posts_per_s"],
            point["rss_mb"],
            point["peak_mb"],
            point["load"],
        ]
        for point in side.details["checkpoints"]
    ]
    print_table(
        ["posts", "seconds", "posts/s", "posts/s since last", "RSS MB", "peak MB", "load"], rows
    )
    first, last = side.details["checkpoints"][0], side.details["checkpoints"][-1]
    growth = last["peak_mb"] / first["peak_mb"] - 1
    print(
        f"{side.details['posts']:,} posts stored in {side.seconds:,.0f} s "
        f"({side.details['posts'] / side.seconds:,.0f} posts/s); database "
        f"{side.details['database_mb'] / 1e3:.2f} GB; peak memory of the process tree "
        f"{side.peak_mb:,.0f} MB; peak RSS {first['posts']:,} -> {last['posts']:,} posts: "
        f"{growth:+.1%}"
    )
    record(
        f"ingest {args.posts:,} posts into SQLite (scale)",
        hubbub=f"{side.seconds:,.0f} s ({side.details['posts'] / side.seconds:,.0f} posts/s), "
        f"peak {side.peak_mb:,.0f} MB",
        baseline="",
        ratio_text=f"peak {growth:+.1%} from {first['posts']:,} to {last['posts']:,} posts",
        target="memory flat; fits a laptop",
        met=growth < 0.1,
    )


if __name__ == "__main__":
    main()

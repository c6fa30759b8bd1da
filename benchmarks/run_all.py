"""Run every benchmark script at one corpus size and print one summary table (``make bench``).

    python benchmarks/run_all.py [--posts 200000] [--only NAME ...] [--skip NAME ...]

Each script prints its own detailed figures as it goes; a script that calls
``_harness.record`` adds its rows to the summary, and for one that does not, the last
line it printed stands in. A failing script is shown as failed and the others still run.
The load average is printed before each script: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import DEFAULT_POSTS, SUMMARY_ENV, loadavg, print_table  # noqa: E402

#: (name, script, arguments; ``{posts}`` is replaced by ``--posts``)
SCRIPTS: list[tuple[str, str, list[str]]] = [
    ("ingest", "bench_ingest.py", ["--posts", "{posts}"]),
    ("formats", "bench_formats.py", []),
    ("analyze", "bench_analyze.py", ["--posts", "{posts}"]),
    ("search", "bench_search.py", ["--posts", "{posts}"]),
    ("influence", "bench_influence.py", ["--posts", "{posts}"]),
    ("influence-busy", "bench_influence.py", ["--posts", "{posts}", "--mentions", "12"]),
    ("responsiveness", "bench_responsiveness.py", ["--posts", "{posts}"]),
    ("report", "bench_report.py", ["--posts", "{posts}"]),
    ("tui", "bench_tui.py", ["--posts", "{posts}"]),
    ("scale", "bench_scale.py", ["--posts", "{posts}"]),
]


def run_script(script: str, arguments: list[str]) -> tuple[int, str, float]:
    """Run one script, echoing its output; returns its exit code, last line and wall time."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(HERE / script), *arguments],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    last = ""
    assert child.stdout is not None
    for line in child.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.strip():
            last = line.strip()
    return child.wait(), last, time.perf_counter() - started


def main() -> None:
    """Run the scripts, then print the summary table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS)
    names = [name for name, _, _ in SCRIPTS]
    parser.add_argument("--only", nargs="+", choices=names, help="run only these")
    parser.add_argument("--skip", nargs="+", choices=names, default=[], help="leave these out")
    args = parser.parse_args()
    chosen = [item for item in SCRIPTS if (not args.only or item[0] in args.only)]
    chosen = [item for item in chosen if item[0] not in args.skip]
    rows: list[list[str]] = []
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.jsonl"
        os.environ[SUMMARY_ENV] = str(summary)
        for name, script, template in chosen:
            arguments = [value.format(posts=args.posts) for value in template]
            print(f"\n=== {name}: {script} {' '.join(arguments)} (load average {loadavg()})")
            before = summary.read_text().count("\n") if summary.exists() else 0
            code, last, seconds = run_script(script, arguments)
            added = summary.read_text().splitlines()[before:] if summary.exists() else []
            for line in added:
                row = json.loads(line)
                rows.append(
                    [
                        row["job"],
                        row["hubbub"],
                        row["baseline"],
                        row["ratio"],
                        f"{row['target']} {row['met']}".strip(),
                        row["load"],
                    ]
                )
            if code:
                failed.append(name)
                rows.append([name, f"FAILED (exit {code})", "", "", "", loadavg()])
            elif not added:  # the script's last line stands in (cut to fit the table)
                rows.append(
                    [name, last if len(last) <= 90 else last[:89] + "…", "", "", "", loadavg()]
                )
            print(f"=== {name}: {seconds:.0f} s")
    print(f"\nSummary ({args.posts:,} posts where a script takes --posts)")
    print_table(["job", "hubbub", "baseline", "ratio", "target", "load after"], rows)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

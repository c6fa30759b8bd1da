"""What the benchmark scripts share: sides in subprocesses, peak memory, tables, ratios.

Each measured side (hubbub, or the raw baseline) runs in a fresh interpreter started by
:func:`run_side`, so its peak memory is its own: the high-water mark of the resident set
of the whole process tree, sampled with psutil every 20 ms, and never below the child's
own high-water mark as the kernel keeps it (``VmHWM``, which the child reports at the
end; not ``ru_maxrss``, which on Linux inherits the parent's size at ``fork``). The child
times the work it was asked to do and prints one JSON line (:func:`side_result`); the
parent adds the peak memory.

A script that measures something worth a line in the summary of ``make bench`` calls
:func:`record`, which appends a row to the file named by ``HUBBUB_BENCH_SUMMARY``
(``benchmarks/run_all.py`` sets it) and does nothing when it is not set.

Corpora and the projects built from them are cached under :func:`bench_dir`
(``HUBBUB_BENCH_DIR``, else ``$TMPDIR/hubbub-bench``), keyed by generator version, seed
and size, so a rerun does not rebuild a 1M-post database.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corpus import DEFAULT_POSTS, DEFAULT_SEED, GENERATOR_VERSION, write_jsonl  # noqa: E402

__all__ = [
    "DEFAULT_POSTS",
    "DEFAULT_SEED",
    "SUMMARY_ENV",
    "Side",
    "bench_dir",
    "cached_corpus",
    "cached_project",
    "current_rss_mb",
    "import_corpus",
    "loadavg",
    "peak_rss_mb",
    "print_table",
    "project_config",
    "ratio",
    "record",
    "run_side",
    "script_side",
    "side_figures",
    "side_result",
    "stopwatch",
]

#: the environment variable naming the summary file of ``make bench``
SUMMARY_ENV = "HUBBUB_BENCH_SUMMARY"


def bench_dir() -> Path:
    """Where corpora and benchmark projects are cached (created on first use)."""
    directory = Path(
        os.environ.get("HUBBUB_BENCH_DIR") or Path(tempfile.gettempdir()) / "hubbub-bench"
    )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def cached_corpus(count: int, seed: int = DEFAULT_SEED, suffix: str = ".jsonl") -> Path:
    """The corpus of ``count`` posts for ``seed``, generated once and kept in :func:`bench_dir`."""
    path = bench_dir() / f"corpus-v{GENERATOR_VERSION}-seed{seed}-{count}{suffix}"
    if not path.exists():
        started = time.perf_counter()
        write_jsonl(path, count, seed)
        print(
            f"generated {count:,} posts -> {path} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return path


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: say what else ran)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's own peak resident set so far, in MB.

    Read from ``VmHWM`` (the high-water mark of this process's own memory since it
    started its program), not ``ru_maxrss``: on Linux ``ru_maxrss`` keeps the parent's
    size at the moment of ``fork``/``exec``, so a child started by a large parent would
    report the parent's memory.
    """
    value = _status_mb("VmHWM")
    return value if value is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident memory now, in MB."""
    value = _status_mb("VmRSS")
    return value if value is not None else peak_rss_mb()


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """``with stopwatch() as clock: ...``; then ``clock["seconds"]`` is the wall time."""
    clock: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield clock
    finally:
        clock["seconds"] = time.perf_counter() - started


def side_result(seconds: float, **details: Any) -> None:
    """Print a side's figures as the last line of its stdout (read by :func:`run_side`)."""
    print(json.dumps({"seconds": seconds, "self_peak_mb": peak_rss_mb(), **details}))


@dataclass
class Side:
    """One side's figures: wall time of its work, peak memory of its process tree."""

    seconds: float
    peak_mb: float
    details: dict[str, Any] = field(default_factory=dict)


def _tree_rss(process: Any) -> int:
    import psutil

    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        with suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def run_side(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    interval: float = 0.02,
) -> Side:
    """Run ``command`` (a side printing :func:`side_result`) and return its figures.

    :raises subprocess.CalledProcessError: when the side fails (its stderr is shown).
    """
    try:
        import psutil
    except ImportError:  # psutil is a dev dependency; without it only wait4's figure
        psutil = None
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(
            list(command), cwd=cwd, env={**os.environ, **(env or {})}, stdout=out
        )
        watched = psutil.Process(child.pid) if psutil is not None else None
        tree_peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if watched is not None:
                tree_peak = max(tree_peak, _tree_rss(watched))
            time.sleep(interval)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, list(command))
        out.seek(0)
        lines = [line for line in out.read().splitlines() if line.strip()]
    figures = json.loads(lines[-1])
    seconds = figures.pop("seconds")
    own = figures.get("self_peak_mb")
    if own is None and watched is None:
        # no better figure: wait4's ru_maxrss (may include the parent's size at fork)
        own = usage.ru_maxrss / 1024
    peak = max(tree_peak / 2**20, own or 0.0)
    return Side(seconds, peak, figures)


def script_side(script: str | Path, side: str, *args: str) -> Side:
    """Run ``python SCRIPT --side SIDE ARGS…`` with this interpreter (see :func:`run_side`)."""
    return run_side([sys.executable, str(script), "--side", side, *args])


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` (infinite when the denominator is zero)."""
    return numerator / denominator if denominator else float("inf")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table on stdout (numbers right-aligned)."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max(len(str(header)), *(len(row[i]) for row in cells)) for i, header in enumerate(headers)
    ]
    numeric = [
        all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print(line([str(header) for header in headers]))
    print(line(["-" * width for width in widths]))
    for row in cells:
        print(line(row))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def record(
    job: str,
    *,
    hubbub: str,
    baseline: str = "",
    ratio_text: str = "",
    target: str = "",
    met: bool | None = None,
) -> None:
    """Add a row to the summary of ``make bench`` (when ``HUBBUB_BENCH_SUMMARY`` is set)."""
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    row = {
        "job": job,
        "hubbub": hubbub,
        "baseline": baseline,
        "ratio": ratio_text,
        "target": target,
        "met": "" if met is None else ("met" if met else "not met"),
        "load": loadavg(),
    }
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(row) + "\n")


def side_figures(side: Side, posts: int | None = None) -> str:
    """``1.23 s, 151 MB`` (with posts/s when ``posts`` is given)."""
    rate = f" ({posts / side.seconds:,.0f} posts/s)" if posts and side.seconds else ""
    return f"{side.seconds:.2f} s{rate}, {side.peak_mb:,.0f} MB"


# ---------------------------------------------------------------- benchmark projects


def project_config() -> str:
    """The ``hubbub.toml`` sections of a benchmark project: the corpus's brands and topics."""
    from corpus import BRAND_ACCOUNTS

    lines = []
    for brand in BRAND_ACCOUNTS:
        handles = list(dict.fromkeys([*(h for h, _ in brand.mentioned), brand.answers_from]))
        lines += [
            f"[brands.{brand.name}]",
            f"handles = {json.dumps(handles)}",
            f'reply_target = "{brand.reply_target}"',
            "",
        ]
    lines += [
        "[topics]",
        "baggage = '\"lost bag\" OR #baggage OR luggage'",
        "delays = 'delayed OR cancelled OR #delayed OR #stormdelay'",
        "refunds = 'refund* OR #refund'",
        "",
    ]
    return "\n".join(lines)


def import_corpus(project: Any, data: Path) -> Any:
    """Import ``data`` into ``project`` as ``hubbub import`` does; returns the summary."""
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host

    host = get_host()
    source = host.get("source", "jsonl")(FileOptions(path=str(data)), key=f"file:{data}")
    return run_source(
        project.store, source, host=host, batch_size=project.config.project.batch_size
    )


def cached_project(count: int, seed: int = DEFAULT_SEED, *, analyzed: bool = True) -> Path:
    """A project folder holding the corpus of ``count`` posts, built once and kept.

    Built as a user would: ``hubbub init``, the brands and topics of
    :func:`project_config`, ``hubbub import`` of the corpus, then (``analyzed``)
    ``hubbub analyze`` and the topics tagged, so every measurement starts from a
    project in its steady state. Reruns find it in :func:`bench_dir`.
    """
    name = f"project-v{GENERATOR_VERSION}-seed{seed}-{count}" + ("-analyzed" if analyzed else "")
    directory = bench_dir() / name
    stamp = directory / ".complete"
    if stamp.exists():
        return directory
    if directory.exists():
        shutil.rmtree(directory)  # a build that was interrupted
    data = cached_corpus(count, seed)
    from hubbub.project import Project, init_project

    started = time.perf_counter()
    project = init_project(directory, name=f"benchmark {count:,} posts")
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write("\n" + project_config())
    project.close()
    project = Project.load(directory)
    summary = import_corpus(project, data)
    print(
        f"imported {summary.stored:,} posts into {directory} "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    if analyzed:
        from hubbub.analysis import analyze_project
        from hubbub.topics import ensure_tagged

        step = time.perf_counter()
        analyze_project(project)
        ensure_tagged(project)
        print(f"analysed and tagged topics in {time.perf_counter() - step:.0f} s", file=sys.stderr)
    project.close()
    stamp.write_text(json.dumps({"posts": summary.stored, "seed": seed}))
    return directory

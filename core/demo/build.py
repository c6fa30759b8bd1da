"""Building the demo project: a seeded synthetic world imported through the real pipeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from hubbub.config import CONFIG_NAME, load_config
from hubbub.errors import HubbubError
from hubbub.files import FileOptions
from hubbub.ingest import IngestSummary, run_source
from hubbub.overview import corpus_overview
from hubbub.plugin_host import get_host
from hubbub.project import Project

if TYPE_CHECKING:
    from hubbub.analysis import AnalysisSummary

#: a file in a demo folder that marks it as safe to rebuild
MARKER = ".hubbub-demo"
DATA_FILE = "posts.jsonl"
EXPECTED_FILE = "expected.json"


@dataclass
class DemoResult:
    """What building the demo produced."""

    project: Project
    summary: IngestSummary
    expected_path: Path
    overview: dict[str, Any]
    #: what the post analyzers did (language, sentiment, …)
    analysis: AnalysisSummary | None = None


def _prepare(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise HubbubError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise HubbubError(
            f"{directory} is not empty and not a hubbub demo; choose another folder for the demo"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("hubbub.db", "hubbub.db-wal", "hubbub.db-shm"):
        (directory / name).unlink(missing_ok=True)
    (directory / MARKER).write_text("built by `hubbub demo`; safe to delete\n", encoding="utf-8")


def build_demo(
    directory: Path,
    *,
    seed: int = 42,
    posts: int = 20_000,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """(Re)build the demo project in ``directory`` and run every analysis hubbub has."""
    from hubbub.demo.world import generate

    say = progress or (lambda _text: None)
    _prepare(directory)
    say(f"Generating the demo world (seed {seed}, about {posts} posts)…")
    world = generate(seed=seed, posts=posts)
    (directory / CONFIG_NAME).write_text(world.config_toml, encoding="utf-8")
    expected_path = directory / EXPECTED_FILE
    expected_path.write_text(
        json.dumps(world.expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    data_path = directory / DATA_FILE
    with data_path.open("wb") as stream:
        for record in world.records:
            stream.write(orjson.dumps(record) + b"\n")

    project = Project(directory.resolve(), load_config(directory / CONFIG_NAME))
    host = get_host()
    source_cls = host.get("source", "jsonl")
    options = FileOptions(
        path=str(data_path), max_record_bytes=project.config.project.max_record_bytes
    )
    say(f"Importing {len(world.records)} posts…")
    summary = run_source(
        project.store,
        source_cls(options, key=f"file:{data_path.resolve()}"),  # type: ignore[call-arg]
        host=host,
        kind="demo",
        batch_size=project.config.project.batch_size,
    )
    say("Analysing posts (language, sentiment)…")
    from hubbub.analysis import analyze_project

    analysis = analyze_project(project, host=host)
    say("Writing the report…")
    from hubbub.report import REPORT_FILE, write_html_report

    write_html_report(project, directory / REPORT_FILE)
    return DemoResult(
        project, summary, expected_path, corpus_overview(project.store), analysis=analysis
    )

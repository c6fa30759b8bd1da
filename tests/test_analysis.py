"""The post-analyzer machinery: incremental runs, versions, duplicates, failures, parallelism."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
import sqlalchemy as sa
from hubbub import Post, PostAnalyzer, hookimpl
from hubbub.analysis import (
    ProcessExecutor,
    SerialExecutor,
    count_pending,
    plan,
    run_analyzers,
)
from hubbub.config import Config
from hubbub.errors import HubbubError
from hubbub.plugin_host import PluginHost
from hubbub.store import Store, annotations_table, runs_table

START = datetime(2026, 3, 2, 9, 0)


# ---------------------------------------------------------------- test analyzers


class Recorder(PostAnalyzer):
    """Records every text it is given; writes the text's length (and an ``old`` key)."""

    name = "recorder"
    version = "1"
    seen: ClassVar[list[str]] = []

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        Recorder.seen.extend(post.text for post in posts)
        return [{"length": len(post.text), "old": True} for post in posts]


class RecorderV2(Recorder):
    """The recorder's next version: no ``old`` key any more."""

    version = "2"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        Recorder.seen.extend(post.text for post in posts)
        return [{"length": len(post.text)} for post in posts]


class Fragile(PostAnalyzer):
    """Fails on any post containing "boom"; ``fixed`` turns the bug off."""

    name = "fragile"
    fixed: ClassVar[bool] = False

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        if not Fragile.fixed and any("boom" in post.text for post in posts):
            raise RuntimeError("cannot read boom")
        return [{"ok": True} for _ in posts]


class Interrupting(PostAnalyzer):
    """Acts as if Ctrl-C arrived while it analysed a post containing "stop"."""

    name = "interrupting"
    armed: ClassVar[bool] = True

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        if Interrupting.armed and any("stop" in post.text for post in posts):
            raise KeyboardInterrupt
        return [{"ok": True} for _ in posts]


class Unbuildable(PostAnalyzer):
    """Cannot even be built (a missing model, say)."""

    name = "unbuildable"

    def __init__(self, options: Any = None) -> None:
        raise OSError("model file missing")

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:  # pragma: no cover
        return []


def make_host(*classes: type[PostAnalyzer]) -> PluginHost:
    """A plugin host with the bundled plugins plus ``classes``."""

    class TestPlugin:
        @hookimpl
        def register_analyzers(self, register: Any) -> None:
            for cls in classes:
                register(cls)

    return PluginHost(load_entry_points=False, extra=[TestPlugin()])


@pytest.fixture(autouse=True)
def _reset_test_analyzers() -> None:
    Recorder.seen = []
    Fragile.fixed = False
    Interrupting.armed = True


# ---------------------------------------------------------------- helpers


def new_store(tmp_path: Path, name: str = "hubbub.db") -> Store:
    """An empty store in ``tmp_path``."""
    return Store.open(f"sqlite:///{tmp_path / name}")


def add_posts(store: Store, items: Sequence[tuple[str, str | None]], *, start: int = 0) -> None:
    """Store one post per ``(text, lang)``, numbered from ``start``."""
    posts = [
        Post(
            platform="twitter",
            external_id=str(start + n),
            author=f"user{n % 5}",
            text=text,
            created_at=START + timedelta(minutes=start + n),
            lang=lang,
        )
        for n, (text, lang) in enumerate(items)
    ]
    store.write_batch(posts, [], source="test")


def results(store: Store, analyzer: str | None = None) -> dict[int, dict[str, dict[str, Any]]]:
    """``{post_id: {analyzer: {key: value}}}`` for every post."""
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM posts ORDER BY id"))]
    found = store.annotations_for(ids)
    if analyzer is None:
        return found
    return {post_id: found.get(post_id, {}).get(analyzer, {}) for post_id in ids}


def rows(store: Store) -> list[tuple[Any, ...]]:
    """Every annotation row, sorted."""
    a = annotations_table.c
    with store.engine.connect() as conn:
        query = sa.select(a.post_id, a.analyzer, a.key, a.version, a.value)
        return sorted(tuple(row) for row in conn.execute(query))


def run(store: Store, host: PluginHost, only: Sequence[str] | None = None, **options: Any) -> Any:
    """Plan and run analyzers in this process unless an executor is given."""
    options.setdefault("executor", SerialExecutor())
    return run_analyzers(store, plan(host, None, only), **options)


MIXED = [
    ("I love this airline! :)", "en"),
    ("Worst. Service. Ever!!!", "en"),
    ("¡Me encanta esta aerolínea!", "es"),
    ("the flight was delayed again, this is terrible", None),
    ("perdieron mi maleta otra vez", None),
    ("تأخرت رحلتي مرة أخرى", None),
    ("😍😍", None),
]


# ---------------------------------------------------------------- the bundled analyzers


def test_every_post_gets_a_language_and_where_possible_a_sentiment(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, MIXED)
    summary = run(store, make_host())
    assert [r.analyzer for r in summary.runs] == ["language", "sentiment"]
    language = results(store, "language")
    assert [language[n]["lang"] for n in sorted(language)] == [
        "en",
        "en",
        "es",
        "en",
        "es",
        "ar",
        "zxx",
    ]
    assert language[1]["source"] == "platform"
    assert language[4]["source"] == "detector" and 0 < language[4]["confidence"] <= 1
    sentiment = results(store, "sentiment")
    labels = [sentiment[n]["label"] for n in sorted(sentiment)]
    assert labels == [
        "positive",
        "negative",
        "unsupported",
        "negative",
        "unsupported",
        "unsupported",
        "positive",
    ]
    assert sentiment[3] == {"label": "unsupported"}  # no scores: never silently neutral
    sentiment_run = summary.runs[1]
    assert sentiment_run.counts["unsupported"] == 3
    assert sentiment_run.posts == len(MIXED)


def test_sentiment_reads_the_detected_language_not_the_missing_tag(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [("what a great crew, thank you so much", None)])
    run(store, make_host())
    assert results(store, "sentiment")[1]["label"] == "positive"


def test_only_runs_the_named_analyzer_and_what_it_needs(tmp_path: Path) -> None:
    host = make_host(Recorder)
    assert [spec.name for spec in plan(host, None, ["sentiment"])] == ["language", "sentiment"]
    assert [spec.name for spec in plan(host, None, ["recorder"])] == ["recorder"]
    store = new_store(tmp_path)
    add_posts(store, MIXED[:2])
    run(store, host, ["recorder"])
    assert set(results(store)[1]) == {"recorder"}


# ---------------------------------------------------------------- incremental and versions


def test_a_second_run_does_nothing_and_new_posts_alone_are_analysed(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    host = make_host(Recorder)
    add_posts(store, [(f"post number {n}", "en") for n in range(10)])
    first = run(store, host, ["recorder"], batch_size=3)
    assert first.runs[0].posts == 10
    again = run(store, host, ["recorder"])
    assert (again.runs[0].pending, again.runs[0].posts) == (0, 0)
    assert len(Recorder.seen) == 10
    add_posts(store, [("a brand new post", "en"), ("another one", "en")], start=100)
    third = run(store, host, ["recorder"])
    assert third.runs[0].posts == 2
    assert Recorder.seen[-2:] == ["a brand new post", "another one"]


def test_a_version_bump_re_analyses_and_drops_keys_the_new_version_does_not_write(
    tmp_path: Path,
) -> None:
    store = new_store(tmp_path)
    add_posts(store, [(f"post {n}", "en") for n in range(5)])
    run(store, make_host(Recorder), ["recorder"])
    assert results(store, "recorder")[1] == {"length": 6, "old": True}
    upgraded = make_host(RecorderV2)
    assert count_pending(store, plan(upgraded, None, ["recorder"])[0]) == 5
    summary = run(store, upgraded, ["recorder"], batch_size=2)
    assert summary.runs[0].posts == 5
    assert all(value == {"length": 6} for value in results(store, "recorder").values())
    assert {row[3] for row in rows(store)} == {"2"}
    # the run that replaced every row of version 1 took it off the versions table
    assert versions(store) == {("recorder", "2")}


def versions(store: Store) -> set[tuple[str, str]]:
    """The (analyzer, version) pairs ``analyzer_versions`` lists."""
    with store.engine.connect() as conn:
        return {tuple(row) for row in conn.execute(sa.text("SELECT * FROM analyzer_versions"))}


def test_changing_an_analyzers_options_re_analyses_it_and_its_dependants(tmp_path: Path) -> None:
    host = make_host()
    default = {spec.name: spec.version for spec in plan(host)}
    assert default == {"language": "1", "sentiment": "1+language@1"}
    config = Config.model_validate({"analyzers": {"language": {"min_confidence": 0.5}}})
    changed = {spec.name: spec.version for spec in plan(host, config)}
    assert changed["language"].startswith("1~")
    assert changed["sentiment"] == "1+language@" + changed["language"]
    explicit_defaults = Config.model_validate({"analyzers": {"language": {"min_confidence": 0.4}}})
    assert {spec.name: spec.version for spec in plan(host, explicit_defaults)} == default

    store = new_store(tmp_path)
    add_posts(store, MIXED)
    run(store, host)
    specs = plan(host, config)
    assert [count_pending(store, spec) for spec in specs] == [len(MIXED), len(MIXED)]
    run_analyzers(store, specs, executor=SerialExecutor())
    assert [count_pending(store, spec) for spec in specs] == [0, 0]


def test_a_disabled_analyzer_is_skipped_unless_asked_for() -> None:
    host = make_host(Recorder)
    config = Config.model_validate({"analyzers": {"recorder": {"enabled": False}}})
    assert "recorder" not in [spec.name for spec in plan(host, config)]
    assert [spec.name for spec in plan(host, config, ["recorder"])] == ["recorder"]


def test_bad_plans_are_clear_errors() -> None:
    class NeedsMissing(Recorder):
        name = "needs-missing"
        requires = ("nowhere",)

    class Ping(Recorder):
        name = "ping"
        requires = ("pong",)

    class Pong(Recorder):
        name = "pong"
        requires = ("ping",)

    host = make_host(NeedsMissing, Ping, Pong)
    with pytest.raises(HubbubError, match="unknown post analyzer 'nope'"):
        plan(host, None, ["nope"])
    with pytest.raises(HubbubError, match="requires 'nowhere', which no plugin registers"):
        plan(host, None, ["needs-missing"])
    with pytest.raises(HubbubError, match="cycle: ping -> pong -> ping"):
        plan(host, None, ["ping"])
    config = Config.model_validate({"analyzers": {"sentiment": {"languages": "en"}}})
    with pytest.raises(HubbubError, match=r"\[analyzers.sentiment\]: languages"):
        plan(make_host(), config)


# ---------------------------------------------------------------- duplicates


def test_identical_texts_are_analysed_once_across_batches(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    texts = ["RT great flight", "lost my bag", "copy paste complaint"]
    add_posts(store, [(texts[n % 3], "en") for n in range(30)])
    summary = run(store, make_host(Recorder), ["recorder"], batch_size=4)
    assert sorted(Recorder.seen) == sorted(texts)
    assert (summary.runs[0].posts, summary.runs[0].unique_texts, summary.runs[0].reused) == (
        30,
        3,
        27,
    )
    lengths = results(store, "recorder")
    assert all(lengths[n]["length"] == len(texts[(n - 1) % 3]) for n in lengths)


def test_the_same_text_in_two_languages_is_two_inputs(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [("amazing", "en"), ("amazing", "es")])
    run(store, make_host())
    labels = [value["label"] for value in results(store, "sentiment").values()]
    assert labels == ["positive", "unsupported"]


# ---------------------------------------------------------------- failures and interruptions


def test_a_failing_post_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [("fine", "en"), ("boom goes the parser", "en"), ("also fine", "en")])
    summary = run(store, make_host(Fragile), ["fragile"])
    assert summary.runs[0].errors == 1
    found = results(store, "fragile")
    assert found[1] == {"ok": True} and found[3] == {"ok": True}
    assert found[2] == {"error": {"type": "RuntimeError", "message": "cannot read boom"}}
    # failed posts count as analysed until asked to retry them
    assert run(store, make_host(Fragile), ["fragile"]).runs[0].posts == 0
    Fragile.fixed = True
    retried = run(store, make_host(Fragile), ["fragile"], retry_failed=True)
    assert (retried.runs[0].posts, retried.runs[0].errors) == (1, 0)
    assert results(store, "fragile")[2] == {"ok": True}


def test_an_analyzer_that_cannot_be_built_is_reported_by_name(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [("hello", "en")])
    with pytest.raises(
        HubbubError, match=r"'unbuildable' \(plugin TestPlugin\).*model file missing"
    ):
        run(store, make_host(Unbuildable), ["unbuildable"])


def test_an_interrupted_run_keeps_stored_batches_and_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    store = new_store(tmp_path)
    add_posts(store, [(f"post {n}" + (" stop" if n == 7 else ""), "en") for n in range(10)])
    host = make_host(Interrupting)
    with pytest.raises(KeyboardInterrupt):
        run(store, host, ["interrupting"], batch_size=3)
    done = [post_id for post_id, value in results(store, "interrupting").items() if value]
    assert done == [1, 2, 3, 4, 5, 6]  # the two batches before the one in flight
    with store.engine.connect() as conn:
        statuses = [row[0] for row in conn.execute(sa.select(runs_table.c.status))]
    assert statuses == ["interrupted"]
    Interrupting.armed = False
    assert run(store, host, ["interrupting"]).runs[0].posts == 4
    assert all(results(store, "interrupting").values())


# ---------------------------------------------------------------- parallel


def test_parallel_results_equal_serial_results(tmp_path: Path) -> None:
    items = [
        (text + suffix, lang)
        for suffix in ("", " today", " again!!", " :)", " 😡")
        for text, lang in [*MIXED, ("so GOOD", "en"), ("meh", None), ("no way", None)]
    ] * 3
    serial_store, parallel_store = new_store(tmp_path, "serial.db"), new_store(tmp_path, "par.db")
    for store in (serial_store, parallel_store):
        add_posts(store, items)
    host = make_host()
    serial = run(serial_store, host, batch_size=16)
    parallel = run(parallel_store, host, batch_size=16, executor=ProcessExecutor(2))
    assert parallel.workers == 2
    assert rows(parallel_store) == rows(serial_store)
    assert [r.counts for r in parallel.runs] == [r.counts for r in serial.runs]
    assert [r.unique_texts for r in parallel.runs] == [r.unique_texts for r in serial.runs]


class Dying(PostAnalyzer):
    """Kills the process analysing it when it meets "die" (a segfaulting model, say)."""

    name = "dying"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        if any("die" in post.text for post in posts):
            os._exit(3)
        return [{"ok": True} for _ in posts]


class Flagging(PostAnalyzer):
    """Tallies a key whose values are not strings."""

    name = "flagging"
    summary_key: ClassVar[str] = "flag"

    def analyze(self, posts: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"flag": None if "?" in post.text else "?" not in post.text} for post in posts]


def test_run_counts_show_values_that_are_not_strings_as_json(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [("why?", "en"), ("so good", "en"), ("ok", "en")])
    summary = run(store, make_host(Flagging), ["flagging"])
    assert summary.runs[0].counts == {"true": 2, "null": 1}


@pytest.mark.backends
def test_the_storing_pool_gives_the_serial_results(
    tmp_path: Path, database: Callable[[], str | None]
) -> None:
    # every copy of a text goes to one worker: duplicates are analysed once, as serially;
    # on PostgreSQL the workers write at the same time, on SQLite one after the other
    items = [(f"{text} {n % 7}", lang) for n in range(90) for text, lang in MIXED[:4]]
    items += [("boom", "en"), ("so GOOD", "en")] * 5
    serial_store = new_store(tmp_path, "serial.db")
    pooled_store = Store.open(database() or f"sqlite:///{tmp_path / 'pool.db'}")
    for store in (serial_store, pooled_store):
        add_posts(store, items)
    host = make_host(Fragile)
    serial = run(serial_store, host, batch_size=50)
    seen: list[tuple[str, int, int]] = []
    pooled = run_analyzers(
        pooled_store,
        plan(host),
        workers=2,
        batch_size=50,
        progress=lambda name, done, total: seen.append((name, done, total)),
    )
    assert pooled.workers == 2
    assert rows(pooled_store) == rows(serial_store)
    assert [r.as_row() | {"seconds": 0} for r in pooled.runs] == [
        r.as_row() | {"seconds": 0} for r in serial.runs
    ]
    by_name = {r.analyzer: r for r in pooled.runs}
    assert by_name["fragile"].errors == 5  # "boom" failed, alone, and the run went on
    assert seen[-1] == ("sentiment", len(items), len(items))
    assert [done for name, done, _ in seen if name == "language"] == sorted(
        done for name, done, _ in seen if name == "language"
    )
    assert run_analyzers(pooled_store, plan(host), workers=2).posts == 0  # all current


def test_a_worker_that_dies_stops_the_run_with_one_line_and_keeps_what_was_stored(
    tmp_path: Path,
) -> None:
    store = new_store(tmp_path)
    add_posts(store, [(f"fine post {n}", "en") for n in range(300)] + [("die now", "en")])
    with pytest.raises(HubbubError, match=r"analysis worker \d stopped unexpectedly"):
        run_analyzers(store, plan(make_host(Dying), None, ["dying"]), workers=2, batch_size=40)
    stored = sum(bool(value) for value in results(store, "dying").values())
    assert 0 < stored < 301
    with store.engine.connect() as conn:
        statuses = [row[0] for row in conn.execute(sa.select(runs_table.c.status))]
    assert statuses == ["failed"]


def test_ctrl_c_during_a_pooled_run_keeps_the_stored_batches_and_the_next_run_finishes(
    tmp_path: Path,
) -> None:
    store = new_store(tmp_path)
    add_posts(store, [(f"great flight number {n}", "en") for n in range(400)])
    specs = plan(make_host(), None, ["language"])

    def interrupt(name: str, done: int, total: int) -> None:
        if done >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_analyzers(store, specs, workers=2, batch_size=40, progress=interrupt)
    stored = sum(bool(value) for value in results(store, "language").values())
    assert 100 <= stored < 400
    again = run_analyzers(store, specs, workers=2, batch_size=40)
    assert again.posts == 400 - stored
    assert all(value["lang"] == "en" for value in results(store, "language").values())
    with store.engine.connect() as conn:
        statuses = [row[0] for row in conn.execute(sa.select(runs_table.c.status))]
    assert statuses == ["interrupted", "done"]


def test_the_storing_pool_works_with_spawned_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS and Windows start workers with spawn: everything they get must be picklable,
    # and the write lock must outlive start()
    from hubbub.storing_pool import StoringPool

    original = StoringPool.__init__

    def spawning(self: StoringPool, *args: Any, **options: Any) -> None:
        original(self, *args, **{**options, "start_method": "spawn"})

    monkeypatch.setattr(StoringPool, "__init__", spawning)
    store = new_store(tmp_path)
    add_posts(store, [(f"great flight number {n % 9}", "en") for n in range(120)])
    summary = run_analyzers(store, plan(make_host(), None, ["sentiment"]), workers=2, batch_size=30)
    assert summary.workers == 2
    assert summary.runs[1].unique_texts == 9
    assert all(value["label"] == "positive" for value in results(store, "sentiment").values())


def test_an_in_memory_store_falls_back_to_the_returning_pool() -> None:
    from hubbub.storing_pool import can_share

    store = Store.open("sqlite://")
    assert not can_share(store)
    add_posts(store, [(f"great flight number {n}", "en") for n in range(60)])
    summary = run_analyzers(store, plan(make_host(), None, ["sentiment"]), workers=2, batch_size=20)
    assert summary.workers == 2
    assert all(value["label"] == "positive" for value in results(store, "sentiment").values())


def test_many_posts_use_the_process_pool_by_default(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_posts(store, [(f"great flight number {n}", "en") for n in range(60)])
    summary = run_analyzers(store, plan(make_host(), None, ["sentiment"]), workers=2, batch_size=20)
    assert summary.workers == 2
    assert all(value["label"] == "positive" for value in results(store, "sentiment").values())
    small = new_store(tmp_path, "small.db")
    add_posts(small, [("great flight", "en")])
    assert run_analyzers(small, plan(make_host()), workers=2).workers == 1


# ---------------------------------------------------------------- the commands


def test_analyze_and_sentiment_commands(
    make_project: Any, cli: Any, tmp_path: Path, jsonl: Any
) -> None:
    brands = '[brands.skyjet]\nhandles = ["SkyJet"]\nkeywords = ["skyjet"]\n'
    project = make_project(extra=brands)
    records = [
        {"id": "1", "author": "ann", "created_at": "2026-03-02T10:00:00Z", "lang": "en",
         "text": "I love @SkyJet! :)", "mentions": ["SkyJet"]},
        {"id": "2", "author": "bob", "created_at": "2026-03-03T10:00:00Z", "lang": "es",
         "text": "skyjet perdió mi maleta"},
        {"id": "3", "author": "cy", "created_at": "2026-03-03T11:00:00Z", "lang": "en",
         "text": "skyjet lost my bag. Awful."},
        {"id": "4", "author": "SkyJet", "created_at": "2026-03-03T12:00:00Z", "lang": "en",
         "text": "We love our skyjet customers!"},
    ]  # fmt: skip
    path = jsonl(tmp_path / "posts.jsonl", records)
    assert cli("import", path, "-p", project.directory).exit_code == 0
    before = cli("sentiment", "-p", project.directory, "--format", "json")
    assert orjson.loads(before.stdout)[0]["not_analysed"] == 3

    result = cli("analyze", "-p", project.directory, "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    analyzed = {row["analyzer"]: row for row in orjson.loads(result.stdout)}
    assert analyzed["sentiment"]["posts"] == 4
    assert "unsupported=1" in analyzed["sentiment"]["counts"]
    assert "marked unsupported" in result.stderr
    again = cli("analyze", "-p", project.directory)
    assert "Nothing to analyse" in again.stderr

    summary = orjson.loads(cli("sentiment", "-p", project.directory, "--format", "json").stdout)
    assert summary == [
        {
            "brand": "skyjet",
            "posts": 3,  # the brand's own post is not a mention
            "positive": 1,
            "neutral": 0,
            "negative": 1,
            "unsupported": 1,
            "errors": 0,
            "not_analysed": 0,
            "positive_share": 0.5,
            "neutral_share": 0.0,
            "negative_share": 0.5,
            "net_sentiment": 0.0,
            "mean_compound": summary[0]["mean_compound"],
        }
    ]
    daily = cli("sentiment", "-p", project.directory, "--window", "day", "--format", "csv")
    assert daily.stdout.splitlines()[1].startswith("skyjet,2026-03-02,1,1,")
    overall = orjson.loads(
        cli("sentiment", "-p", project.directory, "--by", "overall", "--format", "json").stdout
    )
    assert overall[0]["posts"] == 4 and "brand" not in overall[0]
    no_topics = cli("sentiment", "-p", project.directory, "--by", "topic")
    assert no_topics.exit_code == 1 and "no topics configured" in no_topics.stderr
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write("\n[topics]\nbags = 'bag OR maleta'\nlove = 'love'\n")
    by_topic = orjson.loads(
        cli("sentiment", "-p", project.directory, "--by", "topic", "--format", "json").stdout
    )
    counts = {
        row["topic"]: (row["posts"], row["positive"], row["negative"], row["unsupported"])
        for row in by_topic
    }
    # bags: the English complaint (negative) and the Spanish one (unsupported);
    # love: ann's post and the brand's own post, both positive
    assert counts == {"bags": (2, 0, 1, 1), "love": (2, 2, 0, 0)}
    unknown = cli("analyze", "-p", project.directory, "--only", "nope")
    assert unknown.exit_code == 1 and "unknown post analyzer 'nope'" in unknown.stderr

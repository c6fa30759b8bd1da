"""``hubbub watch``: a loopback source that bursts fires exactly one webhook alert, a calm one
none; a failing notifier is retried, logged and does not stop the watch; stopping and
resuming (or aborting mid-batch) loses and duplicates nothing; the CLI commands.

The source is the bundled ``http-json`` source pointed at a pytest-httpserver that serves
a feed whose posts appear as an injected clock advances; the same server is the webhook.
Nothing sleeps: the watcher's sleep advances the clock.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx
import orjson
import pytest
import sqlalchemy as sa
from hubbub import hookimpl
from hubbub.alerts import list_alerts
from hubbub.analysis import plan
from hubbub.api_source import ApiSource
from hubbub.errors import ConfigError, HubbubError
from hubbub.plugin_host import PluginHost
from hubbub.project import Project
from hubbub.store import posts_table
from hubbub.watch import Watcher, WatchEvent
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

T0 = datetime(2026, 3, 2, 12, 0, 0)
EPOCH = datetime(1970, 1, 1)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """The loopback server listens on 127.0.0.1 only."""
    return ("127.0.0.1", 0)


class KeptOpen(httpx.HTTPTransport):
    """One transport for every poll of a test: a client per poll would build an SSL
    context each time (75 ms), which dozens of cycles would feel."""

    def close(self) -> None:
        """Closed by the fixture, not by each client."""

    def really_close(self) -> None:
        super().close()


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    transport = KeptOpen(verify=False)
    defaults = {"sleep": lambda s: None, "random": lambda: 0, "transport": transport}
    monkeypatch.setattr(ApiSource, "client_defaults", defaults)
    yield
    transport.really_close()


class Clock:
    """An injectable clock; ``sleep`` moves it forward instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


class Feed:
    """Posts with creation times; a request sees those created by the clock's now, after ``since``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.items: list[dict[str, Any]] = []
        self.requests = 0

    def add(self, when: datetime, text: str, author: str = "traveller") -> None:
        ts = int((when - EPOCH).total_seconds())
        assert all(item["ts"] != ts for item in self.items), "one post per second"
        number = len(self.items) + 1
        self.items.append(
            {"id": f"p{number}", "ts": ts, "text": text, "author": f"{author}{number % 5}"}
        )

    def calm(self, start: datetime, end: datetime, every: timedelta) -> None:
        """One #baggage post per ``every`` in ``[start, end)``."""
        moment = start
        while moment < end:
            self.add(moment, "where is my suitcase #baggage")
            moment += every

    def burst(self, start: datetime, count: int) -> None:
        """``count`` #baggage posts, ten seconds apart, from ``start``."""
        for n in range(count):
            self.add(start + timedelta(seconds=10 * n + 1), f"lost bag again, number {n} #baggage")

    def handler(self, request: Request) -> Response:
        self.requests += 1
        since = float(request.args.get("since", "-1"))
        now = (self.clock.now - EPOCH).total_seconds()
        items = [item for item in self.items if since < item["ts"] <= now]
        return Response(orjson.dumps({"data": items}), content_type="application/json")


class Hook:
    """The webhook: records each JSON payload; answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.payloads: list[Any] = []

    def handler(self, request: Request) -> Response:
        self.payloads.append(orjson.loads(request.get_data()))
        return Response("ok" if self.status < 400 else "down", status=self.status)


CONFIG = """
[topics]
baggage = "#baggage"

[[sources]]
type = "http-json"
name = "feed"
url = "{url}"
items = "data"
since_param = "since"
since_field = "ts"
fields = {{ created_at = "ts" }}
interval = "5m"

[[notifiers]]
name = "ops"
type = "webhook"
url = "{hook}"
retries = 2
{extra_notifiers}

[[alerts]]
name = "baggage-burst"
type = "spike"
topic = "baggage"
window = "1h"
baseline_windows = 6
min_count = 10
burst_ratio = 3
z = 3
cooldown = "6h"
notify = {notify}
"""


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def feed(httpserver: HTTPServer, clock: Clock) -> Feed:
    feed = Feed(clock)
    # six calm hours of history, then the calm goes on: three posts an hour
    feed.calm(T0 - timedelta(hours=6), T0 + timedelta(hours=12), timedelta(minutes=20))
    httpserver.expect_request("/posts").respond_with_handler(feed.handler)
    return feed


@pytest.fixture
def hook(httpserver: HTTPServer) -> Hook:
    hook = Hook()
    httpserver.expect_request("/hook", method="POST").respond_with_handler(hook.handler)
    return hook


@pytest.fixture
def watch_project(
    make_project: Callable[..., Project], httpserver: HTTPServer, feed: Feed, hook: Hook
) -> Callable[..., Project]:
    """A project watching the loopback feed, alerting through the loopback webhook."""

    def make(
        name: str = "watch", *, notify: str = '["ops"]', extra_notifiers: str = "", **project: Any
    ) -> Project:
        extra = CONFIG.format(
            url=httpserver.url_for("/posts"),
            hook=httpserver.url_for("/hook"),
            notify=notify,
            extra_notifiers=extra_notifiers,
        )
        return make_project(name, extra=extra, **project)

    return make


def stored_ids(project: Project) -> list[str]:
    with project.store.engine.connect() as conn:
        return list(conn.execute(sa.select(posts_table.c.external_id)).scalars())


def served_ids(feed: Feed, until: datetime) -> set[str]:
    limit = (until - EPOCH).total_seconds()
    return {item["id"] for item in feed.items if item["ts"] <= limit}


def watcher(project: Project, clock: Clock, **kwargs: Any) -> Watcher:
    return Watcher(project, clock=clock, sleep=clock.sleep, analyze=False, **kwargs)


# ---------------------------------------------------------------- bursts and calm


def test_a_burst_fires_exactly_one_webhook_alert_with_what_triggered_it(
    watch_project: Callable[..., Project], feed: Feed, hook: Hook, clock: Clock
) -> None:
    feed.burst(T0 + timedelta(minutes=55), 30)  # before the 13th five-minute cycle
    project = watch_project()
    summary = watcher(project, clock).run(max_cycles=25)  # two hours
    assert summary.cycles == 25
    assert len(hook.payloads) == 1, hook.payloads
    payload = hook.payloads[0]
    assert payload["rule"] == "baggage-burst"
    assert payload["kind"] == "spike"
    assert payload["subject"] == "baggage"
    assert payload["fired_at"] == "2026-03-02T13:00:00Z"  # the first cycle after the burst
    assert payload["window_start"] == "2026-03-02T12:00:00Z"
    assert payload["window_end"] == "2026-03-02T13:00:00Z"
    details = payload["details"]
    assert details["count"] == 33  # 30 burst posts + 3 calm ones in the hour
    assert details["baseline_mean"] == 3.0
    assert details["ratio"] == 11.0
    assert details["z"] > 3
    assert details["baseline_windows"] == 6
    assert "Spike on topic baggage: 33 posts in the last 1h" in payload["message"]
    assert len(payload["example_post_ids"]) == 3
    assert all(ex["text"].endswith("#baggage") for ex in details["examples"])
    # stored, with the delivery recorded; the episode closed once the burst left the window
    [alert] = list_alerts(project.store)
    assert alert.id == payload["id"]
    assert alert.delivery == {"ops": "sent"}
    assert alert.ended_at is not None and alert.ended_at == T0 + timedelta(hours=2)
    assert summary.new_posts["feed"] == len(served_ids(feed, clock.now))


def test_a_calm_source_fires_nothing(
    watch_project: Callable[..., Project], feed: Feed, hook: Hook, clock: Clock
) -> None:
    project = watch_project()
    summary = watcher(project, clock).run(max_cycles=24)
    assert summary.alerts == []
    assert hook.payloads == []
    assert list_alerts(project.store) == []
    # it did watch: every calm post arrived, polled every five minutes
    assert set(stored_ids(project)) == served_ids(feed, clock.now)
    assert set(clock.slept) == {300.0}


def test_a_burst_that_ends_and_comes_back_is_a_new_episode(
    watch_project: Callable[..., Project], feed: Feed, hook: Hook, clock: Clock
) -> None:
    feed.burst(T0 + timedelta(minutes=55), 30)
    feed.burst(T0 + timedelta(hours=7, minutes=55), 30)
    project = watch_project()
    w = watcher(project, clock)
    w.intervals["feed"] = timedelta(minutes=15)
    w.run(max_cycles=4 * 10)
    assert [payload["fired_at"] for payload in hook.payloads] == [
        "2026-03-02T13:00:00Z",
        "2026-03-02T20:00:00Z",
    ]


def test_sources_are_polled_on_their_own_intervals(
    watch_project: Callable[..., Project], feed: Feed, clock: Clock
) -> None:
    project = watch_project()
    events: list[WatchEvent] = []
    w = watcher(project, clock, on_event=events.append)
    w.intervals["feed"] = timedelta(minutes=15)
    w.run(max_cycles=4)
    assert feed.requests == 4
    assert clock.now == T0 + timedelta(minutes=45)
    assert [event.kind for event in events if event.kind in ("posts", "cycle")] == [
        "posts",
        "cycle",
    ] * 4
    assert w.status()["feed"]["interval_seconds"] == 900.0


def test_a_cycle_runs_the_analyzers_on_the_new_posts(
    watch_project: Callable[..., Project], feed: Feed, clock: Clock
) -> None:
    project = watch_project()
    w = Watcher(project, clock=clock, sleep=clock.sleep)
    first = w.run_cycle()
    assert first.new_posts == {"feed": 19}
    analyzers = len(plan(w.host, project.config))  # language, sentiment, …
    assert analyzers >= 2
    assert first.analysed == analyzers * 19
    clock.now += timedelta(minutes=20)
    second = w.run_cycle()
    assert second.new_posts == {"feed": 1}
    assert second.analysed == analyzers  # only the new post
    with project.store.engine.connect() as conn:
        topics = conn.execute(sa.text("SELECT count(*) FROM post_topics")).scalar()
    assert topics == 20


# ---------------------------------------------------------------- failing notifiers


def test_a_failing_notifier_is_retried_logged_and_the_watch_goes_on(
    watch_project: Callable[..., Project],
    feed: Feed,
    hook: Hook,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    hook.status = 503
    feed.burst(T0 + timedelta(minutes=55), 30)
    log = tmp_path / "alerts.jsonl"
    project = watch_project(
        notify='["ops", "file"]',
        extra_notifiers=f'[[notifiers]]\nname = "file"\ntype = "log"\npath = "{log}"',
    )
    events: list[WatchEvent] = []
    with caplog.at_level(logging.WARNING, logger="hubbub.watch"):
        summary = watcher(project, clock, on_event=events.append).run(max_cycles=24)
    assert summary.cycles == 24  # the watch went on
    assert len(hook.payloads) == 3  # one try and two retries (retries = 2)
    [alert] = list_alerts(project.store)
    assert alert.delivery["file"] == "sent"
    assert alert.delivery["ops"].startswith("failed after 1 attempt: ")
    assert (
        "HTTP 503" in alert.delivery["ops"] and "gave up after 3 attempts" in alert.delivery["ops"]
    )
    # the other notifier still got it, the error was reported and logged
    assert [orjson.loads(line)["id"] for line in log.read_bytes().splitlines()] == [alert.id]
    errors = [event.message for event in events if event.kind == "error"]
    assert len(errors) == 1 and errors[0].startswith(f"notifier ops: alert {alert.id}: failed")
    assert any("gave up on alert" in record.getMessage() for record in caplog.records)
    # posts after the failure were still stored
    assert set(stored_ids(project)) == served_ids(feed, clock.now)


class Flaky:
    """A third-party notifier plugin that fails twice, then works."""

    sent: ClassVar[list[int | None]] = []

    @hookimpl
    def register_notifiers(self, register: Callable[..., None]) -> None:
        from hubbub.kinds import Notifier

        class FlakyNotifier(Notifier):
            name = "flaky"
            failures = 2

            def send(self, alert: Any) -> None:
                if FlakyNotifier.failures:
                    FlakyNotifier.failures -= 1
                    raise ConnectionError("the pager is asleep")
                Flaky.sent.append(alert.id)

        register(FlakyNotifier)


def test_a_notifier_without_its_own_retries_is_retried_with_backoff(
    watch_project: Callable[..., Project],
    feed: Feed,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    Flaky.sent = []
    feed.burst(T0 + timedelta(minutes=55), 30)
    project = watch_project(
        notify='["pager"]', extra_notifiers='[[notifiers]]\nname = "pager"\ntype = "flaky"'
    )
    host = PluginHost(load_entry_points=False, extra=[("flaky", Flaky())])
    with caplog.at_level(logging.WARNING, logger="hubbub.watch"):
        watcher(project, clock, host=host).run(max_cycles=14)
    [alert] = list_alerts(project.store)
    assert Flaky.sent == [alert.id]
    assert alert.delivery == {"pager": "sent"}
    failures = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert len(failures) == 2 and "the pager is asleep" in failures[0]
    assert clock.slept[12:14] == [1.0, 2.0]  # after 12 waits for the next poll: backoff doubles


class Listener:
    """A plugin that hears every fired alert."""

    def __init__(self) -> None:
        self.heard: list[Any] = []

    @hookimpl
    def alert_fired(self, alert: Any) -> None:
        self.heard.append(alert)


def test_alert_fired_is_called_with_the_stored_alert(
    watch_project: Callable[..., Project], feed: Feed, hook: Hook, clock: Clock
) -> None:
    feed.burst(T0 + timedelta(minutes=55), 30)
    listener = Listener()
    host = PluginHost(load_entry_points=False, extra=[("listener", listener)])
    project = watch_project()
    watcher(project, clock, host=host).run(max_cycles=14)
    [heard] = listener.heard
    assert heard.id is not None and heard.subject == "baggage"
    assert [a.id for a in list_alerts(project.store)] == [heard.id]


# ---------------------------------------------------------------- stop and resume


def test_stop_then_restart_loses_and_duplicates_nothing(
    watch_project: Callable[..., Project], feed: Feed, hook: Hook, clock: Clock
) -> None:
    feed.burst(T0 + timedelta(minutes=55), 30)
    project = watch_project()
    stop = threading.Event()

    def stop_after_the_burst(event: WatchEvent) -> None:
        if event.kind == "posts" and event.count >= 30:
            stop.set()  # as Ctrl-C does: the batch in flight completes, then the watch ends

    first = watcher(project, clock, on_event=stop_after_the_burst).run(stop)
    assert first.stopped and first.cycles == 13
    assert len(hook.payloads) == 1  # the cycle in flight still evaluated its rules
    project.close()

    clock.now += timedelta(minutes=7)  # down for a while; posts kept arriving
    again = Project.load(project.directory)
    try:
        second = watcher(again, clock).run(max_cycles=30)
        ids = stored_ids(again)
        assert len(ids) == len(set(ids)), "nothing stored twice"
        assert set(ids) == served_ids(feed, clock.now), "nothing lost"
        assert second.new_posts["feed"] + first.new_posts["feed"] == len(ids)
        # the burst's episode survived the restart: no second alert for it
        assert len(hook.payloads) == 1 and len(list_alerts(again.store)) == 1
    finally:
        again.close()


class Abort:
    """A plugin that interrupts (as a second Ctrl-C does) after the second batch of a poll."""

    def __init__(self) -> None:
        self.batches = 0

    @hookimpl
    def batch_stored(self, source: str, counts: dict[str, Any]) -> None:
        self.batches += 1
        if self.batches == 2:
            raise KeyboardInterrupt


def test_an_abort_mid_batch_then_restart_loses_and_duplicates_nothing(
    watch_project: Callable[..., Project], feed: Feed, clock: Clock
) -> None:
    project = watch_project(batch_size=5)  # the first poll is four batches
    host = PluginHost(load_entry_points=False, extra=[("abort", Abort())])
    with pytest.raises(KeyboardInterrupt):
        watcher(project, clock, host=host).run(max_cycles=3)
    assert len(stored_ids(project)) == 10  # two batches committed
    project.close()
    again = Project.load(project.directory)
    try:
        watcher(again, clock).run(max_cycles=6)
        ids = stored_ids(again)
        assert len(ids) == len(set(ids))
        assert set(ids) == served_ids(feed, clock.now)
    finally:
        again.close()


# ---------------------------------------------------------------- configuration errors


def test_a_watch_needs_sources(make_project: Callable[..., Project]) -> None:
    with pytest.raises(HubbubError, match="no \\[\\[sources\\]\\] configured to watch"):
        Watcher(make_project())


def test_an_unknown_notifier_type_is_a_config_error(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    extra = (
        f'[[sources]]\ntype = "jsonl"\nname = "f"\npath = "{tmp_path / "x.jsonl"}"\n'
        '[[notifiers]]\nname = "n"\ntype = "pigeon"\n'
    )
    with pytest.raises(
        ConfigError,
        match=r"notifiers\[0\] \(n\): type: unknown notifier type 'pigeon' \(available: .*webhook",
    ):
        Watcher(make_project(extra=extra))


def test_a_bad_source_interval_names_the_key(make_project: Callable[..., Project]) -> None:
    with pytest.raises(ConfigError, match=r"sources\.0\.interval: .*'soon'"):
        make_project(extra='[[sources]]\ntype = "jsonl"\npath = "x"\ninterval = "soon"\n')


# ---------------------------------------------------------------- the commands


def _recent_burst_file(path: Path, now: datetime) -> Path:
    lines = []
    for n in range(40):  # five calm hours (three posts an hour), then 25 in the last hour
        if n < 15:
            when = now - timedelta(hours=6) + timedelta(minutes=1 + 20 * n)
        else:
            when = now - timedelta(minutes=n - 14)
        record = {
            "id": f"c{n}",
            "author": f"a{n % 4}",
            "text": f"bag {n} #baggage",
            "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        lines.append(orjson.dumps(record))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_watch_once_and_alerts_commands(
    make_project: Callable[..., Project], cli: Callable[..., Any], tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    feed = _recent_burst_file(tmp_path / "feed.jsonl", now)
    extra = f"""
[topics]
baggage = "#baggage"
[[sources]]
type = "jsonl"
name = "archive"
path = "{feed}"
[[notifiers]]
name = "file"
type = "log"
path = "alerts.jsonl"
[[alerts]]
name = "burst"
type = "spike"
topic = "baggage"
baseline_windows = 5
min_count = 10
"""
    project = make_project(extra=extra)
    result = cli("watch", "--once", "--no-analyze", "-p", project.directory)
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert "ALERT [burst] Spike on topic baggage: 25 posts in the last 1h" in line
    assert "watch: cycle 1 | new posts: archive 40 | alerts 1 | errors 0" in result.stderr
    assert "Watch done: 1 cycle(s), 40 new post(s), 1 alert(s), 0 error(s)" in result.stderr
    logged = [
        orjson.loads(row) for row in (project.directory / "alerts.jsonl").read_bytes().splitlines()
    ]
    assert [row["rule"] for row in logged] == ["burst"]

    listed = cli("alerts", "--format", "json", "-p", project.directory)
    assert listed.exit_code == 0, listed.output
    [row] = orjson.loads(listed.stdout)
    assert row["rule"] == "burst" and row["subject"] == "baggage"
    assert row["details"]["count"] == 25 and row["delivery"] == {"file": "sent"}
    assert (
        cli("alerts", "--rule", "other", "--format", "json", "-p", project.directory).stdout.strip()
        == "[]"
    )
    assert orjson.loads(
        cli("alerts", "--since", "1h", "--format", "json", "-p", project.directory).stdout
    )
    csv_out = cli("alerts", "--format", "csv", "-p", project.directory).stdout
    assert csv_out.splitlines()[0].startswith("id,fired_at,rule,kind,subject")
    table = cli("alerts", "-p", project.directory)
    assert table.exit_code == 0 and "burst" in table.stdout

    # a second run resumes: nothing new, and the open episode does not fire again
    again = cli("watch", "--cycles", "1", "--no-analyze", "-p", project.directory)
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert "new posts: archive 0" in again.stderr


def test_alerts_rejects_a_bad_since(
    project: Project, cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    result = cli("alerts", "--since", "yesterday-ish", "-p", project.directory)
    assert result.exit_code == 1
    assert "--since 'yesterday-ish'" in error_line(result.stderr)


@pytest.fixture
def slow_source_project(make_project: Callable[..., Project], tmp_path: Path) -> Iterator[Project]:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"")
    yield make_project(
        extra=f'[[sources]]\ntype = "jsonl"\nname = "f"\npath = "{path}"\ninterval = "1h"\n'
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_watch_cleanly(
    slow_source_project: Project, hubbub_bin: Path, signum: int
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(hubbub_bin), "watch", "--no-analyze", "-p", str(slow_source_project.directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 20
        seen = b""
        while b"watch: cycle 1" not in seen and time.monotonic() < deadline:
            seen += process.stderr.readline()
        assert b"watch: cycle 1" in seen, seen
        process.send_signal(signum)  # while it waits for the next poll, an hour away
        _out, rest = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert b"Stopping after the batch in flight" in rest
    assert b"Watch stopped: 1 cycle(s)" in rest

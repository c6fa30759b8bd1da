"""The live demo: the demo project watching a simulated stream, with alert rules that fire.

:func:`add_live_config` appends to the demo's ``hubbub.toml`` a ``demo-stream`` source
polled every few seconds, three ``[[alerts]]`` rules (a spike on the stream's burst
topic, a negative share for its burst brand, customers of that brand left waiting) and
a ``log`` notifier writing ``alerts.jsonl`` (plus a ``tui`` notifier for the live
view). :func:`watch_live_demo` runs the watch headless for a simulated duration.
``hubbub demo --live`` uses both (and opens the TUI live view on a terminal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hubbub.config import CONFIG_NAME, load_config

if TYPE_CHECKING:
    from hubbub.alerts import Alert
    from hubbub.plugins.demo_stream import SimulatedClock
    from hubbub.project import Project
    from hubbub.watch import WatchEvent

#: where the live demo's log notifier writes, in the demo folder
ALERTS_FILE = "alerts.jsonl"
#: the topic that bursts in the live demo, and the one that stays calm
BURST_TOPIC = "baggage"
CALM_TOPIC = "delays"
BURST_BRAND = "aerolux"

LIVE_CONFIG = f"""
# ---------------------------------------------------------------- live demo
# Added by `hubbub demo --live`: a simulated stream polled every 5 seconds. About 90
# seconds after it starts, AeroLux's baggage system fails: posts about lost luggage
# burst, most of them angry and naming AeroLux, and AeroLux stops answering its
# customers. The three rules below catch it. `hubbub watch -p DIR` runs them again.
# (docs/sources/demo-stream.md, docs/watch.md)

[[sources]]
type = "demo-stream"
name = "live"
interval = "5s"
seed = 42
posts_per_minute = 30
history = "10m"
burst_after = "90s"
burst_length = "3m"
burst_topic = "{BURST_TOPIC}"
burst_brand = "{BURST_BRAND}"

# A topic's volume per minute against the 8 minutes before it.
[[alerts]]
name = "{BURST_TOPIC}-spike"
type = "spike"
topic = "{BURST_TOPIC}"
window = "1m"
baseline_windows = 8
min_count = 10
burst_ratio = 3.0
z = 3.0
cooldown = "10m"

[[alerts]]
name = "{CALM_TOPIC}-spike"
type = "spike"
topic = "{CALM_TOPIC}"
window = "1m"
baseline_windows = 8
min_count = 10
burst_ratio = 3.0
z = 3.0
cooldown = "10m"

# Most of what is said about a brand in the last 2 minutes is negative.
[[alerts]]
name = "{BURST_BRAND}-negative"
type = "negative_share"
brand = "{BURST_BRAND}"
window = "2m"
threshold = 0.6
min_count = 10
cooldown = "10m"

# A customer has waited more than 3 minutes for an answer (one alert per customer).
[[alerts]]
name = "{BURST_BRAND}-waiting"
type = "waiting_customer"
brand = "{BURST_BRAND}"
window = "15m"
target = "3m"
cooldown = "1h"

[[notifiers]]
name = "log"
type = "log"
path = "{ALERTS_FILE}"

# Shows alerts in the TUI's live view when one is open (press 8 in `hubbub tui`).
[[notifiers]]
name = "screen"
type = "tui"
"""


def add_live_config(directory: Path) -> Project:
    """Append the live demo's source, rules and notifiers to ``directory``'s ``hubbub.toml``.

    :returns: the project, loaded again with them.
    """
    from hubbub.project import Project

    path = directory / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    if 'type = "demo-stream"' not in text:
        path.write_text(text.rstrip("\n") + "\n" + LIVE_CONFIG, encoding="utf-8")
    (directory / ALERTS_FILE).unlink(missing_ok=True)
    return Project(directory.resolve(), load_config(path))


@dataclass
class LiveDemoRun:
    """What a headless live demo did."""

    cycles: int = 0
    posts: int = 0
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def watch_live_demo(
    project: Project,
    *,
    duration: float,
    clock: SimulatedClock,
    on_event: Callable[[WatchEvent], None] | None = None,
) -> LiveDemoRun:
    """Watch ``project``'s sources for ``duration`` simulated seconds on ``clock``.

    :param clock: the simulated clock that both the watch and the demo stream read.
    :param on_event: called with each watch event (in this thread).
    """
    import threading

    from hubbub.plugins.demo_stream import use_clock
    from hubbub.watch import Watcher

    run = LiveDemoRun()
    stop = threading.Event()
    end = clock.utcnow() + timedelta(seconds=duration)

    def event(item: WatchEvent) -> None:
        if item.kind == "alert" and item.alert is not None:
            run.alerts.append(item.alert)
        elif item.kind == "error":
            run.errors.append(item.message)
        elif item.kind == "cycle":
            run.cycles += 1
            run.posts += item.count
            if clock.utcnow() >= end:
                stop.set()
        if on_event is not None:
            on_event(item)

    with use_clock(clock.now):
        watcher = Watcher(project, on_event=event, clock=clock.utcnow, sleep=clock.sleeper(stop))
    watcher.run(stop=stop)
    return run

"""Trends: windows in the project time zone, spikes against a trailing baseline, drivers."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.trends import (
    Scope,
    TrendsOptions,
    compute_trends,
    detect_spikes,
    log_odds,
    term_counts,
    terms_of,
    window_floor,
)

# ---------------------------------------------------------------- the formulas


def test_term_counts_count_each_post_once_and_remembered_terms_change_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hubbub.trends as trends

    texts = ["Lost bag at JFK", "lost bag, sadly!", "Lost bag at JFK", "bag bag bag", "İstanbul"]
    expected = {"lost": 3, "bag": 4, "jfk": 2, "lost bag": 3, "bag jfk": 0, "sadly": 1}
    fresh = term_counts(texts, {})
    assert {term: fresh[term] for term in expected} == expected
    assert fresh["bag bag"] == 1  # once per post, however often it repeats
    assert "i̇stanbul" in fresh  # casefolded token by token
    monkeypatch.setattr(trends, "TERMS_REMEMBERED", 2)
    monkeypatch.setattr(trends, "TOKENS_REMEMBERED", 3)
    known: dict[str, frozenset[str]] = {}
    assert term_counts(texts * 3, known) == Counter({t: n * 3 for t, n in fresh.items()})
    assert len(known) <= 2


def test_a_planted_spike_is_the_only_spike() -> None:
    volumes = [20, 22, 19, 21, 20, 18, 23, 21, 100, 20, 22]
    scored = detect_spikes(volumes, baseline_windows=7)
    assert [index for index, (_m, _b, _z, spike) in enumerate(scored) if spike] == [8]
    mean, burst, z, _ = scored[8]
    baseline = volumes[1:8]
    assert mean == pytest.approx(sum(baseline) / 7)
    assert burst == pytest.approx(100 / mean)
    sd = math.sqrt(sum((v - mean) ** 2 for v in baseline) / 7)
    assert z == pytest.approx((100 - mean) / max(sd, math.sqrt(mean)))


def test_windows_without_enough_baseline_are_not_judged() -> None:
    scored = detect_spikes([1, 1, 500, 1], baseline_windows=7, min_baseline_windows=3)
    assert scored[2] == (None, None, None, False)
    assert scored[3][3] is False


def test_a_spike_stays_out_of_later_baselines() -> None:
    # a two-day event: the second day is judged against the quiet days, not the first
    volumes = [20] * 7 + [100, 100, 20]
    scored = detect_spikes(volumes, baseline_windows=7)
    assert [index for index, item in enumerate(scored) if item[3]] == [7, 8]
    assert scored[8][0] == pytest.approx(20)


def test_thresholds_gate_spikes() -> None:
    quiet = [1, 0, 1, 0, 1, 0, 1]
    assert not detect_spikes([*quiet, 8], baseline_windows=7)[-1][3]  # below min_volume 10
    assert detect_spikes([*quiet, 8], baseline_windows=7, min_volume=5)[-1][3]
    steady = [50, 52, 48, 51, 49, 50, 50]
    # z is huge for a small rise on a steady series; the burst ratio keeps it out
    assert not detect_spikes([*steady, 90], baseline_windows=7)[-1][3]
    assert detect_spikes([*steady, 90], baseline_windows=7, min_burst=1.5)[-1][3]


def test_log_odds_with_an_informative_dirichlet_prior() -> None:
    # hand computation, prior 0.1: n_t = 10, n_b = 20, a_0 = 3; for "a": a_w = 2,
    # delta = log(12 / 1) - log(12 / 11) = log 11, var = 1/12 + 1/12 = 1/6
    scores = log_odds({"a": 10}, {"a": 10, "b": 10}, prior=0.1)
    delta, z = scores["a"]
    assert delta == pytest.approx(math.log(11))
    assert z == pytest.approx(math.log(11) * math.sqrt(6))
    assert scores["b"][0] == pytest.approx(-math.log(11))  # "b" fell
    # the prior shrinks rare features: the same ratio on fewer posts is less certain
    rare = log_odds({"x": 2, "y": 8}, {"x": 0, "y": 10}, prior=0.1)["x"][1]
    common = log_odds({"x": 20, "y": 80}, {"x": 0, "y": 100}, prior=0.1)["x"][1]
    assert 0 < rare < common


def test_terms_are_words_and_two_word_phrases_without_noise() -> None:
    assert terms_of("The STORM at JFK, storm delays! #stormdelay @SkyJet https://x.co/a 42") == {
        "storm",
        "jfk",
        "delays",
        "storm delays",
    }
    assert "lost bag" in terms_of("my lost bag")
    assert terms_of("فقدت حقيبتي في المطار") == {"فقدت", "حقيبتي", "المطار", "فقدت حقيبتي"}


def test_windows_are_in_local_time_and_weeks_start_on_monday() -> None:
    moment = datetime(2026, 3, 19, 14, 35)  # a Thursday
    assert window_floor(moment, "hour") == datetime(2026, 3, 19, 14, 0)
    assert window_floor(moment, "day") == datetime(2026, 3, 19)
    assert window_floor(moment, "week") == datetime(2026, 3, 16)


# ---------------------------------------------------------------- planted data


def _posts(
    day: int, count: int, *, start: datetime, texts: list[str], authors: int = 40
) -> list[Post]:
    return [
        Post(
            platform="twitter",
            external_id=f"d{day}-{number}",
            author=f"user{(day * 7 + number) % authors}",
            text=texts[number % len(texts)] + f" #delayed {number}",
            created_at=start + timedelta(days=day, minutes=20 + number * 1400 // max(count, 1)),
            hashtags=["delayed"],
            likes=number % 4,
        )
        for number in range(count)
    ]


ORDINARY = [
    "flight delayed at the gate again",
    "delayed boarding, long queue",
    "my train and my flight both delayed",
    "delayed and no coffee",
]


@pytest.fixture
def planted(make_project: Callable[..., Project]) -> Project:
    """Ten days of ~20 topic posts a day; day 8 has 90 more by three authors about a volcano."""
    project = make_project(
        timezone="Asia/Tokyo", extra="[topics]\ndelays = 'delay* OR #delayed'\nother = 'nothing'\n"
    )
    # local midnight in Tokyo is 15:00 UTC the day before
    start = datetime(2026, 3, 1, 15, 0)
    posts: list[Post] = []
    for day in range(10):
        posts += _posts(day, 18 + day % 3, start=start, texts=ORDINARY)
    for number in range(90):
        posts.append(
            Post(
                platform="twitter",
                external_id=f"ash-{number}",
                author=("ash_watch", "gatecam", "volcano_news")[number % 3],
                text="volcano ash cloud, everything delayed #ashcloud",
                created_at=start + timedelta(days=8, hours=1, minutes=number * 10),
                hashtags=["ashcloud", "delayed"],
                likes=5,
            )
        )
    project.store.write_batch(posts, [], source="test")
    return project


def test_planted_spike_and_its_drivers(planted: Project) -> None:
    result = compute_trends(planted, [Scope("topic", "delays"), Scope("topic", "other")])
    series = result.volumes["topic:delays"]
    assert series[0].start == datetime(2026, 3, 2)  # local days
    assert len(series) == 10
    assert [(s.scope, s.volume.start) for s in result.spikes] == [
        ("topic:delays", datetime(2026, 3, 10))
    ]
    (spike,) = result.spikes
    assert spike.volume.volume == 90 + 18 + 8 % 3
    assert {d.value for d in spike.drivers["author"]} >= {"ash_watch", "gatecam", "volcano_news"}
    assert spike.drivers["hashtag"][0].value == "#ashcloud"
    assert "#delayed" not in {d.value for d in spike.drivers["hashtag"]}  # its share fell
    top_terms = [d.value for d in spike.drivers["term"][:4]]
    assert "volcano ash" in top_terms or "volcano" in top_terms
    assert spike.examples and "volcano" in spike.examples[0]["text"]
    assert result.volumes["topic:other"] and not any(
        item.volume for item in result.volumes["topic:other"]
    )


def test_thresholds_come_from_hubbub_toml_and_options(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(extra="[analyzers.trends]\nmin_burst = 50.0\n[topics]\nd = 'delayed'\n")
    from hubbub.trends import load_options

    assert load_options(project).min_burst == 50.0
    assert load_options(project, min_burst=2.0, window="week").min_burst == 2.0
    from hubbub.errors import ConfigError

    bad = make_project("bad", extra="[analyzers.trends]\nwindow = 'fortnight'\n")
    with pytest.raises(ConfigError, match=r"\[analyzers.trends\]: window"):
        load_options(bad)


def test_hour_windows_and_a_query_scope(planted: Project) -> None:
    result = compute_trends(
        planted,
        [Scope("query", "#ashcloud", _parse("#ashcloud"))],
        options=TrendsOptions(window="hour", min_volume=3),
    )
    series = result.volumes["query:#ashcloud"]
    assert sum(item.volume for item in series) == 90
    assert series[0].start.minute == 0 and series[1].start - series[0].start == timedelta(hours=1)


def _parse(text: str) -> Any:
    from hubbub.query import parse_query

    return parse_query(text)


def test_emerging_terms_rise_in_the_last_window(make_project: Callable[..., Project]) -> None:
    project = make_project(extra="[topics]\nd = 'delayed'\n")
    start = datetime(2026, 3, 1)
    posts = []
    for day in range(8):
        posts += _posts(day, 20, start=start, texts=ORDINARY)
    posts += [
        Post(
            platform="twitter",
            external_id=f"new-{n}",
            author=f"someone{n}",
            text="delayed by the new baggage robots",
            created_at=start + timedelta(days=7, hours=n % 20),
        )
        for n in range(12)
    ]
    project.store.write_batch(posts, [], source="test")
    result = compute_trends(project, [Scope("topic", "d")], emerging=True)
    terms = [term.term for term in result.emerging]
    assert "baggage robots" in terms[:3]
    assert "robots" not in terms  # the phrase says it with the same counts


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(demo_project: Project) -> tuple[Project, dict[str, Any]]:
    """The shared demo project (built once per session; read-only) with its planted answers."""
    expected = json.loads((demo_project.directory / "expected.json").read_text(encoding="utf-8"))
    return demo_project, expected


def test_demo_trends_find_exactly_the_planted_spike(demo: tuple[Project, dict[str, Any]]) -> None:
    project, expected = demo
    topics = [Scope("topic", name) for name in project.config.topics]
    result = compute_trends(project, topics)
    found = [
        {
            "topic": spike.scope.removeprefix("topic:"),
            "day": spike.volume.start.strftime("%Y-%m-%d"),
        }
        for spike in result.spikes
    ]
    assert found == expected["spikes"] == [{"topic": "delays", "day": "2026-03-19"}]
    (spike,) = result.spikes
    assert "#stormdelay" in [d.value for d in spike.drivers["hashtag"]][:2]
    assert "storm" in [d.value for d in spike.drivers["term"]][:3]
    assert len(spike.drivers["author"]) >= 3
    assert all("storm" in example["text"].lower() for example in spike.examples)


def test_demo_trends_command(demo: tuple[Project, dict[str, Any]], cli: Callable[..., Any]) -> None:
    project, _expected = demo
    result = cli(
        "trends",
        "-p",
        project.directory,
        "--topic",
        "delays",
        "--topic",
        "baggage",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert [(row["scope"], row["window"]) for row in rows] == [("topic:delays", "2026-03-19")]
    assert "#stormdelay" in rows[0]["hashtags"] and "storm" in rows[0]["terms"]
    result = cli(
        "trends", "-p", project.directory, "-t", "baggage", "--show", "volume", "--format", "json"
    )
    volume = orjson.loads(result.stdout)
    assert len(volume) == 30 and not any(row["spike"] for row in volume)
    result = cli("trends", "-p", project.directory, "-t", "delays")
    assert result.exit_code == 0
    assert "Spike: topic:delays on 2026-03-19" in result.stdout
    assert "#stormdelay" in result.stdout


def test_trends_command_names_an_unknown_topic(
    demo: tuple[Project, dict[str, Any]], cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    project, _expected = demo
    result = cli("trends", "-p", project.directory, "--topic", "weather")
    assert result.exit_code == 1
    assert "unknown topic 'weather'" in error_line(result.stderr)


def test_demo_builds_in_the_test_folder(demo: tuple[Project, dict[str, Any]]) -> None:
    project, _expected = demo
    assert Path(project.directory, "hubbub.toml").is_file()


def test_demo_brand_volumes_are_their_mentions(demo: tuple[Project, dict[str, Any]]) -> None:
    from hubbub.share_of_voice import compute_share_of_voice
    from hubbub.trends import project_scopes

    project, _expected = demo
    result = compute_trends(project, project_scopes(project))  # every topic and brand
    assert list(result.volumes) == [
        "topic:baggage",
        "topic:delays",
        "brand:skyjet",
        "brand:aerolux",
        "brand:globair",
    ]
    mentions = {item.brand: item.mentions for item in compute_share_of_voice(project).shares}
    for brand, count in mentions.items():
        assert sum(item.volume for item in result.volumes[f"brand:{brand}"]) == count
    assert [spike.scope for spike in result.spikes] == ["topic:delays"]

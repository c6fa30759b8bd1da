"""Alert rules: parsing ``[[alerts]]`` (errors name the key), each rule type's condition, and
episodes (once per episode, cooldown reminders, state that survives a restart)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from hubbub.alert_rules import check_config, evaluate_rules, parse_rules
from hubbub.alerts import Alert, list_alerts, save_alert
from hubbub.analysis import analyze_project
from hubbub.errors import ConfigError
from hubbub.posts import Post
from hubbub.project import Project

NOW = datetime(2026, 3, 2, 12, 0, 0)
_ids = count(1)

BRANDS = """
[topics]
baggage = "#baggage"

[brands.acme]
handles = ["Acme"]
keywords = ["acme"]
reply_target = "30m"
"""


def post(
    when: datetime, text: str = "my bag is lost #baggage", author: str = "ann", **fields: Any
) -> Post:
    number = next(_ids)
    return Post(
        platform="web",
        external_id=f"x{number}",
        author=author,
        text=text,
        created_at=when,
        url=f"https://example.org/{number}",
        hashtags=["baggage"] if "#baggage" in text else [],
        **fields,
    )


def store_posts(project: Project, posts: list[Post]) -> None:
    project.store.write_batch(posts, [], source="test")


def rules_of(project: Project) -> list[Any]:
    return check_config(project.config)


# ---------------------------------------------------------------- parsing


def test_a_valid_rule_set_parses_with_defaults(make_project: Callable[..., Project]) -> None:
    extra = (
        BRANDS
        + """
[[notifiers]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:9/hook"

[[alerts]]
name = "burst"
type = "spike"
topic = "baggage"
notify = ["ops"]

[[alerts]]
name = "angry"
type = "negative_share"
brand = "acme"
threshold = 0.4
"""
    )
    [spike, negative] = rules_of(make_project(extra=extra))
    assert (spike.window, spike.baseline_windows, spike.min_count, spike.cooldown) == (
        "1h",
        24,
        10,
        "6h",
    )
    assert (spike.burst_ratio, spike.z, spike.notify) == (3.0, 3.0, ["ops"])
    assert negative.threshold == 0.4 and negative.min_count == 10 and negative.notify == []


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'type = "spike"\ntopic = "baggage"\nwindow = "soon"',
            r"alerts\[0\] \(r\): window: expected a duration",
        ),
        (
            'type = "spike"\ntopic = "baggage"\nmin_count = 0',
            r"alerts\[0\] \(r\): min_count: .*greater than or equal to 1",
        ),
        (
            'type = "spike"\ntopic = "baggage"\nburst_ratoi = 2',
            r"alerts\[0\] \(r\): burst_ratoi: unknown key",
        ),
        ('type = "spike"', r"alerts\[0\] \(r\): topic: Field required"),
        (
            'type = "spike"\ntopic = "weather"',
            r"alerts\[0\] \(r\): topic: unknown topic 'weather' \(topics: baggage\)",
        ),
        (
            'type = "negative_share"\nbrand = "globex"',
            r"brand: unknown brand 'globex' \(brands: acme\)",
        ),
        (
            'type = "negative_share"\nbrand = "acme"\nthreshold = 1.5',
            r"threshold: .*less than or equal to 1",
        ),
        (
            'type = "surge"\ntopic = "baggage"',
            r"alerts\[0\] \(r\): type: expected one of spike, negative_share, waiting_customer, new_influencer \(got 'surge'\)",
        ),
        (
            'type = "spike"\ntopic = "baggage"\nnotify = ["pager"]',
            r"notify: no notifier named 'pager' \(notifiers: none\)",
        ),
        (
            'type = "waiting_customer"\nbrand = "acme"\ntarget = "0m"',
            r"target: expected a duration longer than zero",
        ),
    ],
)
def test_a_bad_rule_is_a_config_error_naming_the_file_table_and_key(
    make_project: Callable[..., Project], table: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=r"hubbub\.toml: .*" + expected):
        make_project(extra=BRANDS + f'\n[[alerts]]\nname = "r"\n{table}\n')


def test_rule_and_notifier_names_are_unique(make_project: Callable[..., Project]) -> None:
    rule = '[[alerts]]\nname = "r"\ntype = "spike"\ntopic = "baggage"\n'
    with pytest.raises(
        ConfigError, match=r"alerts\[1\] \(r\): name: another alert rule is named 'r'"
    ):
        make_project("a", extra=BRANDS + rule + rule)
    notifier = '[[notifiers]]\nname = "n"\ntype = "log"\npath = "x"\n'
    with pytest.raises(
        ConfigError, match=r"notifiers\[1\] \(n\): name: another notifier is named 'n'"
    ):
        make_project("b", extra=BRANDS + notifier + notifier)
    with pytest.raises(ConfigError, match=r"notifiers\[0\] \(n\): type: a notifier needs a type"):
        make_project("c", extra='[[notifiers]]\nname = "n"\n')


def test_parse_rules_checks_references_only_when_given() -> None:
    [rule] = parse_rules([{"name": "r", "type": "spike", "topic": "anything"}])
    assert rule.topic == "anything"
    with pytest.raises(ConfigError, match="expected a table"):
        parse_rules(["spike"])


# ---------------------------------------------------------------- spikes


SPIKE = (
    BRANDS
    + """
[[alerts]]
name = "burst"
type = "spike"
topic = "baggage"
window = "1h"
baseline_windows = 4
min_count = 5
cooldown = "30m"
"""
)


def calm_hours(start: datetime, hours: int, per_hour: int = 2) -> list[Post]:
    return [
        post(start + timedelta(minutes=minute + 60 * hour))
        for hour in range(hours)
        for minute in range(1, 60, 60 // per_hour)
    ]


def test_a_spike_needs_a_known_baseline(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=SPIKE)
    # a first load: everything is in the last hour, so there is no baseline to judge by
    store_posts(project, [post(NOW - timedelta(minutes=m)) for m in range(1, 40)])
    assert evaluate_rules(project, rules_of(project), NOW) == []


def test_a_spike_fires_once_then_reminds_after_the_cooldown(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(extra=SPIKE)
    store_posts(project, calm_hours(NOW - timedelta(hours=5), 4))
    burst = [post(NOW - timedelta(minutes=20, seconds=s)) for s in range(0, 600, 20)]
    store_posts(project, burst)
    rules = rules_of(project)
    [alert] = evaluate_rules(project, rules, NOW)
    assert alert.kind == "spike" and alert.subject == "baggage" and alert.id is not None
    assert alert.details["count"] == 30 and alert.details["baseline_mean"] == 2.0
    assert alert.details["ratio"] == 15.0
    # the first baseline window began before the first stored post: unknown, left out
    assert alert.details["baseline_windows"] == 3
    assert alert.window_start == NOW - timedelta(hours=1) and alert.window_end == NOW
    newest = sorted(burst, key=lambda item: item.created_at)[-3:][::-1]
    assert alert.example_post_ids == [item.external_id for item in newest]
    assert "reminder" not in alert.details
    # the condition holds on: one episode, no repeat within the cooldown (30m)
    assert evaluate_rules(project, rules, NOW + timedelta(minutes=5)) == []
    assert evaluate_rules(project, rules, NOW + timedelta(minutes=25)) == []
    # a reminder once the cooldown has passed while the spike goes on
    [reminder] = evaluate_rules(project, rules, NOW + timedelta(minutes=35))
    assert reminder.details["reminder"] is True
    assert [a.ended_at for a in list_alerts(project.store)] == [None, None]


def test_episodes_survive_a_restart(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=SPIKE)
    store_posts(project, calm_hours(NOW - timedelta(hours=5), 4))
    store_posts(project, [post(NOW - timedelta(minutes=30, seconds=s)) for s in range(20)])
    assert len(evaluate_rules(project, rules_of(project), NOW)) == 1
    project.close()
    again = Project.load(project.directory)
    try:
        assert evaluate_rules(again, rules_of(again), NOW + timedelta(minutes=5)) == []
        # the burst leaves the window: the episode closes, recorded in the table
        assert evaluate_rules(again, rules_of(again), NOW + timedelta(hours=2)) == []
        [stored] = list_alerts(again.store)
        assert stored.ended_at == NOW + timedelta(hours=2)
    finally:
        again.close()


# ---------------------------------------------------------------- negative share


NEGATIVE = (
    BRANDS
    + """
[[alerts]]
name = "angry"
type = "negative_share"
brand = "acme"
window = "2h"
threshold = 0.6
min_count = 8
"""
)


def test_negative_share_over_the_threshold_fires(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=NEGATIVE)
    angry = "@Acme this is terrible, awful service, I hate it"
    happy = "@Acme great job, thank you, love it"
    posts = [
        post(NOW - timedelta(minutes=5 * n), angry, f"c{n}", mentions=["Acme"]) for n in range(1, 8)
    ]
    posts += [
        post(NOW - timedelta(minutes=3 + 5 * n), happy, f"h{n}", mentions=["Acme"])
        for n in range(3)
    ]
    posts.append(
        post(NOW - timedelta(hours=5), angry, "old", mentions=["Acme"])
    )  # out of the window
    store_posts(project, posts)
    analyze_project(project, workers=1)
    [alert] = evaluate_rules(project, rules_of(project), NOW)
    assert alert.kind == "negative_share" and alert.subject == "acme"
    assert alert.details["count"] == 10 and alert.details["negative"] == 7
    assert alert.details["ratio"] == 0.7 and alert.details["threshold"] == 0.6
    assert "70% of 10 scored posts in the last 2h" in alert.message
    assert all("terrible" in example["text"] for example in alert.details["examples"])
    assert len(alert.example_post_ids) == 3


def test_negative_share_below_the_threshold_or_the_minimum_stays_quiet(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(extra=NEGATIVE)
    angry = "@Acme this is terrible, awful service, I hate it"
    happy = "@Acme great job, thank you, love it"
    posts = [
        post(NOW - timedelta(minutes=n), angry, f"c{n}", mentions=["Acme"]) for n in range(1, 6)
    ]
    posts += [
        post(NOW - timedelta(minutes=30 + n), happy, f"h{n}", mentions=["Acme"]) for n in range(5)
    ]
    store_posts(project, posts)
    analyze_project(project, workers=1)
    assert evaluate_rules(project, rules_of(project), NOW) == []  # 50% < 60%
    # 5 of 5 negative is over the threshold, but fewer than min_count posts
    assert evaluate_rules(project, rules_of(project), NOW + timedelta(minutes=29)) == []


# ---------------------------------------------------------------- waiting customers


WAITING = (
    BRANDS
    + """
[[alerts]]
name = "waiting"
type = "waiting_customer"
brand = "acme"
window = "1d"
cooldown = "1d"
"""
)


def test_a_waiting_customer_fires_once_per_wait(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=WAITING)
    question = post(
        NOW - timedelta(minutes=40), "@Acme where is my refund?", "bob", mentions=["Acme"]
    )
    recent = post(NOW - timedelta(minutes=10), "@Acme hello?", "cat", mentions=["Acme"])
    store_posts(project, [question, recent])
    rules = rules_of(project)
    [alert] = evaluate_rules(project, rules, NOW)  # cat has waited 10 min of the 30 allowed
    assert alert.kind == "waiting_customer" and alert.subject == "bob"
    assert alert.details["brand"] == "acme" and alert.details["target_seconds"] == 1800
    assert alert.details["waiting_seconds"] == 2400 and alert.example_post_ids == [
        question.external_id
    ]
    assert "@bob has waited 40m" in alert.message
    # still waiting: no repeat; cat passes the target: cat's own alert
    [later] = evaluate_rules(project, rules, NOW + timedelta(minutes=25))
    assert later.subject == "cat"
    # the brand answers bob: bob's episode ends; bob asks again and waits: a new alert
    store_posts(
        project,
        [
            post(
                NOW + timedelta(minutes=30),
                "@bob sorry, sorted",
                "Acme",
                reply_to_id=question.external_id,
                reply_to_author="bob",
                mentions=["bob"],
            ),
        ],
    )
    assert evaluate_rules(project, rules, NOW + timedelta(minutes=31)) == []
    bob_alerts = [a for a in list_alerts(project.store) if a.subject == "bob"]
    assert bob_alerts[0].ended_at == NOW + timedelta(minutes=31)
    store_posts(
        project,
        [post(NOW + timedelta(minutes=40), "@Acme it broke again", "bob", mentions=["Acme"])],
    )
    [again] = evaluate_rules(project, rules, NOW + timedelta(minutes=80))
    assert again.subject == "bob" and again.details.get("reminder") is None


# ---------------------------------------------------------------- new influencers


INFLUENCER = (
    BRANDS
    + """
[[alerts]]
name = "newcomer"
type = "new_influencer"
topic = "baggage"
window = "1d"
baseline = "3d"
top = 2
"""
)


def replies_to(target: str, authors: list[str], when: datetime) -> list[Post]:
    return [
        post(
            when + timedelta(minutes=n),
            f"@{target} agreed, my bag too #baggage",
            author,
            reply_to_author=target,
            mentions=[target],
        )
        for n, author in enumerate(authors)
    ]


def test_a_new_author_in_the_influencer_set_fires(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=INFLUENCER)
    before = NOW - timedelta(days=2)
    posts = [
        post(before, "bags everywhere #baggage", "old_guard"),
        post(before, "me too #baggage", "veteran"),
    ]
    posts += replies_to("old_guard", ["u1", "u2", "u3"], before + timedelta(hours=1))
    posts += replies_to("veteran", ["u4", "u5"], before + timedelta(hours=2))
    # today: old_guard is still talked to, and newstar draws a crowd
    posts += replies_to("old_guard", ["u1", "u2"], NOW - timedelta(hours=5))
    posts += [post(NOW - timedelta(hours=4), "the airline lost 300 bags #baggage", "newstar")]
    posts += replies_to("newstar", ["u6", "u7", "u8", "u9"], NOW - timedelta(hours=3))
    store_posts(project, posts)
    rules = rules_of(project)
    [alert] = evaluate_rules(project, rules, NOW)
    assert alert.kind == "new_influencer" and alert.subject == "newstar"
    assert alert.details["rank"] == 1 and alert.details["count"] == 4
    assert set(alert.details["engagers"]) == {"u6", "u7", "u8", "u9"}
    assert alert.details["baseline_set"] == ["old_guard", "veteran"]
    assert "New influencer on topic baggage: @newstar is #1" in alert.message
    assert evaluate_rules(project, rules, NOW + timedelta(minutes=5)) == []


def test_no_baseline_means_no_new_influencers(make_project: Callable[..., Project]) -> None:
    project = make_project(extra=INFLUENCER)
    store_posts(project, replies_to("newstar", ["u6", "u7", "u8"], NOW - timedelta(hours=3)))
    assert evaluate_rules(project, rules_of(project), NOW) == []


# ---------------------------------------------------------------- the alerts table


def test_alerts_are_listed_newest_first_and_filtered(project: Project) -> None:
    def make(rule: str, minutes: int) -> Alert:
        return save_alert(
            project.store,
            Alert(
                rule,
                "spike",
                "t",
                NOW + timedelta(minutes=minutes),
                None,
                None,
                "m",
                {"count": minutes},
                ["1"],
            ),
        )

    first, second, third = make("a", 1), make("b", 2), make("a", 3)
    assert [alert.id for alert in list_alerts(project.store)] == [third.id, second.id, first.id]
    assert [alert.id for alert in list_alerts(project.store, rule="a")] == [third.id, first.id]
    since = list_alerts(project.store, since=NOW + timedelta(minutes=2))
    assert [alert.id for alert in since] == [third.id, second.id]
    assert [alert.id for alert in list_alerts(project.store, limit=1)] == [third.id]
    assert since[0].details == {"count": 3} and since[0].example_post_ids == ["1"]

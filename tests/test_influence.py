"""Topic influence: the graph's rules, the ranking, its explanations, exports and the CLI.

Small hand-made conversations pin each rule down; the demo world checks the whole
analysis finds the influencers it planted, and not the celebrities nobody engages with.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import orjson
import pytest
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.influence import (
    analyze_influence,
    build_topic_graph,
    influencers_by_topic,
    top_influencer_rows,
    topic_influence,
)
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.records import extract_hashtags, extract_mentions
from hubbub.store import Store, posts_table

START = datetime(2024, 5, 1, 9, 0, 0)


def make_post(
    number: int, author: str, text: str = "my bag is lost #baggage", **fields: Any
) -> Post:
    """A post ``number`` minutes after START (its id is ``p<number>``).

    Mentions and hashtags default to those in the text, as the importer finds them.
    """
    values: dict[str, Any] = {
        "platform": "twitter",
        "external_id": f"p{number}",
        "author": author,
        "text": text,
        "created_at": START + timedelta(minutes=number),
        "author_followers": 100,
        "mentions": extract_mentions(text),
        "hashtags": extract_hashtags(text),
    }
    values.update(fields)
    return Post(**values)


def store_posts(store: Store, posts: list[Post]) -> None:
    store.write_batch(posts, [], source="test")


def graph_edges(store: Store, scope: Any = None, **window: Any) -> dict[tuple[str, str, str], int]:
    """(source, target, kind) -> interactions, by lowercased handle."""
    graph = build_topic_graph(store, scope, **window)
    kinds = ("reply", "quote", "repost", "mention")
    counts: dict[tuple[str, str, str], int] = {}
    for src, dst, kind in zip(
        graph.source.tolist(), graph.target.tolist(), graph.kind.tolist(), strict=True
    ):
        key = (graph.handles[src].lower(), graph.handles[dst].lower(), kinds[kind])
        counts[key] = counts.get(key, 0) + 1
    return counts


# ---------------------------------------------------------------- the graph's rules


def test_each_kind_of_interaction_is_an_edge_to_the_engaged_author(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "bob", "lost my bag"),
            make_post(2, "ann", "@bob same here", reply_to_id="p1", reply_to_author="bob"),
            make_post(3, "cat", "look at this", quote_of_id="p1", quote_of_author="bob"),
            make_post(4, "dan", "lost my bag", repost_of_id="p1", repost_of_author="bob"),
            make_post(5, "eve", "ask @bob about bags", mentions=["bob"]),
        ],
    )
    assert graph_edges(project.store) == {
        ("ann", "bob", "reply"): 1,  # the reply's own @bob is its address, not a mention
        ("cat", "bob", "quote"): 1,
        ("dan", "bob", "repost"): 1,
        ("eve", "bob", "mention"): 1,
    }


def test_parents_named_only_by_id_are_found_on_the_same_platform(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "bob"),
            make_post(2, "zed", platform="mastodon", external_id="p1"),
            make_post(3, "ann", "@bob hi", reply_to_id="p1", mentions=["bob"]),
            make_post(4, "cat", "see", quote_of_id="p1"),
            make_post(5, "dan", "bags", repost_of_id="p1"),
            make_post(6, "eve", "hi", platform="mastodon", reply_to_id="p1"),
            make_post(7, "fay", "orphan", reply_to_id="not-stored"),
        ],
    )
    assert graph_edges(project.store) == {
        ("ann", "bob", "reply"): 1,  # and no second, mention edge (resolved late)
        ("cat", "bob", "quote"): 1,
        ("dan", "bob", "repost"): 1,
        ("eve", "zed", "reply"): 1,
    }


def test_handles_compare_case_insensitively_and_self_edges_drop(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "Bob"),
            make_post(2, "ann", "hey @BOB and @bob", mentions=["BOB", "bob"]),
            make_post(3, "ann", "thanks @Bob", mentions=["Bob"]),
            make_post(4, "bob", "me, myself: @BOB", mentions=["BOB"]),
            make_post(5, "bob", "my own", reply_to_id="p1", reply_to_author="Bob"),
            make_post(6, "BOB", "again", repost_of_id="p1"),
        ],
    )
    graph = build_topic_graph(project.store, None)
    assert graph.nodes == 2
    assert graph.handles[graph.index["bob"]] == "Bob"  # as its author first wrote it
    assert graph_edges(project.store) == {("ann", "bob", "mention"): 2}  # once per post
    assert graph.topic_posts[graph.index["bob"]] == 4


def test_mentions_stored_by_other_tools_name_people_or_no_one(project: Project) -> None:
    # the importer stores bare handles; a store written by other tools may hold anything
    store_posts(
        project.store,
        [
            make_post(1, "bob"),
            make_post(2, "ann", "cc"),
            make_post(
                3, "ann", "@bob @bob hi @dan", reply_to_id="p1", mentions=["bob", "bob", "dan"]
            ),
        ],
    )
    written = ["@Bob ", "@", "", 7, None, ["cat"], {"handle": "cat"}, "cat", " CAT", "ann"]
    with project.store.engine.begin() as conn:
        conn.execute(
            posts_table.update()
            .where(posts_table.c.external_id == "p2")
            .values(mentions=json.dumps(written))
        )
    assert graph_edges(project.store) == {
        ("ann", "bob", "mention"): 1,  # "@Bob " is bob; "@", "", 7, None and the rest no one
        ("ann", "cat", "mention"): 1,  # once however it is spelled
        ("ann", "bob", "reply"): 1,  # resolved late: its @bob twice is the address
        ("ann", "dan", "mention"): 1,
    }


def test_a_repost_does_not_repeat_the_originals_mentions(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "bob", "ask @cat", mentions=["cat"]),
            make_post(
                2, "ann", "ask @cat", repost_of_id="p1", repost_of_author="bob", mentions=["cat"]
            ),
        ],
    )
    assert graph_edges(project.store) == {
        ("bob", "cat", "mention"): 1,
        ("ann", "bob", "repost"): 1,
    }


def test_scope_and_window_choose_the_posts_not_the_targets(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "bob", "weather is nice"),  # not in the topic
            make_post(2, "ann", "#baggage @bob", mentions=["bob"]),
            make_post(3, "cat", "#baggage", reply_to_id="p1", reply_to_author="bob"),
            make_post(30, "dan", "#baggage", reply_to_id="p2", reply_to_author="ann"),
            make_post(31, "eve", "unrelated", reply_to_id="p2", reply_to_author="ann"),
        ],
    )
    posts = posts_table.c
    scope = sa.select(posts.id).where(posts.text.like("%#baggage%"))
    assert graph_edges(project.store, scope) == {
        ("ann", "bob", "mention"): 1,
        ("cat", "bob", "reply"): 1,
        ("dan", "ann", "reply"): 1,
    }
    window = {"since": START + timedelta(minutes=2), "until": START + timedelta(minutes=30)}
    assert graph_edges(project.store, scope, **window) == {
        ("ann", "bob", "mention"): 1,
        ("cat", "bob", "reply"): 1,
    }
    graph = build_topic_graph(project.store, scope)
    # bob is engaged with in the topic but did not post in it: a node, without teleport
    bob = graph.index["bob"]
    assert graph.topic_posts[bob] == 0
    assert graph.teleport("active")[bob] == 0
    assert graph.teleport("all")[bob] == 1


def test_weights_and_repeats(project: Project) -> None:
    store_posts(
        project.store,
        [make_post(1, "bob")]
        + [make_post(n, "ann", "@bob", mentions=["bob"]) for n in range(2, 6)]
        + [make_post(6, "ann", "re", reply_to_id="p1", reply_to_author="bob")],
    )
    graph = build_topic_graph(project.store, None)
    ann, bob = graph.index["ann"], graph.index["bob"]
    assert graph.matrix()[ann, bob] == pytest.approx(4 * 0.5 + 1.0)
    assert graph.matrix({"mention": 2.0, "reply": 0.0})[ann, bob] == pytest.approx(8.0)
    assert graph.matrix(repeats="sqrt")[ann, bob] == pytest.approx(3.0**0.5)
    assert graph.matrix({"mention": 0.0, "reply": 0.0}).nnz == 0


# ---------------------------------------------------------------- ranking and explanations


def _conversation() -> list[Post]:
    """'hub' (20 followers) is engaged with by 6 people; 'star' (90k) by nobody."""
    posts = [
        make_post(1, "hub", "how to claim a lost bag", author_followers=20, url="https://x/1"),
        make_post(2, "hub", "bag tracker tips", author_followers=25),
        make_post(3, "star", "my [bold red]bag[/] is lost", author_followers=90_000),
        make_post(4, "star", "still lost", author_followers=90_500),
        make_post(5, "mid", "lost bag too", author_followers=5_000),
    ]
    fans = ["ann", "ben", "cat", "dan", "eve", "fay"]
    number = 10
    for index, fan in enumerate(fans):
        posts.append(make_post(number, fan, "@hub thanks", reply_to_id="p1", reply_to_author="hub"))
        number += 1
        if index % 2 == 0:
            posts.append(make_post(number, fan, "bag", repost_of_id="p2", repost_of_author="hub"))
            number += 1
    posts.append(make_post(number, "ann", "cc @mid @HUB", mentions=["mid", "HUB"]))
    posts.append(make_post(number + 1, "ben", "@mid yes", reply_to_id="p5", reply_to_author="mid"))
    return posts


def test_ranks_by_influence_and_explains(project: Project) -> None:
    store_posts(project.store, _conversation())
    result = analyze_influence(project.store, None, top=3)
    assert [item.handle for item in result.influencers] == ["hub", "mid", "ann"]
    hub = result.influencers[0]
    assert hub.rank == 1 and hub.in_top
    assert hub.engagers == 6
    assert hub.in_edges == {"reply": 6, "quote": 0, "repost": 3, "mention": 1}
    assert hub.in_weight == pytest.approx(6 + 3 + 0.5)
    assert hub.topic_posts == 2
    assert hub.followers == 25  # from the newest post
    # the posts that earned it, most engaged first, with their text
    assert [(post.external_id, post.engagements, post.kinds) for post in hub.posts] == [
        ("p1", 6, {"reply": 6}),
        ("p2", 3, {"repost": 3}),
    ]
    assert hub.posts[0].text == "how to claim a lost bag"
    assert hub.posts[0].url == "https://x/1"
    assert hub.top_engagers[0] == ("ann", 2.5)  # a reply, a repost and a mention
    assert {handle for handle, _ in hub.top_engagers} <= {"ann", "ben", "cat", "dan", "eve", "fay"}
    assert sum(result.scores) == pytest.approx(1.0)
    row = hub.row()
    assert row["top_post_id"] == "p1" and row["top_post_engagements"] == 6
    assert row["replies_in"] == 6 and row["mentions_in"] == 1
    json.dumps(hub.details())  # JSON-ready


def test_follower_ranking_comparison(project: Project) -> None:
    store_posts(project.store, _conversation())
    result = analyze_influence(project.store, None, top=2)
    by_handle = {item.handle: item for item in result.influencers + result.follower_picks}
    # a follower ranking of the same size would pick star and mid
    assert by_handle["star"].follower_rank == 1 and by_handle["star"].followers == 90_500
    assert by_handle["star"].follower_pick and not by_handle["star"].in_top
    assert [item.handle for item in result.follower_picks] == ["star"]
    assert by_handle["hub"].missed_by_followers
    assert not by_handle["mid"].missed_by_followers  # mid is in both rankings
    assert result.missed_by_followers == ["hub"]


def test_share_rounds_up_and_top_overrides(project: Project) -> None:
    store_posts(project.store, _conversation())
    nodes = build_topic_graph(project.store, None).nodes
    assert nodes == 9
    assert analyze_influence(project.store, None).count == 2  # ceil(0.15 * 9)
    assert analyze_influence(project.store, None, share=0.5).count == 5
    assert analyze_influence(project.store, None, top=50).count == 9
    with pytest.raises(HubbubError, match="share"):
        analyze_influence(project.store, None, share=0)
    with pytest.raises(HubbubError, match="unknown method"):
        analyze_influence(project.store, None, method="degree")
    with pytest.raises(HubbubError, match="unknown interaction kind 'like'"):
        analyze_influence(project.store, None, weights={"like": 1.0})


def test_alternative_methods(project: Project) -> None:
    store_posts(project.store, _conversation())
    strength = analyze_influence(project.store, None, method="in-strength", top=1)
    assert strength.influencers[0].handle == "hub"
    assert strength.influencers[0].score == pytest.approx(9.5)
    hits = analyze_influence(project.store, None, method="hits", top=1)
    assert hits.influencers[0].handle == "hub"
    assert sum(hits.scores) == pytest.approx(1.0)


def test_volume_is_not_influence(project: Project) -> None:
    # 'loud' posts 30 times and nobody engages; 'quiet' posts once and gets a reply
    posts = [make_post(n, "loud", "bag") for n in range(1, 31)]
    posts += [make_post(40, "quiet", "bag"), make_post(41, "ann", "re", reply_to_id="p40")]
    store_posts(project.store, posts)
    ranked = analyze_influence(project.store, None, top=3)
    assert ranked.influencers[0].handle == "quiet"
    assert ranked.ranks[ranked.graph.index["loud"]] > ranked.ranks[ranked.graph.index["quiet"]]
    # a teleport in proportion to posts would reward volume instead
    by_posts = analyze_influence(project.store, None, top=1, teleport="posts")
    assert by_posts.influencers[0].handle == "loud"


def test_followers_of_authors_only_engaged_with_come_from_the_store(project: Project) -> None:
    store_posts(
        project.store,
        [
            make_post(1, "BigAccount", "old news", author_followers=1_000),
            make_post(2, "BigAccount", "newer, no count", author_followers=None),
            make_post(3, "BigAccount", "newest", author_followers=2_000),
            make_post(4, "ann", "#baggage ping @bigaccount", mentions=["bigaccount"]),
        ],
    )
    posts = posts_table.c
    scope = sa.select(posts.id).where(posts.text.like("%#baggage%"))
    result = analyze_influence(project.store, scope, top=2)
    big = next(item for item in result.influencers if item.handle.lower() == "bigaccount")
    assert big.followers == 2_000
    assert big.topic_posts == 0


def test_followers_come_from_the_newest_post_not_the_last_stored(project: Project) -> None:
    # stored newest first, as a backfill of older posts would be
    store_posts(project.store, [make_post(50, "ann", "bag", author_followers=700)])
    store_posts(
        project.store,
        [
            make_post(10, "ann", "bag", author_followers=300),
            make_post(20, "ann", "bag", author_followers=None),
            make_post(30, "bob", "bag", reply_to_id="p50", reply_to_author="ann"),
        ],
    )
    result = analyze_influence(project.store, None, top=1)
    assert result.influencers[0].handle == "ann"
    assert result.influencers[0].followers == 700


def test_empty_scope(project: Project) -> None:
    result = analyze_influence(project.store, None)
    assert result.count == 0 and result.rows() == [] and result.graph.nodes == 0
    assert result.to_networkx().number_of_nodes() == 0


# ---------------------------------------------------------------- exports


def test_gexf_and_graphml_carry_weights_and_attributes(project: Project, tmp_path: Path) -> None:
    store_posts(project.store, _conversation())
    result = analyze_influence(project.store, None, top=2)
    for name, write, read in (
        ("g.gexf", result.write_gexf, nx.read_gexf),
        ("g.graphml", result.write_graphml, nx.read_graphml),
    ):
        path = tmp_path / name
        with path.open("wb") as stream:
            write(stream)
        graph = read(path)
        assert graph.is_directed()
        assert graph.number_of_nodes() == 9
        hub = graph.nodes["hub"]
        assert hub["rank"] == 1 and hub["in_top"] in (True, "true")
        assert hub["followers"] == 25 and hub["engagers"] == 6 and hub["reply_in"] == 6
        assert float(hub["score"]) == pytest.approx(result.influencers[0].score)
        edge = graph.edges["ann", "hub"]
        assert float(edge["weight"]) == pytest.approx(2.5)
        assert (edge["reply"], edge["quote"], edge["repost"], edge["mention"]) == (1, 0, 1, 1)


# ---------------------------------------------------------------- project scopes, CLI, plugin

CONFIG = """
[topics]
baggage = '#baggage OR "lost bag"'
"""


@pytest.fixture
def topic_project(make_project: Any) -> Project:
    project = make_project("topics", extra=CONFIG)
    posts = []
    for post in _conversation():
        post.text += " #baggage"
        post.hashtags = [*post.hashtags, "baggage"]
        posts.append(post)
    posts.append(make_post(90, "zoe", "delayed again", reply_to_id="p3", reply_to_author="star"))
    posts.append(make_post(91, "hub", "hola maleta #baggage", lang="es", author_followers=30))
    posts.append(make_post(92, "ann", "¿maleta? #baggage", lang="es", reply_to_id="p91"))
    store_posts(project.store, posts)
    return project


def test_topic_scope_and_query_scope(topic_project: Project) -> None:
    result = topic_influence(topic_project, topic="baggage", top=1)
    assert result.label == "topic:baggage"
    assert "zoe" not in result.graph.index  # her post is not about the topic
    assert result.influencers[0].handle == "hub"
    spanish = topic_influence(topic_project, query="lang:es", top=5)
    assert sorted(spanish.graph.index) == ["ann", "hub"]
    assert spanish.influencers[0].handle == "hub" and spanish.influencers[0].engagers == 1
    both = topic_influence(topic_project, topic="baggage", query="lang:es")
    assert both.graph.posts == 2
    with pytest.raises(HubbubError, match="unknown topic 'delays'"):
        topic_influence(topic_project, topic="delays")
    with pytest.raises(HubbubError, match="needs a scope"):
        topic_influence(topic_project)
    assert list(influencers_by_topic(topic_project)) == ["baggage"]


def test_settings_come_from_the_project(make_project: Any) -> None:
    project = make_project(
        "configured",
        extra=CONFIG + "\n[analyzers.influence]\ntop = 1\nweights = {mention = 0.0}\n",
    )
    store_posts(
        project.store,
        [make_post(1, "bob", "#baggage"), make_post(2, "ann", "#baggage @bob", mentions=["bob"])],
    )
    result = topic_influence(project, topic="baggage")
    assert result.count == 1
    assert result.parameters["weights"]["mention"] == 0.0
    assert result.matrix.nnz == 0
    assert topic_influence(project, topic="baggage", top=2).count == 2
    bad = make_project("bad", extra=CONFIG + "\n[analyzers.influence]\nweights = {like = 1}\n")
    with pytest.raises(HubbubError, match="unknown interaction kind 'like'"):
        topic_influence(bad, topic="baggage")


WIDE = {"COLUMNS": "240"}


def test_cli_table(cli: Any, topic_project: Project) -> None:
    directory = topic_project.directory
    result = cli("influencers", "-p", directory, "--topic", "baggage", "--top", "2", env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    hub = next(line for line in lines if " hub " in line)
    assert "missed by follower count" in hub and "(6) how to claim a lost bag" in hub
    assert "7/0/3/1" in hub  # replies/quotes/reposts/mentions received
    # below: who a follower ranking would pick instead
    assert any(" star " in line and "90,500 (#1)" in line for line in lines)
    assert "topic:baggage:" in result.stderr and "personalised PageRank" in result.stderr
    picks = cli(
        "influencers", "-p", directory, "-t", "baggage", "--show", "follower-picks", env=WIDE
    )
    assert picks.exit_code == 0, picks.output
    assert " star " in picks.stdout and " hub " not in picks.stdout


def test_cli_table_on_a_narrow_terminal_keeps_handles_and_figures(
    cli: Any, topic_project: Project
) -> None:
    directory = topic_project.directory
    result = cli(
        "influencers", "-p", directory, "-t", "baggage", "--top", "2", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    hub = next(line for line in result.stdout.splitlines() if " hub " in line)
    assert " hub * " in hub and "7/0/3/1" in hub  # the note became a mark; nothing cut short
    assert "how to claim" not in result.stdout  # no room for the top post
    assert "* missed by a follower-count ranking" in result.stderr
    assert "--format json lists them all" in result.stderr


def test_cli_table_shows_markup_literally(cli: Any, make_project: Any) -> None:
    project = make_project("markup", extra=CONFIG)
    store_posts(
        project.store,
        [
            make_post(1, "bob", "[bold red]LOST[/] #baggage"),
            make_post(2, "ann", "#baggage", reply_to_id="p1", reply_to_author="bob"),
        ],
    )
    result = cli("influencers", "-p", project.directory, "-t", "baggage", "--top", "1", env=WIDE)
    assert result.exit_code == 0, result.output
    assert "(1) [bold red]LOST[/] #baggage" in result.stdout


def test_cli_json_and_csv(cli: Any, topic_project: Project) -> None:
    result = cli(
        "influencers", "-p", topic_project.directory, "-t", "baggage", "--top", "2", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert [row["handle"] for row in rows] == ["hub", "mid"]
    assert rows[0]["missed_by_followers"] is True and rows[0]["engagers"] == 6
    assert all(not isinstance(value, dict) for value in rows[0].values())  # flat
    result = cli(
        "influencers", "-p", topic_project.directory, "-t", "baggage", "--top", "2",
        "-f", "csv", "--method", "in-strength", "-w", "mention=0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert table[0]["handle"] == "hub" and float(table[0]["score"]) == pytest.approx(10.0)


def test_cli_exports(cli: Any, topic_project: Project, tmp_path: Path) -> None:
    target = tmp_path / "baggage.gexf"
    result = cli(
        "influencers", "-p", topic_project.directory, "-t", "baggage", "-f", "gexf", "-o", target
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert nx.read_gexf(target).nodes["hub"]["rank"] == 1
    result = cli("influencers", "-p", topic_project.directory, "-t", "baggage", "-f", "graphml")
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    assert graph.nodes["hub"]["engagers"] == 6


def test_cli_errors(cli: Any, topic_project: Project, error_line: Any) -> None:
    directory = topic_project.directory
    result = cli("influencers", "-p", directory)
    assert result.exit_code == 1 and "--topic" in error_line(result.stderr)
    result = cli("influencers", "-p", directory, "-t", "nope")
    assert result.exit_code == 1 and "unknown topic 'nope'" in error_line(result.stderr)
    result = cli("influencers", "-p", directory, "-t", "baggage", "-w", "mention")
    assert result.exit_code == 1 and "KIND=NUMBER" in error_line(result.stderr)
    result = cli("influencers", "-p", directory, "-q", "((")
    assert result.exit_code == 1 and "query error" in error_line(result.stderr)


def test_plugin_registers_the_corpus_analyzer(topic_project: Project) -> None:
    from hubbub.plugin_host import get_host

    analyzer_cls = get_host().get("analyzer", "influence")
    assert analyzer_cls.plugin == "influence"
    analyzer = analyzer_cls(analyzer_cls.parse_options({"top": 2}, "analyzers.influence"))
    findings = list(analyzer.run(topic_project, {}))
    assert [finding["subject"] for finding in findings] == ["hub", "mid"]
    assert findings[0]["scope"] == "topic:baggage"
    assert findings[0]["details"]["engagers"] == 6
    assert findings[0]["details"]["posts"][0]["id"] == "p1"
    spanish = list(analyzer.run(topic_project, {"query": "lang:es", "top": 1}))
    assert [finding["subject"] for finding in spanish] == ["hub"]


def test_plugin_options_default_to_the_analysis_defaults() -> None:
    import inspect

    from hubbub import influence
    from hubbub.plugins.influence import KINDS, InfluenceOptions

    assert influence.INTERACTION_KINDS == KINDS
    defaults = InfluenceOptions()
    signature = inspect.signature(influence.analyze_influence).parameters
    for name in ("share", "top", "method", "repeats", "teleport", "alpha", "tol", "max_iter"):
        assert getattr(defaults, name) == signature[name].default, name
    assert defaults.weights == {}  # so every kind keeps DEFAULT_WEIGHTS


def test_loading_plugins_does_not_load_the_analysis() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from hubbub.plugin_host import get_host; get_host(); "
        "print('hubbub.influence' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"


# ---------------------------------------------------------------- the demo's planted answer


@pytest.fixture(scope="module")
def demo(demo_project: Project) -> tuple[Project, dict[str, Any]]:
    """The shared demo project (built once per session; read-only) with its planted answers."""
    expected = json.loads((demo_project.directory / "expected.json").read_text(encoding="utf-8"))
    return demo_project, expected


@pytest.mark.parametrize("topic", ["baggage", "delays"])
def test_demo_planted_influencers_top_their_topic(
    demo: tuple[Project, dict[str, Any]], topic: str
) -> None:
    project, expected = demo
    result = topic_influence(project, topic=topic)
    planted = expected["influencers"][topic]
    celebrities = expected["celebrities"][topic]
    assert len(planted) == 3 and len(celebrities) == 2
    top = [item.handle for item in result.influencers]
    assert result.count == len(top) == -(-result.graph.nodes * 15 // 100)
    assert sorted(top[:3]) == sorted(planted)
    assert not set(celebrities) & set(top)
    # the celebrities are what a follower ranking would pick; the influencers it misses
    picks = {item.handle: item for item in result.follower_picks}
    for handle in celebrities:
        assert handle in picks and picks[handle].follower_rank <= 2
    for item in result.influencers[:3]:
        assert item.missed_by_followers
        assert item.engagers >= 40
        assert item.posts and item.posts[0].text


def test_demo_influence_is_topic_specific(demo: tuple[Project, dict[str, Any]]) -> None:
    project, expected = demo
    results = influencers_by_topic(project)
    for topic, other in (("baggage", "delays"), ("delays", "baggage")):
        top = {item.handle for item in results[topic].influencers[:10]}
        assert not top & set(expected["influencers"][other])


def test_demo_summary_rows(demo: tuple[Project, dict[str, Any]]) -> None:
    project, expected = demo
    rows = top_influencer_rows(project)
    assert [row["topic"] for row in rows] == ["baggage"] * 3 + ["delays"] * 3
    for topic in ("baggage", "delays"):
        handles = [row["handle"] for row in rows if row["topic"] == topic]
        assert sorted(handles) == sorted(expected["influencers"][topic])
    assert all(row["missed_by_followers"] for row in rows)

"""Topic-influence benchmark: hubbub's analysis beside networkx on the same edges, same run.

The corpus is ``benchmarks/corpus.py``'s (replies, @-mentions of brand accounts,
heavy-tailed followers), imported through hubbub. This script adds the topic marker
``#airtravel`` to about a third of the posts (and ``#layover`` to about a thirtieth, to
show memory follows the topic, not the corpus) and declares both as topics. The corpus
itself gives about half an edge per topic post: a sparse graph (57k edges at 300k
posts), on which reading the topic's posts, which both sides do, is most of the time.
With ``--mentions N`` each ``#airtravel`` post also @-mentions 0 to N other authors (N/2
on average), as replies in long threads carry every participant's handle: with 12, the
topic graph has the ~600k edges issue #8 measured networkx on (560k at 300k posts).
``make bench`` runs both.

After the import, a fresh interpreter times, alternately and after one warm-up of each:

* **hubbub**: :func:`hubbub.influence.analyze_influence` on the topic and its rows —
  reading the topic's posts from the store, the sparse matrix, personalised PageRank to
  1e-12, followers, the follower-rank comparison and the explanation of every reported
  author (what ``hubbub influencers --topic`` prints);
* **networkx**: the same edges, read by the same reader
  (:func:`hubbub.influence.build_topic_graph`), put into an ``nx.DiGraph`` with the
  weights of repeated interactions summed, then ``nx.pagerank(personalization=…,
  tol=1e-10)``: the analysis with networkx as the compute engine, without explanations.

It also shows the compute stages alone (hubbub's ``edge_matrix`` + ``pagerank`` against
networkx's graph + ``nx.pagerank``), hubbub's whole analysis against networkx's graph +
``nx.pagerank`` alone, whether the rankings agree, how many top positions networkx's
tolerances put in another order, and the peak Python memory (tracemalloc) of each, for
the big topic and the small one.

    python benchmarks/bench_influence.py [--posts 300000] [--repeat 5] [--mentions 0]

Target: hubbub at least 3x faster than networkx end to end; peak memory in proportion
to the topic's graph.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import record as record_row  # noqa: E402
from corpus import records  # noqa: E402

TOPIC = "airtravel"
SMALL_TOPIC = "layover"


def topic_records(count: int, seed: int = 7, mentions: int = 0) -> Iterator[dict[str, Any]]:
    """The benchmark corpus with topic markers: ``#airtravel`` on ~1/3, ``#layover`` on ~1/30.

    :param mentions: also @-mention up to this many other authors in each ``#airtravel``
        post (0 to ``mentions``, uniformly): a denser topic graph, as in a busy thread.
    """
    rng = random.Random(seed + 1)
    authors = max(100, count // 20)  # as corpus.records names them
    for record in records(count, seed):
        roll = rng.random()
        if roll < 1 / 3:
            record["text"] += f" #{TOPIC}"
            for _ in range(rng.randint(0, mentions) if mentions else 0):
                record["text"] += f" @user_{rng.randrange(authors):06d}"
        elif roll < 1 / 3 + 1 / 30:
            record["text"] += f" #{SMALL_TOPIC}"
        yield record


def build_project(workdir: Path, count: int, mentions: int = 0) -> Any:
    """Write the corpus, import it with hubbub, tag the topics; returns the project."""
    from hubbub.files import FileOptions
    from hubbub.ingest import run_source
    from hubbub.plugin_host import get_host
    from hubbub.project import Project, init_project
    from hubbub.topics import ensure_tagged

    data = workdir / "posts.jsonl"
    with data.open("wb") as stream:
        for record in topic_records(count, mentions=mentions):
            stream.write(orjson.dumps(record) + b"\n")
    project = init_project(workdir / "project")
    with project.config_path.open("a", encoding="utf-8") as config:
        config.write(f"\n[topics]\n{TOPIC} = '#{TOPIC}'\n{SMALL_TOPIC} = '#{SMALL_TOPIC}'\n")
    project.close()
    project = Project.load(workdir / "project")
    host = get_host()
    source = host.get("source", "jsonl")(FileOptions(path=str(data)), key=f"file:{data}")
    run_source(project.store, source, host=host, batch_size=project.config.project.batch_size)
    ensure_tagged(project)
    return project


def hubbub_run(store: Any, topic: str) -> Any:
    """The whole analysis and its rows, as ``hubbub influencers --topic`` runs it (tags up to date)."""
    from hubbub.influence import analyze_influence
    from hubbub.topics import topic_post_ids

    result = analyze_influence(store, topic_post_ids(topic))
    result.rows()
    return result


def networkx_graph(graph: Any) -> Any:
    """An ``nx.DiGraph`` of the topic's edges, repeated interactions summed."""
    import networkx as nx

    handles = graph.handles
    result = nx.DiGraph()
    result.add_nodes_from(handles)
    for source, target, weight in zip(
        graph.source.tolist(), graph.target.tolist(), graph.weights().tolist(), strict=True
    ):
        if source == target:
            continue
        u, v = handles[source], handles[target]
        data = result.get_edge_data(u, v)
        if data is None:
            result.add_edge(u, v, weight=weight)
        else:
            data["weight"] += weight
    return result


def networkx_run(store: Any, topic: str, tol: float = 1e-10) -> dict[str, float]:
    """The same edges through networkx: read, DiGraph, ``nx.pagerank``."""
    import networkx as nx
    from hubbub.influence import build_topic_graph
    from hubbub.topics import topic_post_ids

    graph = build_topic_graph(store, topic_post_ids(topic))
    digraph = networkx_graph(graph)
    teleport = graph.teleport("active")
    personalization = {graph.handles[n]: float(w) for n, w in enumerate(teleport) if w}
    return nx.pagerank(digraph, personalization=personalization, tol=tol)


def timed(function: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def peak_memory(function: Callable[[], Any]) -> float:
    """Peak Python-allocated memory (MB, tracemalloc) while ``function`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def stages(store: Any) -> dict[str, float]:
    """The compute stages alone, on edges already read."""
    import networkx as nx
    from hubbub.influence import build_topic_graph, pagerank
    from hubbub.topics import topic_post_ids

    graph = build_topic_graph(store, topic_post_ids(TOPIC))
    teleport = graph.teleport("active")
    personalization = {graph.handles[n]: float(w) for n, w in enumerate(teleport) if w}

    def ours() -> None:
        pagerank(graph.matrix(), personalization=teleport)

    def theirs() -> None:
        nx.pagerank(networkx_graph(graph), personalization=personalization, tol=1e-10)

    return {
        "hubbub": statistics.median(timed(ours) for _ in range(3)),
        "networkx": statistics.median(timed(theirs) for _ in range(3)),
        "hubbub_whole": statistics.median(
            timed(lambda: hubbub_run(store, TOPIC)) for _ in range(3)
        ),
    }


def agreement(store: Any) -> dict[str, Any]:
    """Do the rankings agree? And what does networkx's default tolerance do to the top?"""
    result = hubbub_run(store, TOPIC)
    ours = [result.graph.handles[n] for n in result.order[: result.count]]
    tight = networkx_run(store, TOPIC, tol=1e-10)
    loose = networkx_run(store, TOPIC, tol=1e-6)

    def top(scores: dict[str, float]) -> list[str]:
        return sorted(scores, key=lambda h: (-scores[h], h.lower()))[: result.count]

    largest = max(
        abs(tight[h] - result.scores[result.graph.index[h.lower()]]) for h in result.graph.handles
    )
    return {
        "reported": result.count,
        "authors": result.graph.nodes,
        "edges": int(result.matrix.nnz),
        "posts": result.graph.posts,
        "max_score_difference_tol_1e-10": largest,
        "top_positions_differing_tol_1e-10": sum(
            a != b for a, b in zip(ours, top(tight), strict=True)
        ),
        "top_positions_differing_tol_1e-6": sum(
            a != b for a, b in zip(ours, top(loose), strict=True)
        ),
    }


def measure(directory: Path, repeat: int, mentions: int = 0) -> None:
    """Time and compare both sides on the built project (in a fresh interpreter)."""
    from hubbub.project import Project

    project = Project.load(directory)
    store = project.store
    facts = agreement(store)
    print(
        f"topic #{TOPIC}: {facts['posts']:,} posts, {facts['authors']:,} authors, "
        f"{facts['edges']:,} edges; top {facts['reported']:,} reported"
    )
    hubbub_run(store, TOPIC)  # warm-up: caches as in steady use
    networkx_run(store, TOPIC)
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(timed(lambda: hubbub_run(store, TOPIC)))
        theirs.append(timed(lambda: networkx_run(store, TOPIC)))
    hubbub_s, networkx_s = statistics.median(ours), statistics.median(theirs)
    ratio = networkx_s / hubbub_s
    print(
        f"end to end (median of {repeat}): hubbub {hubbub_s:.3f} s | networkx {networkx_s:.3f} s"
        f" | hubbub {ratio:.1f}x faster (target >= 3x: {'met' if ratio >= 3 else 'NOT met'})"
    )
    shape = f"0-{mentions} extra mentions per post" if mentions else "the corpus as it is"
    record_row(
        f"influence, topic of {facts['posts']:,} posts, {facts['edges']:,} edges ({shape}), "
        f"end to end (median of {repeat})",
        hubbub=f"{hubbub_s:.2f} s",
        baseline=f"same reader + networkx DiGraph + nx.pagerank: {networkx_s:.2f} s",
        ratio_text=f"{ratio:.1f}x faster",
        target=">= 3x faster",
        met=ratio >= 3,
    )
    stage = stages(store)
    print(
        f"compute stage alone (edges already read): hubbub matrix + pagerank "
        f"{stage['hubbub'] * 1000:.1f} ms | networkx DiGraph + nx.pagerank "
        f"{stage['networkx'] * 1000:.1f} ms | {stage['networkx'] / stage['hubbub']:.0f}x"
    )
    print(
        f"hubbub's whole analysis {stage['hubbub_whole']:.3f} s against networkx's "
        f"DiGraph + nx.pagerank alone {stage['networkx']:.3f} s: "
        f"{stage['networkx'] / stage['hubbub_whole']:.1f}x"
    )
    print(
        f"agreement with nx.pagerank(tol=1e-10): largest score difference "
        f"{facts['max_score_difference_tol_1e-10']:.1e}; top positions in another order: "
        f"{facts['top_positions_differing_tol_1e-10']} at tol=1e-10, "
        f"{facts['top_positions_differing_tol_1e-6']} at networkx's default tol=1e-6"
    )
    for topic in (TOPIC, SMALL_TOPIC):
        mine = peak_memory(lambda topic=topic: hubbub_run(store, topic))
        other = peak_memory(lambda topic=topic: networkx_run(store, topic))
        posts = hubbub_run(store, topic).graph.posts
        print(
            f"peak Python memory, #{topic} ({posts:,} posts): hubbub {mine:.1f} MB | "
            f"networkx {other:.1f} MB"
        )
    project.close()


def main() -> None:
    """Build the corpus, then measure both sides in a fresh interpreter."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--mentions",
        type=int,
        default=0,
        help="extra @-mentions per topic post, 0 to N (default 0: the corpus as it is)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.repeat, args.mentions)
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_project(Path(tmp), args.posts, args.mentions).close()
        print(f"{args.posts:,} posts imported and tagged in {time.perf_counter() - started:.1f} s")
        command = [sys.executable, __file__, "--measure", str(Path(tmp) / "project")]
        arguments = ["--repeat", str(args.repeat), "--mentions", str(args.mentions)]
        subprocess.run([*command, *arguments], check=True)


if __name__ == "__main__":
    main()

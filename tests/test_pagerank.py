"""hubbub's PageRank, HITS and in-strength equal networkx's on graphs of several shapes.

hubbub ranks on a scipy matrix built straight from the store; networkx is the reference
model. Every graph here is compared node by node with ``nx.pagerank`` run at
``tol=1e-12`` (and with an exact linear solve), including personalisation, dangling
nodes, self-loops (which hubbub's graph drops) and disconnected parts.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
from hubbub.errors import HubbubError
from hubbub.influence import edge_matrix, hits_authority, in_strength, pagerank

#: how close two score vectors must be, node by node
CLOSE = 1e-10


def _edges(graph: nx.DiGraph) -> tuple[list[int], list[int], list[float], int]:
    """The graph's edges as index arrays (nodes are 0..n-1) for :func:`edge_matrix`."""
    sources, targets, weights = [], [], []
    for u, v, data in graph.edges(data=True):
        sources.append(u)
        targets.append(v)
        weights.append(data.get("weight", 1.0))
    return sources, targets, weights, graph.number_of_nodes()


def _ours(
    graph: nx.DiGraph, personalization: dict[int, float] | None = None, **kwargs: float
) -> np.ndarray:
    sources, targets, weights, size = _edges(graph)
    vector = None
    if personalization is not None:
        vector = [personalization.get(node, 0.0) for node in range(size)]
    return pagerank(
        edge_matrix(sources, targets, weights, size), personalization=vector, **kwargs
    ).scores


def _theirs(
    graph: nx.DiGraph, personalization: dict[int, float] | None = None, **kwargs: float
) -> np.ndarray:
    scores = nx.pagerank(
        graph, personalization=personalization, tol=1e-12, max_iter=10_000, **kwargs
    )
    return np.array([scores[node] for node in range(graph.number_of_nodes())])


def _exact(graph: nx.DiGraph, personalization: dict[int, float] | None, alpha: float) -> np.ndarray:
    """PageRank by solving the linear system (dangling mass to the personalisation)."""
    size = graph.number_of_nodes()
    matrix = nx.to_numpy_array(graph, nodelist=range(size), weight="weight")
    p = (
        np.ones(size)
        if personalization is None
        else np.array([personalization.get(node, 0.0) for node in range(size)])
    )
    p = p / p.sum()
    out = matrix.sum(axis=1)
    transition = np.zeros_like(matrix)
    for row in range(size):
        transition[row] = matrix[row] / out[row] if out[row] else p
    scores = np.linalg.solve(np.eye(size) - alpha * transition.T, (1 - alpha) * p)
    return scores / scores.sum()


def _star() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(8))
    for leaf in range(1, 8):
        graph.add_edge(leaf, 0, weight=1.0)
    graph.add_edge(0, 3, weight=2.0)
    return graph


def _chain_with_dangling_end() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_weighted_edges_from([(0, 1, 1.0), (1, 2, 1.0), (2, 3, 0.5), (3, 4, 3.0)])
    return graph  # node 4 has no out-edges


def _two_components() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 4, 2.0), (4, 3, 1.0), (5, 4, 1.0)]
    )
    graph.add_node(6)  # isolated
    return graph


def _random_weighted(size: int = 500, seed: int = 11) -> nx.DiGraph:
    rng = random.Random(seed)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(size))
    for _ in range(size * 4):
        u, v = rng.randrange(size), int(size * rng.random() ** 2)  # a few popular targets
        if u != v:
            graph.add_edge(u, v, weight=rng.choice([0.5, 1.0, 1.0, 2.0, 3.5]))
    return graph


GRAPHS = {
    "star": _star,
    "chain with a dangling node": _chain_with_dangling_end,
    "two disconnected components": _two_components,
    "random weighted, 500 nodes": _random_weighted,
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_equals_networkx(name: str) -> None:
    graph = GRAPHS[name]()
    ours, theirs = _ours(graph), _theirs(graph)
    assert np.abs(ours - theirs).max() < CLOSE
    assert ours.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(ours, _exact(graph, None, 0.85), atol=1e-12)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_equals_networkx_with_personalisation(name: str) -> None:
    graph = GRAPHS[name]()
    rng = random.Random(name)
    # some nodes get no teleport at all, as authors outside the topic do
    personalization = {
        node: rng.choice([0.0, 1.0, 2.0, 7.0]) for node in range(graph.number_of_nodes())
    }
    personalization[0] = 1.0
    ours = _ours(graph, personalization, alpha=0.8)
    theirs = _theirs(graph, personalization, alpha=0.8)
    assert np.abs(ours - theirs).max() < CLOSE
    np.testing.assert_allclose(ours, _exact(graph, personalization, 0.8), atol=1e-12)


def test_self_loops_are_dropped() -> None:
    looped = _random_weighted(60, seed=3)
    for node in (0, 5, 9):
        looped.add_edge(node, node, weight=4.0)
    plain = looped.copy()
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))
    ours = _ours(looped)  # edge_matrix drops the loops
    assert np.abs(ours - _theirs(plain)).max() < CLOSE
    # and it matters: networkx counts a self-loop as an edge
    assert np.abs(ours - _theirs(looped)).max() > 1e-4


def test_repeated_edges_are_summed() -> None:
    matrix = edge_matrix([0, 0, 0, 1], [1, 1, 2, 2], [1.0, 2.0, 1.0, 1.0], 3)
    assert matrix.toarray().tolist() == [[0, 3.0, 1.0], [0, 0, 1.0], [0, 0, 0]]


def test_repeats_can_be_damped() -> None:
    sources, targets, weights = [0, 0, 0, 0, 1], [1, 1, 1, 1, 2], [1.0] * 5
    assert edge_matrix(sources, targets, weights, 3, repeats="log")[0, 1] == pytest.approx(
        np.log1p(4.0)
    )
    assert edge_matrix(sources, targets, weights, 3, repeats="sqrt")[0, 1] == pytest.approx(2.0)
    with pytest.raises(HubbubError, match="unknown repeats"):
        edge_matrix(sources, targets, weights, 3, repeats="max")


def test_converges_tighter_than_networkx_default() -> None:
    graph = _random_weighted(2000, seed=5)
    exact = _exact(graph, None, 0.85)
    result = pagerank(edge_matrix(*_edges(graph)))
    assert np.abs(result.scores - exact).sum() < 1e-11
    # networkx's default stops when the L1 change is below N * 1e-6
    default = nx.pagerank(graph)
    loose = np.array([default[node] for node in range(2000)])
    assert np.abs(loose - exact).sum() > 100 * np.abs(result.scores - exact).sum()


def test_gives_up_loudly() -> None:
    with pytest.raises(HubbubError, match="did not converge in 3 iterations"):
        pagerank(edge_matrix(*_edges(_random_weighted(100))), max_iter=3)
    with pytest.raises(HubbubError, match="all zero"):
        pagerank(edge_matrix([0], [1], [1.0], 2), personalization=[0.0, 0.0])


def test_empty_graph() -> None:
    assert pagerank(edge_matrix([], [], [], 0)).scores.tolist() == []
    assert pagerank(edge_matrix([], [], [], 3)).scores.tolist() == pytest.approx([1 / 3] * 3)


def test_hits_authority_equals_networkx() -> None:
    graph = _random_weighted(300, seed=8)
    _hubs, authorities = nx.hits(graph, max_iter=10_000, tol=1e-12)
    theirs = np.array([authorities[node] for node in range(300)])
    ours = hits_authority(edge_matrix(*_edges(graph))).scores
    assert np.abs(ours - theirs).max() < 1e-8


def test_in_strength_is_weighted_in_degree() -> None:
    graph = _random_weighted(100, seed=2)
    ours = in_strength(edge_matrix(*_edges(graph))).scores
    theirs = dict(graph.in_degree(weight="weight"))
    assert ours.tolist() == pytest.approx([theirs[node] for node in range(100)])

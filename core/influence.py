"""Topic influence: who moves the conversation on a topic, not who has the most followers.

For a *scope* (a selectable of ``posts.id``: a topic's tagged posts, or any query) and a
time window, the posts in scope give a directed, weighted author graph: an edge A → B
when A's post replies to, quotes, reposts or @-mentions B. Each interaction adds the
weight of its kind; repeated interactions between the same pair are summed (or damped
with ``repeats="log"`` / ``"sqrt"``). Authors are ranked by personalised PageRank whose
teleport goes to the authors active in scope; in-strength and HITS authority are there
for comparison. The method, every rule and
how to read the result are in ``docs/methods/influence.md``. In short:

* **Edges** (``A`` is the post's author, handles compared case-insensitively):
  reply → ``reply_to_author``, else the author of the parent post (``reply_to_id`` on
  the same platform); quote → ``quote_of_author``, else the quoted post's author;
  repost → ``repost_of_author``, else the reposted post's author; mention → each handle
  in ``mentions``, except in reposts (their mentions are the original's) and except a
  handle the same post already replies to, quotes or reposts (``@bob`` opening a reply
  to bob is the reply, not a second interaction). Self-edges are dropped. The target
  need not have posted in scope.
* **Teleport**: uniformly to the authors with a post in scope (reposts included) —
  not in proportion to their posts, which would rank volume rather than engagement
  (``teleport="posts"`` does that, for comparison); mass on dangling authors (no
  out-edges) is spread the same way, exactly as ``networkx.pagerank`` does with
  ``personalization``.
* **Convergence**: power iteration until the L1 change of the score vector is below
  ``tol`` (default 1e-12, absolute). ``networkx.pagerank`` stops when the change is below
  ``N * tol``; with its default ``tol=1e-6`` that is loose enough on a graph of 15k
  authors to leave most of the top in another order.

The graph is built from one streamed SQL query over the posts in scope (reading the
corpus outside the scope only through indexed look-ups of parent posts and followers),
kept as numpy arrays, and ranked on a scipy sparse matrix: networkx is used only to
export GEXF and GraphML. Memory grows with the topic's graph, not with the corpus.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import orjson
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.store import posts_table

if TYPE_CHECKING:
    import networkx as nx
    from hubbub.project import Project
    from hubbub.store import Store
    from scipy import sparse
    from sqlalchemy.engine import Connection

__all__ = [
    "DEFAULT_SHARE",
    "DEFAULT_WEIGHTS",
    "INTERACTION_KINDS",
    "METHODS",
    "REPEATS",
    "TELEPORTS",
    "EarningPost",
    "InfluenceResult",
    "Influencer",
    "PowerIterationResult",
    "TopicGraph",
    "analyze_influence",
    "build_topic_graph",
    "edge_matrix",
    "hits_authority",
    "in_strength",
    "influencers_by_topic",
    "pagerank",
    "scope_for",
    "top_influencer_rows",
    "topic_influence",
]

#: the interaction kinds, in the order used by :attr:`TopicGraph.kind`
INTERACTION_KINDS: tuple[str, ...] = ("reply", "quote", "repost", "mention")
#: weight of one interaction of each kind (a mention costs its author least)
DEFAULT_WEIGHTS: dict[str, float] = {"reply": 1.0, "quote": 1.0, "repost": 1.0, "mention": 0.5}
#: the ranking methods: personalised PageRank (default) and two for comparison
METHODS: tuple[str, ...] = ("pagerank", "in-strength", "hits")
#: how repeated interactions between one pair add up: ``sum``, ``log`` (ln(1+s)), ``sqrt``
REPEATS: tuple[str, ...] = ("sum", "log", "sqrt")
#: where PageRank teleports: ``active`` (uniformly to authors with posts in scope, the
#: default), ``posts`` (in proportion to their posts in scope) or ``all`` (every node)
TELEPORTS: tuple[str, ...] = ("active", "posts", "all")
#: the share of the graph's authors reported by default
DEFAULT_SHARE = 0.15
#: PageRank's damping factor: the chance of following an edge rather than teleporting
DEFAULT_ALPHA = 0.85
#: convergence: stop when the L1 change of the score vector is below this (absolute)
DEFAULT_TOL = 1e-12
DEFAULT_MAX_ITER = 10_000

_KIND_INDEX = {kind: number for number, kind in enumerate(INTERACTION_KINDS)}
_REPLY, _QUOTE, _REPOST, _MENTION = range(4)
_NO_ONE: frozenset[int] = frozenset()
#: SQLite allows 32766 bound parameters; stay far below for old builds (999)
_CHUNK = 900


# ---------------------------------------------------------------- the graph


@dataclass
class TopicGraph:
    """The author graph of a scope: nodes, one entry per interaction, and activity.

    Interactions are parallel arrays: ``source[i]`` (the engaging author) engaged with
    ``target[i]`` by ``kind[i]`` (an index into :data:`INTERACTION_KINDS`);
    ``target_post[i]`` indexes :attr:`post_refs` (the replied-to, quoted or reposted
    post) or is -1 for a mention. Self-interactions are not recorded.
    """

    #: node index -> handle as its author writes it (else as first mentioned)
    handles: list[str]
    #: lowercased handle -> node index
    index: dict[str, int]
    source: np.ndarray
    target: np.ndarray
    kind: np.ndarray
    target_post: np.ndarray
    #: (platform, external id) of the posts interactions point at
    post_refs: list[tuple[str, str]]
    #: per node: posts in scope it authored
    topic_posts: np.ndarray
    #: posts in scope and window
    posts: int
    #: per node: ``author_followers`` of its newest post in scope (``None``: not known)
    followers: list[int | None] = field(default_factory=list, repr=False)
    #: every spelling of a handle seen -> its node (to look followers up in the store)
    spellings: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def nodes(self) -> int:
        """The number of authors in the graph (active in scope or engaged with)."""
        return len(self.handles)

    @property
    def interactions(self) -> int:
        """The number of interactions (edges before summing)."""
        return len(self.source)

    def weights(self, weights: Mapping[str, float] | None = None) -> np.ndarray:
        """The weight of each interaction for per-kind ``weights`` (default :data:`DEFAULT_WEIGHTS`)."""
        table = {**DEFAULT_WEIGHTS, **(weights or {})}
        per_kind = np.array([table[kind] for kind in INTERACTION_KINDS], dtype=float)
        return per_kind[self.kind] if len(self.kind) else np.zeros(0)

    def matrix(
        self, weights: Mapping[str, float] | None = None, repeats: str = "sum"
    ) -> sparse.csr_array:
        """The weighted adjacency matrix (row = engaging author, column = engaged author)."""
        return edge_matrix(
            self.source, self.target, self.weights(weights), self.nodes, repeats=repeats
        )

    def teleport(self, mode: str = "active") -> np.ndarray:
        """The teleport (personalisation) weights: see :data:`TELEPORTS`."""
        if mode == "active":
            return (self.topic_posts > 0).astype(float)
        if mode == "posts":
            return self.topic_posts.astype(float)
        if mode == "all":
            return np.ones(self.nodes)
        raise HubbubError(f"unknown teleport {mode!r} (use {', '.join(TELEPORTS)})")

    def kind_counts(self) -> np.ndarray:
        """Per node and kind: how many interactions it received (shape ``nodes x 4``)."""
        counts = np.zeros((self.nodes, len(INTERACTION_KINDS)), dtype=np.int64)
        if self.interactions:
            np.add.at(counts, (self.target, self.kind), 1)
        return counts


def _scope_statement(
    scope: sa.Select[Any] | None, since: datetime | None, until: datetime | None
) -> sa.Select[Any]:
    """One row per post in scope and window: author, edge targets as recorded, mentions."""
    post = posts_table.alias("post")
    c = post.c
    has_parent = sa.or_(
        c.reply_to_id.is_not(None), c.quote_of_id.is_not(None), c.repost_of_id.is_not(None)
    )
    # values a post does not need stay NULL: fewer objects to build per row
    statement = sa.select(
        c.author,
        sa.case((has_parent, c.platform), else_=sa.null()),
        c.reply_to_id,
        c.reply_to_author,
        c.quote_of_id,
        c.quote_of_author,
        c.repost_of_id,
        c.repost_of_author,
        sa.func.nullif(c.mentions, "[]"),
        c.created_at,
        c.author_followers,
    )
    if scope is not None:
        statement = statement.where(c.id.in_(scope))
    if since is not None:
        statement = statement.where(c.created_at >= since)
    if until is not None:
        statement = statement.where(c.created_at < until)
    # in id order on every database: ties (e.g. a top post) are then decided alike
    return statement.order_by(c.id)


def _driver_rows(conn: Connection, statement: sa.Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``statement`` as the database driver returns them, in batches.

    SQLAlchemy binds the parameters; the rows are read from the driver's cursor, which
    skips per-row result processing (on SQLite, parsing every ``created_at`` into a
    datetime costs as much as the query). Values are the driver's: ``created_at`` is
    text on SQLite and a datetime on PostgreSQL; either compares correctly with its kind.
    """
    result = conn.execute(statement)
    cursor = getattr(result, "cursor", None)
    try:
        if cursor is None:  # pragma: no cover - every SQLAlchemy 2 cursor result has one
            yield from (tuple(row) for row in result)
            return
        while batch := cursor.fetchmany(1000):
            yield from batch
    finally:
        result.close()


def build_topic_graph(
    store: Store,
    scope: sa.Select[Any] | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> TopicGraph:
    """Read the posts in ``scope`` (and ``[since, until)``, naive UTC) into a :class:`TopicGraph`.

    One pass over the posts in scope, none over the rest of the corpus: a reply, quote or
    repost whose record names only the parent's id is resolved afterwards by indexed
    look-ups of those parents.

    :param scope: a selectable of ``posts.id`` (e.g. :func:`hubbub.topics.topic_post_ids`);
        ``None`` means every post.
    """
    handles: list[str] = []
    index: dict[str, int] = {}
    #: exact spelling -> node (saves lowercasing the same handle again and again)
    by_spelling: dict[str, int] = {}
    authored: list[bool] = []
    topic_posts: list[int] = []
    newest: list[Any] = []
    followers: list[int | None] = []
    # replies, quotes and reposts, one entry each
    source: list[int] = []
    target: list[int] = []
    kind: list[int] = []
    target_post: list[int] = []
    # mentions, kept apart (their kind and post are implied): per post with any, its
    # author and how many; then every mention's node as written (repeats, the author,
    # -1 for no one: :func:`_mention_edges` sorts them out)
    mention_authors: list[int] = []
    mention_counts: list[int] = []
    mentioned_nodes: list[int] = []
    refs: dict[tuple[str, str], int] = {}
    #: interactions whose target author is not in the record: (source, kind, ref, mentions)
    pending: list[tuple[int, int, int, frozenset[int]]] = []
    posts = 0

    def node(handle: str, as_author: bool) -> int:
        number = by_spelling.get(handle)
        if number is None:
            key = handle.lower()
            number = index.get(key)
            if number is None:
                number = index[key] = len(handles)
                handles.append(handle)
                authored.append(as_author)
                topic_posts.append(0)
                newest.append(None)
                followers.append(None)
            by_spelling[handle] = number
        if as_author and not authored[number]:
            handles[number] = handle
            authored[number] = True
        return number

    #: a mention as stored (``"@Bob "`` too) -> node, or -1 for one that names nobody
    by_mention: dict[str, int] = {}
    mention_of = by_mention.get

    def mention_node(value: Any) -> int:
        if not isinstance(value, str):
            return -1
        handle = value.strip().lstrip("@")
        number = node(handle, False) if handle else -1
        by_mention[value] = number
        return number

    loads = orjson.loads
    #: exact spelling -> node, for spellings seen as a post's author (the common case)
    as_author: dict[str, int] = {}
    statement = _scope_statement(scope, since, until)
    with store.engine.connect() as conn:
        for (
            author,
            platform,
            reply_id,
            reply_author,
            quote_id,
            quote_author,
            repost_id,
            repost_author,
            mentions,
            created_at,
            author_followers,
        ) in _driver_rows(conn, statement):
            posts += 1
            me = as_author.get(author)
            if me is None:
                me = as_author[author] = node(author, True)
            topic_posts[me] += 1
            if author_followers is not None:
                seen = newest[me]
                if seen is None or created_at > seen:
                    newest[me] = created_at
                    followers[me] = author_followers
            if reply_id is None and quote_id is None and repost_id is None:
                if not mentions:
                    continue
                engaged: set[int] | frozenset[int] = _NO_ONE  # self-mentions drop later
                unresolved: list[tuple[int, int]] = []
            else:
                engaged = {me}
                unresolved = []
                for number, post_id, other in (
                    (_REPLY, reply_id, reply_author),
                    (_QUOTE, quote_id, quote_author),
                    (_REPOST, repost_id, repost_author),
                ):
                    if post_id is None and not other:
                        continue
                    ref = -1 if post_id is None else refs.setdefault((platform, post_id), len(refs))
                    if not other:
                        unresolved.append((number, ref))
                        continue
                    them = node(other, False)
                    engaged.add(them)
                    if them != me:
                        source.append(me)
                        target.append(them)
                        kind.append(number)
                        target_post.append(ref)
            if repost_id is None and mentions:
                values = loads(mentions)
                try:
                    found = list(map(mention_of, values))
                except TypeError:  # a list or object where a handle belongs
                    found = [None if isinstance(value, str) else -1 for value in values]
                if None in found:  # spellings not met before
                    for position, number in enumerate(found):
                        if number is None:
                            found[position] = mention_node(values[position])
                if len(engaged) > 1:  # not again the handles it replies to, quotes or reposts
                    found = [number for number in found if number not in engaged]
                mention_authors.append(me)
                mention_counts.append(len(found))
                mentioned_nodes.extend(found)
                if unresolved:
                    also = frozenset(found).difference(engaged, (-1,))
                    pending.extend((me, number, ref, also) for number, ref in unresolved)
            elif unresolved:
                pending.extend((me, number, ref, frozenset()) for number, ref in unresolved)
        mention_source, mention_target = _mention_edges(
            mention_authors, mention_counts, mentioned_nodes, len(handles)
        )
        if pending:
            post_refs = list(refs)
            parents = _parent_authors(conn, [post_refs[ref] for _me, _kind, ref, _m in pending])
            dropped: Counter[tuple[int, int]] = Counter()
            for me, number, ref, also in pending:
                parent = parents.get(post_refs[ref])
                if parent is None:
                    continue
                them = node(parent, False)
                if them == me:
                    continue
                source.append(me)
                target.append(them)
                kind.append(number)
                target_post.append(ref)
                if them in also:
                    dropped[(me, them)] += 1
            if dropped:
                keep = _without_mentions(mention_source, mention_target, dropped)
                mention_source, mention_target = mention_source[keep], mention_target[keep]
    mentions_count = len(mention_target)
    return TopicGraph(
        handles=handles,
        index=index,
        source=np.concatenate([np.array(source, dtype=np.int64), mention_source]),
        target=np.concatenate([np.array(target, dtype=np.int64), mention_target]),
        kind=np.concatenate(
            [np.array(kind, dtype=np.int8), np.full(mentions_count, _MENTION, dtype=np.int8)]
        ),
        target_post=np.concatenate(
            [np.array(target_post, dtype=np.int64), np.full(mentions_count, -1, dtype=np.int64)]
        ),
        post_refs=list(refs),
        topic_posts=np.array(topic_posts, dtype=np.int64),
        posts=posts,
        followers=followers,
        spellings=by_spelling,
    )


def _rows_by_key(conn: Connection, keys: Iterable[tuple[str, str]], *columns: Any) -> Iterator[Any]:
    """Stored posts whose (platform, external id) is among ``keys``: ``columns`` of each.

    One ``platform = ? AND external_id IN (…)`` per platform and chunk, which the unique
    (platform, external_id) index answers (SQLite scans the table for a row-value ``IN``).
    Values are the driver's, as in :func:`_driver_rows` (``created_at`` is text on SQLite).
    """
    p = posts_table.c
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in dict.fromkeys(keys):
        by_platform[platform].append(external_id)
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), _CHUNK):
            statement = sa.select(p.platform, p.external_id, *columns).where(
                p.platform == platform, p.external_id.in_(ids[start : start + _CHUNK])
            )
            yield from _driver_rows(conn, statement)


def _parent_authors(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(platform, external id) -> author, for the stored posts among ``keys``."""
    return {
        (platform, external_id): author
        for platform, external_id, author in _rows_by_key(conn, keys, posts_table.c.author)
    }


def _mention_edges(
    authors: Sequence[int], counts: Sequence[int], nodes: Sequence[int], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The mention interactions (sources, targets) from each post's mentions as written.

    Post ``p`` (by ``authors[p]``) wrote ``counts[p]`` mentions, whose nodes follow each
    other in ``nodes`` (-1: names no one). Each post mentions each other author at most
    once; self-mentions are left out. ``size`` is the number of nodes.
    """
    per_post = np.asarray(counts, dtype=np.int64)
    post = np.repeat(np.arange(len(per_post), dtype=np.int64), per_post)
    source = np.repeat(np.asarray(authors, dtype=np.int64), per_post)
    target = np.asarray(nodes, dtype=np.int64)
    keep = (target >= 0) & (target != source)
    _, first = np.unique((post * size + target)[keep], return_index=True)
    first.sort()  # in the order they were written
    return source[keep][first], target[keep][first]


def _without_mentions(
    source: np.ndarray, target: np.ndarray, pairs: Counter[tuple[int, int]]
) -> np.ndarray:
    """A mask of the mentions (``source[i]`` mentions ``target[i]``) to keep: ``pairs[(a, b)]``
    of a's mentions of b go.

    Used when a reply's parent, resolved late, turns out to be a handle the same post
    also @-mentioned: that mention was the reply's address, not a second interaction.
    (Mentions carry no post, so which of a's mentions of b goes makes no difference.)
    """
    remaining = Counter(pairs)
    keep = np.ones(len(source), dtype=bool)
    for position in np.flatnonzero(np.isin(source, [a for a, _b in pairs])):
        pair = (int(source[position]), int(target[position]))
        if remaining.get(pair, 0) > 0:
            remaining[pair] -= 1
            keep[position] = False
    return keep


def edge_matrix(
    source: Sequence[int] | np.ndarray,
    target: Sequence[int] | np.ndarray,
    weight: Sequence[float] | np.ndarray,
    nodes: int,
    *,
    repeats: str = "sum",
) -> sparse.csr_array:
    """A CSR matrix of summed edge weights; self-loops and zero weights are dropped.

    :param repeats: how the weights of repeated (source, target) pairs combine: ``sum``,
        ``log`` (ln(1 + sum)) or ``sqrt`` (square root of the sum).
    """
    from scipy import sparse

    if repeats not in REPEATS:
        raise HubbubError(f"unknown repeats {repeats!r} (use {', '.join(REPEATS)})")
    rows = np.asarray(source, dtype=np.int64)
    cols = np.asarray(target, dtype=np.int64)
    data = np.asarray(weight, dtype=float)
    keep = (rows != cols) & (data > 0)
    matrix = sparse.coo_array((data[keep], (rows[keep], cols[keep])), shape=(nodes, nodes)).tocsr()
    matrix.sum_duplicates()
    if repeats == "log":
        matrix.data = np.log1p(matrix.data)
    elif repeats == "sqrt":
        matrix.data = np.sqrt(matrix.data)
    return matrix


# ---------------------------------------------------------------- centrality


@dataclass
class PowerIterationResult:
    """Scores (summing to 1) and how the iteration went."""

    scores: np.ndarray
    iterations: int
    #: the L1 change of the last iteration
    error: float


def pagerank(
    matrix: sparse.csr_array | sparse.csr_matrix,
    *,
    personalization: Sequence[float] | np.ndarray | None = None,
    alpha: float = DEFAULT_ALPHA,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> PowerIterationResult:
    """Personalised PageRank of a weighted adjacency matrix, by power iteration.

    The same model as ``networkx.pagerank(G, alpha, personalization, weight="weight")``:
    each row is normalised by its out-strength; a dangling node's mass (no out-edges)
    and the ``1 - alpha`` teleport both go to the personalisation vector (uniform when
    ``None``). Diagonal entries count as edges, as in networkx; :func:`edge_matrix`
    drops them. Iteration stops when the L1 change is below ``tol`` (networkx uses
    ``N * tol``).

    :raises HubbubError: when it has not converged after ``max_iter`` iterations, or
        the personalisation is all zero.
    """
    from scipy import sparse

    size = matrix.shape[0]
    if size == 0:
        return PowerIterationResult(np.zeros(0), 0, 0.0)
    if personalization is None:
        teleport = np.full(size, 1.0 / size)
    else:
        teleport = np.asarray(personalization, dtype=float).copy()
        total = teleport.sum()
        if not total > 0:
            raise HubbubError("pagerank: the personalisation vector is all zero")
        teleport /= total
    out_strength = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_strength == 0
    inverse = np.zeros(size)
    inverse[~dangling] = 1.0 / out_strength[~dangling]
    # transpose once: x @ A is A.T @ x, and CSR matrix-vector products are the fast ones
    transition = sparse.csr_array(sparse.diags_array(inverse) @ matrix).T.tocsr()
    scores = np.full(size, 1.0 / size)
    error = math.inf
    for iteration in range(1, max_iter + 1):
        previous = scores
        scores = alpha * (transition @ previous + previous[dangling].sum() * teleport)
        scores += (1.0 - alpha) * teleport
        error = float(np.abs(scores - previous).sum())
        if error < tol:
            return PowerIterationResult(scores, iteration, error)
    raise HubbubError(
        f"pagerank did not converge in {max_iter} iterations (last change {error:.3g}, "
        f"tolerance {tol:g}); raise max_iter or tol"
    )


def hits_authority(
    matrix: sparse.csr_array | sparse.csr_matrix,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> PowerIterationResult:
    """HITS authority scores (summing to 1): the principal eigenvector of ``AᵀA``.

    Computed by power iteration from a uniform start, which is what ``networkx.hits``'s
    authorities are when that eigenvector is unique. Authors nobody engages with score 0.
    """
    size = matrix.shape[0]
    if size == 0:
        return PowerIterationResult(np.zeros(0), 0, 0.0)
    if matrix.nnz == 0:
        return PowerIterationResult(np.full(size, 1.0 / size), 0, 0.0)
    transposed = matrix.T.tocsr()
    scores = np.full(size, 1.0 / size)
    error = math.inf
    for iteration in range(1, max_iter + 1):
        previous = scores
        scores = transposed @ (matrix @ previous)
        scores /= scores.sum()
        error = float(np.abs(scores - previous).sum())
        if error < tol:
            return PowerIterationResult(scores, iteration, error)
    raise HubbubError(
        f"hits did not converge in {max_iter} iterations (last change {error:.3g}); "
        "the graph may have two equally strong authority groups"
    )


def in_strength(matrix: sparse.csr_array | sparse.csr_matrix) -> PowerIterationResult:
    """Weighted in-degree: the sum of the weights of each node's in-edges (not normalised)."""
    return PowerIterationResult(np.asarray(matrix.sum(axis=0), dtype=float).ravel(), 0, 0.0)


# ---------------------------------------------------------------- results


@dataclass
class EarningPost:
    """One of an influencer's posts that posts in scope replied to, quoted or reposted."""

    platform: str
    external_id: str
    engagements: int
    #: interactions by kind (``reply``, ``quote``, ``repost``)
    kinds: dict[str, int]
    post_id: int | None = None
    url: str | None = None
    text: str | None = None
    created_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times ISO 8601 UTC with ``Z``)."""
        return {
            "platform": self.platform,
            "id": self.external_id,
            "url": self.url,
            "created_at": _iso(self.created_at),
            "engagements": self.engagements,
            "kinds": dict(self.kinds),
            "text": self.text,
        }


@dataclass
class Influencer:
    """One ranked author with the figures that explain the score."""

    rank: int
    handle: str
    score: float
    followers: int | None
    #: rank by followers among the graph's authors, ties sharing a rank (``None``: unknown)
    follower_rank: int | None
    topic_posts: int
    #: distinct authors who engaged with this one in scope
    engagers: int
    #: interactions received, by kind
    in_edges: dict[str, int]
    #: the summed (damped) weight of the in-edges
    in_weight: float
    #: in the reported top (influence rank <= the reported count)
    in_top: bool
    #: in the top, but a follower-count ranking of the same size would leave them out
    missed_by_followers: bool
    #: a follower-count ranking of the same size would pick them (follower rank <= the
    #: reported count), but they are not in the top
    follower_pick: bool
    #: the authors who gave most weight, with that weight
    top_engagers: list[tuple[str, float]] = field(default_factory=list)
    #: the author's posts engaged with most
    posts: list[EarningPost] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """A flat dict for table, JSON and CSV (the best post inlined)."""
        best = self.posts[0] if self.posts else None
        return {
            "rank": self.rank,
            "handle": self.handle,
            "score": self.score,
            "followers": self.followers,
            "follower_rank": self.follower_rank,
            "missed_by_followers": self.missed_by_followers,
            "follower_pick": self.follower_pick,
            "topic_posts": self.topic_posts,
            "engagers": self.engagers,
            "replies_in": self.in_edges.get("reply", 0),
            "quotes_in": self.in_edges.get("quote", 0),
            "reposts_in": self.in_edges.get("repost", 0),
            "mentions_in": self.in_edges.get("mention", 0),
            "in_weight": round(self.in_weight, 6),
            "top_engagers": [handle for handle, _weight in self.top_engagers],
            "earning_posts": len(self.posts),
            "top_post_id": best.external_id if best else None,
            "top_post_url": best.url if best else None,
            "top_post_engagements": best.engagements if best else None,
            "top_post_text": best.text if best else None,
        }

    def details(self) -> dict[str, Any]:
        """Everything that explains the score, for a finding's details (JSON-ready)."""
        return {
            **{key: value for key, value in self.row().items() if not key.startswith("top_post")},
            "in_edges": dict(self.in_edges),
            "top_engagers": [
                {"handle": handle, "weight": round(weight, 6)}
                for handle, weight in self.top_engagers
            ],
            "posts": [post.as_dict() for post in self.posts],
        }


@dataclass
class InfluenceResult:
    """The ranked authors of a scope, the graph behind them, and how they were computed."""

    graph: TopicGraph
    #: the weighted adjacency matrix the scores were computed on
    matrix: sparse.csr_array
    scores: np.ndarray
    #: node indices, best first (score descending, then handle)
    order: np.ndarray
    #: node index -> influence rank (1 = best)
    ranks: np.ndarray
    followers: list[int | None]
    #: node index -> rank by followers (0: followers unknown)
    follower_ranks: np.ndarray
    #: node index -> its handle's place in alphabetical order (breaks ties)
    name_ranks: np.ndarray
    #: how many authors are reported
    count: int
    #: nodes a follower ranking of the same size would pick that are not in the top,
    #: most followers first
    pick_nodes: list[int]
    method: str
    parameters: dict[str, Any]
    iterations: int
    since: datetime | None = None
    until: datetime | None = None
    label: str = ""
    #: the reported authors, best first (filled by :func:`analyze_influence`)
    influencers: list[Influencer] = field(default_factory=list)
    store: Store | None = field(default=None, repr=False)
    posts_per_author: int = 3
    engagers_per_author: int = 5

    def rows(self) -> list[dict[str, Any]]:
        """The reported influencers as flat dicts (best first)."""
        return [influencer.row() for influencer in self.influencers]

    @functools.cached_property
    def follower_picks(self) -> list[Influencer]:
        """The authors a follower ranking of the same size would pick that are not in the top.

        Explained on first use (most results are read for their top only).
        """
        return self.describe(self.pick_nodes)

    def follower_pick_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The follower-ranking picks outside the top, as flat dicts (most followers first)."""
        if limit is not None and "follower_picks" not in self.__dict__:
            return [item.row() for item in self.describe(self.pick_nodes[:limit])]
        return [item.row() for item in self.follower_picks[:limit]]

    @functools.cached_property
    def _explaining(self) -> tuple[Any, np.ndarray, np.ndarray]:
        by_target = self.matrix.tocsc()
        by_target.sort_indices()
        in_weight = np.asarray(self.matrix.sum(axis=0)).ravel()
        return by_target, self.graph.kind_counts(), in_weight

    def describe(self, nodes: Sequence[int]) -> list[Influencer]:
        """An :class:`Influencer` with its explanation for each node index in ``nodes``."""
        graph = self.graph
        by_target, counts, in_weight = self._explaining
        earning = (
            _earning_posts(self.store, graph, nodes, self.posts_per_author)
            if self.store is not None
            else {}
        )
        engagers = _top_engagers(by_target, self.name_ranks, graph, nodes, self.engagers_per_author)
        described = []
        for number, top_engagers in zip(nodes, engagers, strict=True):
            follower_rank = int(self.follower_ranks[number]) or None
            in_top = int(self.ranks[number]) <= self.count
            by_followers = follower_rank is not None and follower_rank <= self.count
            described.append(
                Influencer(
                    rank=int(self.ranks[number]),
                    handle=graph.handles[number],
                    score=float(self.scores[number]),
                    followers=self.followers[number],
                    follower_rank=follower_rank,
                    topic_posts=int(graph.topic_posts[number]),
                    engagers=int(by_target.indptr[number + 1] - by_target.indptr[number]),
                    in_edges={
                        kind: int(counts[number, n]) for n, kind in enumerate(INTERACTION_KINDS)
                    },
                    in_weight=float(in_weight[number]),
                    in_top=in_top,
                    missed_by_followers=in_top and not by_followers,
                    follower_pick=by_followers and not in_top,
                    top_engagers=top_engagers,
                    posts=earning.get(number, []),
                )
            )
        return described

    @property
    def missed_by_followers(self) -> list[str]:
        """Handles in the top that a follower-count ranking would miss."""
        return [item.handle for item in self.influencers if item.missed_by_followers]

    def summary(self) -> dict[str, Any]:
        """Counts and parameters of the run (JSON-ready)."""
        return {
            "scope": self.label,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "posts": self.graph.posts,
            "authors": self.graph.nodes,
            "active_authors": int((self.graph.topic_posts > 0).sum()),
            "interactions": self.graph.interactions,
            "edges": int(self.matrix.nnz),
            "reported": self.count,
            "method": self.method,
            "iterations": self.iterations,
            **self.parameters,
        }

    # ------------------------------------------------ export

    def to_networkx(self) -> nx.DiGraph:
        """The whole topic graph as a networkx ``DiGraph`` with scores and figures as attributes.

        Nodes carry ``label``, ``score``, ``rank``, ``topic_posts``, ``engagers``,
        ``followers`` and ``follower_rank`` (when known), ``in_top``,
        ``missed_by_followers`` and ``follower_pick``; edges carry ``weight`` (after
        ``repeats``) and the interaction count of each kind.
        """
        import networkx as nx

        graph = self.graph
        counts = graph.kind_counts()
        engagers = np.diff(self.matrix.tocsc().indptr)
        top_ranks = self.count
        follower_top = {graph.handles[number] for number in self.pick_nodes}
        missed = set(self.missed_by_followers)
        result = nx.DiGraph(scope=self.label, method=self.method)
        for number, handle in enumerate(graph.handles):
            attributes: dict[str, Any] = {
                "label": handle,
                "score": float(self.scores[number]),
                "rank": int(self.ranks[number]),
                "topic_posts": int(graph.topic_posts[number]),
                "engagers": int(engagers[number]),
                "in_top": bool(self.ranks[number] <= top_ranks),
                "missed_by_followers": handle in missed,
                "follower_pick": handle in follower_top,
            }
            for kind_number, kind in enumerate(INTERACTION_KINDS):
                attributes[f"{kind}_in"] = int(counts[number, kind_number])
            if self.followers[number] is not None:
                attributes["followers"] = int(self.followers[number])  # type: ignore[arg-type]
                attributes["follower_rank"] = int(self.follower_ranks[number])
            result.add_node(handle, **attributes)
        per_kind: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for src, dst, kind in zip(
            graph.source.tolist(), graph.target.tolist(), graph.kind.tolist(), strict=True
        ):
            if src != dst:
                per_kind[(src, dst)][kind] += 1
        coo = self.matrix.tocoo()
        for src, dst, weight in zip(
            coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True
        ):
            kinds = per_kind[(src, dst)]
            result.add_edge(
                graph.handles[src],
                graph.handles[dst],
                weight=float(weight),
                **{kind: kinds[n] for n, kind in enumerate(INTERACTION_KINDS)},
            )
        return result

    def write_gexf(self, stream: IO[bytes]) -> None:
        """Write the topic graph as GEXF 1.2 (for Gephi) to a binary stream."""
        import networkx as nx

        nx.write_gexf(self.to_networkx(), stream)

    def write_graphml(self, stream: IO[bytes]) -> None:
        """Write the topic graph as GraphML to a binary stream."""
        import networkx as nx

        nx.write_graphml(self.to_networkx(), stream)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


def _store_followers(store: Store, graph: TopicGraph, nodes: Sequence[int]) -> dict[int, int]:
    """Node -> ``author_followers`` of its newest post in the whole store that has one.

    For authors the scope did not give a follower count (those who were only engaged
    with). Looked up by every spelling of the handle seen (the ``author`` index), then,
    for authors not found so, by the spellings the store has of the same handle in any
    case (one pass over the ``author`` index, not the table).
    """
    found: dict[int, tuple[Any, int]] = {}
    wanted = set(nodes)
    if not wanted:
        return {}
    p = posts_table.c
    by_spelling = {name: number for name, number in graph.spellings.items() if number in wanted}
    with store.engine.connect() as conn:
        _collect_followers(conn, by_spelling, found)
        missing = {
            key: number
            for key, number in graph.index.items()
            if number in wanted and number not in found
        }
        keys = list(missing)
        others: dict[str, int] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            statement = sa.select(p.author).distinct().where(sa.func.lower(p.author).in_(chunk))
            for (author,) in conn.execute(statement):
                number = missing.get(author.lower())
                if number is not None and author not in by_spelling:
                    others[author] = number
        _collect_followers(conn, others, found)
    return {number: count for number, (_moment, count) in found.items()}


def _collect_followers(
    conn: Connection, by_spelling: Mapping[str, int], found: dict[int, tuple[Any, int]]
) -> None:
    """Record in ``found`` each node's newest post with a follower count among ``by_spelling``."""
    p = posts_table.c
    names = list(by_spelling)
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        newest = (
            sa.select(p.author.label("name"), sa.func.max(p.created_at).label("newest"))
            .where(p.author.in_(chunk), p.author_followers.is_not(None))
            .group_by(p.author)
            .subquery()
        )
        statement = (
            sa.select(newest.c.name, newest.c.newest, sa.func.max(p.author_followers))
            .select_from(
                posts_table.join(
                    newest, sa.and_(p.author == newest.c.name, p.created_at == newest.c.newest)
                )
            )
            .where(p.author_followers.is_not(None))
            .group_by(newest.c.name, newest.c.newest)
        )
        for name, moment, count in conn.execute(statement):
            number = by_spelling.get(name)
            if number is None:
                continue
            known = found.get(number)
            if known is None or moment > known[0]:
                found[number] = (moment, int(count))


def _rank_order(scores: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Node indices by score descending, ties by handle (``names``: see :func:`_name_ranks`)."""
    return np.lexsort((names, -scores)) if len(scores) else np.zeros(0, dtype=np.int64)


def _earning_posts(
    store: Store, graph: TopicGraph, nodes: Iterable[int], limit: int
) -> dict[int, list[EarningPost]]:
    """Per node: its posts that interactions in scope pointed at, most engaged first.

    Ties go to the post first engaged with in the scope's order.
    """
    wanted = np.zeros(graph.nodes, dtype=bool)
    wanted[list(nodes)] = True
    if not wanted.any() or limit <= 0 or not graph.interactions:
        return {}
    mask = (graph.target_post >= 0) & wanted[graph.target]
    targets, refs, kinds = graph.target[mask], graph.target_post[mask], graph.kind[mask]
    kind_count = len(INTERACTION_KINDS)
    # one key per (target, post, kind); then per (target, post) the total over kinds
    keys, per_kind = np.unique(
        (targets * len(graph.post_refs) + refs) * kind_count + kinds, return_counts=True
    )
    pairs, first = np.unique(keys // kind_count, return_index=True)
    totals = np.add.reduceat(per_kind, first)
    pair_targets, pair_refs = pairs // len(graph.post_refs), pairs % len(graph.post_refs)
    order = np.lexsort((pair_refs, -totals, pair_targets))
    chosen: dict[int, list[EarningPost]] = defaultdict(list)
    ends = np.append(first[1:], len(keys))
    for position in order.tolist():
        number = int(pair_targets[position])
        posts = chosen[number]
        if len(posts) >= limit:
            continue
        start, stop = first[position], ends[position]
        kinds_of = {
            INTERACTION_KINDS[int(key % kind_count)]: int(count)
            for key, count in zip(keys[start:stop], per_kind[start:stop], strict=True)
        }
        platform, external_id = graph.post_refs[int(pair_refs[position])]
        posts.append(
            EarningPost(platform, external_id, engagements=int(totals[position]), kinds=kinds_of)
        )
    _fill_post_text(store, [post for posts in chosen.values() for post in posts])
    return dict(chosen)


def _fill_post_text(store: Store, posts: Sequence[EarningPost]) -> None:
    if not posts:
        return
    p = posts_table.c
    by_key = {(post.platform, post.external_id): post for post in posts}
    with store.engine.connect() as conn:
        for platform, external_id, post_id, url, text, created_at in _rows_by_key(
            conn, by_key, p.id, p.url, p.text, p.created_at
        ):
            post = by_key[(platform, external_id)]
            if isinstance(created_at, str):  # SQLite's text; SQLAlchemy's parsing costs more
                created_at = datetime.fromisoformat(created_at)
            post.post_id, post.url, post.text, post.created_at = post_id, url, text, created_at


def _top_engagers(
    matrix: sparse.csc_array,
    names: np.ndarray,
    graph: TopicGraph,
    nodes: Sequence[int],
    limit: int,
) -> list[list[tuple[str, float]]]:
    """Per node in ``nodes``: the ``limit`` authors who gave it most weight, with that weight.

    ``matrix`` is the weighted adjacency by column (engaged author), indices sorted;
    ties in weight go to the engager whose handle comes first (``names``: see
    :func:`_name_ranks`). Only the in-edges of ``nodes`` are sorted.
    """
    wanted = np.asarray(nodes, dtype=np.int64)
    starts = matrix.indptr[wanted]
    sizes = matrix.indptr[wanted + 1] - starts
    group = np.repeat(np.arange(len(wanted)), sizes)
    offsets = np.cumsum(sizes) - sizes
    within = np.arange(int(sizes.sum())) - np.repeat(offsets, sizes)
    positions = np.repeat(starts, sizes) + within
    order = np.lexsort((names[matrix.indices[positions]], -matrix.data[positions], group))
    # ``order`` keeps the groups in ``nodes`` order: the first ``limit`` of each are wanted
    chosen = positions[order[within < limit]]
    sources = matrix.indices[chosen].tolist()
    weights = matrix.data[chosen].tolist()
    handles = graph.handles
    result = []
    start = 0
    for size in np.minimum(sizes, limit).tolist():
        result.append(
            [
                (handles[source], weight)
                for source, weight in zip(
                    sources[start : start + size], weights[start : start + size], strict=True
                )
            ]
        )
        start += size
    return result


def _name_ranks(handles: Sequence[str]) -> np.ndarray:
    """Per node: the rank of its lowercased handle in alphabetical order (for tie-breaks).

    Lowercased handles are distinct (they are the nodes' keys), so this is a total order.
    """
    names = np.array([handle.lower() for handle in handles], dtype=object)
    ranks = np.empty(len(handles), dtype=np.int64)
    ranks[np.argsort(names, kind="stable")] = np.arange(len(handles))
    return ranks


def analyze_influence(
    store: Store,
    scope: sa.Select[Any] | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    weights: Mapping[str, float] | None = None,
    share: float = DEFAULT_SHARE,
    top: int | None = None,
    method: str = "pagerank",
    repeats: str = "sum",
    teleport: str = "active",
    alpha: float = DEFAULT_ALPHA,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    posts_per_author: int = 3,
    engagers_per_author: int = 5,
    label: str = "",
) -> InfluenceResult:
    """Rank the authors of a scope by influence and explain the reported ones.

    :param scope: a selectable of ``posts.id`` (a topic's posts, a query's); ``None``: all.
    :param since: only posts at or after this naive UTC instant count.
    :param until: only posts before this instant count.
    :param weights: per interaction kind (``reply``, ``quote``, ``repost``, ``mention``);
        missing kinds keep :data:`DEFAULT_WEIGHTS`; 0 ignores a kind.
    :param share: the share of the graph's authors to report (rounded up; at least one).
    :param top: report exactly this many authors instead (at most all of them).
    :param method: ``pagerank`` (personalised), ``in-strength`` or ``hits``.
    :param repeats: ``sum``, ``log`` or ``sqrt``: how repeated interactions add up.
    :param teleport: PageRank's teleport: ``active`` (authors with posts in scope,
        uniformly), ``posts`` (in proportion to those posts) or ``all`` (every node).
    :param posts_per_author: earning posts listed per reported author.
    :param engagers_per_author: top engagers listed per reported author.
    :param label: a name for the scope (shown in summaries and exports).
    :raises HubbubError: for an unknown method, kind or repeats, a share outside (0, 1],
        or no convergence.
    """
    if method not in METHODS:
        raise HubbubError(f"unknown method {method!r} (use {', '.join(METHODS)})")
    if teleport not in TELEPORTS:
        raise HubbubError(f"unknown teleport {teleport!r} (use {', '.join(TELEPORTS)})")
    if not 0 < share <= 1:
        raise HubbubError(f"share must be in (0, 1], got {share}")
    if top is not None and top < 1:
        raise HubbubError(f"top must be at least 1, got {top}")
    table = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = set(table) - set(INTERACTION_KINDS)
    if unknown:
        raise HubbubError(
            f"unknown interaction kind {sorted(unknown)[0]!r} "
            f"(kinds: {', '.join(INTERACTION_KINDS)})"
        )
    graph = build_topic_graph(store, scope, since=since, until=until)
    matrix = graph.matrix(table, repeats=repeats)
    if method == "pagerank":
        outcome = pagerank(
            matrix,
            personalization=graph.teleport(teleport),
            alpha=alpha,
            tol=tol,
            max_iter=max_iter,
        )
    elif method == "hits":
        outcome = hits_authority(matrix, tol=tol, max_iter=max_iter)
    else:
        outcome = in_strength(matrix)
    scores = outcome.scores
    names = _name_ranks(graph.handles)
    order = _rank_order(scores, names)
    ranks = np.empty(graph.nodes, dtype=np.int64)
    ranks[order] = np.arange(1, graph.nodes + 1)
    count = min(graph.nodes, top if top is not None else max(1, math.ceil(share * graph.nodes)))
    if graph.nodes == 0:
        count = 0

    followers = list(graph.followers)
    unknown_followers = [number for number, known in enumerate(followers) if known is None]
    for number, looked_up in _store_followers(store, graph, unknown_followers).items():
        followers[number] = looked_up
    counts = np.array([-1 if known is None else known for known in followers], dtype=np.int64)
    with_counts = np.flatnonzero(counts >= 0)
    # most followers first, ties by handle
    known = with_counts[np.lexsort((names[with_counts], -counts[with_counts]))].tolist()
    # competition ranking: equal follower counts share a rank (1, 2, 2, 4, ...)
    follower_ranks = np.zeros(graph.nodes, dtype=np.int64)
    previous, previous_rank = None, 0
    for position, number in enumerate(known, start=1):
        if followers[number] != previous:
            previous, previous_rank = followers[number], position
        follower_ranks[number] = previous_rank

    top_nodes = [int(number) for number in order[:count]]
    top_set = set(top_nodes)
    picks: list[int] = [
        number for number in known if follower_ranks[number] <= count and number not in top_set
    ]
    parameters = {
        "weights": table,
        "repeats": repeats,
        "share": share,
        "top": top,
    }
    if method == "pagerank":
        parameters.update(teleport=teleport, alpha=alpha, tol=tol)
    elif method == "hits":
        parameters.update(tol=tol)
    result = InfluenceResult(
        graph=graph,
        matrix=matrix,
        scores=scores,
        order=order,
        ranks=ranks,
        followers=followers,
        follower_ranks=follower_ranks,
        name_ranks=names,
        count=count,
        pick_nodes=picks,
        method=method,
        parameters=parameters,
        iterations=outcome.iterations,
        since=since,
        until=until,
        label=label,
        store=store,
        posts_per_author=posts_per_author,
        engagers_per_author=engagers_per_author,
    )
    result.influencers = result.describe(top_nodes)
    return result


# ---------------------------------------------------------------- scopes


def scope_for(
    project: Project, *, topic: str | None = None, query: str | None = None
) -> tuple[sa.Select[Any], str]:
    """The scope (a selectable of ``posts.id``) and its label for a topic or a query.

    A topic must be one of ``[topics]`` in ``hubbub.toml``; its tags are brought up to
    date first (cheap when nothing is new). With both, the posts must match both.

    :raises HubbubError: for an unknown topic, a malformed query, or neither given.
    """
    from hubbub.errors import ConfigError
    from hubbub.query import compile_query

    if topic is None and query is None:
        raise HubbubError("influence needs a scope: a topic (--topic) or a query (--query)")
    posts = posts_table
    conditions = []
    labels = []
    if topic is not None:
        from hubbub.topics import ensure_tagged, topic_post_ids

        topics = project.config.topics
        if topic not in topics:
            known = ", ".join(topics) or "none in hubbub.toml"
            raise ConfigError(f"unknown topic {topic!r} (topics: {known})")
        ensure_tagged(project, only=[topic])
        conditions.append(posts.c.id.in_(topic_post_ids(topic)))
        labels.append(f"topic:{topic}")
    if query is not None:
        conditions.append(
            compile_query(
                query, dialect=project.store.dialect, timezone=project.config.project.timezone
            )
        )
        labels.append(f"query:{query}")
    return sa.select(posts.c.id).where(*conditions), " ".join(labels)


def _settings(project: Project, overrides: Mapping[str, Any]) -> Any:
    """``[analyzers.influence]``, validated by the ``influence`` analyzer's options, with overrides.

    The options model belongs to the bundled plugin (``hubbub.plugins.influence``), as a
    plugin's options do; it is found through the registry.
    """
    from hubbub.kinds import format_validation_error
    from hubbub.plugin_host import get_host
    from pydantic import ValidationError

    analyzer = get_host().get("analyzer", "influence")
    section = dict(project.config.analyzers.get("influence", {}))
    settings = analyzer.parse_options(section, "hubbub.toml: analyzers.influence")
    values = {key: value for key, value in overrides.items() if value is not None}
    if "weights" in values:
        values["weights"] = {**settings.weights, **values["weights"]}  # type: ignore[attr-defined]
    try:
        return analyzer.Options.model_validate({**settings.model_dump(), **values})
    except ValidationError as error:
        raise HubbubError(format_validation_error(error, "influence")) from None


def topic_influence(
    project: Project,
    *,
    topic: str | None = None,
    query: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    **overrides: Any,
) -> InfluenceResult:
    """:func:`analyze_influence` for a project's topic or a query, with its configured settings.

    :param overrides: ``share``, ``top``, ``method``, ``weights``, ``repeats``,
        ``teleport``, ``alpha``,
        ``tol``, ``max_iter`` over ``[analyzers.influence]`` (``None`` keeps the setting).
    """
    settings = _settings(project, overrides)
    scope, label = scope_for(project, topic=topic, query=query)
    return analyze_influence(
        project.store,
        scope,
        since=since,
        until=until,
        weights={**DEFAULT_WEIGHTS, **settings.weights},
        share=settings.share,
        top=settings.top,
        method=settings.method,
        repeats=settings.repeats,
        teleport=settings.teleport,
        alpha=settings.alpha,
        tol=settings.tol,
        max_iter=settings.max_iter,
        label=label,
    )


def influencers_by_topic(
    project: Project,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    **overrides: Any,
) -> dict[str, InfluenceResult]:
    """:func:`topic_influence` for every topic of ``hubbub.toml``, by topic name."""
    return {
        name: topic_influence(project, topic=name, since=since, until=until, **overrides)
        for name in project.config.topics
    }


def top_influencer_rows(
    project: Project, *, per_topic: int = 3, **overrides: Any
) -> list[dict[str, Any]]:
    """The first ``per_topic`` influencers of every topic as flat rows, with a ``topic`` key.

    For summaries such as ``hubbub demo``'s report: each topic is analysed with the
    project's settings (the top 15% by default, so ``missed_by_followers`` compares with
    a follower ranking of that size) and its best ``per_topic`` rows are kept.
    """
    rows = []
    for topic, result in influencers_by_topic(project, **overrides).items():
        rows.extend({"topic": topic, **row} for row in result.rows()[:per_topic])
    return rows

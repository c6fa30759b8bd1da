"""Trends: volume per window, spikes against a trailing baseline, their drivers, emerging terms.

A *scope* is the set of posts a trend is about: a topic (its tagged posts), a brand (posts
mentioning it, by :mod:`hubbub.brands`' rule) or an ad-hoc query. Its *volume* is counted
per window (hour, day or ISO week starting Monday) in the project's time zone.

A window is a *spike* when its volume ``v`` clears three bars against the ``B`` windows
before it (its trailing baseline, leaving out windows already flagged as spikes):

* ``v >= min_volume``;
* burst ratio ``v / max(mean, 1) >= min_burst``;
* z-score ``(v - mean) / max(sd, sqrt(mean), 1) >= min_z`` (``sd``: the baseline's
  population standard deviation; ``sqrt(mean)`` is the Poisson noise of a count).

Each spike is explained by the authors, hashtags and terms whose share rose most in the
spike window against the baseline windows: the log-odds ratio with an informative
Dirichlet prior of Monroe, Colaresi & Quinn (2008), as a z-score (:func:`log_odds`),
plus example posts that carry those drivers. *Emerging terms* are the words and
two-word phrases whose share rose most in the latest window against its baseline.
``docs/methods/trends.md`` gives every formula.

SQLAlchemy and the store are imported inside the functions that query, so the bundled
plugin that registers the ``trends`` analyzer (and its options) loads quickly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from hubbub.errors import HubbubError
from hubbub.kinds import Options
from pydantic import Field

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.query import Query
    from hubbub.store import Store
    from sqlalchemy.engine import Connection

__all__ = [
    "WINDOWS",
    "Driver",
    "EmergingTerm",
    "Scope",
    "Spike",
    "Trends",
    "TrendsOptions",
    "WindowVolume",
    "compute_trends",
    "detect_spikes",
    "emerging_terms",
    "log_odds",
    "post_features",
    "project_scopes",
    "terms_of",
    "window_floor",
    "window_label",
]

#: the window sizes trends are counted in
WINDOWS = ("hour", "day", "week")
#: default trailing baseline length per window size
DEFAULT_BASELINE = {"hour": 24, "day": 7, "week": 4}
#: seconds per slot of the SQL pre-aggregation (every time zone offset is a multiple of it)
_SLOT_SECONDS = 900


class TrendsOptions(Options):
    """Settings of trends and spikes (``[analyzers.trends]`` in ``hubbub.toml``)."""

    window: Literal["hour", "day", "week"] = Field("day", description="window size")
    baseline_windows: int | None = Field(
        None, gt=0, description="trailing windows in the baseline (default: 24 h, 7 d, 4 w)"
    )
    min_baseline_windows: int = Field(
        3, gt=0, description="fewest baseline windows needed to judge a window"
    )
    min_burst: float = Field(3.0, gt=0, description="spike: volume / baseline mean at least this")
    min_z: float = Field(3.0, description="spike: z-score at least this")
    min_volume: int = Field(10, ge=0, description="spike: at least this many posts in the window")
    prior: float = Field(
        0.1, gt=0, description="Dirichlet prior: pseudo-counts per observed count (log-odds)"
    )
    drivers: int = Field(5, ge=0, description="drivers listed per kind (authors, hashtags, terms)")
    min_driver_count: int = Field(
        3, ge=1, description="a driver occurs in at least this many posts"
    )
    examples: int = Field(3, ge=0, description="example posts per spike")
    emerging: int = Field(10, ge=0, description="emerging terms listed per scope")
    min_emerging_z: float = Field(
        2.0, description="an emerging term has a log-odds z at least this"
    )

    def baseline_for(self, window: str) -> int:
        """The trailing baseline length for ``window``."""
        return self.baseline_windows or DEFAULT_BASELINE[window]


# ---------------------------------------------------------------- windows


def window_floor(local: datetime, window: str) -> datetime:
    """The start of the window holding the naive local time ``local``."""
    if window == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if window == "day":
        return day
    if window == "week":
        return day - timedelta(days=day.weekday())
    raise HubbubError(f"unknown window {window!r} (use {', '.join(WINDOWS)})")


def window_step(start: datetime, window: str) -> datetime:
    """The start of the window after the one starting at ``start``."""
    return (
        start
        + {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}[window]
    )


def window_label(start: datetime, window: str) -> str:
    """``2026-03-19`` for days and weeks (the Monday), ``2026-03-19T14:00`` for hours."""
    return start.strftime("%Y-%m-%dT%H:00") if window == "hour" else start.strftime("%Y-%m-%d")


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- scopes


@dataclass
class Scope:
    """What a trend is about: ``topic``, ``brand`` or ``query`` with a name."""

    kind: str
    name: str
    #: for ``query`` scopes: the parsed query
    query: Query | None = None
    #: for ``brand`` scopes: the brand's handles and keywords
    brand: Any = None

    @property
    def label(self) -> str:
        """``topic:delays``, ``brand:skyjet`` or ``query:<text>``."""
        return f"{self.kind}:{self.name}"


_POST_COLUMNS = (
    "id",
    "external_id",
    "author",
    "created_at",
    "text",
    "hashtags",
    "likes",
    "reposts",
    "replies",
    "repost_of_id",
    "url",
)


@dataclass
class ScopePost:
    """The fields of a post that trends read."""

    id: int
    external_id: str
    author: str
    created_at: datetime
    text: str
    hashtags: list[str]
    likes: int | None
    reposts: int | None
    replies: int | None
    repost_of_id: str | None
    url: str | None

    @property
    def engagement(self) -> int:
        """Likes + reposts + replies."""
        return (self.likes or 0) + (self.reposts or 0) + (self.replies or 0)


def _scope_post(row: Any) -> ScopePost:
    return ScopePost(
        row.id,
        row.external_id,
        row.author,
        row.created_at,
        row.text,
        orjson.loads(row.hashtags),
        row.likes,
        row.reposts,
        row.replies,
        row.repost_of_id,
        row.url,
    )


class _ScopeReader:
    """Reads a scope's per-slot counts and posts in a time range.

    :param brand_posts: for a brand scope, the posts mentioning the brand in the whole
        analysed range (found once for all brands).
    """

    def __init__(
        self, store: Store, scope: Scope, brand_posts: list[ScopePost] | None = None
    ) -> None:
        self.store = store
        self.scope = scope
        self._brand_posts = brand_posts or []

    def _condition(self) -> Any:
        from hubbub.store import posts_table

        p = posts_table.c
        if self.scope.kind == "topic":
            from hubbub.topics import topic_post_ids

            return p.id.in_(topic_post_ids(self.scope.name))
        if self.scope.kind == "query":
            from hubbub.query import compiler_for

            assert self.scope.query is not None
            return compiler_for(self.store.dialect).where(self.scope.query.node)
        raise AssertionError(self.scope.kind)  # pragma: no cover

    def _brand_rows(self, low: datetime, high: datetime) -> list[ScopePost]:
        return [post for post in self._brand_posts if low <= post.created_at < high]

    def slot_counts(self, conn: Connection, low: datetime, high: datetime) -> Counter[int]:
        """Posts per 15-minute UTC slot (epoch seconds // 900) in ``[low, high)``."""
        import sqlalchemy as sa
        from hubbub.store import posts_table

        if self.scope.kind == "brand":
            counts: Counter[int] = Counter()
            for post in self._brand_rows(low, high):
                seconds = post.created_at.replace(tzinfo=UTC).timestamp()
                counts[int(seconds // _SLOT_SECONDS)] += 1
            return counts
        p = posts_table.c
        slot = _slot_expression(self.store.dialect, p.created_at)
        statement = (
            sa.select(slot.label("slot"), sa.func.count())
            .where(self._condition(), p.created_at >= low, p.created_at < high)
            .group_by(slot)
        )
        return Counter({int(row[0]): int(row[1]) for row in conn.execute(statement)})

    def texts(self, conn: Connection, low: datetime, high: datetime) -> list[str]:
        """The texts of the scope's posts in ``[low, high)`` (what emerging terms read)."""
        import sqlalchemy as sa
        from hubbub.store import posts_table

        if self.scope.kind == "brand":
            return [post.text for post in self._brand_rows(low, high)]
        p = posts_table.c
        statement = sa.select(p.text).where(
            self._condition(), p.created_at >= low, p.created_at < high
        )
        return [row[0] for row in conn.execute(statement).cursor.fetchall()]

    def posts(self, conn: Connection, low: datetime, high: datetime) -> list[ScopePost]:
        """The scope's posts in ``[low, high)``."""
        import sqlalchemy as sa
        from hubbub.store import posts_table

        if self.scope.kind == "brand":
            return self._brand_rows(low, high)
        p = posts_table.c
        statement = sa.select(*(p[name] for name in _POST_COLUMNS)).where(
            self._condition(), p.created_at >= low, p.created_at < high
        )
        return [_scope_post(row) for row in conn.execute(statement)]


def _slot_expression(dialect: str, column: Any) -> Any:
    """Epoch seconds of ``column`` // 900, in SQL (a small dialect seam)."""
    import sqlalchemy as sa

    if dialect == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", column) / _SLOT_SECONDS), sa.BigInteger)
    return sa.cast(sa.func.strftime("%s", column), sa.Integer) // _SLOT_SECONDS


# ---------------------------------------------------------------- spikes


@dataclass
class WindowVolume:
    """A scope's volume in one window, against its trailing baseline."""

    scope: str
    #: the window's start and end as naive local times in the project's time zone
    start: datetime
    end: datetime
    volume: int
    #: the baseline's mean volume (``None``: too few baseline windows to judge)
    baseline: float | None = None
    burst: float | None = None
    z: float | None = None
    spike: bool = False


def detect_spikes(
    volumes: Sequence[int],
    *,
    baseline_windows: int,
    min_baseline_windows: int = 3,
    min_burst: float = 3.0,
    min_z: float = 3.0,
    min_volume: int = 10,
) -> list[tuple[float | None, float | None, float | None, bool]]:
    """For each window: ``(baseline mean, burst ratio, z-score, is spike)``.

    The baseline of window ``t`` is windows ``t-B … t-1`` that are not spikes themselves;
    with fewer than ``min_baseline_windows`` of them the window is not judged (``None``s).
    """
    results: list[tuple[float | None, float | None, float | None, bool]] = []
    spikes: list[bool] = []
    for index, volume in enumerate(volumes):
        start = max(0, index - baseline_windows)
        baseline = [volumes[i] for i in range(start, index) if not spikes[i]]
        if len(baseline) < min_baseline_windows:
            results.append((None, None, None, False))
            spikes.append(False)
            continue
        mean = sum(baseline) / len(baseline)
        sd = math.sqrt(sum((value - mean) ** 2 for value in baseline) / len(baseline))
        burst = volume / max(mean, 1.0)
        z = (volume - mean) / max(sd, math.sqrt(mean), 1.0)
        spike = volume >= min_volume and burst >= min_burst and z >= min_z
        results.append((mean, burst, z, spike))
        spikes.append(spike)
    return results


# ---------------------------------------------------------------- features and log-odds

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_TAG_OR_MENTION = re.compile(r"(?<![\w#@])[#@][\w.\-]*\w")
#: a word, or a character that ends a phrase (punctuation; spaces do not)
_TOKEN_OR_BREAK = re.compile(r"\w+|[^\w\s]")

_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    im ive id ill its dont doesnt didnt cant wont isnt arent wasnt werent thats theres whats
    youre theyre weve youve got get gets getting one also still even really like us u ur lol
    oh ok okay yes yeah via rt amp http https www com co
    de la que el en y a los del se las por un para con no una su al lo como más mas pero sus le
    ya o este sí si porque esta entre cuando muy sin sobre también tambien me hasta hay donde
    quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí mi
    antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual
    poco ella estar estas algunas algo nosotros tu te ti tus es son fue ha he era
    في من على إلى الى عن مع هذا هذه ذلك التي الذي أن ان إن لا ما لم كان كل قد هو هي أو او ثم بعد
    قبل عند حتى لكن أي اي منذ هل يا
    """
#: words left out of terms (English, Spanish, Arabic)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def terms_of(text: str) -> set[str]:
    """The words and two-word phrases of ``text`` that trends count (once per post).

    Words are casefolded tokens of letters, digits and ``_``, without URLs, hashtags,
    mentions, numbers, one-letter words and stop words (English, Spanish, Arabic); a
    phrase is two such words with only spaces between them.
    """
    cleaned = _TAG_OR_MENTION.sub(" | ", _URL.sub(" | ", text))
    found: set[str] = set()
    previous = ""
    words = _TOKEN_WORDS
    if len(words) >= TOKENS_REMEMBERED:
        words.clear()
    for token in _TOKEN_OR_BREAK.findall(cleaned):
        word = words.get(token)
        if word is None:
            word = words[token] = _term_word(token)
        if not word:  # a break: punctuation, a stop word, a number
            previous = ""
            continue
        found.add(word)
        if previous:
            found.add(f"{previous} {word}")
        previous = word
    return found


#: tokens as written -> their term ("" when they break a phrase), for :func:`terms_of`
_TOKEN_WORDS: dict[str, str] = {}
#: distinct tokens :func:`terms_of` remembers
TOKENS_REMEMBERED = 100_000


def _term_word(token: str) -> str:
    """``token`` casefolded if trends count it as a word, else ``""``."""
    word = token.casefold()
    if word[0].isalnum() and len(word) > 1 and not word.isdigit() and word not in STOPWORDS:
        return word
    return ""


#: distinct texts whose terms one trends computation remembers (scopes share posts)
TERMS_REMEMBERED = 20_000


def term_counts(texts: Iterable[str], known: dict[str, frozenset[str]]) -> Counter[str]:
    """In how many of ``texts`` each term occurs; ``known`` remembers texts' terms.

    ``known`` is shared by the scopes of one computation (the whole corpus and each
    brand read many of the same posts) and emptied past :data:`TERMS_REMEMBERED`.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        terms = known.get(text)
        if terms is None:
            if len(known) >= TERMS_REMEMBERED:
                known.clear()
            terms = known[text] = frozenset(terms_of(text))
        counts.update(terms)
    return counts


def post_features(posts: Iterable[ScopePost]) -> dict[str, Counter[str]]:
    """Per kind (``author``, ``hashtag``, ``term``), in how many of ``posts`` each value occurs."""
    authors: Counter[str] = Counter()
    hashtags: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    for post in posts:
        authors[post.author] += 1
        hashtags.update({"#" + tag.casefold() for tag in post.hashtags})
        terms.update(terms_of(post.text))
    return {"author": authors, "hashtag": hashtags, "term": terms}


def log_odds(
    target: Mapping[str, int], background: Mapping[str, int], *, prior: float = 0.1
) -> dict[str, tuple[float, float]]:
    """Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For each feature ``w`` with counts ``y_t`` (target) and ``y_b`` (background), totals
    ``n_t`` and ``n_b``, and prior ``a_w = prior * (y_t + y_b)`` (``a_0`` its sum)::

        delta = log((y_t + a_w) / (n_t + a_0 - y_t - a_w)) - log((y_b + a_w) / (n_b + a_0 - y_b - a_w))
        var   = 1 / (y_t + a_w) + 1 / (y_b + a_w)
        z     = delta / sqrt(var)

    :returns: ``{feature: (delta, z)}``; positive values rose in the target.
    """
    n_t = sum(target.values())
    n_b = sum(background.values())
    a_0 = prior * (n_t + n_b)
    scores: dict[str, tuple[float, float]] = {}
    for feature in set(target) | set(background):
        y_t = target.get(feature, 0)
        y_b = background.get(feature, 0)
        a_w = prior * (y_t + y_b)
        rest_t = n_t + a_0 - y_t - a_w
        rest_b = n_b + a_0 - y_b - a_w
        if a_w <= 0 or rest_t <= 0 or rest_b <= 0:
            continue
        delta = math.log((y_t + a_w) / rest_t) - math.log((y_b + a_w) / rest_b)
        variance = 1 / (y_t + a_w) + 1 / (y_b + a_w)
        scores[feature] = (delta, delta / math.sqrt(variance))
    return scores


@dataclass
class Driver:
    """A feature that rose in a window against the baseline."""

    kind: str
    value: str
    #: posts with it in the window
    count: int
    #: posts with it per baseline window, on average
    baseline: float
    #: the log-odds z-score (higher: rose more clearly)
    z: float


def top_risers(
    target: Mapping[str, int],
    background: Mapping[str, int],
    *,
    kind: str,
    baseline_windows: int,
    prior: float,
    limit: int,
    min_count: int,
) -> list[Driver]:
    """The ``limit`` features that rose most (positive z, at least ``min_count`` in the target)."""
    scores = log_odds(target, background, prior=prior)
    risers = [
        Driver(
            kind,
            feature,
            target.get(feature, 0),
            background.get(feature, 0) / max(baseline_windows, 1),
            z,
        )
        for feature, (_delta, z) in scores.items()
        if z > 0 and target.get(feature, 0) >= min_count
    ]
    if kind == "term":
        risers = _drop_subsumed(risers, background)
    risers.sort(key=lambda driver: (-driver.z, -driver.count, driver.value))
    return risers[:limit]


def _drop_subsumed(risers: list[Driver], background: Mapping[str, int]) -> list[Driver]:
    """Leave out a word when a rising phrase holding it has the same counts (it says more)."""
    phrases = {
        (word, driver.count, background.get(driver.value, 0))
        for driver in risers
        if " " in driver.value
        for word in driver.value.split(" ")
    }
    return [
        driver
        for driver in risers
        if " " in driver.value
        or (driver.value, driver.count, background.get(driver.value, 0)) not in phrases
    ]


@dataclass
class Spike:
    """A spike window of a scope, with what drove it."""

    volume: WindowVolume
    #: kind (``author``, ``hashtag``, ``term``) -> drivers, strongest first
    drivers: dict[str, list[Driver]] = field(default_factory=dict)
    #: example posts of the window that carry the drivers (flat dicts)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def scope(self) -> str:
        """The scope's label, e.g. ``topic:delays``."""
        return self.volume.scope


@dataclass
class EmergingTerm:
    """A word or phrase whose share rose in the latest window of a scope."""

    scope: str
    term: str
    count: int
    baseline: float
    z: float
    #: the window it rose in (naive local start)
    window: datetime


@dataclass
class Trends:
    """Volumes, spikes and emerging terms for a set of scopes."""

    window: str
    timezone: str
    #: scope label -> one :class:`WindowVolume` per window, in time order
    volumes: dict[str, list[WindowVolume]] = field(default_factory=dict)
    spikes: list[Spike] = field(default_factory=list)
    emerging: list[EmergingTerm] = field(default_factory=list)

    def volume_rows(self) -> list[dict[str, Any]]:
        """Flat rows: scope, window, volume, baseline, burst, z, spike."""
        return [
            {
                "scope": item.scope,
                "window": window_label(item.start, self.window),
                "volume": item.volume,
                "baseline": _round(item.baseline, 2),
                "burst": _round(item.burst, 2),
                "z": _round(item.z, 2),
                "spike": item.spike,
            }
            for series in self.volumes.values()
            for item in series
        ]

    def spike_rows(self) -> list[dict[str, Any]]:
        """Flat rows, one per spike, drivers as lists of strings."""
        rows = []
        for spike in self.spikes:
            item = spike.volume
            rows.append(
                {
                    "scope": item.scope,
                    "window": window_label(item.start, self.window),
                    "volume": item.volume,
                    "baseline": _round(item.baseline, 2),
                    "burst": _round(item.burst, 2),
                    "z": _round(item.z, 2),
                    "authors": [d.value for d in spike.drivers.get("author", [])],
                    "hashtags": [d.value for d in spike.drivers.get("hashtag", [])],
                    "terms": [d.value for d in spike.drivers.get("term", [])],
                    "examples": [example["text"] for example in spike.examples],
                }
            )
        return rows

    def emerging_rows(self) -> list[dict[str, Any]]:
        """Flat rows, one per emerging term."""
        return [
            {
                "scope": term.scope,
                "window": window_label(term.window, self.window),
                "term": term.term,
                "count": term.count,
                "baseline": round(term.baseline, 2),
                "z": round(term.z, 2),
            }
            for term in self.emerging
        ]


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# ---------------------------------------------------------------- computing


def project_scopes(
    project: Project,
    *,
    topics: Sequence[str] | None = None,
    brands: Sequence[str] | None = None,
    query: str | None = None,
) -> list[Scope]:
    """The scopes to analyse: the named topics and brands, or every topic and brand.

    :raises HubbubError: for a topic or brand not in ``hubbub.toml``.
    """
    config = project.config
    scopes: list[Scope] = []
    everything = not topics and not brands and not query
    for name in topics or (list(config.topics) if everything else []):
        if name not in config.topics:
            raise HubbubError(
                f"unknown topic {name!r} (topics: {', '.join(config.topics) or 'none'})"
            )
        scopes.append(Scope("topic", name))
    for name in brands or (list(config.brands) if everything else []):
        if name not in config.brands:
            raise HubbubError(
                f"unknown brand {name!r} (brands: {', '.join(config.brands) or 'none'})"
            )
        scopes.append(Scope("brand", name, brand=config.brands[name]))
    if query:
        from hubbub.query import parse_query

        scopes.append(Scope("query", query, parse_query(query, timezone=config.project.timezone)))
    return scopes


def compute_trends(
    project: Project,
    scopes: Sequence[Scope] | None = None,
    *,
    options: TrendsOptions | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    explain: bool = True,
    emerging: bool = False,
) -> Trends:
    """Volume per window for each scope, its spikes with drivers, and optionally emerging terms.

    Topic tags are brought up to date first (incrementally).

    :param scopes: what to analyse (default: :func:`project_scopes` — every topic and brand).
    :param options: thresholds and window; default: ``[analyzers.trends]`` of ``hubbub.toml``.
    :param since: the first instant analysed (naive UTC); default: the oldest post.
    :param until: the end (exclusive); default: just after the newest post.
    :param explain: find each spike's drivers and example posts.
    :param emerging: also find emerging terms of the last window of each scope.
    """
    from hubbub.topics import ensure_tagged

    options = options or load_options(project)
    scopes = list(scopes) if scopes is not None else project_scopes(project)
    timezone = project.config.project.timezone
    zone = ZoneInfo(timezone)
    window = options.window
    result = Trends(window, timezone)
    store = project.store
    topic_names = [scope.name for scope in scopes if scope.kind == "topic"]
    if topic_names:
        ensure_tagged(project, only=topic_names)
    low, high = _range(store, since, until)
    if low is None or high is None or low >= high:
        return result
    starts = _window_starts(low, high, window, zone)
    index = {start: position for position, start in enumerate(starts)}
    brand_names = [scope.name for scope in scopes if scope.kind == "brand"]
    brand_posts: dict[str, list[ScopePost]] = {}
    if brand_names:
        from hubbub.share_of_voice import brand_mention_posts

        brand_posts = brand_mention_posts(
            store, project.config.brands, since=low, until=high, only=brand_names
        )
    baseline_windows = options.baseline_for(window)
    known: dict[str, frozenset[str]] = {}  # texts' terms, shared by the scopes
    with store.engine.connect() as conn:
        for scope in scopes:
            reader = _ScopeReader(store, scope, brand_posts.get(scope.name))
            volumes = [0] * len(starts)
            labels: dict[int, int] = {}
            for slot, count in reader.slot_counts(conn, low, high).items():
                position = labels.get(slot)
                if position is None:
                    local = _local(
                        datetime.fromtimestamp(slot * _SLOT_SECONDS, UTC).replace(tzinfo=None), zone
                    )
                    position = labels[slot] = index.get(window_floor(local, window), -1)
                if position >= 0:
                    volumes[position] += count
            scored = detect_spikes(
                volumes,
                baseline_windows=baseline_windows,
                min_baseline_windows=options.min_baseline_windows,
                min_burst=options.min_burst,
                min_z=options.min_z,
                min_volume=options.min_volume,
            )
            series = [
                WindowVolume(
                    scope.label,
                    start,
                    window_step(start, window),
                    volume,
                    baseline,
                    burst,
                    z,
                    spike,
                )
                for start, volume, (baseline, burst, z, spike) in zip(
                    starts, volumes, scored, strict=True
                )
            ]
            result.volumes[scope.label] = series
            for position, item in enumerate(series):
                if not item.spike:
                    continue
                spike = Spike(item)
                if explain:
                    _explain(conn, reader, spike, series, position, options, zone)
                result.spikes.append(spike)
            if emerging and options.emerging:
                result.emerging.extend(
                    emerging_terms(
                        conn, reader, series, options, zone, scope_label=scope.label, known=known
                    )
                )
    return result


def load_options(project: Project, **overrides: Any) -> TrendsOptions:
    """``[analyzers.trends]`` of ``hubbub.toml`` with ``overrides`` (``None`` values ignored).

    :raises ConfigError: for an unknown key or a bad value, naming it.
    """
    from hubbub.errors import ConfigError
    from hubbub.kinds import format_validation_error
    from pydantic import ValidationError

    section = dict(project.config.analyzers.get("trends") or {})
    section.pop("enabled", None)
    section.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return TrendsOptions.model_validate(section)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, "[analyzers.trends]")) from None


def _range(
    store: Store, since: datetime | None, until: datetime | None
) -> tuple[datetime | None, datetime | None]:
    import sqlalchemy as sa
    from hubbub.store import posts_table

    if since is not None and until is not None:
        return since, until
    p = posts_table.c
    with store.engine.connect() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(p.created_at), sa.func.max(p.created_at))
        ).one()
    if first is None:
        return since, until
    return (since or first), (until or last + timedelta(microseconds=1))


def _window_starts(low: datetime, high: datetime, window: str, zone: ZoneInfo) -> list[datetime]:
    start = window_floor(_local(low, zone), window)
    last = window_floor(_local(high - timedelta(microseconds=1), zone), window)
    starts = []
    while start <= last:
        starts.append(start)
        start = window_step(start, window)
    return starts


def _baseline_positions(
    series: Sequence[WindowVolume], position: int, baseline_windows: int
) -> list[int]:
    start = max(0, position - baseline_windows)
    return [i for i in range(start, position) if not series[i].spike]


def _posts_in(
    conn: Connection, reader: _ScopeReader, windows: Sequence[WindowVolume], zone: ZoneInfo
) -> list[ScopePost]:
    posts: list[ScopePost] = []
    for item in windows:
        posts.extend(reader.posts(conn, _utc(item.start, zone), _utc(item.end, zone)))
    return posts


def _texts_in(
    conn: Connection, reader: _ScopeReader, windows: Sequence[WindowVolume], zone: ZoneInfo
) -> Iterator[str]:
    """The texts of the scope's posts in ``windows``: one query per run of adjacent windows."""
    runs: list[list[datetime]] = []
    for item in windows:
        if runs and runs[-1][1] == item.start:
            runs[-1][1] = item.end
        else:
            runs.append([item.start, item.end])
    for start, end in runs:
        yield from reader.texts(conn, _utc(start, zone), _utc(end, zone))


def _explain(
    conn: Connection,
    reader: _ScopeReader,
    spike: Spike,
    series: Sequence[WindowVolume],
    position: int,
    options: TrendsOptions,
    zone: ZoneInfo,
) -> None:
    baseline_positions = _baseline_positions(series, position, options.baseline_for(options.window))
    window_posts = _posts_in(conn, reader, [spike.volume], zone)
    baseline_posts = _posts_in(conn, reader, [series[i] for i in baseline_positions], zone)
    target = post_features(window_posts)
    background = post_features(baseline_posts)
    for kind in ("author", "hashtag", "term"):
        spike.drivers[kind] = top_risers(
            target[kind],
            background[kind],
            kind=kind,
            baseline_windows=len(baseline_positions),
            prior=options.prior,
            limit=options.drivers,
            min_count=options.min_driver_count,
        )
    spike.examples = _examples(window_posts, spike.drivers, options.examples)


def _examples(
    posts: Sequence[ScopePost], drivers: Mapping[str, Sequence[Driver]], limit: int
) -> list[dict[str, Any]]:
    """Posts of the window scored by the z-scores of the drivers they carry (reposts skipped)."""
    weights = {(d.kind, d.value): d.z for kinds in drivers.values() for d in kinds}
    scored = []
    for post in posts:
        if post.repost_of_id is not None:
            continue
        score = weights.get(("author", post.author), 0.0)
        score += sum(
            weights.get(("hashtag", "#" + tag.casefold()), 0.0) for tag in set(post.hashtags)
        )
        score += sum(weights.get(("term", term), 0.0) for term in terms_of(post.text))
        if score > 0:
            scored.append((score, post.engagement, post))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].id))
    examples: list[dict[str, Any]] = []
    seen: set[str] = set()
    for score, _engagement, post in scored:
        if post.text in seen:
            continue
        seen.add(post.text)
        examples.append(
            {
                "id": post.external_id,
                "author": post.author,
                "created_at": post.created_at.isoformat() + "Z",
                "text": post.text,
                "url": post.url,
                "engagement": post.engagement,
                "score": round(score, 2),
            }
        )
        if len(examples) >= limit:
            break
    return examples


def emerging_terms(
    conn: Connection,
    reader: _ScopeReader,
    series: Sequence[WindowVolume],
    options: TrendsOptions,
    zone: ZoneInfo,
    *,
    scope_label: str,
    known: dict[str, frozenset[str]] | None = None,
) -> list[EmergingTerm]:
    """Words and phrases whose share rose most in the last window against its baseline.

    :param known: texts' terms remembered across calls (see :func:`term_counts`).
    """
    if len(series) < 2:
        return []
    position = len(series) - 1
    baseline_positions = _baseline_positions(series, position, options.baseline_for(options.window))
    if not baseline_positions:
        return []
    known = {} if known is None else known
    target = term_counts(_texts_in(conn, reader, [series[position]], zone), known)
    background = term_counts(
        _texts_in(conn, reader, [series[i] for i in baseline_positions], zone), known
    )
    risers = top_risers(
        target,
        background,
        kind="term",
        baseline_windows=len(baseline_positions),
        prior=options.prior,
        limit=options.emerging,
        min_count=options.min_driver_count,
    )
    return [
        EmergingTerm(scope_label, d.value, d.count, d.baseline, d.z, series[position].start)
        for d in risers
        if d.z >= options.min_emerging_z
    ]

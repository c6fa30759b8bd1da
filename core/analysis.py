"""Running post analyzers: incremental, batched, deduplicated and parallel.

``hubbub analyze`` ends here. For each post analyzer, in dependency order (sentiment
needs the language), :func:`run_analyzers` streams the posts that lack a result from
the analyzer's *current* version (keyset pagination, so memory stays flat), sends each
batch's distinct ``(text, language)`` pairs to an :class:`Executor`, and writes the
results back as annotations, one transaction per batch. Identical texts are analysed
once: within a batch, and across batches through a bounded cache.

Versions. A result is current when its ``version`` column equals the analyzer's
*effective version*: its ``version`` attribute, plus a digest of its options when they
differ from the defaults, plus the effective versions of the analyzers it requires.
Bumping an analyzer's version, changing its options or re-analysing the language
therefore re-analyses exactly what depends on them.

Failures. An analyzer that raises on a batch is retried post by post; a post whose
analysis still raises gets one ``error`` annotation (type and message) and the run goes
on. Such posts count as analysed; ``retry_failed=True`` (``--retry-failed``) runs them
again. An interrupted run keeps every committed batch and loses only the batches in
flight; the next run continues from there.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import orjson
import sqlalchemy as sa
from hubbub.annotation_writer import AnnotationRow, replace_annotations
from hubbub.bulk import relaxed_gc
from hubbub.errors import HubbubError
from hubbub.kinds import Options, PostAnalyzer
from hubbub.store import Store, analyzer_versions_table, annotations_table, posts_table
from hubbub.storing_pool import StoredBatch, StoringPool, can_share
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from hubbub.config import Config
    from hubbub.plugin_host import PluginHost
    from hubbub.project import Project

#: the analyzer whose ``lang`` result analyzers that require it receive as ``PostText.lang``
LANGUAGE_ANALYZER = "language"
#: the key under which a post's failed analysis is recorded
ERROR_KEY = "error"
#: posts read per batch by default
DEFAULT_BATCH_SIZE = 2000
#: distinct (text, language) results kept across batches for deduplication
CACHE_ENTRIES = 200_000

#: called as ``progress(analyzer, posts_done, posts_total)`` after each stored batch
ProgressCallback = Callable[[str, int, int], None]
#: a distinct input: (text, language)
TextKey = tuple[str, str | None]
#: one item's result as (key, value-as-JSON) pairs
EncodedResult = tuple[tuple[str, str], ...]


class PostText(NamedTuple):
    """What a post analyzer sees of a post: its text exactly as written, and its language.

    ``lang`` is the platform's language tag, or, for an analyzer that lists
    ``"language"`` in ``requires``, the language analyzer's result (an ISO 639-1 code,
    ``"und"`` when undetermined, ``"zxx"`` when the post has no words). Identical
    ``(text, lang)`` pairs are analysed once, so an analyzer must be a pure function of them.
    """

    text: str
    lang: str | None


# ---------------------------------------------------------------- analyzer specs


def _options_digest(cls: type[PostAnalyzer], options: Options) -> str:
    dump = options.model_dump(mode="json")
    try:
        default = cls.Options().model_dump(mode="json")
    except ValueError:  # options without defaults: every setting is explicit
        default = None
    if dump == default:
        return ""
    digest = hashlib.sha1(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return "~" + digest[:8]


def requirements(cls: type[PostAnalyzer]) -> tuple[str, ...]:
    """The analyzers ``cls`` needs to have run first (its ``requires`` class attribute)."""
    return tuple(getattr(cls, "requires", ()) or ())


@dataclass(frozen=True)
class AnalyzerSpec:
    """Everything a worker needs to build and run one analyzer; picklable.

    :param cls: the registered :class:`~hubbub.PostAnalyzer` subclass.
    :param options: its validated options.
    :param version: its effective version (see the module docstring).
    """

    cls: type[PostAnalyzer]
    options: Options
    version: str

    @property
    def name(self) -> str:
        """The analyzer's registered name."""
        return self.cls.name

    @property
    def needs_language(self) -> bool:
        """Whether the analyzer reads the language analyzer's result."""
        return LANGUAGE_ANALYZER in requirements(self.cls)

    @property
    def summary_key(self) -> str | None:
        """The result key whose values a run tallies (e.g. ``label``), if the analyzer names one."""
        return getattr(self.cls, "summary_key", None)

    def build(self) -> PostAnalyzer:
        """A new instance of the analyzer with these options."""
        return self.cls(self.options)


def post_analyzers(host: PluginHost) -> dict[str, type[PostAnalyzer]]:
    """The registered post analyzers by name (corpus analyzers left out)."""
    return {
        name: cls  # type: ignore[misc]
        for name, cls in host.registry["analyzer"].items()
        if isinstance(cls, type) and issubclass(cls, PostAnalyzer)
    }


def plan(
    host: PluginHost,
    config: Config | None = None,
    only: Sequence[str] | None = None,
) -> list[AnalyzerSpec]:
    """The analyzers to run, requirements first, with options from ``[analyzers.NAME]``.

    :param host: the plugin host whose post analyzers are candidates.
    :param config: the project configuration (``None``: default options for all).
    :param only: run only these analyzers (and what they require).
    :returns: specs in an order where every analyzer follows those it requires.
    :raises HubbubError: for an unknown name, a missing requirement, a cycle or bad options.
    """
    available = post_analyzers(host)
    sections = dict(config.analyzers) if config is not None else {}
    if only:
        unknown = [name for name in only if name not in available]
        if unknown:
            choices = ", ".join(sorted(available)) or "none"
            raise HubbubError(f"unknown post analyzer {unknown[0]!r} (available: {choices})")
        wanted = list(dict.fromkeys(only))
    else:
        wanted = [
            name
            for name in sorted(available)
            if (sections.get(name) or {}).get("enabled", True) is not False
        ]
    ordered: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise HubbubError(f"post analyzers require each other in a cycle: {cycle}")
        if name not in available:
            raise HubbubError(
                f"post analyzer {visiting[-1]!r} requires {name!r}, which no plugin registers"
            )
        visiting.append(name)
        for requirement in requirements(available[name]):
            visit(requirement)
        visiting.pop()
        ordered.append(name)

    for name in wanted:
        visit(name)
    specs: dict[str, AnalyzerSpec] = {}
    for name in ordered:
        cls = available[name]
        section = dict(sections.get(name) or {})
        section.pop("enabled", None)
        options = cls.parse_options(section, f"[analyzers.{name}]")
        version = str(cls.version) + _options_digest(cls, options)
        for requirement in requirements(cls):
            version += f"+{requirement}@{specs[requirement].version}"
        specs[name] = AnalyzerSpec(cls, options, version)
    return [specs[name] for name in ordered]


# ---------------------------------------------------------------- the work itself (in workers)

#: analyzers built in this process, by (class, name, effective version): two plugins'
#: analyzers of one name (in tests, or a plugin replacing a bundled one) stay apart
_BUILT: dict[tuple[type, str, str], PostAnalyzer] = {}


def analyzer_for(spec: AnalyzerSpec) -> PostAnalyzer:
    """The analyzer for ``spec``, built once per process."""
    key = (spec.cls, spec.name, spec.version)
    analyzer = _BUILT.get(key)
    if analyzer is None:
        analyzer = _BUILT[key] = spec.build()
    return analyzer


def _error(error: BaseException) -> EncodedResult:
    value = {"type": type(error).__name__, "message": str(error)[:500]}
    return ((ERROR_KEY, orjson.dumps(value).decode()),)


def _encode(result: Any) -> EncodedResult:
    if not isinstance(result, dict) or not result:
        raise TypeError(f"expected a non-empty dict of annotations, got {result!r:.80}")
    dumps = orjson.dumps
    return tuple([(str(key), dumps(value).decode()) for key, value in result.items()])


def analyze_texts(spec: AnalyzerSpec, items: Sequence[TextKey]) -> list[EncodedResult]:
    """Run one analyzer on distinct ``(text, lang)`` items; one encoded result per item.

    The whole batch goes to the analyzer at once; if that raises (or returns the wrong
    number of results), each item is analysed alone so that only the failing posts get an
    ``error`` result. This is the function executors run, in whatever process.
    """
    analyzer = analyzer_for(spec)
    posts = [PostText(text, lang) for text, lang in items]
    try:
        results = analyzer.analyze(posts)  # type: ignore[arg-type]
        if len(results) != len(posts):
            raise ValueError(f"returned {len(results)} results for {len(posts)} posts")
        return [_encode(result) for result in results]
    except Exception:
        pass
    encoded: list[EncodedResult] = []
    for post in posts:
        try:
            results = analyzer.analyze([post])  # type: ignore[list-item]
            if len(results) != 1:
                raise ValueError(f"returned {len(results)} results for 1 post")
            encoded.append(_encode(results[0]))
        except Exception as error:
            encoded.append(_error(error))
    return encoded


# ---------------------------------------------------------------- executors


class TaskHandle(Protocol):
    """A submitted task: ``result()`` blocks until it is done (as ``concurrent.futures.Future``)."""

    def result(self) -> list[EncodedResult]:
        """The task's results (raises what the task raised)."""
        ...


class _Done:
    def __init__(self, value: list[EncodedResult]) -> None:
        self._value = value

    def result(self) -> list[EncodedResult]:
        return self._value


class Executor(ABC):
    """Where batches are analysed: this process, a process pool, or (later) a cluster.

    The machinery calls :meth:`start` with the analyzers that have work, then
    :meth:`submit` per batch, and collects results in submission order through the
    handles' ``result()``; :meth:`close` ends it. An implementation runs
    :func:`analyze_texts` on the items it is given and may build each analyzer once per
    worker (:func:`analyzer_for` does that).
    """

    #: how many batches run at the same time (the machinery keeps a few more queued)
    workers: int = 1

    def start(self, specs: Sequence[AnalyzerSpec]) -> None:  # noqa: B027 - optional hook
        """Prepare to run the analyzers of ``specs`` (e.g. start workers that build them)."""

    @abstractmethod
    def submit(self, spec: AnalyzerSpec, items: Sequence[TextKey]) -> TaskHandle:
        """Start analysing ``items`` with ``spec``'s analyzer; return a handle to its results."""

    def close(self, *, cancel: bool = False) -> None:  # noqa: B027 - optional hook
        """Stop; with ``cancel``, drop batches not yet started."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        self.close(cancel=exc_type is not None)


class SerialExecutor(Executor):
    """Analyses each batch in this process when it is submitted."""

    workers = 1

    def submit(self, spec: AnalyzerSpec, items: Sequence[TextKey]) -> TaskHandle:
        """Analyse ``items`` now and return a finished handle."""
        return _Done(analyze_texts(spec, items))


def _init_worker(specs: Sequence[AnalyzerSpec]) -> None:
    # Ctrl-C goes to the whole process group: let the parent stop the pool in order
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for spec in specs:
        with contextlib.suppress(Exception):  # the first batch reports it, with the name
            analyzer_for(spec)


def _ready() -> bool:
    return True


def default_workers() -> int:
    """One worker per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class ProcessExecutor(Executor):
    """Analyses batches in a pool of worker processes, each building its analyzers once.

    :param workers: worker processes (default: one per core).
    :param start_method: ``fork``, ``forkserver`` or ``spawn`` (default: ``fork`` on
        Linux, where workers then inherit analyzers built once in the parent; the
        platform's default elsewhere).
    """

    def __init__(self, workers: int | None = None, *, start_method: str | None = None) -> None:
        self.workers = workers or default_workers()
        if start_method is None and sys.platform == "linux":
            start_method = "fork"
        self.start_method = start_method
        self._pool: Any = None

    def start(self, specs: Sequence[AnalyzerSpec]) -> None:
        """Start the worker processes; with ``fork``, build the analyzers first so they are shared."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context(self.start_method)
        if context.get_start_method() == "fork":
            for spec in specs:
                analyzer_for(spec)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker, initargs=(tuple(specs),)
        )
        # the first task starts every worker now, before the run starts its writer thread
        # (forking a process that has threads is asking for deadlocks)
        self._pool.submit(_ready).result()

    def submit(self, spec: AnalyzerSpec, items: Sequence[TextKey]) -> TaskHandle:
        """Queue ``items`` for a worker."""
        if self._pool is None:
            self.start([spec])
        return self._pool.submit(analyze_texts, spec, list(items))

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down (waiting for running batches)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


# ---------------------------------------------------------------- selecting posts


def _current(spec: AnalyzerSpec, *, retry_failed: bool) -> sa.ColumnElement[bool]:
    """Whether a post (the outer ``posts`` row) holds a current result of ``spec``."""
    current = annotations_table.alias("current_result")
    conditions = [
        current.c.post_id == posts_table.c.id,
        current.c.analyzer == spec.name,
        # `|| ''` keeps SQLite's planner on the primary key (one probe per post) rather
        # than the (analyzer, version) index, which scans every result per post
        current.c.version.concat("") == spec.version,
    ]
    if retry_failed:
        conditions.append(current.c.key != ERROR_KEY)
    return sa.exists().where(*conditions)


def last_analysed_post(conn: Connection, spec: AnalyzerSpec) -> int:
    """The highest post id holding any result of ``spec``'s analyzer (0 if none).

    Posts above it cannot hold a result, so they are read without probing annotations:
    that is where new posts are, and what makes incremental runs cheap.
    """
    a = annotations_table.c
    v = analyzer_versions_table.c
    exists = sa.select(sa.literal(1)).where(v.analyzer == spec.name).limit(1)
    if conn.execute(exists).first() is None:
        return 0  # never written (answered without scanning the annotations)
    # `|| ''`: walk the primary key backwards (a few entries) instead of every result row
    highest = (
        sa.select(a.post_id)
        .where(a.analyzer.concat("") == spec.name)
        .order_by(a.post_id.desc())
        .limit(1)
    )
    return int(conn.execute(highest).scalar() or 0)


def count_pending(store: Store, spec: AnalyzerSpec, *, retry_failed: bool = False) -> int:
    """How many posts lack a current result of ``spec``."""
    p = posts_table.c
    with store.engine.connect() as conn:
        high = last_analysed_post(conn, spec)
        newer = sa.select(sa.func.count()).select_from(posts_table)
        if high:  # without a condition, SQLite counts the rows of the smallest index
            newer = newer.where(p.id > high)
        count = int(conn.execute(newer).scalar() or 0)
        if high:
            older = (
                sa.select(sa.func.count())
                .select_from(posts_table)
                .where(p.id <= high, ~_current(spec, retry_failed=retry_failed))
            )
            count += int(conn.execute(older).scalar() or 0)
        return count


def has_older_results(conn: Connection, spec: AnalyzerSpec) -> bool:
    """Whether any post holds a result of ``spec``'s analyzer from another version.

    ``analyzer_versions`` says which versions wrote results; a version listed there
    whose results were all replaced since is confirmed absent once (a scan of the
    analyzer's rows) and removed from the list, so the next runs skip the scan. That
    removal is committed on ``conn``.
    """
    v = analyzer_versions_table.c
    others = sa.select(v.version).where(v.analyzer == spec.name, v.version != spec.version)
    listed = list(conn.execute(others).scalars())
    if not listed:
        return False
    a = annotations_table.c
    query = (
        sa.select(sa.literal(1))
        .where(a.analyzer == spec.name, sa.or_(a.version < spec.version, a.version > spec.version))
        .limit(1)
    )
    if conn.execute(query).first() is not None:
        return True
    conn.execute(
        sa.delete(analyzer_versions_table).where(v.analyzer == spec.name, v.version.in_(listed))
    )
    conn.commit()  # ends the caller's read transaction too (it wrote nothing)
    return False


def _pending_query(
    spec: AnalyzerSpec, *, probe: bool, retry_failed: bool = False, check_stale: bool = False
) -> sa.Select[Any]:
    """Posts after ``:after``; with ``probe``, up to ``:until`` and lacking a current result."""
    p = posts_table.c
    stale: sa.ColumnElement[Any]
    if probe and check_stale:
        older = annotations_table.alias("older_result")
        stale = sa.exists().where(older.c.post_id == p.id, older.c.analyzer == spec.name)
    else:
        stale = sa.literal(0)
    source: sa.FromClause = posts_table
    lang: sa.ColumnElement[Any] = p.lang
    if spec.needs_language:
        # a join reads faster than a subquery per post; the key is unique per post
        language = annotations_table.alias("language_result")
        source = posts_table.outerjoin(
            language,
            sa.and_(
                language.c.post_id == p.id,
                language.c.analyzer == LANGUAGE_ANALYZER,
                language.c.key == "lang",
            ),
        )
        lang = language.c.value
    conditions = [p.id > sa.bindparam("after")]
    if probe:  # the posts up to the last one holding a result of the analyzer
        conditions += [p.id <= sa.bindparam("until"), ~_current(spec, retry_failed=retry_failed)]
    return (
        sa.select(p.id, p.text, lang.label("lang"), stale.label("stale"))
        .select_from(source)
        .where(*conditions)
        .order_by(p.id)
        .limit(sa.bindparam("limit"))
    )


def iter_pending(
    store: Store,
    spec: AnalyzerSpec,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retry_failed: bool = False,
    conn: Connection | None = None,
) -> Iterator[list[tuple[int, str, str | None, bool]]]:
    """Batches of ``(post_id, text, lang, stale)`` for posts lacking a current result, by id.

    ``stale`` says the post holds rows from an older run of the analyzer (to replace).
    With ``conn``, reads go through that connection (no transaction is left open between
    batches, so the caller may write through it too).
    """
    if conn is None:
        with store.engine.connect() as own:
            yield from iter_pending(
                store, spec, batch_size=batch_size, retry_failed=retry_failed, conn=own
            )
        return
    high = last_analysed_post(conn, spec)
    check_stale = retry_failed or has_older_results(conn, spec)
    conn.rollback()
    stages = [
        (
            _pending_query(spec, probe=True, retry_failed=retry_failed, check_stale=check_stale),
            0,
            high,
        ),
        (_pending_query(spec, probe=False), high, None),
    ]
    languages: dict[str, str] = {}  # JSON text -> code: a handful of distinct values
    decode_lang = spec.needs_language
    for query, after, until in stages:
        while until is None or after < until:
            # plain tuples from the driver: no Row objects for hundreds of thousands of posts
            parameters = {"after": after, "limit": batch_size}
            if until is not None:
                parameters["until"] = until
            rows = conn.execute(query, parameters).cursor.fetchall()
            conn.rollback()  # end the read transaction: nothing was written
            if not rows:
                break
            batch = []
            for post_id, text, lang, stale in rows:
                if decode_lang and lang is not None:
                    code = languages.get(lang)
                    if code is None:
                        code = languages[lang] = orjson.loads(lang)
                    lang = code
                batch.append((post_id, text, lang, bool(stale)))
            yield batch
            after = rows[-1][0]


# ---------------------------------------------------------------- running


@dataclass
class AnalyzerRun:
    """What one analyzer did in a run."""

    analyzer: str
    version: str
    pending: int = 0
    posts: int = 0
    unique_texts: int = 0
    errors: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def reused(self) -> int:
        """Posts whose result came from an identical text analysed earlier in the run."""
        return self.posts - self.unique_texts

    def as_row(self) -> dict[str, Any]:
        """A flat dict for ``--format json|csv`` (``counts`` as ``value=n`` pairs)."""
        return {
            "analyzer": self.analyzer,
            "version": self.version,
            "posts": self.posts,
            "unique_texts": self.unique_texts,
            "reused": self.reused,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "counts": " ".join(f"{value}={count}" for value, count in self.counts.items()),
        }


@dataclass
class AnalysisSummary:
    """What :func:`run_analyzers` did, analyzer by analyzer."""

    runs: list[AnalyzerRun] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def posts(self) -> int:
        """Post results written, all analyzers together."""
        return sum(run.posts for run in self.runs)


class _ResultCache:
    """Results of distinct inputs, oldest dropped first past a size limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: dict[TextKey, EncodedResult] = {}
        #: whether this run's worker has noted the analyzer's version as stored
        self.noted = False

    def add(self, keys: Sequence[TextKey], results: Sequence[EncodedResult]) -> None:
        self.entries.update(zip(keys, results, strict=True))
        excess = len(self.entries) - self.limit
        if excess > 0:
            drop = max(excess, self.limit // 10)
            for key in list(self.entries)[:drop]:
                del self.entries[key]


@dataclass
class _Batch:
    post_ids: list[int]
    keys: list[TextKey]
    stale: list[int]
    #: distinct inputs this batch sends to the executor
    missing: list[TextKey]
    #: inputs whose results were already known when the batch was read
    known: dict[TextKey, EncodedResult]
    #: inputs an earlier batch still in flight is analysing: taken from it when it is done
    borrowed: dict[TextKey, _Batch]
    handle: TaskHandle | None
    #: every result of the batch, once finished
    results: dict[TextKey, EncodedResult] = field(default_factory=dict)


#: WAL pages a run lets accumulate between checkpoints (about 100 MB)
RUN_CHECKPOINT_PAGES = 25_000


def _defer_checkpoints(conn: Connection) -> int | None:
    """On SQLite, checkpoint the WAL rarely during a run (each checkpoint syncs the disk).

    Returns the connection's previous setting, for :func:`_restore_checkpoints`.
    """
    if conn.dialect.name != "sqlite":
        return None
    previous = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={RUN_CHECKPOINT_PAGES}")
    conn.rollback()  # end the autobegun transaction; each batch opens its own
    return int(previous) if previous is not None else None


def _restore_checkpoints(conn: Connection, previous: int | None) -> None:
    """Restore the checkpoint interval and move the run's WAL into the database."""
    if previous is None:
        return
    conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={previous}")
    _checkpoint(conn)


def _checkpoint(conn: Connection) -> None:
    """On SQLite, move what the WAL holds into the database, without waiting for readers."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        conn.rollback()


def _decode_count_value(value: str) -> str:
    """A summary-key value as a run summary shows it: strings bare, anything else as JSON
    (``null``, ``true``, ``3``), never Python's spelling (``None``, ``True``)."""
    decoded = orjson.loads(value)
    return decoded if isinstance(decoded, str) else value


class _BatchWriter:
    """Writes batches of annotation rows in a thread of its own, in order.

    SQLite does its part of a write without holding the GIL, so storing one batch
    overlaps with reading, deduplicating and collecting the next ones. The queue is short:
    a batch is committed soon after its results arrive, and an interrupted run loses at
    most the batches in flight.
    """

    def __init__(self, store: Store, analyzer: str, *, depth: int = 2) -> None:
        self.store = store
        self.analyzer = analyzer
        self.queue: queue.Queue[tuple[list[AnnotationRow], list[int], Callable[[], None]] | None]
        self.queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name=f"hubbub-{analyzer}-writer")
        self.thread.start()

    def _work(self) -> None:
        conn = self.store.engine.connect()
        checkpoint_pages = _defer_checkpoints(conn)
        try:
            while (item := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # drain: the main thread raises the error
                rows, stale, on_stored = item
                try:
                    replace_annotations(conn, self.analyzer, rows, stale_post_ids=stale)
                    on_stored()
                except BaseException as error:  # handed to the main thread
                    self.error = error
        finally:
            try:
                _restore_checkpoints(conn, checkpoint_pages)
            finally:
                conn.close()

    def put(
        self, rows: list[AnnotationRow], stale: list[int], on_stored: Callable[[], None]
    ) -> None:
        """Queue a batch (waits while the queue is full); re-raises a failed write."""
        if self.error is not None:
            raise self.error
        self.queue.put((rows, stale, on_stored))

    def close(self) -> None:
        """Write what is queued, stop the thread, and re-raise a failed write."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _failed(spec: AnalyzerSpec, run: AnalyzerRun, error: BaseException) -> HubbubError:
    return HubbubError(
        f"post analyzer {spec.name!r} (plugin {spec.cls.plugin or '?'}) failed: "
        f"{type(error).__name__}: {error}; the {run.posts} posts analysed before are "
        "stored, run `hubbub analyze` again to continue"
    )


def _rows_and_counts(
    spec: AnalyzerSpec,
    post_ids: Sequence[int],
    keys: Sequence[TextKey],
    results: dict[TextKey, EncodedResult],
) -> tuple[list[AnnotationRow], Counter[str], int]:
    """A batch's annotation rows, its summary-key value counts and its failed posts."""
    name, version = spec.name, spec.version
    rows: list[AnnotationRow] = [
        (post_id, name, result_key, version, value)
        for post_id, key in zip(post_ids, keys, strict=True)
        for result_key, value in results[key]
    ]
    counts: Counter[str] = Counter()
    errors = 0
    summary_key = spec.summary_key
    for key, posts in Counter(keys).items():
        for result_key, value in results[key]:
            if result_key == summary_key:
                counts[value] += posts
            elif result_key == ERROR_KEY:
                errors += posts
    return rows, counts, errors


def store_results(
    conn: Connection,
    spec: AnalyzerSpec,
    cache: _ResultCache,
    post_ids: list[int],
    texts: list[str],
    langs: list[str | None],
    stale: list[int],
    write_lock: Any = None,
) -> StoredBatch:
    """Analyse a batch with ``spec`` and store its results (what a storing worker does).

    Inputs found in ``cache`` are not analysed again; the fresh results are added to it.
    The rows are written in one transaction on ``conn``.
    """
    keys: list[TextKey] = list(zip(texts, langs, strict=True))
    results: dict[TextKey, EncodedResult] = {}
    missing: list[TextKey] = []
    entries = cache.entries
    for key in dict.fromkeys(keys):
        hit = entries.get(key)
        if hit is None:
            missing.append(key)
        else:
            results[key] = hit
    if missing:
        fresh = analyze_texts(spec, missing)
        cache.add(missing, fresh)
        results.update(zip(missing, fresh, strict=True))
    rows, counts, errors = _rows_and_counts(spec, post_ids, keys, results)
    # taking turns on the lock is only faster: after a minute (a worker that died holding
    # it) SQLite's own locking, which waits too, is enough
    locked = write_lock.acquire(timeout=60) if write_lock is not None else False
    try:
        # the version is noted once per run and worker (nothing removes it meanwhile)
        replace_annotations(
            conn, spec.name, rows, stale_post_ids=stale, note_version=not cache.noted
        )
    finally:
        if locked:
            write_lock.release()
    cache.noted = cache.noted or bool(rows)
    return StoredBatch(len(post_ids), len(missing), counts, errors)


def _run_stored(
    store: Store,
    spec: AnalyzerSpec,
    pool: StoringPool,
    run: AnalyzerRun,
    *,
    batch_size: int,
    retry_failed: bool,
    progress: ProgressCallback | None,
) -> None:
    """Deal the pending posts out to ``pool``'s workers, which analyse and store them."""
    counts: Counter[str] = Counter()

    def stored(done: StoredBatch) -> None:
        run.posts += done.posts
        run.unique_texts += done.unique
        run.errors += done.errors
        counts.update(done.counts)
        if progress is not None:
            progress(spec.name, run.posts, run.pending)

    workers = pool.workers
    try:
        for rows in iter_pending(store, spec, batch_size=batch_size, retry_failed=retry_failed):
            parts: list[tuple[list[int], list[str], list[str | None], list[int]]]
            parts = [([], [], [], []) for _ in range(workers)]
            for post_id, text, lang, stale in rows:
                post_ids, texts, langs, stale_ids = parts[hash(text) % workers]
                post_ids.append(post_id)
                texts.append(text)
                langs.append(lang)
                if stale:
                    stale_ids.append(post_id)
            for number, part in enumerate(parts):
                if part[0]:
                    pool.send(number, spec, part, stored)
        pool.drain()
    except HubbubError:
        raise
    except Exception as error:
        raise _failed(spec, run, error) from error
    finally:
        run.counts = {_decode_count_value(value): count for value, count in counts.most_common()}
    with store.engine.connect() as conn:
        _checkpoint(conn)  # the workers' WAL pages move into the database


def _run_one(
    store: Store,
    spec: AnalyzerSpec,
    executor: Executor,
    run: AnalyzerRun,
    *,
    batch_size: int,
    retry_failed: bool,
    progress: ProgressCallback | None,
) -> None:
    cache = _ResultCache(CACHE_ENTRIES)
    in_flight: deque[_Batch] = deque()
    #: inputs being analysed by a batch in flight, and which batch
    analysing: dict[TextKey, _Batch] = {}
    # a serial executor has finished a batch when it is submitted: nothing to queue
    limit = executor.workers * 2 if executor.workers > 1 else 1
    counts: Counter[str] = Counter()

    def submit(missing: list[TextKey]) -> TaskHandle | None:
        if not missing:
            return None
        try:
            return executor.submit(spec, missing)
        except Exception as error:
            raise _failed(spec, run, error) from error

    def finish(batch: _Batch) -> None:
        results = batch.results
        results.update(batch.known)
        if batch.handle is not None:
            try:
                fresh = batch.handle.result()
            except Exception as error:
                raise _failed(spec, run, error) from error
            cache.add(batch.missing, fresh)
            results.update(zip(batch.missing, fresh, strict=True))
            for key in batch.missing:
                if analysing.get(key) is batch:
                    del analysing[key]
        for key, source in batch.borrowed.items():
            results[key] = source.results[key]  # batches finish in order: source is done
        name = spec.name
        rows, batch_counts, errors = _rows_and_counts(spec, batch.post_ids, batch.keys, results)
        counts.update(batch_counts)
        run.errors += errors
        posts, unique = len(batch.post_ids), len(batch.missing)

        def stored() -> None:
            run.posts += posts
            run.unique_texts += unique
            if progress is not None:
                progress(name, run.posts, run.pending)

        writer.put(rows, batch.stale, stored)

    writer = _BatchWriter(store, spec.name)
    try:
        for rows in iter_pending(store, spec, batch_size=batch_size, retry_failed=retry_failed):
            post_ids = [row[0] for row in rows]
            keys: list[TextKey] = [(row[1], row[2]) for row in rows]
            stale = [row[0] for row in rows if row[3]]
            known: dict[TextKey, EncodedResult] = {}
            borrowed: dict[TextKey, _Batch] = {}
            missing: list[TextKey] = []
            for key in dict.fromkeys(keys):
                hit = cache.entries.get(key)
                if hit is not None:
                    known[key] = hit
                elif key in analysing:
                    borrowed[key] = analysing[key]
                else:
                    missing.append(key)
            batch = _Batch(post_ids, keys, stale, missing, known, borrowed, submit(missing))
            analysing.update(dict.fromkeys(missing, batch))
            in_flight.append(batch)
            while len(in_flight) >= limit:
                finish(in_flight.popleft())
        while in_flight:
            finish(in_flight.popleft())
    finally:
        writer.close()
        run.counts = {_decode_count_value(value): count for value, count in counts.most_common()}


@relaxed_gc()
def run_analyzers(
    store: Store,
    specs: Sequence[AnalyzerSpec],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retry_failed: bool = False,
    progress: ProgressCallback | None = None,
) -> AnalysisSummary:
    """Run ``specs`` (in order) on every post lacking a current result, and store the results.

    :param store: the store holding the posts.
    :param specs: analyzers from :func:`plan` (requirements first).
    :param executor: where batches run; default: a :class:`ProcessExecutor` with
        ``workers`` processes, or this process when ``workers`` is 1 or the work fits in
        one batch.
    :param workers: worker processes for the default executor (default: one per core).
    :param batch_size: posts per batch (one transaction each).
    :param retry_failed: also re-run posts whose current result is an ``error``.
    :param progress: called after each stored batch.
    :returns: per analyzer: posts analysed, distinct texts, errors and value counts.
    """
    started = time.perf_counter()
    summary = AnalysisSummary()
    runs = [AnalyzerRun(spec.name, spec.version) for spec in specs]
    for spec, run in zip(specs, runs, strict=True):
        run.pending = count_pending(store, spec, retry_failed=retry_failed)
    busy = [spec for spec, run in zip(specs, runs, strict=True) if run.pending]
    summary.runs = runs
    if not busy:
        summary.seconds = time.perf_counter() - started
        return summary
    pool: StoringPool | None = None
    if executor is None:
        workers = workers or default_workers()
        largest = max(run.pending for run in runs)
        if workers <= 1 or largest <= batch_size:
            executor = SerialExecutor()
        elif can_share(store):  # workers that open the database store their own results
            pool = StoringPool(store, workers, cache_entries=CACHE_ENTRIES)
        else:
            executor = ProcessExecutor(workers)
    runner: Executor | StoringPool = pool or executor  # type: ignore[assignment]
    interrupted = True
    try:
        summary.workers = runner.workers  # a cluster's executor connects here
        runner.start(busy)
        for spec, run in zip(specs, runs, strict=True):
            if not run.pending:
                continue
            run_id = store.start_run("analyze", spec.name)
            status = "failed"
            begun = time.perf_counter()
            try:
                batching: dict[str, Any] = {"batch_size": batch_size, "retry_failed": retry_failed}
                if pool is not None:
                    _run_stored(store, spec, pool, run, progress=progress, **batching)
                else:
                    _run_one(store, spec, executor, run, progress=progress, **batching)  # type: ignore[arg-type]
                status = "done"
                with store.engine.connect() as conn:
                    # every post now holds this version's results: a version replaced
                    # everywhere leaves the versions table (a scan only after a bump)
                    has_older_results(conn, spec)
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                run.seconds = time.perf_counter() - begun
                store.finish_run(
                    run_id, status, {**run.as_row(), "counts": run.counts, "version": run.version}
                )
        interrupted = False
    finally:
        runner.close(cancel=interrupted)
    summary.seconds = time.perf_counter() - started
    return summary


def analyze_project(
    project: Project,
    *,
    host: PluginHost | None = None,
    only: Sequence[str] | None = None,
    **options: Any,
) -> AnalysisSummary:
    """Plan the project's post analyzers and run them (``hubbub analyze``).

    :param project: the listening project.
    :param host: the plugin host (default: the process-wide one).
    :param only: run only these analyzers (and what they require).
    :param options: passed on to :func:`run_analyzers`; without ``executor`` and
        ``workers``, the project's ``[analyze]`` settings choose them.
    """
    if host is None:
        from hubbub.plugin_host import get_host

        host = get_host()
    specs = plan(host, project.config, only)
    if "executor" not in options and "workers" not in options:  # as [analyze] says
        settings = project.config.analyze
        if settings.executor == "serial":
            options["executor"] = SerialExecutor()
        elif settings.executor == "dask":
            from hubbub.dask_executor import DaskExecutor

            options["executor"] = DaskExecutor(settings.scheduler, settings.workers)
        options["workers"] = settings.workers
    return run_analyzers(project.store, specs, **options)

"""The local process pool whose workers store their own results.

With a pool that hands results back (:class:`hubbub.analysis.ProcessExecutor`), the main
process reads every post, sends the texts out, receives the results, builds the
annotation rows and writes them: on two cores it became the bottleneck, its threads
queuing for one interpreter lock while the workers waited. Here the main process only
reads the pending posts and deals them out; each worker analyses its share, writes the
rows in its own transaction (SQLite serialises the writers; a worker waits for the
lock) and reports a few counts.

Posts are dealt by the hash of their text, so every copy of a text goes to the same
worker, whose cache of recent results analyses it once: deduplication is as good as
in a single process. A worker keeps at most :data:`QUEUED_PER_WORKER` batches queued,
so an interruption loses at most those, and the next run finds the posts they held
(posts without a current result are looked up by id, whatever order batches finished in).

Workers open the database themselves, so this pool needs a database other processes
can open (a file, or a PostgreSQL server); :func:`can_share` says whether it is one.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from multiprocessing.connection import wait
from typing import Any, NoReturn

from hubbub.errors import HubbubError
from hubbub.store import Store, create_engine

#: batches a worker may have queued or running at once
QUEUED_PER_WORKER = 2


@dataclass
class StoredBatch:
    """What a worker reports of one stored batch."""

    posts: int
    #: distinct inputs it analysed (the rest came from its cache)
    unique: int
    #: how many posts got each value of the analyzer's summary key (JSON text)
    counts: Counter[str]
    #: posts whose analysis failed (an ``error`` result)
    errors: int


#: one batch for a worker: (analyzer index, post ids, texts, languages, stale post ids)
Task = tuple[int, list[int], list[str], list[str | None], list[int]]


def can_share(store: Store) -> bool:
    """Whether worker processes can open ``store``'s database themselves."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return url.database not in (None, "", ":memory:")
    return True


def _store_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _worker(
    pipe: Pipe,
    url: str,
    specs: Sequence[Any],
    cache_entries: int,
    write_lock: Any,
    forked: bool = False,
) -> None:
    """A worker's life: build the analyzers, then analyse and store batches until told to stop."""
    from hubbub.analysis import _defer_checkpoints, _ResultCache, analyzer_for, store_results

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool in order
    for spec in specs:
        with contextlib.suppress(Exception):  # the first batch reports it, with the name
            analyzer_for(spec)
    store = Store(create_engine(url))
    caches: dict[int, _ResultCache] = {}  # per analyzer: each runs after the other
    try:
        with store.engine.connect() as conn:
            _defer_checkpoints(conn)
            while True:
                try:
                    task: Task | None = pipe.recv()
                except EOFError:  # the parent is gone
                    return
                if task is None:
                    return
                index, post_ids, texts, langs, stale = task
                cache = caches.get(index)
                if cache is None:
                    caches.clear()  # the previous analyzer is finished
                    cache = caches[index] = _ResultCache(cache_entries)
                try:
                    done = store_results(
                        conn, specs[index], cache, post_ids, texts, langs, stale, write_lock
                    )
                except BaseException as error:  # reported to the parent, which stops
                    pipe.send(("failed", _portable(error)))
                    continue
                pipe.send(("done", done))
    finally:
        store.close()
    if forked:
        # leave without multiprocessing's exit steps: they flush the standard streams,
        # whose locks a thread of the parent (a progress bar) may have held at fork
        # time, and the worker has written nothing to them
        os._exit(0)


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else a RuntimeError with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


class StoringPool:
    """Worker processes that analyse posts and store the results themselves.

    :param store: the store to analyse (see :func:`can_share`).
    :param workers: worker processes.
    :param cache_entries: distinct results kept for deduplication, all workers together.
    :param start_method: ``fork`` (default on Linux: workers inherit the analyzers built
        once here), ``forkserver`` or ``spawn``.
    """

    def __init__(
        self,
        store: Store,
        workers: int,
        *,
        cache_entries: int,
        start_method: str | None = None,
    ) -> None:
        import sys

        self.url = _store_url(store)
        self.workers = workers
        self.cache_entries = cache_entries
        if start_method is None and sys.platform == "linux":
            start_method = "fork"
        self.start_method = start_method
        self._processes: list[Any] = []
        self._pipes: list[Pipe] = []
        self._specs: list[Any] = []
        #: per worker, the callbacks of its batches in flight, oldest first
        self._waiting: list[deque[Callable[[StoredBatch], None]]] = []
        self._write_lock: Any = None

    def start(self, specs: Sequence[Any]) -> None:
        """Start the workers for these analyzer specs (fork: built here first, shared)."""
        import multiprocessing

        from hubbub.analysis import analyzer_for

        context = multiprocessing.get_context(self.start_method)
        forked = context.get_start_method() == "fork"
        if forked:
            for spec in specs:
                with contextlib.suppress(Exception):
                    analyzer_for(spec)
        self._specs = list(specs)
        # SQLite has one writer at a time, and a writer that finds the database locked
        # sleeps 1, 2, 5, 10… ms before it looks again: queuing on a lock wakes it at once
        # kept here: a spawned worker unpickles it after start() has returned
        self._write_lock = write_lock = context.Lock() if self.url.startswith("sqlite") else None
        share = max(1, self.cache_entries // self.workers)
        for number in range(self.workers):
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker,
                args=(child, self.url, tuple(self._specs), share, write_lock, forked),
                name=f"hubbub-analysis-{number + 1}",
                daemon=True,
            )
            process.start()
            child.close()
            self._processes.append(process)
            self._pipes.append(parent)
            self._waiting.append(deque())

    def send(
        self,
        worker: int,
        spec: Any,
        batch: tuple[list[int], list[str], list[str | None], list[int]],
        on_done: Callable[[StoredBatch], None],
    ) -> None:
        """Queue ``(post_ids, texts, langs, stale_post_ids)`` for ``worker``'s analysis of
        ``spec``, waiting while it has enough queued; ``on_done`` gets its report."""
        while len(self._waiting[worker]) >= QUEUED_PER_WORKER:
            self._receive()
        try:
            self._pipes[worker].send((self._specs.index(spec), *batch))
        except OSError:  # the worker is gone
            self._gone(worker)
        self._waiting[worker].append(on_done)

    def drain(self) -> None:
        """Wait until every batch sent is stored."""
        while any(self._waiting):
            self._receive()

    def _receive(self) -> None:
        busy = [number for number, waiting in enumerate(self._waiting) if waiting]
        ready = wait(
            [self._pipes[number] for number in busy]
            + [self._processes[number].sentinel for number in busy]
        )
        for number in busy:
            pipe = self._pipes[number]
            if pipe in ready:
                try:
                    status, value = pipe.recv()
                except (EOFError, OSError):  # the worker is gone
                    status, value = "gone", None
                if status == "done":
                    self._waiting[number].popleft()(value)
                    continue
                if status == "failed":
                    raise value
            elif self._processes[number].sentinel not in ready:
                continue
            self._gone(number)

    def _gone(self, number: int) -> NoReturn:
        process = self._processes[number]
        process.join(1)
        raise HubbubError(
            f"analysis worker {number + 1} stopped unexpectedly "
            f"(exit code {process.exitcode}); the batches stored before are kept, "
            "run `hubbub analyze` again to continue"
        )

    def close(self, *, cancel: bool = False) -> None:
        """Stop the workers: after their queued batches, or at once with ``cancel``."""
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                if cancel:
                    pipe.close()
                else:
                    pipe.send(None)
        for process in self._processes:
            if cancel:
                process.terminate()
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()
        for pipe in self._pipes:
            pipe.close()
        self._processes, self._pipes, self._waiting = [], [], []

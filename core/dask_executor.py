"""Running post analyzers on Dask distributed: ``hubbub analyze --executor dask``.

:class:`DaskExecutor` is an :class:`~hubbub.analysis.Executor` whose batches run on a
Dask cluster: an existing one (``--scheduler tcp://host:8786``) or a ``LocalCluster`` of
worker processes it starts on this machine. Workers run the same function as the local
process pool (:func:`hubbub.analysis.analyze_texts`) on the same batches of distinct
texts, so the annotations are the same; the run keeps as many batches in flight as it
does with the pool (two per worker thread).

Workers import the analyzers: every worker needs hubbub and the plugins that provide
the analyzers installed (the same versions), as ``hubbub analyze`` on this machine has.

Dask is an optional dependency (``pip install 'hubbub[dask]'``) and is imported only when
a :class:`DaskExecutor` connects, so ``hubbub --help`` and local runs never load it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from hubbub.analysis import (
    AnalyzerSpec,
    EncodedResult,
    Executor,
    TaskHandle,
    TextKey,
    analyze_texts,
    default_workers,
)
from hubbub.errors import HubbubError

#: how to get Dask when it is missing
INSTALL_HINT = "pip install 'hubbub[dask]'"


#: how often a run waiting for a batch checks that the cluster has workers (seconds)
WORKER_CHECK_SECONDS = 2.0


class DaskError(HubbubError):
    """Dask is missing, the scheduler cannot be reached or was lost, or a worker died."""


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def import_distributed() -> Any:
    """The ``distributed`` module; a :class:`DaskError` with the install hint when it is missing."""
    try:
        import distributed
    except ImportError as error:
        raise DaskError(
            f"--executor dask needs Dask distributed, which is not installed "
            f"({_one_line(str(error), 120)}); install it with: {INSTALL_HINT}"
        ) from None
    return distributed


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Start child processes that ignore Ctrl-C: the parent stops them in order.

    A terminal's Ctrl-C goes to the whole process group; Dask worker processes that
    received it would die mid-batch and be restarted by their nannies while this process
    is closing the cluster. An ignored signal stays ignored in a spawned child.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _DaskTask:
    """A batch submitted to the cluster (a :class:`~hubbub.analysis.TaskHandle`)."""

    def __init__(self, executor: DaskExecutor, future: Any) -> None:
        self.executor = executor
        self.future = future

    def result(self) -> list[EncodedResult]:
        """The batch's results; cluster faults become a :class:`DaskError`.

        An exception the analysis itself raised (an analyzer that cannot be built, say)
        is raised as it is, as the local executors do.
        """
        distributed = self.executor._distributed
        try:
            return self._wait()
        except DaskError:
            raise
        except distributed.KilledWorker as error:
            raise DaskError(
                f"a Dask worker died while analysing a batch, {error.allowed_failures + 1} "
                f"time(s) on different workers (last: {error.last_worker.address}); an "
                "analyzer may crash its process or run out of memory: see the worker logs"
            ) from None
        except Exception as error:
            if self.future.status != "error":  # cancelled: the scheduler went away
                raise self.executor.lost(error) from None
            missing = error if isinstance(error, ImportError) else error.__cause__
            if isinstance(missing, ImportError):
                raise DaskError(
                    "the Dask cluster cannot import what the analyzer needs "
                    f"({_one_line(str(missing), 160)}); the scheduler and every worker need "
                    "hubbub and the same plugins installed"
                ) from None
            if "\n" in str(error):  # Dask's own multi-line messages
                raise DaskError(f"{type(error).__name__}: {_one_line(str(error))}") from None
            raise  # raised by the analysis on the worker, as it would be here
        finally:
            self.executor._tasks.discard(self.future)
            self.future.release()

    def _wait(self) -> list[EncodedResult]:
        """The future's result, checking now and then that the cluster still has workers.

        Dask keeps a task waiting for as long as no worker can run it; a run whose
        workers all stopped would wait for ever.
        """
        while True:
            try:
                return self.future.result(timeout=WORKER_CHECK_SECONDS)
            except TimeoutError:
                if self.future.status == "error":
                    raise  # the analysis raised it
                if not self.future.done():
                    self.executor.check_workers()


class DaskExecutor(Executor):
    """Analyses batches on a Dask cluster: a running scheduler, or a new ``LocalCluster``.

    The cluster is started (or the scheduler connected to) on first use: when the run
    asks how many workers there are, which it does only when there is something to
    analyse.

    :param scheduler: the scheduler's address (``tcp://host:8786``); ``None`` starts a
        ``LocalCluster`` on this machine.
    :param workers: worker processes of the ``LocalCluster`` (default: one per core;
        one thread each); ignored with ``scheduler``, whose workers are what they are.
    :param connect_timeout: seconds to wait for the scheduler, and for it to have a
        worker (``None``: Dask's ``distributed.comm.timeouts.connect`` setting, 30 s unless
        ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT`` says otherwise).
    """

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        *,
        connect_timeout: float | None = None,
    ) -> None:
        if importlib.util.find_spec("distributed") is None:  # say so now, not once there is work
            import_distributed()
        if scheduler is not None and "://" not in scheduler:
            scheduler = "tcp://" + scheduler  # as `dask worker HOST:PORT` reads it
        self.scheduler = scheduler
        self.local_workers = workers or default_workers()
        self.connect_timeout = connect_timeout
        self.client: Any = None
        self.cluster: Any = None
        self._distributed: Any = None
        #: futures submitted and not collected yet (cancelled on interrupt)
        self._tasks: set[Any] = set()
        #: seconds to wait for the scheduler, and for workers when it has none
        self._timeout = 30.0
        self._no_workers_since: float | None = None
        self._logs = contextlib.ExitStack()

    # -------------------------------------------------------------- connecting

    @property
    def address(self) -> str:
        """The scheduler's address (connects first); other runs can pass it as ``--scheduler``."""
        self.connect()
        return str(self.client.scheduler.address)

    @property  # type: ignore[override]
    def workers(self) -> int:  # the base class has a plain attribute
        """Worker threads of the cluster (connects first): how many batches run at once."""
        self.connect()
        try:
            threads = self.client.nthreads()
        except OSError as error:
            raise self.lost(error) from None
        return max(1, sum(threads.values()))

    def connect(self) -> None:
        """Connect to the scheduler or start the ``LocalCluster`` (once).

        :raises DaskError: Dask is not installed, the scheduler does not answer in time, or
            it has no worker.
        """
        if self.client is not None:
            return
        distributed = self._distributed = import_distributed()
        timeout = self.connect_timeout
        if timeout is None:
            import dask.config
            from dask.utils import parse_timedelta

            timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
        self._timeout = timeout
        try:
            if self.scheduler is None:
                self.client = self._start_local_cluster(distributed)
            else:
                self.client = self._connect_scheduler(distributed, self.scheduler, timeout)
        except BaseException:
            self.close()
            raise

    def _start_local_cluster(self, distributed: Any) -> Any:
        self._logs.enter_context(_quiet_dask_logs())
        try:
            with _sigint_ignored():
                self.cluster = distributed.LocalCluster(
                    n_workers=self.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # no dashboard; its HTTP server (health checks) on a free loopback port
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
        except Exception as error:
            raise DaskError(
                f"could not start a local Dask cluster of {self.local_workers} worker(s): "
                f"{type(error).__name__}: {_one_line(str(error))}"
            ) from None
        return distributed.Client(self.cluster, set_as_default=False)

    def _connect_scheduler(self, distributed: Any, address: str, timeout: float) -> Any:
        scheme = address.split("://", 1)[0]
        known = sorted(distributed.comm.registry.backends)
        if scheme not in known:
            raise DaskError(
                f"--scheduler {address}: unknown protocol {scheme!r} (Dask knows "
                f"{', '.join(known)}); a scheduler's address looks like tcp://host:8786"
            )
        self._logs.enter_context(_quiet_dask_logs())
        try:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise DaskError(
                f"cannot reach the Dask scheduler at {address} ({_one_line(str(error), 160)}); "
                "is `dask scheduler` running there, and is the address right?"
            ) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            client.close()
            raise DaskError(
                f"the Dask scheduler at {address} has no workers; start some with "
                f"`dask worker {address}` where hubbub and its plugins are installed"
            ) from None
        return client

    def check_workers(self) -> None:
        """Raise a :class:`DaskError` once the cluster has had no worker for the connect timeout."""
        try:
            threads = self.client.nthreads()
        except OSError as error:
            raise self.lost(error) from None
        if threads:
            self._no_workers_since = None
            return
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since > self._timeout:
            where = self.scheduler or "the local cluster"
            raise DaskError(
                f"the Dask scheduler at {where} has had no workers for {self._timeout:g}s: they "
                "stopped or could not start (see their logs; each needs hubbub and the same "
                "plugins installed)"
            )

    def lost(self, error: BaseException) -> DaskError:
        """The error for a batch the cluster dropped (the scheduler went away, say)."""
        where = self.scheduler or "the local cluster"
        reason = getattr(error, "reason", None) or type(error).__name__
        return DaskError(
            f"lost the Dask scheduler at {where} while analysing ({_one_line(str(reason), 120)})"
        )

    # -------------------------------------------------------------- the Executor API

    def start(self, specs: Sequence[AnalyzerSpec]) -> None:
        """Connect; each worker builds an analyzer with its first batch for it, once."""
        self.connect()

    def submit(self, spec: AnalyzerSpec, items: Sequence[TextKey]) -> TaskHandle:
        """Send ``items`` to the cluster (a task of its own, run once: ``pure=False``)."""
        self.connect()
        future = self.client.submit(analyze_texts, spec, list(items), pure=False, retries=0)
        self._tasks.add(future)
        return _DaskTask(self, future)

    def close(self, *, cancel: bool = False) -> None:
        """Disconnect; with ``cancel``, drop the batches still queued or running.

        A ``LocalCluster`` this executor started is shut down; a scheduler it connected
        to keeps running.
        """
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        tasks, self._tasks = list(self._tasks), set()
        try:
            if client is not None:
                if cancel and tasks:
                    with contextlib.suppress(Exception):
                        client.cancel(tasks, force=True)
                with contextlib.suppress(Exception):
                    client.close(timeout=5)
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close(timeout=10)
        finally:
            self._logs.close()


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Keep Dask's own logging (worker starts, reconnects, …) off the terminal for a while.

    Dask gives ``distributed.client`` and others handlers of their own that do not
    propagate, so each of those handlers is raised above ``CRITICAL`` for the while.
    """
    prefixes = ("distributed", "tornado", "bokeh")
    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".", 1)[0] in prefixes
    ]
    with contextlib.ExitStack() as stack:
        for name in names:
            for handler in logging.getLogger(name).handlers:
                stack.callback(handler.setLevel, handler.level)
                handler.setLevel(logging.CRITICAL + 1)
        yield

"""Running a source into the store: batches, rejects, cursors and a summary.

Each batch is committed with the source's cursor in one transaction, and the cursor
is only read from the source after the batch's last item, so an interrupted run
resumes exactly after the last committed batch.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass

from hubbub.kinds import Source
from hubbub.plugin_host import PluginHost
from hubbub.posts import Post, Reject
from hubbub.store import Store


@dataclass
class IngestSummary:
    """What one run of one source did."""

    source: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    resumed: bool = False

    def as_dict(self) -> dict[str, object]:
        """The summary as a flat dict (for JSON output and the runs table)."""
        return asdict(self)


#: called after each batch with (summary so far, work done, total work or None)
ProgressCallback = Callable[[IngestSummary, int, int | None], None]


def run_source(
    store: Store,
    source: Source,
    *,
    host: PluginHost | None = None,
    batch_size: int = 5000,
    kind: str = "import",
    progress: ProgressCallback | None = None,
) -> IngestSummary:
    """Read ``source`` from its saved cursor into ``store`` and return the counts.

    Reading and parsing the next batch overlaps with writing the previous one (a
    single writer thread; SQLite does its indexing work without holding the GIL). At
    most one batch is being written while the next is built, so memory stays flat.
    """
    summary = IngestSummary(source.key)
    run_id = store.start_run(kind, source.key)
    fingerprint = source.cursor_fingerprint()
    cursor = store.get_cursor(source.key)
    if cursor is not None:
        saved_under = cursor.pop("fingerprint", None)  # the source sees only its own cursor
        if fingerprint is not None and saved_under != fingerprint:
            cursor = None  # saved under other settings (e.g. another --map): read afresh
    if cursor is None:
        # a read from the start supersedes what an earlier read rejected
        store.clear_rejects(source.key)
    posts: list[Post] = []
    rejects: list[Reject] = []
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubbub-writer")
    pending: tuple[Future[int], list[Post], list[Reject]] | None = None

    def settle() -> None:
        """Wait for the batch being written and account for it."""
        nonlocal pending
        if pending is None:
            return
        future, batch_posts, batch_rejects = pending
        pending = None
        stored = future.result()
        counts = {
            "read": len(batch_posts) + len(batch_rejects),
            "stored": stored,
            "duplicates": len(batch_posts) - stored,
            "rejected": len(batch_rejects),
        }
        summary.read += counts["read"]
        summary.stored += stored
        summary.duplicates += counts["duplicates"]
        summary.rejected += counts["rejected"]
        if host is not None and batch_posts:
            host.call_event("batch_stored", source=source.key, posts=batch_posts, counts=counts)
        if progress is not None:
            progress(summary, *source.progress())

    def flush() -> None:
        """Hand the current batch, with the cursor right after it, to the writer."""
        nonlocal posts, rejects, pending
        checkpoint = source.checkpoint()
        if checkpoint is not None and fingerprint is not None:
            checkpoint = {**checkpoint, "fingerprint": fingerprint}
        settle()
        future = writer.submit(
            store.write_batch, posts, rejects, source=source.key, cursor=checkpoint, run_id=run_id
        )
        pending = (future, posts, rejects)
        posts, rejects = [], []

    status = "failed"
    try:
        for item in source.read(cursor):
            if isinstance(item, Post):
                posts.append(item)
            else:
                rejects.append(item)
            if len(posts) + len(rejects) >= batch_size:
                flush()
        summary.resumed = bool(getattr(getattr(source, "file", None), "resumed", False))
        flush()
        settle()
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if pending is not None:  # an error while reading: still commit what was handed over
            try:
                settle()
            except Exception:  # the original error matters more
                status = "failed"
        writer.shutdown(wait=True)
        store.finish_run(run_id, status, summary.as_dict())
    return summary

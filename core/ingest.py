"""Running a source into the store: batches, rejects, cursors and a summary.

Each batch is committed with the source's cursor in one transaction, and the cursor
is only read from the source after the batch's last item, so an interrupted run
resumes exactly after the last committed batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from hubbub.bulk import relaxed_gc
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


@relaxed_gc()
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

    Each batch is written with the cursor right after its last item, in one
    transaction. (A writer thread overlapping parsing and writing was measured and
    removed: SQLite releases the GIL for every row, and the two threads convoyed on
    it, so it was no faster than this.)
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

    def flush() -> None:
        """Write the current batch with the cursor right after it, and account for it."""
        checkpoint = source.checkpoint()
        if checkpoint is not None and fingerprint is not None:
            checkpoint = {**checkpoint, "fingerprint": fingerprint}
        stored = store.write_batch(
            posts, rejects, source=source.key, cursor=checkpoint, run_id=run_id
        )
        counts = {
            "read": len(posts) + len(rejects),
            "stored": stored,
            "duplicates": len(posts) - stored,
            "rejected": len(rejects),
        }
        summary.read += counts["read"]
        summary.stored += stored
        summary.duplicates += counts["duplicates"]
        summary.rejected += counts["rejected"]
        if host is not None and posts:
            host.call_event("batch_stored", source=source.key, posts=list(posts), counts=counts)
        posts.clear()
        rejects.clear()
        if progress is not None:
            progress(summary, *source.progress())

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
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, status, summary.as_dict())
    return summary

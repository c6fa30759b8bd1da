"""A :class:`~hubbub.json_source.JsonSource` for formats where one item holds many posts.

Threads and listings nest: a Mastodon context response, a Reddit comments page, a
Hacker News item tree or a Bluesky thread is one JSON value holding dozens of posts,
and a reblog or a repost is two. :class:`NestedJsonSource` adds what such formats need:

- **Whole lines.** Each JSON Lines line is handed to :meth:`parse` as it is (a status,
  a page of statuses, a whole thread), so ``parse`` walks the containers itself.
- **Rejects inside an item.** ``parse`` may yield a :class:`~hubbub.posts.Reject` for
  one bad post inside a container (its position relative to the item, such as
  ``"status 3"``); it is stored as ``line 7 status 3``, and the rest of the item goes on.
- **Resuming inside an item.** The ingest loop asks for a checkpoint after any post.
  Inside an item, the cursor is the position before the item plus how many of its
  results were handed over (``within_item``); a resumed read parses the item again and
  skips exactly those, so nothing is lost, stored twice or rejected twice. The skip
  applies only to the same input (its first 64 KiB, ``within_input``, and the file
  cursor's own check of what precedes the item); otherwise the item is read whole and
  the store drops the posts it already has.

- **Page-sized lines.** A JSON Lines line may hold a whole response page; the record
  size limit is applied to each post by the format, not to the line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import orjson
from hubbub.errors import RecordError
from hubbub.files import UTF8_BOM, FileOptions, TrackedFile
from hubbub.inputs import open_input
from hubbub.json_source import JsonSource, dumps
from hubbub.posts import Post, Reject

#: a JSON Lines line may be a whole response page (a twarc page is 0.3-2 MB); the
#: record size limit applies to each post inside it instead
PAGE_LINE_BYTES = 64 * 1024 * 1024


class NestedJsonSource(JsonSource):
    """Posts from JSON input whose items may expand into many posts (and rejects)."""

    line_item_prefixes: ClassVar[tuple[str, ...] | None] = ("",)

    def open(self, cursor: dict[str, Any] | None) -> TrackedFile:
        """Open the input; a line may be as long as a response page."""
        options: FileOptions = self.options  # type: ignore[assignment]
        line_limit = max(options.max_record_bytes, PAGE_LINE_BYTES)
        self.file = TrackedFile(self.input, cursor, line_limit)
        return self.file

    def _is_document(self, tracked: TrackedFile) -> bool:
        """As the base decides, but a first line longer than the base's look-ahead
        (a response page) is read whole before calling the input one document."""
        if not super()._is_document(tracked):
            return False
        stream = tracked._file
        head = stream.peek(1 << 16)[: 1 << 16] if hasattr(stream, "peek") else b""
        if b"\n" in head.lstrip():
            return True  # the first line was seen whole: the base's answer stands
        opened = open_input(self.input)
        try:
            first = opened.stream.readline(PAGE_LINE_BYTES + 1).removeprefix(UTF8_BOM)
            if not first.endswith(b"\n"):
                return True  # one line, no newline: a document (or one page, read the same)
            more = opened.stream.read(1 << 12).strip()
        finally:
            opened.close()
        try:
            value = orjson.loads(first)
        except orjson.JSONDecodeError:
            return True
        return not (isinstance(value, dict) or more)

    #: results of the current item not handed over yet, and those that were
    _left = 0
    _done = 0
    #: results of the next item with any to skip (handed over before an interruption)
    _skip = 0
    _start: dict[str, Any] | None = None
    _boundary: dict[str, Any] | None = None
    _identity: str = ""

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post | Reject]:
        """Yield posts and rejects after ``cursor``, which may point inside an item."""
        inner = dict(cursor) if cursor else {}
        within = int(inner.pop("within_item", 0) or 0)
        same_input = inner.pop("within_input", None) == (identity := self._head_digest())
        self._identity = identity
        self._start = self._boundary = inner or None
        self._skip = within if same_input else 0
        self._left = self._done = 0
        for output in super().read(self._start):
            yield output
            if not self._left:  # between items: a position to resume from
                self._boundary = JsonSource.checkpoint(self)

    def _parse_item(
        self, item: Any, position: str, raw: str | None = None
    ) -> Iterator[Post | Reject]:
        results = list(super()._parse_item(item, position, raw))
        if not results:
            return  # nothing here: a skip is for the next item with results
        for result in results:
            if isinstance(result, Reject) and result.position != position:
                result.position = f"{position} {result.position}".rstrip()
        skip, self._skip = self._skip, 0
        if skip and self._start is not None and not (self.file and self.file.resumed):
            skip = 0  # the input changed before the item: read it whole
        self._done = min(skip, len(results))
        self._left = len(results) - self._done
        for result in results[self._done :]:
            self._done += 1
            self._left -= 1
            yield result

    def checkpoint(self) -> dict[str, Any] | None:
        """The cursor after the last result handed over, inside an item when it is one."""
        if not self._left:
            return super().checkpoint()
        point = dict(self._boundary) if self._boundary else {}
        point["within_item"] = self._done
        point["within_input"] = self._identity
        return point

    @staticmethod
    def guarded(
        label: str, value: Any, convert: Callable[[Any], Iterable[Post | Reject]]
    ) -> list[Post | Reject]:
        """``convert(value)`` as a list, or one reject at ``label`` if it fails.

        Use it for each post inside a container, so one bad post does not reject its
        neighbours.
        """
        try:
            return list(convert(value))
        except RecordError as error:
            return [Reject(label, str(error), dumps(value)[:2000])]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            reason = f"unexpected shape: {type(error).__name__}: {error}"
            return [Reject(label, reason, dumps(value)[:2000])]

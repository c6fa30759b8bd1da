"""A base for file sources whose input is JSON: JSON Lines, or one JSON document.

A platform format (Twitter, Mastodon, Reddit, …) subclasses :class:`JsonSource`,
names where its items live (``item_prefixes``) and turns one item into posts
(:meth:`JsonSource.parse`). The base handles the rest:

- **JSON Lines** (one value per line, as twarc and most exports write): each line is
  parsed on its own; a line that is a container (e.g. a search response) is opened
  with the same prefixes. Positions are ``line N`` (``line N item K``).
- **One document** (a JSON array, or an object such as ``{"statuses": [...]}``): items
  are streamed with ijson, never loading the document. Positions are ``item N``.

Bad items become rejects with their position and reason; the rest goes on. Resuming
a JSON Lines file continues after the last committed line (the file cursor); a
document is re-parsed and the items already committed are skipped.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import orjson
from hubbub.errors import RecordError
from hubbub.files import UTF8_BOM, FileSource, TrackedFile, decode_line, preview_line
from hubbub.posts import Post, Reject
from hubbub.timeutil import utcnow


def dumps(value: Any) -> str:
    """Compact JSON text of a parsed value (for raw payloads)."""
    return orjson.dumps(value, default=str).decode()


def dig(value: Any, prefix: str) -> Any:
    """The value at an ijson-style ``prefix`` (``"data.children"``) or ``None``; ``""`` is the value."""
    if not prefix:
        return value
    for part in prefix.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class JsonSource(FileSource):
    """Posts from JSON input; subclasses implement :meth:`parse` for one item."""

    #: platform formats are told by content (``sniff``), not by extension
    extensions: ClassVar[tuple[str, ...]] = ()
    #: where items are, as ijson prefixes: ``"item"`` (a top-level array),
    #: ``"statuses.item"`` (an array under a key), ``""`` (the whole value is one item)
    item_prefixes: ClassVar[tuple[str, ...]] = ("item", "")
    #: the same for one line of JSON Lines input (``None``: as ``item_prefixes``)
    line_item_prefixes: ClassVar[tuple[str, ...] | None] = None

    #: a format whose every item is exactly one post may also define
    #: ``parse_post(item: dict, raw: str) -> Post``: JSON Lines are then read without a
    #: generator per line (faster); :meth:`parse` still serves documents and other shapes
    parse_post: ClassVar[Callable[..., Post] | None] = None

    @abstractmethod
    def parse(self, item: Any, raw: str | None = None) -> Iterable[Post]:
        """Turn one item into posts; raise :class:`RecordError` for an unusable item.

        :param raw: the item's text as read, when a line held exactly this item (keep
            it as the raw payload); otherwise ``None`` (use :func:`dumps`).
        """

    # ------------------------------------------------------------ helpers for parse()

    def now(self) -> Any:
        """The time this read started (naive UTC), for rejecting dates in the future."""
        return self._now

    # ------------------------------------------------------------ reading

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post | Reject]:
        """Yield posts and rejects from the file, after ``cursor``."""
        self._now = utcnow()
        document_cursor = cursor if cursor and cursor.get("document") else None
        # a document is re-parsed from its start (items are skipped), lines resume in place
        tracked = self.open(None if document_cursor else cursor)
        try:
            if self._is_document(tracked):
                yield from self._read_document(tracked, document_cursor)
            else:
                yield from self._read_lines(tracked)
        finally:
            tracked.close()

    def _is_document(self, tracked: TrackedFile) -> bool:
        """Whether the input is one JSON document rather than JSON Lines.

        JSON Lines: the first line is a complete JSON value and is an object or is
        followed by another line. A document: anything else starting with ``[`` or
        ``{`` (pretty-printed, or an array on one line).
        """
        stream = tracked._file
        sample = stream.peek(1 << 16)[: 1 << 16] if hasattr(stream, "peek") else b""
        sample = sample.removeprefix(UTF8_BOM).lstrip()
        if sample[:1] not in (b"[", b"{"):
            return False
        first_line, _, rest = sample.partition(b"\n")
        try:
            value = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            return True
        return not (isinstance(value, dict) or rest.strip())

    def _read_lines(self, tracked: TrackedFile) -> Iterator[Post | Reject]:
        limit = self.options.max_record_bytes  # type: ignore[attr-defined]
        parse_post = self.parse_post
        for line in tracked.lines():
            if parse_post is not None and not line.oversize:
                # the common case, inline: one line, one JSON object, one post
                try:
                    text = decode_line(line).strip()
                    value = orjson.loads(text) if text else None
                except (RecordError, orjson.JSONDecodeError):
                    pass  # the general path below rejects it or defers it
                else:
                    if value.__class__ is dict:
                        try:
                            yield parse_post(value, text)
                            continue
                        except Exception:
                            pass  # parsed again below, which rejects it with its reason
            position = f"line {line.number}"
            if line.oversize:
                yield Reject(position, f"record over {limit} bytes", preview_line(line))
                continue
            try:
                text = decode_line(line).strip()
                if not text:
                    continue
                try:
                    value = orjson.loads(text)
                except orjson.JSONDecodeError as error:
                    if line.unterminated:  # half-written last line: read it next time
                        tracked.defer_last_line()
                        return
                    raise RecordError(f"invalid JSON: {error}") from None
            except RecordError as error:
                yield Reject(position, str(error), preview_line(line))
                continue
            items = self._items_of(value)
            if len(items) == 1 and items[0] is value:
                yield from self._parse_item(value, position, text)
                continue
            for index, item in enumerate(items, 1):
                yield from self._parse_item(item, f"{position} item {index}")

    def _items_of(self, value: Any) -> list[Any]:
        """The items in one parsed JSON value, by the first prefix that applies."""
        for prefix in self.line_item_prefixes or self.item_prefixes:
            if prefix == "item":
                if isinstance(value, list):
                    return value
                continue
            container_path = prefix.removesuffix(".item").removesuffix("item")
            if prefix.endswith("item"):
                found = dig(value, container_path.rstrip("."))
                if isinstance(found, list):
                    return found
                continue
            found = dig(value, prefix)
            if found is not None:
                return [found]
        return [value]

    def _document_prefixes(self, tracked: TrackedFile) -> set[str]:
        """The item prefix this document uses, found in the first 64 KiB."""
        import io

        import ijson

        sample = tracked._file.peek(1 << 16)[: 1 << 16] if hasattr(tracked._file, "peek") else b""
        seen: set[str] = set()
        try:
            for prefix, event, _value in ijson.parse(io.BytesIO(sample)):
                if event in ("start_map", "start_array") or prefix.endswith("item"):
                    seen.add(prefix)
        except ijson.JSONError:
            pass  # the sample ends mid-document
        for prefix in self.item_prefixes:
            if prefix and prefix in seen:
                return {prefix}
        return {""} if "" in self.item_prefixes else set(self.item_prefixes)

    def _head_digest(self) -> str:
        import hashlib

        with self.input.path.open("rb") as stream:
            return hashlib.sha256(stream.read(1 << 16)).hexdigest()

    def _read_document(
        self, tracked: TrackedFile, cursor: dict[str, Any] | None
    ) -> Iterator[Post | Reject]:
        import ijson

        self._document = True
        self._head = (tracked.size, self._head_digest())
        unchanged = bool(cursor) and (cursor.get("size"), cursor.get("head")) == self._head
        skip = int(cursor.get("items", 0)) if cursor and unchanged else 0
        tracked.resumed = skip > 0
        self._items_done = 0
        prefixes = self._document_prefixes(tracked)
        builder: Any = None
        depth = 0
        try:
            for prefix, event, value in ijson.parse(tracked, use_float=True):
                if builder is None:
                    if prefix not in prefixes or event in ("end_map", "end_array", "map_key"):
                        continue
                    builder = ijson.ObjectBuilder()
                    depth = 0
                builder.event(event, value)
                if event in ("start_map", "start_array"):
                    depth += 1
                elif event in ("end_map", "end_array"):
                    depth -= 1
                if depth == 0:
                    item, builder = builder.value, None
                    self._items_done += 1
                    if self._items_done > skip:
                        yield from self._parse_item(item, f"item {self._items_done}")
        except ijson.JSONError as error:
            yield Reject(
                f"item {self._items_done + 1}",
                f"invalid JSON, the rest of the file is unreadable: {error}",
            )

    def _parse_item(
        self, item: Any, position: str, raw: str | None = None
    ) -> Iterator[Post | Reject]:
        try:
            posts = list(self.parse(item, raw))
        except RecordError as error:
            yield Reject(position, str(error), dumps(item)[:2000])
            return
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            yield Reject(
                position, f"unexpected shape: {type(error).__name__}: {error}", dumps(item)[:2000]
            )
            return
        yield from posts

    def checkpoint(self) -> dict[str, Any] | None:
        """The file cursor, plus the number of items read for a whole document."""
        point = super().checkpoint()
        if point is not None and getattr(self, "_document", False):
            size, head = self._head
            point = {
                **point,
                "document": True,
                "items": self._items_done,
                "size": size,
                "head": head,
            }
        return point

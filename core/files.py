"""Reading input files as resumable streams of lines, for file sources.

:class:`TrackedFile` reads a file line by line in binary, never holding more than one
line (a line over the record size limit is skipped in chunks and reported, not read
into memory). It keeps the byte offset, line number and a SHA-256 of everything read,
so a cursor can say exactly where an import stopped; resuming checks that the file
still starts with the same bytes before seeking past them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from hubbub.errors import SourceError
from hubbub.kinds import Options, Source
from pydantic import Field

_CHUNK = 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Line:
    """One physical line: its number (from 1), its bytes, and whether it was over the limit."""

    number: int
    data: bytes
    oversize: bool = False


class TrackedFile:
    """A binary file read line by line with its position and a checksum of what was read."""

    def __init__(self, path: Path, cursor: dict[str, Any] | None, max_line_bytes: int) -> None:
        self.path = path
        self.max_line_bytes = max_line_bytes
        try:
            self.size = path.stat().st_size
            self._file: BinaryIO = path.open("rb")
        except OSError as error:
            raise SourceError(f"cannot read {path}: {error.strerror}") from None
        self._hash = hashlib.sha256()
        self.offset = 0
        self.line = 0
        #: set when the cursor matched and reading starts where the last run stopped
        self.resumed = False
        if cursor and self._prefix_matches(cursor):
            self.offset = int(cursor["offset"])
            self.line = int(cursor["line"])
            self.resumed = True
        else:
            self._hash = hashlib.sha256()
            self._file.seek(0)

    def _prefix_matches(self, cursor: dict[str, Any]) -> bool:
        offset = int(cursor.get("offset", 0))
        if offset <= 0 or offset > self.size:
            return False
        remaining = offset
        while remaining:
            chunk = self._file.read(min(_CHUNK, remaining))
            if not chunk:
                return False
            self._hash.update(chunk)
            remaining -= len(chunk)
        return self._hash.hexdigest() == cursor.get("sha256")

    def lines(self) -> Iterator[Line]:
        """Yield each line after the current position, ending included."""
        read = self._file.readline
        limit = self.max_line_bytes
        while True:
            data = read(limit + 1)
            if not data:
                return
            self.line += 1
            oversize = len(data) > limit and not data.endswith(b"\n")
            if oversize:
                head = data[:200]
                self._consume(data)
                while not data.endswith(b"\n"):
                    data = read(_CHUNK)
                    if not data:
                        break
                    self._consume(data)
                yield Line(self.line, head, oversize=True)
                continue
            self._consume(data)
            yield Line(self.line, data)

    def _consume(self, data: bytes) -> None:
        self.offset += len(data)
        self._hash.update(data)

    def checkpoint(self) -> dict[str, Any]:
        """Where reading stands: a cursor for :class:`TrackedFile` to resume from."""
        return {
            "path": str(self.path),
            "offset": self.offset,
            "line": self.line,
            "sha256": self._hash.hexdigest(),
        }

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class FileOptions(Options):
    """Options every file source takes."""

    path: str
    #: the platform recorded for posts whose records do not name one
    platform: str = "native"
    #: native field -> the column or key holding it in this file (``--map field=column``)
    field_map: dict[str, str] = Field(default_factory=dict)
    #: records larger than this many bytes are rejected unread
    max_record_bytes: int = 1024 * 1024


class FileSource(Source):
    """A source that reads one file; ``extensions`` let ``hubbub import`` pick it by name."""

    extensions: ClassVar[tuple[str, ...]] = ()
    Options: ClassVar[type[Options]] = FileOptions

    def __init__(self, options: Options | None = None, *, key: str = "") -> None:
        super().__init__(options, key=key)
        self.file: TrackedFile | None = None

    def open(self, cursor: dict[str, Any] | None) -> TrackedFile:
        """Open the configured file, positioned after ``cursor`` when it still applies."""
        options: FileOptions = self.options  # type: ignore[assignment]
        self.file = TrackedFile(Path(options.path), cursor, options.max_record_bytes)
        return self.file

    def checkpoint(self) -> dict[str, Any] | None:
        """The file's position after the last record yielded."""
        return self.file.checkpoint() if self.file else None

    def progress(self) -> tuple[int, int | None]:
        """Bytes read and the file's size."""
        if self.file is None:
            return 0, None
        return self.file.offset, self.file.size

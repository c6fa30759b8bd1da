"""Reading input files as resumable streams of lines, for file sources.

:class:`TrackedFile` reads an input (decompressed and recoded to UTF-8 by
:mod:`hubbub.inputs`) line by line in binary, never holding more than one
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

from hubbub.errors import RecordError
from hubbub.inputs import InputFile, open_input
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
    #: the file's last line, without a newline: possibly still being written
    unterminated: bool = False


def decode_line(line: Line) -> str:
    """A line's text; a UTF-8 BOM on the first line is dropped.

    :raises RecordError: for a NUL byte or invalid UTF-8, with the byte position.
    """
    data = line.data
    if line.number == 1 and data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    nul_at = data.find(b"\x00")
    if nul_at >= 0:
        raise RecordError(f"contains a NUL character at byte {nul_at} of the line")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RecordError(f"invalid UTF-8 at byte {error.start} of the line") from None


def preview_line(line: Line) -> str:
    """The start of a line as text, for a reject's record column."""
    return line.data[:2000].rstrip(b"\r\n").decode("utf-8", errors="replace")


class TrackedFile:
    """An input read line by line (as UTF-8 bytes) with its position and a checksum of what was read.

    Positions are in the decompressed, UTF-8 stream, so they mean the same thing on
    every run; resuming re-reads (and re-hashes) the prefix rather than seeking, which
    works for compressed input too.
    """

    def __init__(
        self, source: InputFile | Path, cursor: dict[str, Any] | None, max_line_bytes: int
    ) -> None:
        self.source = source if isinstance(source, InputFile) else InputFile(source)
        self.path = self.source.path
        self.max_line_bytes = max_line_bytes
        self._input = open_input(self.source)
        self.size = self._input.size
        self._file: BinaryIO = self._input.stream
        self._hash = hashlib.sha256()
        self.offset = 0
        self.line = 0
        #: set when the cursor matched and reading starts where the last run stopped
        self.resumed = False
        if cursor and self._prefix_matches(cursor):
            self.offset = int(cursor["offset"])
            self.line = int(cursor["line"])
            self.resumed = True
        elif cursor:
            self._input.close()
            self._input = open_input(self.source)
            self._file = self._input.stream
            self._hash = hashlib.sha256()

    @property
    def encoding(self) -> str:
        """The encoding the input was read as."""
        return self._input.encoding

    def _prefix_matches(self, cursor: dict[str, Any]) -> bool:
        offset = int(cursor.get("offset", 0))
        if offset <= 0:
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
            if not data.endswith(b"\n"):
                self._before_last = (self.offset, self.line - 1, self._hash.copy())
                self._consume(data)
                yield Line(self.line, data, unterminated=True)
                continue
            self._consume(data)
            yield Line(self.line, data)

    def defer_last_line(self) -> None:
        """Leave the unterminated last line for the next run (it may be half-written).

        The cursor goes back to before it, so a file that is still being appended to
        is read on once the line is complete.
        """
        offset, line, digest = self._before_last
        self.offset, self.line, self._hash = offset, line, digest

    def read(self, size: int = -1) -> bytes:
        """Read raw bytes (for parsers that stream a whole document), tracking them."""
        data = self._file.read(size)
        self._consume(data)
        return data

    def _consume(self, data: bytes) -> None:
        self.offset += len(data)
        self._hash.update(data)

    def checkpoint(self) -> dict[str, Any]:
        """Where reading stands: a cursor for :class:`TrackedFile` to resume from."""
        return {
            "path": str(self.source),
            "offset": self.offset,
            "line": self.line,
            "sha256": self._hash.hexdigest(),
        }

    def progress(self) -> tuple[int, int]:
        """Input bytes read (compressed bytes for compressed input) and the input's size."""
        position = self._input.position
        return (position if position else self.offset), self.size

    def close(self) -> None:
        """Close the input."""
        self._input.close()


class FileOptions(Options):
    """Options every file source takes."""

    path: str
    #: for a zip archive: the member to read
    member: str | None = None
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

    @property
    def input(self) -> InputFile:
        """The configured input (a file, or a member of a zip archive)."""
        options: FileOptions = self.options  # type: ignore[assignment]
        return InputFile(Path(options.path), options.member)

    def open(self, cursor: dict[str, Any] | None) -> TrackedFile:
        """Open the configured input, positioned after ``cursor`` when it still applies."""
        options: FileOptions = self.options  # type: ignore[assignment]
        self.file = TrackedFile(self.input, cursor, options.max_record_bytes)
        return self.file

    def checkpoint(self) -> dict[str, Any] | None:
        """The file's position after the last record yielded."""
        return self.file.checkpoint() if self.file else None

    def cursor_fingerprint(self) -> str | None:
        """What the reading depends on besides the file (``--map``, ``--platform``, a preset):
        a cursor saved under other settings does not apply, and the file is read again."""
        import hashlib

        import orjson

        settings = self.options.model_dump(
            mode="json", exclude={"path", "member", "max_record_bytes"}
        )
        return hashlib.sha256(orjson.dumps(settings, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def progress(self) -> tuple[int, int | None]:
        """Bytes read and the file's size."""
        if self.file is None:
            return 0, None
        return self.file.progress()

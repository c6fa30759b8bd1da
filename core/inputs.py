"""Opening an input file as a stream of UTF-8 bytes, whatever it was written as.

Compressed files (``.gz``, ``.bz2``, ``.zst``, and members of a ``.zip``) are
decompressed as they are read, never unpacked to disk or memory. Text that is not
UTF-8 is recoded on the fly: UTF-16 and UTF-32 by their byte-order mark, legacy
single-byte encodings (cp1252, latin-1, …) detected with charset-normalizer from a
sample. A UTF-8 BOM is kept for the line reader to drop. A stray invalid byte in an
otherwise UTF-8 file is left alone: that line becomes a reject, nothing crashes.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hubbub.errors import SourceError

SAMPLE_BYTES = 64 * 1024
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zst", ".zip")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class InputFile:
    """One input: a path, and for a zip archive the member inside it."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """The name that tells the format: the member's, or the path's without compression."""
        name = self.member or self.path.name
        lower = name.lower()
        for suffix in (".gz", ".bz2", ".zst"):
            if lower.endswith(suffix):
                return name[: -len(suffix)]
        return name

    @property
    def key(self) -> str:
        """The identity of this input for cursors and rejects."""
        base = f"file:{self.path.resolve()}"
        return f"{base}!{self.member}" if self.member else base

    def __str__(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)


def expand(path: Path) -> list[InputFile]:
    """The inputs in ``path``: itself, or each file member of a zip archive (sorted)."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = sorted(
                    info.filename
                    for info in archive.infolist()
                    if not info.is_dir() and not info.filename.startswith("__MACOSX/")
                )
        except zipfile.BadZipFile as error:
            raise SourceError(f"{path}: not a readable zip archive ({error})") from None
        if not members:
            raise SourceError(f"{path}: the zip archive holds no files")
        return [InputFile(path, member) for member in members]
    return [InputFile(path)]


class _Counted(io.RawIOBase):
    """Wraps the raw file to count compressed bytes read (for progress bars)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.position += count or 0
        return count

    def close(self) -> None:
        self.raw.close()
        super().close()


class OpenedInput:
    """A decompressed, UTF-8 byte stream plus the compressed position for progress."""

    def __init__(self, source: InputFile) -> None:
        self.source = source
        self.size = self._compressed_size()
        self._counter: _Counted | None = None
        self._archive: zipfile.ZipFile | None = None
        raw = self._open_decompressed()
        sample = raw.peek(SAMPLE_BYTES)[:SAMPLE_BYTES] if hasattr(raw, "peek") else b""
        self.encoding = detect_encoding(sample)
        self.stream: BinaryIO = raw
        if self.encoding not in ("utf-8", "ascii"):
            self.stream = codecs.EncodedFile(raw, "utf-8", self.encoding, errors="replace")  # type: ignore[assignment]

    def _compressed_size(self) -> int:
        if self.source.member:
            with zipfile.ZipFile(self.source.path) as archive:
                return archive.getinfo(self.source.member).compress_size
        return self.source.path.stat().st_size

    def _open_decompressed(self) -> io.BufferedReader:
        path = self.source.path
        try:
            if self.source.member:
                self._archive = zipfile.ZipFile(path)
                member = self._archive.open(self.source.member)
                self._counter = None
                return io.BufferedReader(member, buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
            self._counter = _Counted(path.open("rb"))  # type: ignore[arg-type]
            counted = io.BufferedReader(self._counter, buffer_size=SAMPLE_BYTES)
            suffix = path.suffix.lower()
            if suffix == ".gz":
                return io.BufferedReader(gzip.GzipFile(fileobj=counted), buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
            if suffix == ".bz2":
                return io.BufferedReader(bz2.BZ2File(counted), buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
            if suffix == ".zst":
                import zstandard

                reader = zstandard.ZstdDecompressor().stream_reader(counted)
                return io.BufferedReader(reader, buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
            return counted
        except OSError as error:
            raise SourceError(f"cannot read {self.source}: {error.strerror or error}") from None

    @property
    def position(self) -> int:
        """Compressed bytes read so far (the file position for uncompressed input)."""
        if self._counter is not None:
            return self._counter.position
        return 0

    def close(self) -> None:
        """Close the stream and the file under it."""
        self.stream.close()
        if self._archive is not None:
            self._archive.close()


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text sample: by BOM, else UTF-8 if it decodes, else a detected one."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a character cut at the end of the sample
            return "utf-8"
        invalid = sum(1 for _ in itertools.islice(_invalid_utf8_runs(sample), 3))
        if invalid <= 2:  # a stray byte or two: UTF-8 with damage, reject those lines
            return "utf-8"
    from charset_normalizer import from_bytes

    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return "utf-8"
    detected = codecs.lookup(best.encoding).name
    # a short sample often reads equally well in several code pages (é, ü, ñ are the
    # same bytes in cp1250 and cp1252); among those that tie, the most common wins
    tied = {
        codecs.lookup(match.encoding).name
        for match in results
        if (match.chaos, match.coherence) == (best.chaos, best.coherence)
    }
    for preferred in PREFERRED_ENCODINGS:
        if preferred in tied:
            return preferred
    if detected in _CENTRAL_EUROPEAN and _decodes_alike(sample, detected, "cp1252"):
        return "cp1252"
    return detected


#: encodings preferred, in order, when a sample reads equally well in several
PREFERRED_ENCODINGS = ("cp1252", "iso8859-1", "iso8859-15")
_CENTRAL_EUROPEAN = frozenset({"cp1250", "iso8859-2"})


def _decodes_alike(sample: bytes, first: str, second: str) -> bool:
    """Whether ``sample`` is the same text in both encodings (nothing to choose between)."""
    try:
        return sample.decode(first) == sample.decode(second)
    except UnicodeDecodeError:
        return False


def _invalid_utf8_runs(sample: bytes):
    position = 0
    while position < len(sample):
        try:
            sample[position:].decode("utf-8")
            return
        except UnicodeDecodeError as error:
            if position + error.start >= len(sample) - 3:
                return
            yield position + error.start
            position += error.end
            if position >= len(sample):
                return


def open_input(source: InputFile) -> OpenedInput:
    """Open ``source`` for reading as UTF-8 bytes (see the module docs)."""
    if not source.path.is_file():
        raise SourceError(f"{source.path}: no such file")
    return OpenedInput(source)

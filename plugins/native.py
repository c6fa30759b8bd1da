"""The native record format: one post per JSON line (``jsonl``) or CSV row (``csv``).

Required fields: ``id``, ``text``, ``author``, ``created_at``; the optional ones are
listed in ``hubbub.records.NATIVE_FIELDS``; any other field is kept in the raw payload.
A CSV export of another shape is read through a named preset (``hubbub.csv_presets``),
chosen with ``preset`` or recognised from its header.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson
from hubbub import hookimpl
from hubbub.errors import RecordError
from hubbub.files import FileOptions, FileSource, decode_line, preview_line
from hubbub.json_source import JsonSource, dumps
from hubbub.posts import Post, Reject
from hubbub.records import NATIVE_FIELDS, REQUIRED_FIELDS, post_from_record
from hubbub.sniff import Sample, has_keys
from hubbub.timeutil import utcnow
from pydantic import field_validator


class JsonlSource(JsonSource):
    """Native posts, one JSON object per line (``.jsonl``, ``.ndjson``), or a JSON array of them."""

    name = "jsonl"
    description = "native posts: one JSON object per line, or a JSON array of objects"
    extensions = (".jsonl", ".ndjson", ".json")
    item_prefixes = ("item", "")
    line_item_prefixes = ("",)  # one line is one record, whatever it holds

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """Native records have ``id``, ``text``, ``author`` and ``created_at``."""
        if sample.kind in ("jsonl", "json") and has_keys(sample.first_record(), *REQUIRED_FIELDS):
            return 0.6
        return 0.0

    def parse_post(self, item: dict[str, Any], raw: str) -> Post:
        """One native record → one post (the line's text is kept as the raw payload)."""
        options: FileOptions = self.options  # type: ignore[assignment]
        return post_from_record(
            item,
            raw=raw,
            source=self.key,
            platform=options.platform,
            field_map=options.field_map,
            now=self._now,
        )

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post]:
        """One native record → one post (the line's text is kept as the raw payload)."""
        yield self.parse_post(item, raw if raw is not None else dumps(item))


class CsvOptions(FileOptions):
    """Options of the native CSV source."""

    #: the field separator; ``.tsv`` files use a tab
    delimiter: str = ","
    #: a mapping preset for a known export (``hubbub.csv_presets``); ``None``: the one
    #: whose columns the header holds, if any; ``"none"``: never a preset
    preset: str | None = None

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | None) -> str | None:
        from hubbub.csv_presets import get_preset

        if value is not None and value != "none":
            get_preset(value)  # raises, naming the presets there are
        return value


class CsvSource(FileSource):
    """Native posts, one CSV row each, with a header row naming the fields."""

    name = "csv"
    description = "native posts, one CSV row each (header row required)"
    extensions = (".csv", ".tsv")
    Options: ClassVar[type[CsvOptions]] = CsvOptions
    _header: list[str] | None = None

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """Any CSV/TSV may be read with ``--map``; one with the native header or a preset's surely is."""
        from hubbub.csv_presets import preset_for_header

        if sample.kind != "csv":
            return 0.0
        if preset_for_header(sample.header) is not None:
            return 0.8
        header = {name.strip() for name in sample.header}
        return 0.6 if header.issuperset(REQUIRED_FIELDS) else 0.1

    def _preset_for(self, header: list[str]) -> Any:
        """The preset to read rows with: the one asked for, else the header's, else ``None``."""
        from hubbub.csv_presets import get_preset, preset_for_header

        options: CsvOptions = self.options  # type: ignore[assignment]
        if options.preset == "none":
            return None
        if options.preset is None:
            return preset_for_header(header)
        preset = get_preset(options.preset)
        mapping = {**preset.field_map, **options.field_map}
        missing = [
            mapping.get(name, name)
            for name in REQUIRED_FIELDS
            if mapping.get(name, name) not in header
        ]
        if missing:
            from hubbub.errors import HubbubError

            raise HubbubError(
                f"{options.path}: preset {preset.name} needs the column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}, "
                f"which the header lacks (map others with --map)"
            )
        return preset

    def _row_converter(self, header: list[str], now: Any) -> Any:
        """A function turning one row's record and raw text into a post, for this header."""
        options: CsvOptions = self.options  # type: ignore[assignment]
        preset = self._preset_for(header)
        if preset is None:

            def convert(record: dict[str, Any], raw: str) -> Post:
                return post_from_record(
                    record,
                    raw=raw,
                    source=self.key,
                    platform=options.platform,
                    field_map=options.field_map,
                    now=now,
                )

            return convert
        mapping = {**preset.field_map, **options.field_map}
        columns = [(name, mapping.get(name, name)) for name in NATIVE_FIELDS]
        # an explicit --platform wins over the preset's
        platform = options.platform if "platform" in options.model_fields_set else preset.platform

        def convert_with_preset(record: dict[str, Any], raw: str) -> Post:
            native = {name: record.get(column) for name, column in columns}
            preset.apply(native, record)
            return post_from_record(native, raw=raw, source=self.key, platform=platform, now=now)

        return convert_with_preset

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post | Reject]:
        """Yield a post (or a reject) per data row after ``cursor``."""
        options: CsvOptions = self.options  # type: ignore[assignment]
        delimiter = "\t" if options.path.lower().endswith(".tsv") else options.delimiter
        tracked = self.open(cursor)
        header: list[str] | None = cursor.get("header") if cursor and tracked.resumed else None
        self._header = header
        limit = options.max_record_bytes
        now = utcnow()
        convert: Any = None  # made once the header is known
        bad_lines: dict[int, str] = {}
        oversize_lines: dict[int, str] = {}

        def text_lines() -> Iterator[str]:
            for line in tracked.lines():
                if line.oversize:
                    oversize_lines[line.number] = preview_line(line)
                    # an empty line in its place, so the rows around it stay separate
                    yield "\n"
                    continue
                try:
                    yield decode_line(line)
                except RecordError as error:
                    bad_lines[line.number] = str(error)
                    yield line.data.decode("utf-8", errors="replace")

        csv.field_size_limit(limit)
        reader = csv.reader(text_lines(), delimiter=delimiter)
        try:
            if header is not None:
                convert = self._row_converter(header, now)
            while True:
                row_start = tracked.line + 1
                row_offset = tracked.offset
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    # a field over csv.field_size_limit: the same limit, said the same way
                    too_big = "field larger than field limit" in str(error)
                    reason = f"record over {limit} bytes" if too_big else f"malformed CSV: {error}"
                    yield Reject(f"line {row_start}", reason)
                    continue
                spanned = range(row_start, tracked.line + 1)
                if header is None:
                    header = [name.strip() for name in row]
                    self._header = header
                    convert = self._row_converter(header, now)
                    continue
                position = f"line {row_start}"
                oversize = [oversize_lines.pop(n) for n in spanned if n in oversize_lines]
                if oversize or tracked.offset - row_offset > limit:
                    record = delimiter.join(row)[:2000] or (oversize[0] if oversize else "")
                    yield Reject(position, f"record over {limit} bytes", record)
                    continue
                if not row or row == [""]:
                    continue
                problems = [bad_lines.pop(n) for n in spanned if n in bad_lines]
                if problems:
                    yield Reject(position, problems[0], delimiter.join(row)[:2000])
                    continue
                if len(row) != len(header):
                    yield Reject(
                        position,
                        f"expected {len(header)} fields as in the header, got {len(row)}",
                        delimiter.join(row)[:2000],
                    )
                    continue
                record = {
                    name: (value if value != "" else None)
                    for name, value in zip(header, row, strict=True)
                }
                raw = orjson.dumps(record).decode()
                try:
                    yield convert(record, raw)
                except RecordError as error:
                    yield Reject(position, str(error), raw[:2000])
        finally:
            tracked.close()

    def checkpoint(self) -> dict[str, Any] | None:
        """The file position plus the header, which a resumed read needs."""
        point = super().checkpoint()
        if point is not None and self._header:
            point["header"] = self._header
        return point


@hookimpl
def register_sources(register):
    """Register the native JSONL and CSV sources."""
    register(JsonlSource)
    register(CsvSource)

"""Telling an input's format from its content.

:func:`take_sample` reads the first 64 KiB of an input (decompressed, as UTF-8) and
pre-digests it: is it JSON Lines, a JSON document, CSV; the first JSON value or item;
the top-level keys; the CSV header. Each file source's ``sniff(sample)`` class method
returns how sure it is (0 = not mine, 1 = certainly mine); ``hubbub import`` without
``--format`` takes the most confident source and refuses a tie, naming the candidates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import orjson
from hubbub.files import UTF8_BOM
from hubbub.inputs import SAMPLE_BYTES, InputFile, open_input


@dataclass
class Sample:
    """What the start of an input looks like."""

    name: str
    text: str
    #: "jsonl", "json", "csv" or "text"
    kind: str
    #: the first JSON value (a JSON Lines line, or a document that fits in the sample)
    value: Any = None
    #: the first item of a JSON document: a complete object inside its top-level array
    #: or inside an array under a top-level key
    first_item: Any = None
    #: the top-level keys of a JSON object document
    keys: list[str] = field(default_factory=list)
    #: the CSV/TSV header
    header: list[str] = field(default_factory=list)

    def first_record(self) -> Any:
        """The value to recognise: the first item of a document, else the first value."""
        if self.first_item is not None:
            return self.first_item
        if isinstance(self.value, list) and self.value:
            return self.value[0]
        return self.value


def take_sample(source: InputFile) -> Sample:
    """Read and pre-digest the start of ``source``."""
    opened = open_input(source)
    try:
        raw = opened.stream.read(SAMPLE_BYTES)
    finally:
        opened.close()
    raw = raw.removeprefix(UTF8_BOM)
    text = raw.decode("utf-8", errors="replace")
    stripped = raw.lstrip()
    sample = Sample(name=source.name, text=text, kind="text")
    if stripped[:1] in (b"{", b"["):
        first_line, _, rest = stripped.partition(b"\n")
        try:
            sample.value = orjson.loads(first_line)
            whole_line = True
        except orjson.JSONDecodeError:
            whole_line = False
        if whole_line and (isinstance(sample.value, dict) or rest.strip()):
            sample.kind = "jsonl"
        else:
            sample.kind = "json"
            try:
                sample.value = orjson.loads(stripped)
            except orjson.JSONDecodeError:
                sample.value = None
            _digest_document(stripped, sample)
    elif b"," in stripped.split(b"\n", 1)[0] or b"\t" in stripped.split(b"\n", 1)[0]:
        sample.kind = "csv"
        first_line = text.lstrip().split("\n", 1)[0]
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        sample.header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    return sample


def _digest_document(data: bytes, sample: Sample) -> None:
    """Top-level keys and the first complete item, from a possibly truncated document."""
    import ijson

    builder: Any = None
    depth = 0
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(data), use_float=True):
            if prefix == "" and event == "map_key":
                sample.keys.append(value)
            if builder is None:
                is_item = prefix == "item" or (prefix.endswith(".item") and prefix.count(".") == 1)
                if is_item and event == "start_map":
                    builder, depth = ijson.ObjectBuilder(), 0
                else:
                    continue
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            if depth == 0:
                sample.first_item = builder.value
                builder = None
                if sample.keys or prefix == "item":
                    return
    except ijson.JSONError:
        return


def has_keys(value: Any, *keys: str) -> bool:
    """Whether ``value`` is a dict holding all ``keys``."""
    return isinstance(value, dict) and all(key in value for key in keys)

"""Finding third-party plugins: the ``hubbub`` entry-point group (kept import-light)."""

from __future__ import annotations

import os
from importlib import metadata

ENTRY_POINT_GROUP = "hubbub"
#: comma-separated entry-point names that may load (empty: none); unset: all
LOAD_ENV = "HUBBUB_LOAD_PLUGINS"
#: set to 1 to print every hook call to stderr
TRACE_ENV = "HUBBUB_TRACE_PLUGINS"


def third_party_entry_points() -> list[metadata.EntryPoint]:
    """The installed ``hubbub`` entry points that ``HUBBUB_LOAD_PLUGINS`` lets load."""
    wanted = os.environ.get(LOAD_ENV)
    allowed = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
    return [
        entry_point
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP)
        if allowed is None or entry_point.name in allowed
    ]

"""Durations as users write them in ``hubbub.toml``: ``15m``, ``2h``, ``1h30m``, ``3d``."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``"15m"`` or ``"1h30m"``; ``ValueError`` if malformed."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned:
        raise ValueError("expected a duration such as '15m', '2h' or '1d', got an empty string")
    position = 0
    total = 0.0
    for match in _PART.finditer(cleaned):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(cleaned):
        raise ValueError(f"expected a duration such as '15m', '2h' or '1d', got {text!r}")
    return total

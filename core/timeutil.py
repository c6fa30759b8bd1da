"""Time helpers shared by light modules (no database imports here)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (how the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)

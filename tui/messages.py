"""Custom messages of the terminal UI."""

from __future__ import annotations

from textual.message import Message


class DataLoaded(Message):
    """A screen finished loading and showing its data for the current time frame."""

    def __init__(self, screen_name: str) -> None:
        super().__init__()
        self.screen_name = screen_name

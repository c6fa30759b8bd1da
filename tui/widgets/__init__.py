"""Reusable widgets of the terminal UI."""

from hubbub.tui.widgets.bars import bar, labelled_bar, stacked_bar
from hubbub.tui.widgets.volume_chart import VolumeChart

__all__ = ["VolumeChart", "bar", "labelled_bar", "stacked_bar"]

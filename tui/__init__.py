"""The Textual terminal UI (see docs/tui.md)."""

"""Text bars for shares and scores (Rich ``Text``, so nothing in a label is read as markup)."""

from __future__ import annotations

from rich.text import Text

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float | None, width: int = 20, style: str = "bold") -> Text:
    """A horizontal bar ``width`` cells wide filled to ``fraction`` (0–1) in eighths."""
    value = 0.0 if fraction is None else min(max(fraction, 0.0), 1.0)
    eighths = round(value * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[rest] if rest else "")
    return Text(text.ljust(width), style=style)


def labelled_bar(
    label: str, fraction: float | None, *, label_width: int = 10, width: int = 20, style: str = ""
) -> Text:
    """``label  ████▌      47.5%`` as one line."""
    line = Text(label[:label_width].ljust(label_width) + " ")
    line.append_text(bar(fraction, width, style or "bold"))
    line.append(f" {0.0 if fraction is None else fraction * 100:5.1f}%")
    return line


def stacked_bar(parts: list[tuple[float, str]], width: int = 20) -> Text:
    """One bar split into coloured parts, e.g. positive / neutral / negative shares."""
    text = Text()
    used = 0
    for index, (fraction, style) in enumerate(parts):
        cells = (
            width - used
            if index == len(parts) - 1 and sum(f for f, _ in parts) > 0.999
            else round(max(fraction, 0.0) * width)
        )
        cells = max(0, min(cells, width - used))
        text.append("█" * cells, style=style)
        used += cells
    text.append(" " * (width - used))
    return text

"""Drawing a report chart (:class:`hubbub.report.Chart` as a dict) as SVG or PNG with matplotlib.

Why matplotlib: it renders offline with no JavaScript, browser or network (the Agg
backend needs no display), it is one of the most carefully maintained Python libraries,
and its SVG is plain markup that can be inlined into a self-contained HTML file and
printed. Figures are made with :class:`matplotlib.figure.Figure` directly (never pyplot),
so no global state is shared between charts or threads.

Labels from data go through matplotlib's XML escaping; mathtext (``$…$``) is switched
off so a dollar sign in a brand or topic name is just a dollar sign.
"""

from __future__ import annotations

import io
import re
from typing import Any

#: one colour per series, chosen to stay distinguishable for common colour blindness
#: (Okabe–Ito) and on grey-scale print
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARK_COLOUR = "#D55E00"

_RC = {
    "text.parse_math": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "hubbub",
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def _figure(chart: dict[str, Any], width: float, height: float) -> Any:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
        x = list(chart["x"])
        positions = list(range(len(x)))
        series = chart["series"]
        if chart.get("kind") == "bar":
            count = max(len(series), 1)
            width_each = 0.8 / count
            for index, item in enumerate(series):
                offset = (index - (count - 1) / 2) * width_each
                axes.bar(
                    [position + offset for position in positions],
                    [0 if value is None else value for value in item["values"]],
                    width=width_each,
                    label=item["name"],
                    color=PALETTE[index % len(PALETTE)],
                )
        else:
            for index, item in enumerate(series):
                values = [float("nan") if value is None else value for value in item["values"]]
                axes.plot(
                    positions,
                    values,
                    label=item["name"],
                    color=PALETTE[index % len(PALETTE)],
                    linewidth=1.6,
                    linestyle="-" if index == 0 else ("--" if index % 2 else ":"),
                    marker="o" if len(x) <= 40 else None,
                    markersize=2.5,
                )
        marks = set(chart.get("marks") or [])
        for position, label in enumerate(x):
            if label in marks:
                axes.axvspan(position - 0.45, position + 0.45, color=MARK_COLOUR, alpha=0.15)
                axes.annotate(
                    f"spike {label}",
                    xy=(position, 1.0),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    va="bottom",
                    color=MARK_COLOUR,
                    fontsize=8,
                )
        step = max(1, len(x) // 8)
        axes.set_xticks(positions[::step], [x[i] for i in positions[::step]])
        axes.tick_params(axis="x", labelrotation=30 if len(x) > 4 else 0)
        if chart.get("percent"):
            axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0%}"))
        else:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
        if chart.get("x_label"):
            axes.set_xlabel(chart["x_label"])
        if chart.get("y_label"):
            axes.set_ylabel(chart["y_label"])
        if len(series) > 1:
            axes.legend(loc="best", frameon=False, fontsize=8)
    return figure


def chart_svg(chart: dict[str, Any], *, width: float = 7.0, height: float = 2.8) -> str:
    """The chart as one ``<svg>`` element (no XML prolog), with a ``<title>`` for its alt text.

    The SVG scales to its container (``viewBox`` kept, fixed width and height removed).
    """
    from xml.sax.saxutils import escape

    figure = _figure(chart, width, height)
    buffer = io.StringIO()
    import matplotlib

    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    alt = escape(str(chart.get("alt") or chart.get("title") or "chart"))
    svg = re.sub(
        r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"',
        r'<svg\1 role="img" class="chart" preserveAspectRatio="xMidYMid meet"',
        svg,
        count=1,
    )
    opening_end = svg.index(">") + 1
    return f"{svg[:opening_end]}<title>{alt}</title>{svg[opening_end:]}"


def chart_png(
    chart: dict[str, Any], *, width: float = 7.0, height: float = 2.8, dpi: int = 150
) -> bytes:
    """The chart as PNG bytes (for slides and documents)."""
    import matplotlib

    figure = _figure(chart, width, height)
    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()

"""A line chart of volume per window for several series (topics, brands), spikes marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual_plotext import PlotextPlot

#: line colours, in series order (plotext colour names)
COLOURS = ("cyan+", "green+", "magenta+", "orange", "blue+", "yellow", "white")


class VolumeChart(PlotextPlot):
    """Volume over time: one line per series; spike windows marked with a dot."""

    DEFAULT_CSS = """
    VolumeChart {
        height: 12;
        min-height: 8;
    }
    """

    def show(
        self,
        labels: Sequence[str],
        series: Mapping[str, Sequence[int]],
        spikes: Mapping[str, Sequence[int]] | None = None,
        *,
        title: str = "",
    ) -> None:
        """Plot ``series`` (name -> one value per label) and mark ``spikes`` (name -> positions)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if not labels or not series:
            plt.text("no posts in this time frame", 0.5, 0.5, alignment="center")
            self.refresh()
            return
        positions = list(range(len(labels)))
        for number, (name, values) in enumerate(series.items()):
            colour = COLOURS[number % len(COLOURS)]
            plt.plot(positions, list(values), label=name, marker="braille", color=colour)
        for name, marked in (spikes or {}).items():
            values = series.get(name)
            if values is None or not marked:
                continue
            plt.scatter(list(marked), [values[i] for i in marked], marker="●", color="red")
        step = max(1, len(labels) // 6)
        ticks = positions[::step]
        plt.xticks(ticks, [labels[i] for i in ticks])
        self.refresh()

"""Bar charts as plain geometry for an SVG template: no script, every number also in a table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 200
LEFT, BOTTOM, TOP = 44, 24, 8  # room for the y tick labels, the x labels and the top tick


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    css: str  # the colour comes from the stylesheet (CSP: no inline styles)


@dataclass
class Chart:
    title: str
    description: str
    y_label: str
    bars: list[dict] = field(default_factory=list)
    y_ticks: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def _nice_top(peak: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten at or above the peak (at least 1)."""
    if peak <= 1:
        return 1
    power = 10 ** math.floor(math.log10(peak))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= peak)


def bar_chart(title: str, description: str, y_label: str, labels: list[str], series: list[Series]) -> Chart:
    """Grouped bars, one group per label (day); None and zero draw no bar (the table beside has every value)."""
    chart = Chart(title, description, y_label, series=series)
    peak = max([v for s in series for v in s.values if v is not None] or [0])
    top = _nice_top(peak)
    plot_height = chart.baseline - TOP
    group = (WIDTH - LEFT) / max(len(labels), 1)
    bar = max(group * 0.8 / max(len(series), 1), 1)
    for index, label in enumerate(labels):
        for offset, s in enumerate(series):
            value = s.values[index]
            if not value:
                continue
            height = plot_height * value / top
            chart.bars.append({"x": round(LEFT + index * group + group * 0.1 + offset * bar, 1), "width": round(bar, 1),
                               "y": round(chart.baseline - height, 1), "height": round(height, 1), "css": s.css,
                               "text": f"{label} · {s.label}: {value:g}"})
    every = max(1, math.ceil(len(labels) / 10))  # at most ten day labels under the axis
    chart.x_labels = [{"x": round(LEFT + i * group + group / 2, 1), "text": label}
                      for i, label in enumerate(labels) if i % every == 0]
    chart.y_ticks = [{"y": round(chart.baseline - plot_height * k / 4, 1), "text": f"{top * k / 4:g}"}
                     for k in range(5)]
    return chart

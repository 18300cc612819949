"""The geometry of the annual table's bar chart: one bar per year, split into full and
proportionate reviews, drawn as SVG by the page's template (no script). The table beside it
stays the accessible alternative; the chart carries a title and a text summary."""

from __future__ import annotations

from dataclasses import dataclass

from learning.stats import YearRow

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40  # room for the axes' labels


@dataclass(frozen=True)
class Bar:
    year: int
    x: float
    width: float
    full_y: float
    full_height: float
    proportionate_y: float
    proportionate_height: float
    reviews: int
    proportionate: int


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    baseline: float
    left: int
    summary: str


def _step(top: int) -> int:
    """A tick step that gives at most five ticks up to `top`."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if top / step <= 5:
            return step
    return -(-top // 5)


def annual_chart(rows: list[YearRow]) -> Chart | None:
    """None when there is nothing to draw."""
    if not rows:
        return None
    top = max(row.reviews for row in rows)
    step = _step(top)
    scale_top = -(-top // step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(rows)
    bar_w = min(slot * 0.7, 60)
    baseline = TOP + plot_h

    def height(value: int) -> float:
        return round(plot_h * value / scale_top, 1)

    bars = []
    for index, row in enumerate(rows):
        assert row.year is not None
        full = row.reviews - row.proportionate
        full_h, prop_h = height(full), height(row.proportionate)
        bars.append(Bar(row.year, round(LEFT + slot * index + (slot - bar_w) / 2, 1),
                        round(bar_w, 1), round(baseline - full_h, 1), full_h,
                        round(baseline - full_h - prop_h, 1), prop_h, row.reviews,
                        row.proportionate))
    ticks = [Tick(v, round(baseline - height(v), 1)) for v in range(0, scale_top + 1, step)]
    busiest = max(rows, key=lambda r: (r.reviews, r.year or 0))
    summary = (f"Reviews held each calendar year from {rows[0].year} to {rows[-1].year}; "
               f"the most, {busiest.reviews}, in {busiest.year}. "
               f"The table below gives every number.")
    return Chart(WIDTH, HEIGHT, bars, ticks, baseline, LEFT, summary)

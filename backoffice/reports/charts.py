"""Server-rendered SVG bar charts: no JavaScript, no network, and a table beside each one."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 480
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    y: int
    width: float
    text: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def value_x(self) -> int:
        return self.width - VALUE_WIDTH + 6


def bar_chart(title: str, points: list[tuple[str, Decimal | int]], money: bool = True) -> BarChart:
    """Horizontal bars scaled to the largest value; the template draws them."""
    largest = max((value for _, value in points), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            y=i * (BAR_HEIGHT + GAP),
            width=max(float(value) / float(largest) * room, 0.0),
            text=f"${value:,.2f}" if money else f"{value:,}",
        )
        for i, (label, value) in enumerate(points)
    ]
    return BarChart(title=title, bars=bars, height=max(len(bars) * (BAR_HEIGHT + GAP), BAR_HEIGHT))

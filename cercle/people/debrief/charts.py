"""Bar charts drawn on the server as SVG (templates/people/debrief/_chart.html): no script, no library,
nothing fetched from elsewhere. Each chart says what it shows to screen readers (`<title>`, `<desc>`,
each bar's own `<title>`) and the page prints the same numbers as text beside it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 360
HEIGHT = 120
AXIS = 16  # room under the bars for the period labels
TOP = 14  # room above the tallest bar for its number


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str  # the value as the reader writes it
    label_x: float
    current: bool

    @property
    def text_y(self) -> float:
        return round(self.y - 3, 1)

    @property
    def text_fits(self) -> bool:
        """Whether the number fits above its bar (long amounts are in the table under the chart)."""
        return len(self.text) <= 5


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - AXIS
    label_y: int = HEIGHT - 4

    @property
    def description(self) -> str:
        return ", ".join(f"{bar.label}: {bar.text}" for bar in self.bars)


def bar_chart(key: str, title: str, points: list[tuple[str, int | Decimal, str]]) -> Chart:
    """`points`: (period label, value, value as text), oldest first; the last bar is the chosen period."""
    count = max(len(points), 1)
    slot = WIDTH / count
    width = slot * 0.7
    top = max((float(value) for _label, value, _text in points), default=0.0) or 1.0
    room = HEIGHT - AXIS - TOP
    bars = []
    for index, (label, value, text) in enumerate(points):
        height = round(room * float(value) / top, 1)
        x = round(index * slot + (slot - width) / 2, 1)
        bars.append(
            Bar(
                x=x,
                y=round(HEIGHT - AXIS - height, 1),
                width=round(width, 1),
                height=height,
                label=label,
                text=text,
                label_x=round(x + width / 2, 1),
                current=index == len(points) - 1,
            )
        )
    return Chart(key=key, title=title, bars=bars)

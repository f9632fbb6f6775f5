"""Geometry of the dashboard's charts, drawn server-side as SVG by ``agent/analytics.html``: where a
point, a bar or a line goes in the drawing's own units (its ``viewBox``), so a phone scales it down
and nothing runs in the browser. Presentation only; every figure comes from ``otklik.analytics``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
SATISFACTION = (1.0, 5.0)


@dataclass(frozen=True, slots=True)
class Dot:
    """A channel on the resolution × satisfaction plane; ``rated`` False: no survey yet (drawn on
    the floor of the chart, hollow)."""

    key: str
    x: float
    y: float
    r: float
    below: bool
    rated: bool
    row: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plane:
    dots: tuple[Dot, ...]
    floor_x: float
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT


def _x(rate: float) -> float:
    return LEFT + rate * (WIDTH - LEFT - RIGHT)


def _y(score: float) -> float:
    low, high = SATISFACTION
    return TOP + (high - score) / (high - low) * (HEIGHT - TOP - BOTTOM)


def plane(rows: Sequence[dict[str, Any]], floor: float) -> Plane:
    """Each channel with tickets: x its resolution rate, y its mean rating, area its volume."""
    shown = [row for row in rows if row["volume"]]
    most = max((row["volume"] for row in shown), default=1)
    dots = tuple(
        Dot(
            key=str(row["key"]),
            x=round(_x(row["resolution_rate"] or 0.0), 1),
            y=round(_y(row["satisfaction"]) if row["satisfaction"] is not None else HEIGHT - BOTTOM, 1),
            r=round(5 + 17 * math.sqrt(row["volume"] / most), 1),
            below=bool(row.get("below_floor")),
            rated=row["satisfaction"] is not None,
            row=row,
        )
        for row in shown
    )
    x_ticks = tuple((round(_x(share / 100), 1), f"{share} %") for share in range(0, 101, 20))
    y_ticks = tuple((round(_y(score), 1), str(score)) for score in range(1, 6))
    return Plane(dots, round(_x(floor), 1), x_ticks, y_ticks)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    kind: str = ""


def bars(values: Sequence[tuple[str, float, str]], *, width: int = WIDTH, height: int = 200) -> list[Bar]:
    """One bar per (label, value, kind), scaled to the tallest, in a ``width`` × ``height`` drawing
    with room for labels below."""
    if not values:
        return []
    top = max(value for _, value, _ in values) or 1
    room, base = width - LEFT - RIGHT, height - BOTTOM
    step = room / len(values)
    out = []
    for n, (label, value, kind) in enumerate(values):
        tall = (base - TOP) * value / top
        out.append(Bar(round(LEFT + n * step + step * 0.15, 1), round(base - tall, 1), round(step * 0.7, 1),
                       round(tall, 1), value, label, kind))  # fmt: skip
    return out


def paired(needed: Sequence[int], rostered: Sequence[float], *, height: int = 200) -> list[Bar]:
    """Per hour two bars side by side: agents needed, agents rostered."""
    top = max([*needed, *rostered, 1])
    room, base = WIDTH - LEFT - RIGHT, height - BOTTOM
    step = room / len(needed)
    out = []
    for hour, (need, have) in enumerate(zip(needed, rostered, strict=True)):
        for side, (value, kind) in enumerate(((need, "needed"), (have, "rostered"))):
            tall = (base - TOP) * value / top
            kind_ = f"{kind} short" if kind == "needed" and need > have else kind
            left = round(LEFT + hour * step + step * (0.1 + 0.4 * side), 1)
            out.append(
                Bar(left, round(base - tall, 1), round(step * 0.38, 1), round(tall, 1), value, f"{hour:02d}", kind_)
            )
    return out

"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, readable in any browser and in tests.

Each drawn value carries ``data-series`` and ``data-tb`` attributes, so tests (and scrapers) can
check the figures a chart shows against the database without reading pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .display import tb_text

COLORS = {"capacity": "#cfd8dc", "used": "#1e88e5", "allocated": "#fb8c00", "bound": "#43a047", "quota": "#e53935"}
LABELS = {
    "capacity": "Capacity",
    "used": "Used on cluster",
    "allocated": "Allocated (all namespace quotas)",
    "bound": "Allocated to ColdFront allocations",
}


def _text(x: float, y: float, body: str, *, anchor: str = "start", size: int = 12, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="sans-serif" fill="#212529"{extra}>{escape(body)}</text>'
    )


def capacity_chart(
    capacity: float | None, used: float | None, allocated: float | None, bound: float | None, *, title: str = ""
) -> SafeString:
    """Four horizontal bars on one TB scale, with the overcommit ratio (allocated / capacity)."""
    values = {"capacity": capacity, "used": used, "allocated": allocated, "bound": bound}
    scale = max([v for v in values.values() if v] or [1.0])
    width, label_w, bar_w, row_h = 640, 250, 290, 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ecs-capacity-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {row_h * 4 + 40}" data-resource="{escape(title)}">',
        f"<title>{escape(title)} capacity, used and allocated TB</title>",
    ]
    for index, (series, value) in enumerate(values.items()):
        y = 10 + index * row_h
        length = 0 if not value else max(1.0, bar_w * value / scale)
        parts.append(_text(0, y + 16, LABELS[series]))
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="20" fill="{COLORS[series]}" '
            f'data-series="{series}" data-tb="{"" if value is None else f"{value:.6f}"}"/>'
        )
        parts.append(_text(label_w + length + 6, y + 16, tb_text(value)))
    ratio = overcommit(allocated, capacity)
    note = (
        "overcommit: unknown (capacity or allocation not synced yet)"
        if ratio is None
        else (f"overcommit ratio {ratio:.2f} (allocated ÷ capacity)")
    )
    parts.append(_text(0, row_h * 4 + 30, note, extra=f' class="ecs-overcommit" data-ratio="{ratio or ""}"'))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def overcommit(allocated: float | None, capacity: float | None) -> float | None:
    if allocated is None or not capacity:
        return None
    return allocated / capacity


def history_chart(
    used: Sequence[tuple[datetime, float]], quota: Sequence[tuple[datetime, float]], start: datetime, end: datetime
) -> SafeString:
    """Usage and quota over [start, end] as step lines (a value holds until the next history row)."""
    width, height, left, bottom, top = 720, 260, 70, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_tb = max([v for _t, v in [*used, *quota]] or [1.0]) * 1.1 or 1.0
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return left + plot_w * min(max((moment - start).total_seconds() / span, 0.0), 1.0)

    def y(tb: float) -> float:
        return top + plot_h * (1 - tb / top_tb)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ecs-history-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}">',
        "<title>Usage and quota over time</title>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#adb5bd"/>',
    ]
    for fraction in (0, 0.5, 1):
        tb = top_tb * fraction
        parts.append(_text(left - 6, y(tb) + 4, tb_text(tb), anchor="end", size=11))
    parts.append(_text(left, height - 8, f"{start:%Y-%m-%d}", size=11))
    parts.append(_text(left + plot_w, height - 8, f"{end:%Y-%m-%d}", anchor="end", size=11))
    for series, points in (("quota", quota), ("used", used)):
        if not points:
            continue
        coords = []
        for index, (moment, value) in enumerate(points):
            if index:
                coords.append(f"{x(moment):.1f},{y(points[index - 1][1]):.1f}")
            coords.append(f"{x(moment):.1f},{y(value):.1f}")
        coords.append(f"{x(end):.1f},{y(points[-1][1]):.1f}")
        dash = ' stroke-dasharray="6 4"' if series == "quota" else ""
        parts.append(
            f'<polyline fill="none" stroke="{COLORS[series]}" stroke-width="2"{dash} '
            f'points="{" ".join(coords)}" data-series="{series}" data-points="{len(points)}" '
            f'data-last-tb="{points[-1][1]:.6f}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped

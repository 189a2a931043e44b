"""Server-drawn SVG charts: no JavaScript, readable in print and in a PDF.

Each series is told apart by its marker shape and line dash as well as its colour (print, colour
blindness); every point carries its value in a <title> and in data attributes (tests parse them); a
table of the same numbers goes beside each chart for screen readers. Attributes only, no style="",
so the Content Security Policy holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 40
# Okabe-Ito colours: distinct for the common colour blindnesses, and dark enough on white.
STYLES = [
    {"colour": "#0072B2", "dash": "", "marker": "circle"},
    {"colour": "#D55E00", "dash": "6 3", "marker": "square"},
    {"colour": "#009E73", "dash": "2 3", "marker": "diamond"},
    {"colour": "#CC79A7", "dash": "8 3 2 3", "marker": "triangle"},
]


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]]  # (x, y)
    labels: list[str] = field(default_factory=list)  # one per point, for its <title>


@dataclass
class Band:
    name: str
    edges: list[tuple[float, float, float]]  # (x, low, high)


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _marker(kind: str, x: float, y: float, colour: str, attrs: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"{attrs}>'
    if kind == "diamond":
        shape = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{shape}" fill="{colour}"{attrs}>'
    if kind == "triangle":
        shape = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{shape}" fill="{colour}"{attrs}>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"{attrs}>'


def _closing(kind: str) -> str:
    return {"square": "</rect>", "diamond": "</polygon>", "triangle": "</polygon>"}.get(kind, "</circle>")


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: list[Series],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_ticks: list[tuple[float, str]],
    y_ticks: list[float],
    x_label: str = "",
    y_label: str = "",
    band: Band | None = None,
) -> SafeString:
    """One SVG line chart. Points outside the ranges are clamped to the edge, never dropped."""
    x0, x1 = x_range
    y0, y1 = y_range
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        share = 0.5 if x1 == x0 else (min(max(x, x0), x1) - x0) / (x1 - x0)
        return LEFT + share * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - (min(max(y, y0), y1) - y0) / (y1 - y0) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" font-family="sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="#6c757d"/>',
    ]
    if band is not None:
        upper = [f"{px(x):.1f},{py(high):.1f}" for x, _low, high in band.edges]
        lower = [f"{px(x):.1f},{py(low):.1f}" for x, low, _high in reversed(band.edges)]
        out.append(
            f'<polygon class="band" points="{" ".join(upper + lower)}" fill="#d9ead3" stroke="#6aa84f"'
            f' stroke-dasharray="3 2"><title>{escape(band.name)}</title></polygon>'
        )
    for value in y_ticks:
        y = py(value)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#212529">{_fmt(value)}</text>')
    for value, text in x_ticks:
        x = px(value)
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#212529">{escape(text)}</text>'
        )
    if x_label:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#212529">'
            f"{escape(x_label)}</text>"
        )
    if y_label:
        out.append(
            f'<text x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" fill="#212529"'
            f' transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>'
        )
    for index, one in enumerate(series):
        style = STYLES[index % len(STYLES)]
        colour = style["colour"]
        out.append(f'<g class="series" data-series={quoteattr(one.name)}>')
        if len(one.points) > 1:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in one.points)
            dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for number, (x, y) in enumerate(one.points):
            label = one.labels[number] if number < len(one.labels) else ""
            attrs = f' class="point" data-x="{_fmt(x)}" data-y="{_fmt(y)}"'
            text = f"{one.name}: {label + ', ' if label else ''}{_fmt(y)}"
            out.append(
                _marker(style["marker"], px(x), py(y), colour, attrs)
                + f"<title>{escape(text)}</title>"
                + _closing(style["marker"])
            )
        out.append("</g>")
    out.append(_legend(series, band))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _legend(series: list[Series], band: Band | None) -> str:
    parts = ['<g class="legend">']
    x = LEFT + 8
    for index, one in enumerate(series):
        style = STYLES[index % len(STYLES)]
        parts.append(_marker(style["marker"], x, TOP + 10, style["colour"], "") + _closing(style["marker"]))
        parts.append(f'<text x="{x + 9}" y="{TOP + 14}" fill="#212529">{escape(one.name)}</text>')
        x += 18 + 7 * len(one.name)
    if band is not None:
        parts.append(f'<rect x="{x - 4}" y="{TOP + 5}" width="10" height="10" fill="#d9ead3" stroke="#6aa84f"/>')
        parts.append(f'<text x="{x + 10}" y="{TOP + 14}" fill="#212529">{escape(band.name)}</text>')
    parts.append("</g>")
    return "".join(parts)


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: list[tuple[str, float | None]], unit: str = ""
) -> SafeString:
    """Horizontal bars with their value written at the end (no colour needed to read it)."""
    row_h, label_w, value_w = 26, 250, 60
    height = TOP + row_h * max(len(bars), 1) + 8
    top = max((value or 0 for _label, value in bars), default=0) or 1
    plot_w = WIDTH - label_w - value_w
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" font-family="sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        y = TOP + index * row_h
        width = 0 if value is None else plot_w * value / top
        shown = "—" if value is None else f"{_fmt(value)}{unit}"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="#212529">{escape(label[:40])}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" fill="#0072B2"'
            f' data-label={quoteattr(label)} data-value="{"" if value is None else _fmt(value)}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            f'<text x="{label_w + width + 4:.1f}" y="{y + 15}" fill="#212529">{escape(shown)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped

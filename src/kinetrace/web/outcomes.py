"""Outcomes across sessions: start- and end-of-session values of any marker, charted against the aim.

:func:`session_chart_svg` is generic - any series of per-session start/end values with an aim
band (per-session % change, computed from that session's start) and an optional MCID line from
the first value - so PROM scores (helper F) are charted the same way as markers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.safestring import mark_safe

from kinetrace.case.model import Case, Marker
from kinetrace.presentation import change_text
from kinetrace.timeline import change, improvement_pct, timeline

#: The per-session improvement the method aims for (% of the value at the start of the session).
SESSION_AIM = (30.0, 50.0)


@dataclass(frozen=True)
class SessionPoint:
    """One session: its label and the value at its start and its end (None: not measured)."""

    label: str
    start: float | None
    end: float | None
    start_carried: bool = False  # the start is the previous session's end (not re-measured)


def pct_change(start: float | None, end: float | None, better: Literal["higher", "lower"]) -> float | None:
    """Improvement from ``start`` to ``end`` in % of ``start`` (positive = better); None without a start."""
    if start is None or end is None:
        return None
    return improvement_pct(start, end, 1 if better == "higher" else -1)


def marker_points(case: Case, marker: Marker) -> list[SessionPoint]:
    """Start and end of every session for one marker, from the episode's timeline (:mod:`kinetrace.timeline`)."""
    return [
        SessionPoint(v.label, v.start, v.end, start_carried=not v.start_measured)
        for v in timeline(case).marker_sessions(marker.id)
    ]


def session_chart_svg(
    points: Sequence[SessionPoint],
    *,
    title: str,
    unit: str = "",
    better: Literal["higher", "lower"] = "lower",
    aim: tuple[float, float] | None = SESSION_AIM,
    mcid: float | None = None,
) -> str:
    """SVG: per session a start dot and an end dot joined by an arrow, the session's aim band (aim[0]-aim[1] %
    better than its start) shaded behind it, and an optional MCID line from the first start value.

    A once-per-session score (a PROM) is a point with ``start == end``; ``aim=None`` draws no band."""
    w, h, pad, top = 560, 240, 44, 34
    values = [v for p in points for v in (p.start, p.end) if v is not None]
    bands = [_band(p.start, aim, better) if aim else None for p in points]
    extent = values + [v for b in bands if b for v in b]
    first = next((p.start for p in points if p.start is not None), None)
    if mcid and first is not None:
        extent.append(first + (mcid if better == "higher" else -mcid))
    lo, hi = min([*extent, 0.0]), max([*extent, 1.0])
    span = (hi - lo) or 1.0
    step = (w - 2 * pad) / max(len(points), 1)

    def y(v: float) -> float:
        return h - pad - (v - lo) / span * (h - pad - top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outcome" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{html.escape(title)}: start and end of each session">',
        f'<text x="{pad}" y="16" font-size="12">{html.escape(title)}{f" ({html.escape(unit)})" if unit else ""}'
        + (f"; shaded: the aim, {aim[0]:.0f}-{aim[1]:.0f} % better than the session's start" if aim else "")
        + "</text>",
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
    ]
    if mcid and first is not None:
        target = first + (mcid if better == "higher" else -mcid)
        out.append(
            f'<line x1="{pad}" y1="{y(target):.1f}" x2="{w - pad}" y2="{y(target):.1f}" stroke="#7a5ea8" '
            f'stroke-dasharray="5 4"/><text x="{w - pad}" y="{y(target) - 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#5b3f8c">MCID from the first value</text>'
        )
    for i, (p, band) in enumerate(zip(points, bands, strict=True)):
        out.extend(_session_marks(p, band, pad + step * (i + 0.5), step, y, h - pad, better))
    out.append("</svg>")
    return "".join(out)


def _band(start: float | None, aim: tuple[float, float], better: str) -> tuple[float, float] | None:
    if start is None or start == 0:
        return None
    sign = 1 if better == "higher" else -1
    return start + sign * abs(start) * aim[0] / 100, start + sign * abs(start) * aim[1] / 100


def _session_marks(
    p: SessionPoint, band: tuple[float, float] | None, x: float, step: float, y: Any, base: float, better: str
) -> list[str]:
    out = []
    half = min(step * 0.3, 40)
    if band is not None:
        y1, y2 = sorted((y(band[0]), y(band[1])))
        out.append(
            f'<rect x="{x - half:.1f}" y="{y1:.1f}" width="{2 * half:.1f}" height="{max(y2 - y1, 1):.1f}" '
            f'fill="#e3f3e1" stroke="#9cc99a"/>'
        )
    if p.start is not None and p.end is not None:
        out.append(
            f'<line x1="{x:.1f}" y1="{y(p.start):.1f}" x2="{x:.1f}" y2="{y(p.end):.1f}" stroke="#2a7ab8" '
            f'stroke-width="3"/>'
        )
    for v, fill, dy in ((p.start, "#fff" if p.start_carried else "#2a7ab8", 14), (p.end, "#0d3b63", -8)):
        if v is None:
            continue
        out.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="5" fill="{fill}" stroke="#2a7ab8" stroke-width="2"/>')
        out.append(f'<text x="{x + 9:.1f}" y="{y(v) + dy / 3:.1f}" font-size="11">{v:g}</text>')
    out.append(f'<text x="{x:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">{html.escape(p.label)}</text>')
    pct = pct_change(p.start, p.end, better)  # type: ignore[arg-type]
    if pct is not None and band is not None:  # a per-session change only where there is a per-session aim
        colour = "#2f7a2b" if pct >= SESSION_AIM[0] else "#6b4e00"
        out.append(
            f'<text x="{x:.1f}" y="{base + 30}" font-size="11" text-anchor="middle" fill="{colour}">'
            f"{round(pct) + 0:+d} %</text>"
        )
    return out


def _words(marker: Marker, p: SessionPoint) -> str:
    """The session's change worded by direction, judged by the scoring function's MDC rule."""
    if p.start is None or p.end is None:
        return ""
    return change_text(marker, p.start, p.end, real=change(marker, p.start, p.end).real)


def outcome_view(case: Case, selected: str | None = None) -> dict[str, Any] | None:
    """The sessions page's chart and table for one marker (``selected`` id; default the primary)."""
    if not case.markers:
        return None
    ordered = sorted(case.markers, key=lambda mk: not mk.primary)
    marker = next((mk for mk in ordered if mk.id == selected), ordered[0])
    better: Literal["higher", "lower"] = "higher" if marker.better == "higher" else "lower"
    points = marker_points(case, marker)
    rows = [
        {
            "point": p,
            "pct": pct_change(p.start, p.end, better),
            "words": _words(marker, p),
        }
        for p in points
    ]
    svg = session_chart_svg(points, title=marker.name or marker.id, unit=marker.unit or "", better=better)
    choices = [(mk.id, mk.name or mk.id, mk.side) for mk in ordered]
    return {"marker": marker, "rows": rows, "svg": mark_safe(svg), "choices": choices, "aim": SESSION_AIM}

"""Charts for the reports, drawn with matplotlib (Agg, no pyplot) and returned as SVG text.

SVGs are deterministic (fixed hash salt, no date metadata) and keep text as text, so a PDF made from
them stays searchable.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from kinetrace.analysis import Analysis
from kinetrace.case.model import Case
from kinetrace.reports.outcomes import outcome_points

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "kinetrace",
    "font.family": "DejaVu Sans",
    "font.size": 9,
}
_DRIVER, _OTHER, _CONTROL = "#2a7ab8", "#9aa9b6", "#d0d0d0"


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def global_change_chart(analysis: Analysis) -> str:
    """Bar chart of each trial's global change (-1..1); the driver's trials in blue, controls grey."""
    driver = analysis.driver.candidate if analysis.driver else None
    trials = analysis.trials
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.6, 2.6))
        ax = fig.add_subplot()
        labels = [f"{t.id}\n{'control' if t.is_control else t.candidate}" for t in trials]
        values = [t.global_change for t in trials]
        colours = [_CONTROL if t.is_control else _DRIVER if t.candidate == driver else _OTHER for t in trials]
        bars = ax.bar(range(len(trials)), values, color=colours, edgecolor="#333333", linewidth=0.5)
        for bar, v in zip(bars, values, strict=True):
            ax.annotate(
                f"{v:+.2f}",
                (bar.get_x() + bar.get_width() / 2, v),
                xytext=(0, 3 if v >= 0 else -10),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xticks(range(len(trials)), labels, fontsize=7)
        low = min([0.0, *values])
        high = max([0.0, *values])
        ax.set_ylim(min(-0.1, low - 0.1), max(0.3, high + 0.15))
        ax.set_ylabel("Global change (share of signs\nimproved beyond MDC)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title("Global change per trial (drift-corrected, real changes only)", fontsize=9)
        return _svg(fig)


def outcome_chart(case: Case, marker_ids: list[str]) -> str:
    """Line chart of the given markers across the episode (baseline, session starts and ends)."""
    points = outcome_points(case)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.6, 2.4))
        ax = fig.add_subplot()
        for mid in marker_ids:
            m = case.marker(mid)
            xs = [i for i, p in enumerate(points) if mid in p.values]
            ys = [points[i].values[mid] for i in xs]
            ax.plot(
                xs, ys, marker="o", label=f"{m.name} ({m.unit}; {'lower' if m.direction < 0 else 'higher'} is better)"
            )
        ax.set_xticks(range(len(points)), [p.label for p in points], fontsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False, loc="best")
        ax.set_title("Outcomes across sessions", fontsize=9)
        return _svg(fig)

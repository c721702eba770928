"""A schematic body chart as SVG: front and back views with every atlas region.

Pure Python (no Django): the web app draws it for clicks, the reports draw it in PDFs.

>>> svg = render_body_chart(marks={("buttock", "left"): "complaint"}, path=[("scapula", "right"), ("buttock", "left")])

Conventions
-----------
* Every region of :func:`kinetrace.knowledge.regions` has at least one shape. Paired regions are
  drawn on the patient's left and right; midline regions once, with side ``central``.
* The front view shows the patient facing the viewer, so the patient's **left is on the
  viewer's right**; the back view shows the patient from behind (left on the viewer's left).
  The chart says so in its captions.
* Each shape carries ``data-region``, ``data-side`` and ``data-view`` attributes, a ``<title>``
  (tooltip and accessible name), and the CSS classes ``region`` plus ``mark-<name>`` for every
  mark that applies to it.
* A mark on side ``bilateral`` or ``central`` of a paired region applies to both sides; a mark
  on side ``left``/``right`` of a midline region applies to its single shape.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from kinetrace.knowledge import regions

__all__ = ["SHAPES", "Shape", "render_body_chart"]

#: Canvas of one view, in SVG user units.
_VIEW_W = 260
_VIEW_H = 540
_TOP = 40  # room for the caption


@dataclass(frozen=True)
class Shape:
    """One clickable ellipse: ``dx`` is the distance from the midline towards the patient's side."""

    region: str
    view: str  # "front" | "back"
    dx: float
    y: float
    rx: float
    ry: float


# (region, views, dx, y, rx, ry); dx == 0 means a midline region.
_GEOMETRY: tuple[tuple[str, tuple[str, ...], float, float, float, float], ...] = (
    ("head", ("front", "back"), 0, 40, 22, 26),
    ("jaw", ("front",), 13, 62, 8, 6),
    ("upper_cervical", ("back",), 0, 78, 8, 8),
    ("lower_cervical", ("back",), 0, 95, 9, 8),
    ("upper_thoracic", ("back",), 0, 121, 9, 15),
    ("mid_thoracic", ("back",), 0, 155, 9, 16),
    ("lower_thoracic", ("back",), 0, 189, 9, 15),
    ("lumbar", ("back",), 0, 224, 11, 17),
    ("chest", ("front",), 24, 132, 20, 19),
    ("ribs", ("front", "back"), 40, 178, 10, 20),
    ("abdomen", ("front",), 0, 205, 25, 28),
    ("sacroiliac", ("back",), 13, 254, 7, 8),
    ("buttock", ("back",), 29, 278, 21, 19),
    ("hip", ("front",), 45, 252, 10, 13),
    ("groin", ("front",), 17, 270, 11, 9),
    ("anterior_thigh", ("front",), 27, 330, 11, 36),
    ("medial_thigh", ("front",), 11, 322, 4.5, 26),
    ("lateral_thigh", ("front",), 44, 322, 4.5, 30),
    ("posterior_thigh", ("back",), 27, 334, 15, 36),
    ("knee", ("front", "back"), 27, 392, 12, 12),
    ("shin", ("front",), 27, 442, 8, 30),
    ("calf", ("back",), 27, 440, 12, 30),
    ("ankle", ("front", "back"), 27, 482, 8, 7),
    ("foot", ("front", "back"), 29, 502, 13, 8),
    ("shoulder", ("front", "back"), 56, 110, 15, 13),
    ("scapula", ("back",), 30, 138, 17, 21),
    ("upper_arm", ("front", "back"), 68, 158, 10, 28),
    ("elbow", ("front", "back"), 74, 200, 9, 9),
    ("forearm", ("front", "back"), 80, 238, 9, 26),
    ("wrist", ("front", "back"), 85, 273, 7, 6),
    ("hand", ("front", "back"), 88, 296, 9, 14),
)

#: Every shape of the chart (one per view a region appears in).
SHAPES: tuple[Shape, ...] = tuple(Shape(r, v, dx, y, rx, ry) for r, views, dx, y, rx, ry in _GEOMETRY for v in views)

_CSS = """
.kt-chart{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif}
.kt-chart .outline{fill:#f4f1ec;stroke:#b9b2a6;stroke-width:1.2}
.kt-chart .region{fill:#dfe7ee;stroke:#7d8d9c;stroke-width:1;fill-opacity:.85}
.kt-chart .clickable .region{cursor:pointer}
.kt-chart .clickable .region:hover,.kt-chart .clickable .region:focus{
  outline:none;stroke:#1f5f99;stroke-width:2.5}
.kt-chart .clickable .region:not([class*="mark-"]):hover{fill:#b9d3ea}
.kt-chart .region.mark-finding{fill:#f3c25b;stroke:#9a6c00}
.kt-chart .region.mark-complaint{fill:#e05a4f;stroke:#8e1d14}
.kt-chart .region.mark-selected{fill:#7fb2e0;stroke:#1f5f99;stroke-width:2.5}
.kt-chart .region.mark-path{fill:#9ed39b;stroke:#2f7a2b}
.kt-chart .region.mark-driver{fill:#2a7ab8;stroke:#0d3b63;stroke-width:3}
.kt-chart .caption{font-size:14px;font-weight:600;fill:#333}
.kt-chart .note{font-size:15px;fill:#555}
.kt-chart .side{font-size:15px;font-weight:700;fill:#777}
.kt-chart .path{fill:none;stroke:#0d3b63;stroke-width:3;stroke-dasharray:7 4;stroke-linecap:round}
.kt-chart .step{fill:#0d3b63}
.kt-chart .step-n{font-size:15px;font-weight:700;fill:#fff;text-anchor:middle;dominant-baseline:central}
.kt-chart .legend{font-size:15px;fill:#333}
"""

_LEGEND = (
    ("complaint", "Complaint"),
    ("finding", "Finding"),
    ("driver", "Driver"),
    ("path", "Explanation path"),
)


def _x(shape: Shape, side: str, cx: float) -> float:
    """Screen x of a shape's side. Front: patient's right on the viewer's left; back: mirrored."""
    if shape.dx == 0 or side == "central":
        return cx
    towards_viewer_right = (side == "left") == (shape.view == "front")
    return cx + shape.dx if towards_viewer_right else cx - shape.dx


def _sides(shape: Shape, paired: bool) -> tuple[str, ...]:
    return ("right", "left") if paired and shape.dx != 0 else ("central",)


def _marks_for(region: str, side: str, marks: Mapping[tuple[str, str], str]) -> list[str]:
    keys = [(region, side)]
    if side in ("left", "right"):
        keys += [(region, "bilateral"), (region, "central")]
    else:  # a midline shape takes marks given on any side
        keys += [(region, s) for s in ("left", "right", "bilateral")]
    names: list[str] = []
    for k in keys:
        for name in marks.get(k, "").split():
            if name not in names:
                names.append(name)
    return names


def _outline(cx: float) -> str:
    """A schematic silhouette behind the region shapes."""
    parts = [
        f'<ellipse cx="{cx}" cy="{_TOP + 40}" rx="25" ry="30"/>',
        f'<rect x="{cx - 11}" y="{_TOP + 64}" width="22" height="30" rx="6"/>',
        f'<path d="M{cx - 52},{_TOP + 100} Q{cx},{_TOP + 88} {cx + 52},{_TOP + 100} L{cx + 48},{_TOP + 200} '
        f'L{cx + 52},{_TOP + 262} L{cx - 52},{_TOP + 262} L{cx - 48},{_TOP + 200} Z"/>',
    ]
    for sign in (-1, 1):
        ax = cx + sign * 74
        parts.append(
            f'<path d="M{cx + sign * 50},{_TOP + 100} L{ax + sign * 14},{_TOP + 140} L{ax + sign * 24},{_TOP + 300} '
            f'L{ax + sign * 4},{_TOP + 306} L{ax - sign * 8},{_TOP + 150} Z"/>'
        )
        lx = cx + sign * 27
        parts.append(f'<rect x="{lx - 19}" y="{_TOP + 250}" width="38" height="262" rx="16"/>')
    return '<g class="outline">' + "".join(parts) + "</g>"


def render_body_chart(
    *,
    marks: Mapping[tuple[str, str], str] | None = None,
    path: Sequence[tuple[str, str]] = (),
    clickable: bool = False,
    title: str = "",
) -> str:
    """Return an ``<svg>`` body chart (front and back views).

    Parameters
    ----------
    marks
        ``(region, side) -> name`` (space-separated names allowed): each region shape gets the
        CSS class ``mark-<name>``; built-in colours exist for ``complaint``, ``finding``,
        ``driver``, ``path`` and ``selected``. Regions unknown to the chart are ignored.
    path
        ``(region, side)`` steps drawn as a numbered, dashed connecting line (the driver's
        explanation path), in each view on the steps drawn in that view.
    clickable
        Make shapes focusable buttons (``role="button"``, ``tabindex="0"``) for a click handler
        that reads ``data-region``/``data-side``.
    title
        Caption above the chart, also the SVG's accessible title.
    """
    marks = dict(marks or {})
    paired = {r.id: r.paired for r in regions().values()}
    width, height = 2 * _VIEW_W, _TOP + _VIEW_H + 28
    label = title or "Body chart"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kt-chart" viewBox="0 0 {width} {height}" '
        # a chart of buttons is a group (an "img" may not contain interactive parts: axe nested-interactive)
        f'role="{"group" if clickable else "img"}" aria-label="{html.escape(label)}">',
        f"<title>{html.escape(label)}</title><style>{_CSS}</style>",
    ]
    if title:
        out.append(f'<text class="caption" x="{width / 2}" y="16" text-anchor="middle">{html.escape(title)}</text>')
    for i, (view, head, shapes) in enumerate(_static_views(clickable, _atlas_key())):
        out.append(head)
        for region, side, rest in shapes:
            names = _marks_for(region, side, marks) if marks else ()
            out.append(f'<ellipse class="region{"".join(f" mark-{html.escape(n)}" for n in names)}{rest}')
        out.append(_path_svg(view, i * _VIEW_W + _VIEW_W / 2, path, paired))
        out.append("</g>")
    out.append(_legend_svg(height - 14))
    out.append("</svg>")
    return "".join(out)


def _atlas_key() -> tuple[tuple[str, str, bool], ...]:
    """What the static parts depend on: the atlas's region ids, labels and pairing."""
    return tuple((r.id, r.label, r.paired) for r in regions().values())


@cache
def _static_views(
    clickable: bool, atlas: tuple[tuple[str, str, bool], ...]
) -> tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...]:
    """Per view (built once per process): the view's opening (captions, silhouette) and, per shape,
    its region, side and everything after its ``class="region`` (only the marks vary by chart)."""
    paired = {rid: p for rid, _, p in atlas}
    labels = {rid: label for rid, label, _ in atlas}
    views = []
    for i, view in enumerate(("front", "back")):
        cx = i * _VIEW_W + _VIEW_W / 2
        right_x, left_x = (cx - 100, cx + 100) if view == "front" else (cx + 100, cx - 100)
        caption = "FRONT" if view == "front" else "BACK"
        note = "patient's left: your right" if view == "front" else "from behind: left is left"
        head = "".join(
            (
                f'<g class="view view-{view}{" clickable" if clickable else ""}" data-view="{view}">',
                f'<text class="caption" x="{cx}" y="{_TOP - 8}" text-anchor="middle">{caption}</text>',
                f'<text class="note" x="{cx}" y="{_TOP + 6}" text-anchor="middle">{note}</text>',
                f'<text class="side" x="{right_x}" y="{_TOP + 40}" text-anchor="middle">R</text>',
                f'<text class="side" x="{left_x}" y="{_TOP + 40}" text-anchor="middle">L</text>',
                _outline(cx),
            )
        )
        shapes = tuple(
            (shape.region, side, _shape_rest(shape, side, cx, labels.get(shape.region, shape.region), clickable))
            for shape in SHAPES
            if shape.view == view
            for side in _sides(shape, paired.get(shape.region, False))
        )
        views.append((view, head, shapes))
    return tuple(views)


def _shape_rest(shape: Shape, side: str, cx: float, label: str, clickable: bool) -> str:
    """A region's ``<ellipse>`` after its ``class="region`` (and mark classes)."""
    name = label if side == "central" else f"{label} ({side})"
    attrs = (
        f'" cx="{_x(shape, side, cx):g}" cy="{shape.y + _TOP:g}" rx="{shape.rx:g}" '
        f'ry="{shape.ry:g}" data-region="{shape.region}" data-side="{side}" data-view="{shape.view}"'
    )
    if clickable:
        attrs += f' role="button" tabindex="0" aria-label="{html.escape(name)}"'
    return f"{attrs}><title>{html.escape(name)}</title></ellipse>"


def _point(view: str, cx: float, region: str, side: str, paired: Mapping[str, bool]) -> tuple[float, float] | None:
    for shape in SHAPES:
        if shape.region == region and shape.view == view:
            s = side if paired.get(region, False) and side in ("left", "right") else "central"
            return _x(shape, s, cx), shape.y + _TOP
    return None


def _path_svg(view: str, cx: float, path: Sequence[tuple[str, str]], paired: Mapping[str, bool]) -> str:
    points = [(n, p) for n, (r, s) in enumerate(path, 1) if (p := _point(view, cx, r, s, paired)) is not None]
    if not points:
        return ""
    out = ['<g class="explanation">']
    if len(points) > 1:
        coords = " ".join(f"{x:g},{y:g}" for _, (x, y) in points)
        out.append(f'<polyline class="path" points="{coords}"/>')
    for n, (x, y) in points:
        out.append(
            f'<circle class="step" cx="{x:g}" cy="{y:g}" r="10"/><text class="step-n" x="{x:g}" y="{y:g}">{n}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _legend_svg(y: float) -> str:
    out = ['<g class="legend">']
    x = 16.0
    for name, text in _LEGEND:
        out.append(f'<rect class="region mark-{name}" x="{x}" y="{y - 9}" width="14" height="10" rx="3"/>')
        out.append(f'<text class="legend" x="{x + 19}" y="{y}">{text}</text>')
        x += 34 + 9 * len(text)
    out.append("</g>")
    return "".join(out)

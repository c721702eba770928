"""Video metrics -> custom markers in the case-file format ``kinetrace/case@1``.

A marker id is stable for a metric and side (``video.<metric>.<side>``), so a run filmed
again after a treatment trial yields post-trial values for the same ids via
:func:`values_for_markers`, and is scored like any other re-test.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from kinetrace.video.reference import entry
from kinetrace.video.results import GaitResult, Metric, PostureResult


def _marker_rows(result: GaitResult | PostureResult) -> list[tuple[str, Metric, str, float]]:
    rows = []
    for m in result.metrics:
        e = entry(m.id)
        if "marker" not in e or "mdc" not in e:
            continue
        for side, val in (("left", m.left), ("right", m.right), ("central", m.value)):
            if val is None or not math.isfinite(val):
                continue
            if side == "central" and e["marker"]["region"] in ("foot",):
                side = "bilateral"
            rows.append((f"video.{m.id}.{side}", m, side, float(val)))
    return rows


def _to_marker(mid: str, m: Metric, side: str, val: float, context: str) -> dict[str, Any]:
    e = entry(m.id)
    name = e["marker"]["name"] + ("" if side in ("central", "bilateral") else f", {side}")
    return {
        "id": mid,
        "name": name,
        "unit": m.unit,
        "better": e["marker"]["better"],
        "mdc": float(e["mdc"]["value"]),
        "mdc_source": f"{e['mdc']['kind']}: {e['mdc']['source']}",
        "region": e["marker"]["region"],
        "side": side,
        "baseline": round(val, 3),
        "note": f"{context}: {m.definition}",
    }


def markers_from_gait(
    result: GaitResult, *, side_filter: Literal["left", "right"] | None = None
) -> list[dict[str, Any]]:
    """Custom case markers (``kinetrace/case@1``) for each gait metric with an MDC."""
    out = []
    for mid, m, side, val in _marker_rows(result):
        if side_filter is not None and side not in (side_filter, "central", "bilateral"):
            continue
        out.append(_to_marker(mid, m, side, val, f"running video ({result.view} view)"))
    return out


def markers_from_posture(result: PostureResult) -> list[dict[str, Any]]:
    """Custom case markers for each work-posture metric with an MDC."""
    return [
        _to_marker(mid, m, side, val, f"work posture ({result.view_estimate} view)")
        for mid, m, side, val in _marker_rows(result)
    ]


def values_for_markers(result: GaitResult | PostureResult) -> dict[str, float]:
    """``{marker_id: value}`` for a (re-filmed) result, same ids as the marker functions."""
    return {mid: round(val, 3) for mid, _, _, val in _marker_rows(result)}

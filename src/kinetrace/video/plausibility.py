"""Plausible ranges per metric and activity: a value outside is flagged, never silently shown."""

from __future__ import annotations

from kinetrace.video.results import Metric

#: (low, high) for running; sources: cadence 120-230 steps/min as stated in issue 14 (recreational
#: to elite running spans ~150-200, e.g. Heiderscheit et al. 2011 report 150-190 in recreational
#: runners); angles from the physical range of the joint in running.
RUNNING: dict[str, tuple[float, float]] = {
    "cadence_spm": (120.0, 230.0),
    "knee_flexion_ic_deg": (-5.0, 50.0),
    "knee_flexion_midstance_deg": (15.0, 80.0),
    "shank_angle_ic_deg": (-25.0, 30.0),
    "trunk_lean_deg": (-20.0, 40.0),
    "pelvic_drop_deg": (-15.0, 20.0),
}


def check(metrics: list[Metric], activity: str = "running") -> list[str]:
    """Warnings for metric values outside the plausible range for ``activity``."""
    ranges = RUNNING if activity == "running" else {}
    out = []
    for m in metrics:
        lo_hi = ranges.get(m.id)
        if lo_hi is None:
            continue
        for where, v in (("", m.value), ("left ", m.left), ("right ", m.right)):
            if v is not None and not lo_hi[0] <= v <= lo_hi[1]:
                out.append(
                    f"{where}{m.label} {v:.1f} {m.unit} is outside the plausible range for {activity} "
                    f"({lo_hi[0]:g}-{lo_hi[1]:g}); check the view, frame rate (--fps) and that one runner is filmed"
                )
    return out

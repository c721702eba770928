"""``kinetrace bench-video``: the video pipeline scored on the project's pixel set.

For every rendered clip (:mod:`kinetrace.video.pixelset`) MediaPipe's keypoints are cached
next to the clip (``<name>.keypoints.npz``) so the analysis can be re-scored quickly; the
first run pays for the pose model and is timed (processing speed). Printed per metric:
error against the truth, detection rate, test-retest spread over the repeat clips (same
runner, different start phases and camera distances), and frames per second.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kinetrace.video.errors import VideoError
from kinetrace.video.pose import FakePoseBackend, PoseSequence

#: Side-view 30 fps repeats of the same runner: the test-retest group.
RETEST_SIDE = ("run_side_r_30", "run_side_r_30_phase", "run_side_r_30_far", "run_side_l_30", "run_side_pan_30")
RETEST_FRONT = ("run_back_30", "run_back_30_phase", "run_back_30_far", "run_front_30")
#: Clips that must give an error or a warning, and the words that count.
MUST_FLAG = {
    "run_side_short": ("TooFewStrides", "steps found"),
    "run_side_crowd": ("people were seen", "another person", "more than one person"),
}
#: MDC95 = 1.96 x sqrt(2) x SEM (de Vet et al.), the SEM taken as the SD of one runner's repeat clips.
MDC_FACTOR = 1.96 * 2**0.5
SAGITTAL = ("knee_flexion_ic_deg", "knee_flexion_midstance_deg", "shank_angle_ic_deg")
#: Measured only for their repeatability (no truth in the pixel set's definitions yet).
SAGITTAL_RETEST_ONLY = ("overstride_pct", "overstride_angle_deg", "trunk_lean_deg", "vertical_oscillation_pct")
FRONTAL = ("pelvic_drop_deg", "shoulder_abduction_deg")
FRONTAL_RETEST_ONLY = ("elbow_trunk_distance_pct", "shoulder_ear_distance_pct", "wrist_midline_crossing_pct")


@dataclass
class ClipScore:
    """One clip's outcome: metric values, truths, warnings or the error, timing."""

    name: str
    view: str
    values: dict[str, float] = field(default_factory=dict)
    truth: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    fps_processing: float | None = None
    detection_rate: float = 0.0
    contacts_found: int = 0
    contacts_true: int = 0
    contacts_matched: int = 0


def keypoints(video: Path, *, force: bool = False) -> tuple[PoseSequence, float | None]:
    """MediaPipe keypoints of ``video``, cached as ``.keypoints.npz``; returns (seq, frames/s or None if cached)."""
    cache = video.with_suffix(".keypoints.npz")
    if cache.exists() and not force:
        z = np.load(cache)
        size = (int(z["size"][0]), int(z["size"][1]))
        return PoseSequence(xy=z["xy"], conf=z["conf"], fps=float(z["fps"]), size=size, source=str(z["source"])), None
    from kinetrace.video.pipeline import load_keypoints

    t0 = time.perf_counter()
    seq, _ = load_keypoints(video, None, None, static=False)
    speed = seq.n_frames / (time.perf_counter() - t0)
    np.savez_compressed(cache, xy=seq.xy, conf=seq.conf, fps=seq.fps, size=np.array(seq.size), source=seq.source)
    return seq, speed


def _truth_values(truth: dict[str, Any], view: str) -> dict[str, float]:
    out = {"cadence_spm": float(truth["cadence_spm"])}
    part = "frontal" if view in ("front", "back") else "sagittal"
    for side in ("left", "right"):
        for k, v in truth[part][side].items():
            if k != "n_contacts":
                out[f"{k}.{side}"] = float(v)
    return out


def score_clip(video: Path, *, view: str = "auto") -> ClipScore:
    """Analyse one pixel-set clip with cached MediaPipe keypoints and compare with its truth."""
    from kinetrace.video.pipeline import analyse_gait

    truth = json.loads(video.with_suffix(".truth.json").read_text(encoding="utf-8"))
    spec_view = truth["spec"]["view"]
    seq, speed = keypoints(video)
    sc = ClipScore(video.stem, spec_view, truth=_truth_values(truth, spec_view), fps_processing=speed)
    sc.detection_rate = float(np.mean(np.any(seq.conf > 0, axis=1)))
    try:
        res = analyse_gait(video, view=view, backend=FakePoseBackend(seq))  # type: ignore[arg-type]
    except VideoError as exc:
        sc.error = f"{type(exc).__name__}: {exc}"
        return sc
    sc.warnings = list(res.warnings)
    for m in res.metrics:
        if m.value is not None:
            sc.values[m.id] = m.value
        for side, v in (("left", m.left), ("right", m.right)):
            if v is not None:
                sc.values[f"{m.id}.{side}"] = v
    true_ic = sorted(truth["contacts"]["left"] + truth["contacts"]["right"])
    found = sorted(res.initial_contacts.get("left", []) + res.initial_contacts.get("right", []))
    sc.contacts_true, sc.contacts_found = len(true_ic), len(found)
    tol = max(1.0, seq.fps / 30.0)  # one 30 fps frame (33 ms), whatever the clip's rate
    sc.contacts_matched = sum(1 for t in true_ic if any(abs(t - f) <= tol for f in found))
    return sc


def run(
    out_dir: Path, names: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> list[ClipScore]:
    """Render what is missing, then score every clip of the standard set."""
    from kinetrace.video.pixelset import iter_set

    scores = []
    for spec, video in iter_set(out_dir, names):
        if progress is not None:
            progress(spec.name)
        scores.append(score_clip(video))
    return scores


def score_postures(out_dir: Path) -> dict[str, Any]:
    """Rendered posture photos: measured vs true trunk/neck flexion, upper-arm elevation and RULA grand score."""
    from kinetrace.video.pipeline import analyse_posture
    from kinetrace.video.pixelset import posture_set, render_posture

    out: dict[str, Any] = {}
    for spec in posture_set():
        png = render_posture(spec, out_dir)
        truth = json.loads(png.with_suffix(".truth.json").read_text(encoding="utf-8"))
        row: dict[str, Any] = {"true_rula": max(v["grand"] for v in truth["rula"].values())}
        try:
            res = analyse_posture(png)
        except VideoError as exc:
            out[spec.name] = row | {"error": f"{type(exc).__name__}: {exc}"}
            continue
        vals = {m.id: m for m in res.metrics}
        for key, col in (("trunk_flexion_deg", "trunk_flexion_deg"), ("neck_flexion_deg", "neck_flexion_deg")):
            v = vals[key].value if key in vals else None
            row[f"{key}_error"] = None if v is None else round(v - truth["angles"][col], 1)
        arm = [
            x for x in (vals["upper_arm_elevation_deg"].left, vals["upper_arm_elevation_deg"].right) if x is not None
        ]
        row["upper_arm_error"] = round(max(arm) - truth["angles"]["upper_arm_elevation_right_deg"], 1) if arm else None
        row["rula"] = None if res.rula_worst is None else res.rula_worst.grand
        row["view"] = res.view_estimate
        out[spec.name] = row
    return out


def _err(sc: ClipScore, key: str) -> float | None:
    if key in sc.values and key in sc.truth:
        return sc.values[key] - sc.truth[key]
    return None


def summary(scores: list[ClipScore]) -> dict[str, Any]:
    """Per-metric figures: max |error|, retest spread (max - min over repeats), asymmetry, flags."""
    by = {s.name: s for s in scores}
    out: dict[str, Any] = {"clips": {}, "metrics": {}, "flags": {}}
    for s in scores:
        out["clips"][s.name] = {
            "view": s.view, "error": s.error, "detection_rate": round(s.detection_rate, 3),
            "processing_fps": None if s.fps_processing is None else round(s.fps_processing, 1),
            "contacts": f"{s.contacts_matched}/{s.contacts_true} matched, {s.contacts_found} found",
            "errors": {k: round(e, 2) for k in s.values if (e := _err(s, k)) is not None},
            "cadence_spm": None if "cadence_spm" not in s.values else round(s.values["cadence_spm"], 2),
        }  # fmt: skip
    running = [s for s in scores if s.name.startswith("run") and s.error is None]
    cad = [abs(e) for s in running if (e := _err(s, "cadence_spm")) is not None]
    retest = [by[n] for n in RETEST_SIDE if n in by and by[n].error is None]
    metrics: dict[str, Any] = {"cadence_spm": {"max_abs_error": max(cad, default=None),
                                               "clips": len(cad), **_spread(retest, "cadence_spm")}}  # fmt: skip
    side_clips = [s for s in running if s.view.startswith("side")]
    for m in SAGITTAL:
        errs = [abs(e) for s in side_clips for side in ("left", "right") if (e := _err(s, f"{m}.{side}")) is not None]
        asym = [abs(s.values[f"{m}.right"] - s.values[f"{m}.left"]) for s in side_clips
                if f"{m}.left" in s.values and f"{m}.right" in s.values]  # fmt: skip
        metrics[m] = {"max_abs_error": max(errs, default=None), "max_asymmetry": max(asym, default=None),
                      **_spread(retest, m), **_asymmetry_limit(retest, m)}  # fmt: skip
    for m in SAGITTAL_RETEST_ONLY:
        metrics[m] = _spread(retest, m) | _asymmetry_limit(retest, m)
    front_clips = [s for s in running if s.view in ("front", "back")]
    retest_front = [by[n] for n in RETEST_FRONT if n in by and by[n].error is None]
    cad_front = [abs(e) for s in front_clips if (e := _err(s, "cadence_spm")) is not None]
    metrics["cadence_spm_front_back"] = {"max_abs_error": max(cad_front, default=None),
                                         **_spread(retest_front, "cadence_spm")}  # fmt: skip
    for m in FRONTAL:
        errs = [abs(e) for s in front_clips for side in ("left", "right") if (e := _err(s, f"{m}.{side}")) is not None]
        asym = [abs(s.values[f"{m}.right"] - s.values[f"{m}.left"]) for s in front_clips
                if f"{m}.left" in s.values and f"{m}.right" in s.values]  # fmt: skip
        metrics[m] = {"max_abs_error": max(errs, default=None), "max_asymmetry": max(asym, default=None),
                      **_spread(retest_front, m), **_asymmetry_limit(retest_front, m)}  # fmt: skip
    for m in FRONTAL_RETEST_ONLY:
        metrics[m] = _spread(retest_front, m) | _asymmetry_limit(retest_front, m)
    out["metrics"] = metrics
    for name, words in MUST_FLAG.items():
        flagged = by.get(name)
        if flagged is None:
            continue
        text = (flagged.error or "") + " ".join(flagged.warnings)
        out["flags"][name] = any(w in text for w in words)
    speeds = [s.fps_processing for s in scores if s.fps_processing is not None and s.name.endswith("720")]
    out["speed_720p_fps"] = max(speeds, default=None)
    return out


def _spread(retest: list[ClipScore], metric: str) -> dict[str, float | None]:
    """Test-retest spread: max - min of the per-clip value (per side: the larger of the two)."""
    spreads = []
    for side in ("", ".left", ".right"):
        vals = [s.values[metric + side] for s in retest if metric + side in s.values]
        if len(vals) >= 2:
            spreads.append(max(vals) - min(vals))
    sds = []
    for side in ("", ".left", ".right"):
        vals = [s.values[metric + side] for s in retest if metric + side in s.values]
        if len(vals) >= 2:
            sds.append(float(np.std(vals, ddof=1)))
    sd = max(sds, default=None)
    return {
        "retest_spread": max(spreads, default=None),
        "retest_sd": sd,
        "mdc95": None if sd is None else MDC_FACTOR * sd,
        "retest_clips": float(len(retest)),
    }


def _asymmetry_limit(retest: list[ClipScore], metric: str) -> dict[str, float]:
    """95 % limit of the right - left error on the repeat clips: 1.96 x RMS of (measured - true) R - L.

    The repeat clips are one symmetric rendered runner, so every measured left/right difference
    beyond the true one is error: a test-retest MDC bounds one side's repeat error, not this
    difference (the near and far legs are read with different biases). The true difference is
    taken from the truth where it has both sides, else 0 (the metrics without a truth).
    """
    errs = []
    for s in retest:
        left, right = s.values.get(f"{metric}.left"), s.values.get(f"{metric}.right")
        if left is None or right is None:
            continue
        tl, tr = s.truth.get(f"{metric}.left"), s.truth.get(f"{metric}.right")
        errs.append((right - left) - (tr - tl if tl is not None and tr is not None else 0.0))
    if len(errs) < 2:
        return {}
    return {"asymmetry_limit95": 1.96 * float(np.sqrt(np.mean(np.square(errs))))}


def measured_mdc(summary_: dict[str, Any]) -> dict[str, Any]:
    """The per-metric test-retest figures of a :func:`summary`, in the ``measured_mdc.json`` layout."""
    import datetime

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    metrics = {}
    for name, d in summary_["metrics"].items():
        if d.get("mdc95") is None or name.endswith("_front_back"):
            continue
        keys = ("mdc95", "retest_sd", "retest_spread", "retest_clips", "asymmetry_limit95")
        metrics[name] = {k: round(float(d[k]), 3) for k in keys if d.get(k) is not None}
    front = summary_["metrics"].get("cadence_spm_front_back", {})
    return {
        "method": (
            "MediaPipe 0.10.21 pose-full + kinetrace analysis on repeat clips of the DeepMimic humanoid3d_run "
            f"runner: side view {', '.join(RETEST_SIDE)}; front/back {', '.join(RETEST_FRONT)} "
            "(start phase, camera distance 4/6 m, direction, pan)"
        ),
        "measured": today,
        "command": "kinetrace bench-video --write-mdc src/kinetrace/video/measured_mdc.json",
        "front_back_cadence_mdc95": front.get("mdc95"),
        "metrics": metrics,
    }

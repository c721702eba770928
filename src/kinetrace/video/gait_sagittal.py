"""Side-view (sagittal) running metrics from cleaned keypoints.

Initial contact (IC) and toe-off use the coordinate-based method of Zeni, Richards &
Higginson (Gait Posture 2008;27:710-714): IC = maximum of heel-minus-pelvis horizontal
position, toe-off = minimum of toe-minus-pelvis. The pelvis is the hip midpoint. All
positions are in the runner frame (X forward, Y up, see :mod:`geometry`), so a runner who
turns round keeps the same sign conventions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from kinetrace.video.errors import TooFewStrides
from kinetrace.video.geometry import facing_direction, flexion, inclination_from_vertical, midpoint, to_runner_frame
from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX

SIDES = ("left", "right")
#: Fewest ICs per side needed for any stride-based metric (one full stride).
MIN_IC_PER_SIDE = 2
#: Dingenen et al. 2018 (Phys Ther Sport 33:40-47): mean stabilised after ~7 steps.
RECOMMENDED_STEPS = 7


@dataclass
class SagittalAnalysis:
    """Events, per-IC values and per-frame angles of a side-view clip."""

    leg_length_px: float
    ic_frames: dict[str, list[int]]
    ic_times: dict[str, FloatArray]
    per_ic: dict[str, dict[str, FloatArray]]
    central: dict[str, float]
    per_frame: dict[str, FloatArray]
    warnings: list[str]


def leg_length_px(seq: PoseSequence) -> float:
    """Median thigh + shank length over frames and sides (pixels)."""
    lengths = []
    for s in SIDES:
        hip, knee, ankle = (seq.point(f"{s}_{j}") for j in ("hip", "knee", "ankle"))
        lengths.append(np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1))
    val = float(np.nanmedian(np.concatenate(lengths)))
    return val


def _at(values: FloatArray, frames: FloatArray) -> FloatArray:
    """Value of a per-frame series at fractional contact frames, read from the stance side.

    Angles kink at contact (the foot stops), so the value is extrapolated back from
    the first two stance frames instead of interpolated across the kink.
    """
    out = np.full(len(frames), np.nan)
    for i, t in enumerate(frames):
        k = int(np.ceil(t))
        if k + 1 < len(values) and np.isfinite(values[k]) and np.isfinite(values[k + 1]):
            out[i] = values[k] + (values[k] - values[k + 1]) * (k - t)
        elif k < len(values):
            out[i] = values[k]
    return out


def _contact_time(heel_y: FloatArray, peak: int, fps: float, leg: float) -> float:
    """Fractional frame of initial contact near the forward-reach peak ``peak``.

    Contact is when the heel comes down to the ground level (5th percentile of heel
    height over the clip): the first frame within 0.1 s before to 0.25 s after the peak
    where the heel is within 3 % of leg length of the ground; the time is refined by
    extrapolating the heel's descent from the two frames before to the ground, but not
    past the frame where the heel has settled (within 0.6 % of leg length). Falls
    back to the Zeni peak when the heel never comes down in that window.
    """
    ground = float(np.nanpercentile(heel_y, 5))
    tol = 0.03 * leg
    lo = max(2, peak - int(0.1 * fps))
    hi = min(len(heel_y), peak + int(0.25 * fps) + 1)
    for k in range(lo, hi):
        h0, h1, h2 = heel_y[k] - ground, heel_y[k - 1] - ground, heel_y[k - 2] - ground
        if not (np.isfinite(h0) and np.isfinite(h1)) or h0 > tol or h1 <= tol:
            continue
        settled = k
        while settled + 1 < len(heel_y) and heel_y[settled] - ground > 0.2 * tol:
            settled += 1
        slope = h1 - h2 if np.isfinite(h2) else h0 - h1
        frac = -h1 / slope if slope < 0 else 1.0
        return float(np.clip(k - 1 + frac, k - 1, settled))
    return float(peak)


def analyse_sagittal(seq: PoseSequence, raw: PoseSequence | None = None) -> SagittalAnalysis:
    """Detect ICs and compute side-view metrics.

    Events are found on ``seq`` (cleaned and low-passed); the values at contact are read
    from ``raw`` (cleaned, not low-passed) when given, because low-pass filtering rounds
    off the kink at contact and biases shank and knee angles by ~2 deg.

    Raises
    ------
    TooFewStrides
        Fewer than :data:`MIN_IC_PER_SIDE` ICs on either side.
    """
    warnings: list[str] = []
    L = leg_length_px(seq)
    face = facing_direction(seq)
    R = to_runner_frame(seq.xy, face)
    hip = midpoint(R[:, INDEX["left_hip"]], R[:, INDEX["right_hip"]])
    V = to_runner_frame((raw or seq).xy, face)
    vhip = midpoint(V[:, INDEX["left_hip"]], V[:, INDEX["right_hip"]])
    sh = midpoint(R[:, INDEX["left_shoulder"]], R[:, INDEX["right_shoulder"]])
    min_gap = max(1, int(0.4 * seq.fps))  # strides shorter than 0.4 s (>300 steps/min) are rejected
    ic_frames: dict[str, list[int]] = {}
    ic_times: dict[str, FloatArray] = {}
    per_ic: dict[str, dict[str, FloatArray]] = {}
    per_frame: dict[str, FloatArray] = {}
    for s in SIDES:
        heel = R[:, INDEX[f"{s}_heel"]]
        ankle = R[:, INDEX[f"{s}_ankle"]]
        heel = np.where(np.isfinite(heel), heel, ankle)
        toe = R[:, INDEX[f"{s}_toe"]]
        toe = np.where(np.isfinite(toe), toe, ankle)
        fwd = (heel[:, 0] - hip[:, 0]) / L
        peaks, _ = find_peaks(np.nan_to_num(fwd, nan=-10.0), distance=min_gap, prominence=0.15)
        peaks = np.array([p for p in peaks if np.isfinite(fwd[p])], dtype=int)
        ic = np.array([_contact_time(heel[:, 1], int(p), seq.fps, L) for p in peaks])
        ic_frames[s] = [round(f) for f in ic]
        ic_times[s] = ic / seq.fps
        vheel, vankle, vknee = (V[:, INDEX[f"{s}_{j}"]] for j in ("heel", "ankle", "knee"))
        vheel = np.where(np.isfinite(vheel), vheel, vankle)
        shank = inclination_from_vertical(vankle, vknee)
        knee_flex = flexion(V[:, INDEX[f"{s}_hip"]], vknee, vankle)
        over_angle = np.degrees(np.arctan2(vheel[:, 0] - vhip[:, 0], vhip[:, 1] - vheel[:, 1]))
        vfwd = (vheel[:, 0] - vhip[:, 0]) / L
        back = np.nan_to_num((toe[:, 0] - hip[:, 0]) / L, nan=10.0)
        mid_flex = []
        for a, b in zip(ic_frames[s], [*ic_frames[s][1:], len(fwd)][: len(ic_frames[s])], strict=True):
            seg = back[a:b]
            to = a + int(np.argmin(seg)) if seg.size else a
            stance = np.abs(ankle[a : to + 1, 0] - hip[a : to + 1, 0])
            if stance.size and np.any(np.isfinite(stance)):
                mid_flex.append(knee_flex[a + int(np.nanargmin(stance))])
        per_ic[s] = {
            "overstride_pct": 100 * _at(vfwd, ic),
            "overstride_angle_deg": _at(over_angle, ic),
            "shank_angle_ic_deg": _at(shank, ic),
            "knee_flexion_ic_deg": _at(knee_flex, ic),
            "knee_flexion_midstance_deg": np.array(mid_flex),
        }
        per_frame |= {f"shank_angle_{s}_deg": shank, f"knee_flexion_{s}_deg": knee_flex}
    counts = {s: len(ic_frames[s]) for s in SIDES}
    if min(counts.values()) < MIN_IC_PER_SIDE:
        raise TooFewStrides(
            f"found {counts['left']} left and {counts['right']} right initial contacts in "
            f"{seq.n_frames / seq.fps:.1f} s; at least {MIN_IC_PER_SIDE} per side are needed "
            f"(>= {RECOMMENDED_STEPS} steps recommended). Film the runner side-on for at least "
            "10 s of steady running, whole body in frame."
        )
    if sum(counts.values()) < RECOMMENDED_STEPS:
        warnings.append(
            f"only {sum(counts.values())} steps found; Dingenen et al. 2018 recommend averaging >= "
            f"{RECOMMENDED_STEPS} steps for reliable 2D running values"
        )
    spans = [(ic_times[s][-1] - ic_times[s][0]) / (len(ic_times[s]) - 1) for s in SIDES]
    trunk = np.degrees(np.arctan2(sh[:, 0] - hip[:, 0], sh[:, 1] - hip[:, 1]))
    all_ic = np.sort(np.concatenate([ic_frames["left"], ic_frames["right"]])).astype(int)
    vo = [np.nanmax(hip[a:b, 1]) - np.nanmin(hip[a:b, 1]) for a, b in zip(all_ic[:-2], all_ic[2:], strict=True)]
    central = {
        "cadence_spm": 120.0 / float(np.mean(spans)),
        "trunk_lean_deg": float(np.nanmean(trunk)),
        "vertical_oscillation_pct": 100 * float(np.median(vo)) / L if vo else float("nan"),
    }
    turns = int(np.count_nonzero(np.diff(face) != 0))
    if turns:
        warnings.append(f"the runner changed direction {turns} time(s); angles are kept in the runner's own frame")
    if seq.fps < 60:
        warnings.append(
            f"video is {seq.fps:.0f} fps; Sports2D and Pose2Sim advise >= 60 fps for running, "
            "contact frames may be up to half a frame off"
        )
    per_frame |= {"trunk_lean_deg": trunk, "facing": face}
    return SagittalAnalysis(L, ic_frames, ic_times, per_ic, central, per_frame, warnings)

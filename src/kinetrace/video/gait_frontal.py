"""Front- and back-view running metrics: arm carriage, shoulder elevation, arms crossing
the midline, contralateral pelvic drop, and cadence from stance alternation.

Lateral directions are taken from the body itself (outward = from the mid-shoulder point
towards that side's shoulder), so the numbers do not depend on which way the camera
faces. Left/right labels are checked against the view: seen from behind, the runner's
right shoulder is on the image right; seen from the front, on the image left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import theilslopes

from kinetrace.video.errors import TooFewStrides
from kinetrace.video.events import step_period
from kinetrace.video.geometry import midpoint, quiet_nanmean
from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX, LR_PAIRS

SIDES = ("left", "right")
MIN_STANCES_PER_SIDE = 2


@dataclass
class FrontalAnalysis:
    """Per-side summaries, per-frame series and events of a front/back clip."""

    per_side: dict[str, dict[str, float]]
    counts: dict[str, int]
    central: dict[str, float]
    stance_starts: dict[str, list[int]]
    per_frame: dict[str, FloatArray]
    warnings: list[str]
    lr_fixed_frames: int
    fixed: PoseSequence


def fix_labels_for_view(seq: PoseSequence, view: str) -> tuple[PoseSequence, int]:
    """Swap all left/right labels in frames whose shoulder order contradicts ``view``."""
    ls, rs = seq.point("left_shoulder")[:, 0], seq.point("right_shoulder")[:, 0]
    expected = 1.0 if view == "back" else -1.0  # sign of (right_x - left_x)
    wrong = np.sign(rs - ls) == -expected
    xy, conf = seq.xy.copy(), seq.conf.copy()
    for a, b in LR_PAIRS:
        ia, ib = INDEX[a], INDEX[b]
        xy[wrong, ia], xy[wrong, ib] = seq.xy[wrong, ib], seq.xy[wrong, ia]
        conf[wrong, ia], conf[wrong, ib] = seq.conf[wrong, ib], seq.conf[wrong, ia]
    # the legs on their own: knees and ankles on the image side the view puts them
    leg = ("knee", "ankle", "heel", "toe")
    lx = quiet_nanmean(np.stack([xy[:, INDEX[f"left_{j}"], 0] for j in ("knee", "ankle")]))
    rx = quiet_nanmean(np.stack([xy[:, INDEX[f"right_{j}"], 0] for j in ("knee", "ankle")]))
    legs_wrong = np.sign(rx - lx) == -expected
    for j in leg:
        ia, ib = INDEX[f"left_{j}"], INDEX[f"right_{j}"]
        xy[legs_wrong, ia], xy[legs_wrong, ib] = xy[legs_wrong, ib].copy(), xy[legs_wrong, ia].copy()
        conf[legs_wrong, ia], conf[legs_wrong, ib] = conf[legs_wrong, ib].copy(), conf[legs_wrong, ia].copy()
    return seq.with_xy(xy, conf), int(np.count_nonzero(wrong | legs_wrong))


#: A foot is in stance while its ankle is lower than the other by more than this share of leg length.
STANCE_MARGIN = 0.03
#: ... and a run counts only if somewhere in it the ankle is this much lower: seen from the front the
#: swing foot coming towards the camera, and MediaPipe's ankle jitter, make short shallow "stances".
STANCE_PEAK = 0.15


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def stance_runs(diff: FloatArray, leg: float, period: float) -> dict[str, list[tuple[int, int]]]:
    """Stance phases from the height difference of the ankles (image y, left minus right).

    A foot is in stance while it is the lower one by more than :data:`STANCE_MARGIN` of leg length, in a run
    that reaches :data:`STANCE_PEAK` somewhere (shallower runs are dropped first). Runs of
    the same side with no opposite stance between them are one stance (jitter split it);
    runs shorter than 15 % of a step, and a stance already under way at frame 0, are dropped;
    of two stances starting less than 0.6 step apart (``period``, frames) the longer is kept.
    """
    m = STANCE_MARGIN * leg
    state = np.where(diff > m, 1, np.where(diff < -m, -1, 0))  # 1 = left stance
    runs0: list[tuple[int, int, int]] = []  # maximal runs of one state
    i = 0
    while i < len(state):
        j = i
        while j + 1 < len(state) and state[j + 1] == state[i]:
            j += 1
        if state[i] != 0 and np.nanmax(np.abs(diff[i : j + 1])) >= STANCE_PEAK * leg:
            runs0.append((int(state[i]), i, j + 1))
        i = j + 1
    raw: list[tuple[int, int, int]] = []
    for st, a, b in runs0:
        if raw and raw[-1][0] == st:
            raw[-1] = (st, raw[-1][1], b)
        else:
            raw.append((st, a, b))
    shortest = max(2, int(0.15 * period)) if np.isfinite(period) else 2
    kept: list[tuple[int, int, int]] = []
    for run in (r for r in raw if r[1] > 0 and r[2] - r[1] >= shortest):
        if kept and np.isfinite(period) and run[1] - kept[-1][1] < 0.6 * period:
            if run[2] - run[1] > kept[-1][2] - kept[-1][1]:  # two "steps" closer than a step: keep the longer
                kept[-1] = run
            continue
        kept.append(run)
    runs: dict[str, list[tuple[int, int]]] = {"left": [], "right": []}
    for st, a, b in kept:
        runs["left" if st == 1 else "right"].append((a, b))
    return runs


def analyse_frontal(seq: PoseSequence, view: str) -> FrontalAnalysis:
    """Compute frontal-plane running metrics (see module docstring).

    Raises
    ------
    TooFewStrides
        Fewer than :data:`MIN_STANCES_PER_SIDE` stance phases on either side.
    """
    seq, fixed = fix_labels_for_view(seq, view)
    warnings: list[str] = []
    P = {n: seq.point(n) for n in seq.names}
    sh_mid = midpoint(P["left_shoulder"], P["right_shoulder"])
    hip_mid = midpoint(P["left_hip"], P["right_hip"])
    up = _unit(sh_mid - hip_mid)  # trunk axis, pointing up (image y is down)
    width = np.linalg.norm(P["right_shoulder"] - P["left_shoulder"], axis=1)
    W = float(np.nanmedian(width))
    per_side: dict[str, dict[str, float]] = {}
    per_frame: dict[str, FloatArray] = {}
    for s in SIDES:
        out = _unit(P[f"{s}_shoulder"] - sh_mid)
        out = out - np.sum(out * up, axis=1, keepdims=True) * up  # perpendicular to trunk
        out = _unit(out)
        arm = P[f"{s}_elbow"] - P[f"{s}_shoulder"]
        abd = np.degrees(np.arctan2(np.sum(arm * out, axis=1), np.sum(arm * -up, axis=1)))
        elbow_dist = 100 * np.sum(arm * out, axis=1) / W
        ear_sh = 100 * np.sum((P[f"{s}_ear"] - P[f"{s}_shoulder"]) * up, axis=1) / W
        wrist_lat = np.sum((P[f"{s}_wrist"] - sh_mid) * out, axis=1)
        crossing = 100 * np.clip(-wrist_lat, 0, None) / W
        per_frame |= {
            f"shoulder_abduction_{s}_deg": abd,
            f"elbow_trunk_distance_{s}_pct": elbow_dist,
            f"shoulder_ear_distance_{s}_pct": ear_sh,
            f"wrist_midline_crossing_{s}_pct": crossing,
        }
        per_side[s] = {
            "shoulder_abduction_deg": float(np.nanmean(abd)),
            "elbow_trunk_distance_pct": float(np.nanmean(elbow_dist)),
            "shoulder_ear_distance_pct": float(np.nanmean(ear_sh)),
            "wrist_midline_crossing_pct": float(np.nanpercentile(crossing, 95)),
        }
    # stance: the lower ankle (larger image y) by more than 3 % of leg length
    leg = float(
        np.nanmedian(
            np.linalg.norm(P["left_hip"] - P["left_knee"], axis=1)
            + np.linalg.norm(P["left_knee"] - P["left_ankle"], axis=1)
        )
    )
    diff = P["left_ankle"][:, 1] - P["right_ankle"][:, 1]
    period, _ = step_period(np.abs(diff), seq.fps)
    runs = stance_runs(diff, leg, period)
    starts = {s: [a for a, _ in runs[s]] for s in SIDES}
    counts = {s: len(runs[s]) for s in SIDES}
    if min(counts.values()) < MIN_STANCES_PER_SIDE:
        raise TooFewStrides(
            f"found {counts['left']} left and {counts['right']} right stance phases in "
            f"{seq.n_frames / seq.fps:.1f} s; at least {MIN_STANCES_PER_SIDE} per side are needed. "
            "Film the runner from straight behind or in front for at least 10 s, feet in frame."
        )
    # pelvic drop in stance of side s = contralateral hip lower than the stance hip
    drop_frame = np.full(seq.n_frames, np.nan)
    for s, other in (("left", "right"), ("right", "left")):
        dy = P[f"{other}_hip"][:, 1] - P[f"{s}_hip"][:, 1]
        dx = np.abs(P[f"{other}_hip"][:, 0] - P[f"{s}_hip"][:, 0])
        angle = np.degrees(np.arctan2(dy, dx))
        peaks = [float(np.nanmax(angle[a:b])) for a, b in runs[s]]
        per_side[s]["pelvic_drop_deg"] = float(np.median(peaks))
        for a, b in runs[s]:
            drop_frame[a:b] = angle[a:b]
    per_frame["pelvic_drop_deg"] = drop_frame
    all_starts = np.sort(np.concatenate([starts["left"], starts["right"]]))
    slope = theilslopes(all_starts.astype(float), np.arange(len(all_starts)))[0]
    central = {
        "cadence_spm": 60.0 * seq.fps / float(slope),
        "cadence_frequency_spm": 60.0 * seq.fps / period if np.isfinite(period) else float("nan"),
    }
    if fixed:
        warnings.append(f"left/right labels corrected in {fixed} frame(s) to match the {view} view")
    return FrontalAnalysis(per_side, counts, central, starts, per_frame, warnings, fixed, seq)

"""Work-posture angles (degrees) and RULA per frame, from cleaned keypoints.

The view is estimated per clip: when the shoulders look wide compared with the trunk,
the camera faces the person (front/back) and the image plane shows abduction and
side-bending; otherwise it is a side view and the image plane shows flexion/extension.
What a single 2D view cannot show is listed in ``assumptions``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kinetrace.video.geometry import facing_direction, flexion, midpoint
from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.rula import RulaInput, score, threshold

SIDES = ("left", "right")


@dataclass
class PostureAnalysis:
    """Per-frame angles and RULA scores."""

    view: str
    per_frame: dict[str, FloatArray]
    rula: list[dict[str, dict[str, int]] | None]
    assumptions: list[str]


def _signed(v: FloatArray, ref: FloatArray) -> FloatArray:
    """Signed angle (deg) from ``ref`` to ``v`` in image coordinates (y down), + = clockwise on screen."""
    cross = ref[:, 0] * v[:, 1] - ref[:, 1] * v[:, 0]
    dot = np.sum(ref * v, axis=1)
    return np.asarray(np.degrees(np.arctan2(cross, dot)), dtype=np.float64)


def analyse_frames(seq: PoseSequence) -> PostureAnalysis:
    """Angles and RULA for every frame of ``seq``."""
    P = {n: seq.point(n) for n in seq.names}
    n = seq.n_frames
    assumptions: list[str] = []
    sh_mid = midpoint(P["left_shoulder"], P["right_shoulder"])
    hip_mid = midpoint(P["left_hip"], P["right_hip"])
    up = sh_mid - hip_mid
    no_hips = ~np.all(np.isfinite(up), axis=1)
    if no_hips.any():
        up[no_hips] = (0.0, -1.0)
        assumptions.append(f"hips not visible in {int(no_hips.sum())} frame(s): trunk assumed upright (image vertical)")
    trunk_len = np.linalg.norm(up, axis=1)
    up = up / trunk_len[:, None]
    width = np.linalg.norm(P["right_shoulder"] - P["left_shoulder"], axis=1)
    # shoulder AND hip width, as the gait's view detection: a raised arm pulls the pose model's shoulder
    # keypoint up and apart (side-on "reach" photo: shoulders 0.38 trunk lengths apart, hips 0.17)
    hip_width = np.linalg.norm(P["right_hip"] - P["left_hip"], axis=1)
    ratio = np.where(no_hips, np.inf, (width + hip_width) / (2 * trunk_len))
    frontal = bool(np.nanmedian(ratio) > threshold("front_view_min_width_ratio"))
    view = "front/back" if frontal else "side"
    vertical = np.tile([0.0, -1.0], (n, 1))
    ear_mid = midpoint(P["left_ear"], P["right_ear"])
    head = ear_mid - sh_mid
    face = facing_direction(seq)  # heel->toe first (a faceless or turned head misleads nose-vs-ears)
    pf: dict[str, FloatArray] = {}
    if frontal:
        pf["trunk_side_bend_deg"] = np.abs(_signed(up, vertical))
        pf["neck_side_bend_deg"] = np.abs(_signed(head, up))
        pf["trunk_flexion_deg"] = np.zeros(n)
        pf["neck_flexion_deg"] = np.zeros(n)
        assumptions.append("front/back view: trunk and neck flexion are not visible and are scored as neutral")
        assumptions.append(
            "front/back view: upper-arm flexion is not visible; the arm's elevation in the image is "
            "scored as its position and +1 added when abduction exceeds the video threshold"
        )
    else:
        # clockwise on screen = forward for a person facing image right
        pf["trunk_flexion_deg"] = _signed(up, vertical) * face
        pf["neck_flexion_deg"] = _signed(head, up) * face
        pf["trunk_side_bend_deg"] = np.zeros(n)
        pf["neck_side_bend_deg"] = np.zeros(n)
        assumptions.append("side view: side-bending and abduction are not visible and are scored as absent")
    pf |= _arm_angles(P, sh_mid, up, width, face, frontal=frontal)
    assumptions += [
        "shoulder raised, arm supported, wrist deviation and twist, neck/trunk twist are not measured "
        "from video: scored as absent (wrist twist = 1, mid-range)",
        "legs scored as supported and balanced (1); muscle use and force/load scored 0",
    ]
    rula, unseen, mattered = _rula_frames(pf, n, frontal=frontal)
    if unseen:
        assumptions.append(
            f"lower arm not seen (wrist or elbow not confidently placed) on {unseen} side-frame(s): "
            "scored as the worse of its two RULA scores (2, elbow outside 60-100 deg flexion); "
            + (
                f"it raised the grand score on {mattered} of them (an upper bound there)"
                if mattered
                else "the grand score is the same with either (1 or 2)"
            )
        )
    return PostureAnalysis(view=view, per_frame=pf, rula=rula, assumptions=assumptions)


#: Elbow flexions (deg) standing in for a lower arm that is not seen: RULA's lower-arm score 1 and 2.
UNSEEN_ELBOW_DEG = {1: 80.0, 2: 30.0}


def _rula_frames(
    pf: dict[str, FloatArray], n: int, *, frontal: bool
) -> tuple[list[dict[str, dict[str, int]] | None], int, int]:
    """RULA scores of each frame and side from the per-frame angles (None where the upper arm is not seen).

    When no side of a frame is fully seen, a side whose upper arm is seen but whose lower arm
    is not (no confident wrist, so no elbow angle) is scored with the worse lower-arm score (2);
    also returns how many side-frames that was and on how many the grand score would have been
    lower with 1. A fully seen side is never joined by a guessed one.
    """
    rula: list[dict[str, dict[str, int]] | None] = []
    unseen = mattered = 0
    for i in range(n):
        frame: dict[str, dict[str, int]] = {}
        guessed: dict[str, dict[str, int]] = {}
        lower: dict[str, int] = {}
        for s in SIDES:
            ua = pf[f"upper_arm_elevation_{s}_deg"][i]
            el = pf[f"elbow_flexion_{s}_deg"][i]
            if not np.isfinite(ua):
                continue
            elbows = [float(el)] if np.isfinite(el) else [UNSEEN_ELBOW_DEG[2], UNSEEN_ELBOW_DEG[1]]
            wf = pf[f"wrist_flexion_{s}_deg"][i]
            wf_val = float(wf) if np.isfinite(wf) and abs(wf) >= threshold("wrist_neutral_tolerance_deg") else None
            neck = float(np.nan_to_num(pf["neck_flexion_deg"][i]))
            if -threshold("neck_extension_tolerance_deg") < neck < 0:
                neck = 0.0
            inputs = [
                RulaInput(
                    upper_arm_flexion=float(ua),
                    elbow_flexion=e,
                    wrist_flexion=wf_val,
                    neck_flexion=neck,
                    trunk_flexion=float(np.nan_to_num(pf["trunk_flexion_deg"][i])),
                    upper_arm_abducted=bool(frontal and ua > threshold("upper_arm_abducted_deg")),
                    lower_arm_across_or_out=bool(pf[f"across_or_out_{s}"][i] > 0),
                    neck_side_bent=bool(pf["neck_side_bend_deg"][i] > threshold("neck_side_bend_deg")),
                    trunk_side_bent=bool(pf["trunk_side_bend_deg"][i] > threshold("trunk_side_bend_deg")),
                )
                for e in elbows
            ]
            scored = [score(inp) for inp in inputs]
            (frame if len(scored) == 1 else guessed)[s] = scored[0]
            if len(scored) > 1:
                lower[s] = scored[1]["grand"]
        if not frame and guessed:  # a side scored with a guessed lower arm only when no side is fully seen
            frame = guessed
            unseen += len(guessed)
            mattered += sum(int(guessed[s]["grand"] > lower[s]) for s in guessed)
        rula.append(frame or None)
    return rula, unseen, mattered


def _arm_angles(P: dict[str, FloatArray], sh_mid: FloatArray, up: FloatArray, width: FloatArray, face: FloatArray,
                *, frontal: bool) -> dict[str, FloatArray]:  # fmt: skip
    """Upper-arm elevation, elbow and wrist flexion per side, and whether the forearm is across or out."""
    n = len(sh_mid)
    res: dict[str, FloatArray] = {}
    for s in SIDES:
        arm = P[f"{s}_elbow"] - P[f"{s}_shoulder"]
        if frontal:
            out = P[f"{s}_shoulder"] - sh_mid
            out = out - np.sum(out * up, axis=1, keepdims=True) * up
            out /= np.linalg.norm(out, axis=1, keepdims=True)
            elev = np.degrees(np.arctan2(np.sum(arm * out, axis=1), np.sum(arm * -up, axis=1)))
            lat = np.sum((P[f"{s}_wrist"] - sh_mid) * out, axis=1) / width
            res[f"across_or_out_{s}"] = (
                (lat < 0) | (lat > 0.5 + threshold("forearm_out_to_side_shoulder_widths"))
            ).astype(float)
        else:
            elev = _signed(arm, -up) * -face  # forward = flexion
            res[f"across_or_out_{s}"] = np.zeros(n)
        res[f"upper_arm_elevation_{s}_deg"] = elev
        res[f"elbow_flexion_{s}_deg"] = flexion(P[f"{s}_shoulder"], P[f"{s}_elbow"], P[f"{s}_wrist"])
        res[f"wrist_flexion_{s}_deg"] = flexion(P[f"{s}_elbow"], P[f"{s}_wrist"], P[f"{s}_index"])
    return res

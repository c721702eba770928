"""Angle conventions (degrees) shared by gait and posture metrics.

All image coordinates are pixels with ``y`` down. Sagittal angles are computed in a
*runner frame*: ``X`` points in the person's walking/facing direction and ``Y`` up, so an
angle never flips sign (or jumps by 180 deg) when the person turns round — the confusion
Sports2D users report (issues #30/#31).
"""

from __future__ import annotations

import numpy as np

from kinetrace.video.pose import FloatArray, PoseSequence


def joint_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Unsigned angle ABC at vertex ``b`` in degrees (0-180), arrays (..., 2)."""
    v1 = a - b
    v2 = c - b
    cos = np.sum(v1 * v2, axis=-1) / (np.linalg.norm(v1, axis=-1) * np.linalg.norm(v2, axis=-1))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def flexion(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Flexion at ``b``: 0 deg when A-B-C is a straight line (Sports2D convention)."""
    return 180.0 - joint_angle(a, b, c)


#: An elbow flexed more than this (deg) shows which way the person faces (see :func:`facing_direction`).
ELBOW_FACING_MIN_DEG = 30.0


def facing_direction(seq: PoseSequence) -> FloatArray:
    """Per-frame horizontal facing sign (+1 = towards image right, -1 = left).

    Uses the feet (heel-to-toe points forward); where the feet are missing or disagree, the
    flexed elbows (an elbow flexes only one way: the forearm turns towards the front); then
    the head (nose ahead of the ears), then carries the last known direction. A 1 s majority
    filter removes single-frame flicker.
    """
    votes = np.zeros(seq.n_frames)
    for side in ("left", "right"):
        d = seq.point(f"{side}_toe")[:, 0] - seq.point(f"{side}_heel")[:, 0]
        votes += np.nan_to_num(np.sign(d))
    elbows = np.zeros(seq.n_frames)
    for side in ("left", "right"):
        upper = seq.point(f"{side}_elbow") - seq.point(f"{side}_shoulder")
        fore = seq.point(f"{side}_wrist") - seq.point(f"{side}_elbow")
        cross = upper[:, 0] * fore[:, 1] - upper[:, 1] * fore[:, 0]  # image y down: < 0 = turns to image right
        bent = np.nan_to_num(flexion(seq.point(f"{side}_shoulder"), seq.point(f"{side}_elbow"),
                                     seq.point(f"{side}_wrist"))) > ELBOW_FACING_MIN_DEG  # fmt: skip
        elbows += np.where(bent, -np.sign(np.nan_to_num(cross)), 0.0)
    votes = np.where(votes == 0, np.sign(elbows), votes)
    ears = quiet_nanmean(np.stack([seq.point("left_ear")[:, 0], seq.point("right_ear")[:, 0]]))
    head = np.nan_to_num(np.sign(seq.point("nose")[:, 0] - ears))
    votes = np.where(votes == 0, head, votes)
    w = max(1, min(round(seq.fps), seq.n_frames))
    smooth = np.convolve(votes, np.ones(w), mode="same")
    sign = np.sign(smooth)
    last = 1.0
    for i in range(len(sign)):  # carry forward where undecided
        if sign[i] == 0:
            sign[i] = last
        last = sign[i]
    return np.asarray(sign, dtype=np.float64)


def to_runner_frame(points: FloatArray, facing: FloatArray) -> FloatArray:
    """Map pixel points (F, ..., 2) to the runner frame: X forward, Y up."""
    f = facing.reshape((-1,) + (1,) * (points.ndim - 2))
    out = np.empty_like(points)
    out[..., 0] = points[..., 0] * f
    out[..., 1] = -points[..., 1]
    return out


def inclination_from_vertical(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Signed angle (deg) of segment lower->upper from vertical, runner frame.

    Positive when ``lower`` lies ahead (+X) of ``upper``; e.g. for the shank
    (ankle->knee) a positive angle means the ankle lands in front of the knee.
    """
    dx = lower[..., 0] - upper[..., 0]
    dy = upper[..., 1] - lower[..., 1]
    return np.asarray(np.degrees(np.arctan2(dx, dy)), dtype=np.float64)


def midpoint(a: FloatArray, b: FloatArray) -> FloatArray:
    """Midpoint of two point arrays."""
    return (a + b) / 2.0


def quiet_nanmean(values: FloatArray, axis: int = 0) -> FloatArray:
    """Mean over ``axis`` ignoring NaN; NaN (and no RuntimeWarning) where every value is missing."""
    ok = np.isfinite(values)
    count = ok.sum(axis=axis)
    total = np.where(ok, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(count > 0, total / np.maximum(count, 1), np.nan), dtype=np.float64)

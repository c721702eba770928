"""A parametric runner with known truth, for tests, benchmarks and provisional MDCs.

Nothing here is clinical knowledge; it is a geometric toy that produces keypoints whose
cadence, foot position at initial contact (IC), shank angle at IC, trunk lean, vertical
oscillation, arm abduction and pelvic drop are known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX, KEYPOINTS


@dataclass(frozen=True)
class RunnerParams:
    """Parameters of the synthetic runner (lengths in leg lengths ``L``, angles in deg)."""

    cadence_spm: float = 170.0
    duty_factor: float = 0.35
    overstride_left: float = 0.25
    overstride_right: float = 0.25
    push_off: float = 0.35
    trunk_lean_deg: float = 8.0
    vertical_oscillation: float = 0.08
    thigh: float = 0.5
    shank: float = 0.5
    hip_height: float = 0.98
    ankle_height: float = 0.07
    swing_lift: float = 0.3
    overground: bool = False
    # frontal-plane truths
    abduction_left_deg: float = 15.0
    abduction_right_deg: float = 35.0
    pelvic_drop_left_stance_deg: float = 4.0
    pelvic_drop_right_stance_deg: float = 8.0
    ear_shoulder_left: float = 0.55  # ear-to-shoulder vertical distance / shoulder width
    ear_shoulder_right: float = 0.40
    wrist_cross_right: float = 0.10  # wrist past midline at peak (/ shoulder width)


def _phase(t: FloatArray, period: float, offset: float) -> FloatArray:
    return np.mod(t / period - offset, 1.0)


def _leg_sagittal(
    phi: FloatArray, p: RunnerParams, d_ic: float, hip_y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Ankle, knee, heel, toe positions relative to the hip's X (runner frame)."""
    d_to = -p.push_off
    stance = phi < p.duty_factor
    u_st = phi / p.duty_factor
    u_sw = (phi - p.duty_factor) / (1 - p.duty_factor)
    ax = np.where(stance, d_ic + (d_to - d_ic) * u_st, d_to + (d_ic - d_to) * (1 - np.cos(np.pi * u_sw)) / 2)
    ay = np.where(stance, p.ankle_height, p.ankle_height + p.swing_lift * np.sin(np.pi * u_sw))
    ankle = np.column_stack([ax, ay])
    hip = np.column_stack([np.zeros_like(ax), hip_y])
    v = ankle - hip
    d = np.minimum(np.linalg.norm(v, axis=1), 0.999 * (p.thigh + p.shank))
    u = v / np.linalg.norm(v, axis=1, keepdims=True)
    alpha = np.arccos(np.clip((p.thigh**2 + d**2 - p.shank**2) / (2 * p.thigh * d), -1, 1))
    rot = np.column_stack(
        [u[:, 0] * np.cos(alpha) - u[:, 1] * np.sin(alpha), u[:, 0] * np.sin(alpha) + u[:, 1] * np.cos(alpha)]
    )
    knee = hip + p.thigh * rot
    heel = ankle + np.array([-0.06, -p.ankle_height + 0.01])
    toe = ankle + np.array([0.16, -p.ankle_height + 0.01])
    return ankle, knee, heel, toe


def sagittal_runner(
    params: RunnerParams | None = None,
    *,
    duration_s: float = 6.0,
    fps: float = 60.0,
    facing: int = 1,
    turn_at_s: float | None = None,
    px_per_leg: float = 300.0,
    size: tuple[int, int] = (1280, 720),
    noise_px: float = 0.0,
    rng: np.random.Generator | None = None,
) -> PoseSequence:
    """Side-view keypoints of the parametric runner.

    Parameters
    ----------
    facing : {1, -1}
        Running direction in the image (+1 = towards image right).
    turn_at_s : float, optional
        Time (s) at which the runner turns round (facing flips).
    noise_px : float
        Standard deviation (px) of Gaussian noise added to every keypoint.
    """
    p = params if params is not None else RunnerParams()
    t = np.arange(round(duration_s * fps)) / fps
    period = 120.0 / p.cadence_spm
    hip_y = p.hip_height + 0.5 * p.vertical_oscillation * -np.cos(
        2 * np.pi * (2 * _phase(t, period, 0.0) - p.duty_factor)
    )
    pts: dict[str, FloatArray] = {}
    hip = np.column_stack([np.zeros_like(t), hip_y])
    for side, off, d_ic in (("left", 0.0, p.overstride_left), ("right", 0.5, p.overstride_right)):
        ankle, knee, heel, toe = _leg_sagittal(_phase(t, period, off), p, d_ic, hip_y)
        pts |= {f"{side}_ankle": ankle, f"{side}_knee": knee, f"{side}_heel": heel, f"{side}_toe": toe}
        pts[f"{side}_hip"] = hip.copy()
        lean = np.radians(p.trunk_lean_deg)
        sh = hip + 0.6 * np.array([np.sin(lean), np.cos(lean)])
        pts[f"{side}_shoulder"] = sh
        swing = np.radians(30.0) * np.sin(2 * np.pi * (_phase(t, period, off) - 0.25))
        elbow = sh + 0.3 * np.column_stack([np.sin(swing), -np.cos(swing)])
        wrist = elbow + 0.27 * np.column_stack([np.cos(swing), np.sin(swing)])
        pts |= {f"{side}_elbow": elbow, f"{side}_wrist": wrist, f"{side}_index": wrist + np.array([0.05, 0.0])}
        pts[f"{side}_ear"] = sh + np.array([0.0, 0.25])
        pts[f"{side}_eye"] = sh + np.array([0.06, 0.28])
    pts["nose"] = pts["left_shoulder"] + [0.1, 0.27]
    xy = np.full((len(t), len(KEYPOINTS), 2), np.nan)
    for name, arr in pts.items():
        xy[:, INDEX[name]] = arr
    # facing per frame and world translation
    face = np.full(len(t), float(facing))
    if turn_at_s is not None:
        face[t >= turn_at_s] *= -1
    speed = (p.overstride_left + p.push_off) / (p.duty_factor * period) if p.overground else 0.0
    world_x = np.cumsum(face * speed / fps)
    x_px = size[0] / 2 + (xy[..., 0] * face[:, None] + world_x[:, None] * 0.2) * px_per_leg
    return _to_pose(x_px, xy, px_per_leg=px_per_leg, fps=fps, size=size, noise_px=noise_px, rng=rng)


def sagittal_truth(params: RunnerParams | None = None) -> dict[str, float]:
    """Exact IC values of :func:`sagittal_runner` for each side."""
    p = params if params is not None else RunnerParams()
    out: dict[str, float] = {"cadence_spm": p.cadence_spm, "trunk_lean_deg": p.trunk_lean_deg}
    period = 120.0 / p.cadence_spm
    for side, d_ic, off in (("left", p.overstride_left, 0.0), ("right", p.overstride_right, 0.5)):
        t_ic = np.array([off * period])
        hip_y = p.hip_height + 0.5 * p.vertical_oscillation * -np.cos(
            2 * np.pi * (2 * _phase(t_ic, period, 0.0) - p.duty_factor)
        )
        ankle, knee, heel, _ = _leg_sagittal(np.array([0.0]), p, d_ic, hip_y)
        out[f"shank_angle_ic_{side}"] = float(
            np.degrees(np.arctan2(ankle[0, 0] - knee[0, 0], knee[0, 1] - ankle[0, 1]))
        )
        out[f"overstride_{side}"] = float(heel[0, 0]) / (p.thigh + p.shank)
        out[f"overstride_angle_{side}"] = float(np.degrees(np.arctan2(heel[0, 0], hip_y[0] - heel[0, 1])))
        hk = np.array([0.0, hip_y[0]]) - knee[0]
        ak = ankle[0] - knee[0]
        cos = hk @ ak / (np.linalg.norm(hk) * np.linalg.norm(ak))
        out[f"knee_flexion_ic_{side}"] = 180.0 - float(np.degrees(np.arccos(cos)))
    out["vertical_oscillation_pct"] = 100 * p.vertical_oscillation / (p.thigh + p.shank)
    return out


def frontal_runner(
    params: RunnerParams | None = None,
    *,
    view: str = "back",
    duration_s: float = 6.0,
    fps: float = 60.0,
    px_per_leg: float = 300.0,
    size: tuple[int, int] = (1280, 720),
    noise_px: float = 0.0,
    rng: np.random.Generator | None = None,
) -> PoseSequence:
    """Front- or back-view keypoints with known arm abduction, shoulder elevation, pelvic drop.

    Lateral coordinate ``Z`` points to the runner's right; in a back view the runner's
    right is on the image right, in a front view on the image left.
    """
    p = params if params is not None else RunnerParams()
    t = np.arange(round(duration_s * fps)) / fps
    period = 120.0 / p.cadence_spm
    sw, hw = 0.40, 0.30  # shoulder and hip widths (leg lengths)
    pts: dict[str, FloatArray] = {}
    n = len(t)
    hip_y = {"left": np.full(n, p.hip_height), "right": np.full(n, p.hip_height)}
    for side, off, other, drop in (
        ("left", 0.0, "right", p.pelvic_drop_left_stance_deg),
        ("right", 0.5, "left", p.pelvic_drop_right_stance_deg),
    ):
        phi = _phase(t, period, off)
        stance = phi < p.duty_factor
        shape = np.where(stance, np.sin(np.pi * phi / p.duty_factor), 0.0)
        hip_y[other] = hip_y[other] - hw * np.tan(np.radians(drop)) * shape
        lift = np.where(stance, 0.0, p.swing_lift * np.sin(np.pi * (phi - p.duty_factor) / (1 - p.duty_factor)))
        z = 0.08 if side == "right" else -0.08
        pts[f"{side}_ankle"] = np.column_stack([np.full(n, z), p.ankle_height + lift])
        pts[f"{side}_heel"] = pts[f"{side}_ankle"] + [0.0, -0.06]
        pts[f"{side}_toe"] = pts[f"{side}_ankle"] + [0.0, -0.06]
    for side, sign in (("left", -1.0), ("right", 1.0)):
        hip = np.column_stack([np.full(n, sign * hw / 2), hip_y[side]])
        pts[f"{side}_hip"] = hip
        ankle = pts[f"{side}_ankle"]
        pts[f"{side}_knee"] = (hip + ankle) / 2 + [0.0, 0.0]
        sh = np.column_stack([np.full(n, sign * sw / 2), np.full(n, p.hip_height + 0.6)])
        pts[f"{side}_shoulder"] = sh
        abd = np.radians(getattr(p, f"abduction_{side}_deg"))
        elbow = sh + 0.3 * np.array([sign * np.sin(abd), -np.cos(abd)])
        pts[f"{side}_elbow"] = elbow
        cross = p.wrist_cross_right if side == "right" else 0.0
        wrist_z = -sign * cross * sw
        phase = np.sin(2 * np.pi * _phase(t, period, 0.5 if side == "left" else 0.0))
        wrist = np.column_stack([elbow[:, 0] + (wrist_z - elbow[:, 0]) * (0.5 + 0.5 * phase), elbow[:, 1] + 0.1])
        pts[f"{side}_wrist"] = wrist
        pts[f"{side}_index"] = wrist + np.array([0.0, -0.05])
        es = getattr(p, f"ear_shoulder_{side}") * sw
        pts[f"{side}_ear"] = np.column_stack([np.full(n, sign * 0.07), sh[:, 1] + es])
        pts[f"{side}_eye"] = pts[f"{side}_ear"] + [-sign * 0.03, 0.01]
    pts["nose"] = (pts["left_ear"] + pts["right_ear"]) / 2 + [0.0, -0.03]
    xy = np.full((n, len(KEYPOINTS), 2), np.nan)
    for name, arr in pts.items():
        xy[:, INDEX[name]] = arr
    mirror = 1.0 if view == "back" else -1.0
    x_px = size[0] / 2 + mirror * xy[..., 0] * px_per_leg
    return _to_pose(x_px, xy, px_per_leg=px_per_leg, fps=fps, size=size, noise_px=noise_px, rng=rng)


def _to_pose(
    x_px: NDArray[np.float64],
    xy: NDArray[np.float64],
    *,
    px_per_leg: float,
    fps: float,
    size: tuple[int, int],
    noise_px: float,
    rng: np.random.Generator | None,
) -> PoseSequence:
    """Image y from body-frame heights (feet 40 px above the bottom edge), optional pixel noise."""
    y_px = size[1] - 40 - xy[..., 1] * px_per_leg
    out = np.stack([x_px, y_px], axis=-1)
    if noise_px > 0:
        gen = rng if rng is not None else np.random.default_rng(0)
        out = out + gen.normal(0.0, noise_px, out.shape)
    return PoseSequence(xy=out, conf=np.ones(out.shape[:2]), fps=fps, size=size, source="synthetic")

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
from numpy.typing import NDArray
from scipy.ndimage import median_filter
from scipy.signal import savgol_filter
from scipy.stats import theilslopes

from kinetrace.video import cleaning
from kinetrace.video.errors import TooFewStrides
from kinetrace.video.events import Steps, find_steps, relabel_legs
from kinetrace.video.geometry import facing_direction, flexion, inclination_from_vertical, midpoint, to_runner_frame
from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX

SIDES = ("left", "right")
#: Fewest ICs per side needed for any stride-based metric (one full stride).
MIN_IC_PER_SIDE = 2
#: Fewest contacts in all: fewer than 5 steps (2 strides) give no stable cadence or average.
MIN_STEPS = 5
#: Contact cadence and frequency estimate further apart than this (steps/min) -> warning.
CADENCE_CHECK_TOLERANCE_SPM = 2.0
#: Below this share of contacts agreeing with the pose model's labels, the sides are flagged.
SIDE_AGREEMENT_MIN = 0.7
#: Contacts further than this share of a step off the regular step sequence are not used for angles.
MAX_CONTACT_OFFSET = 0.25
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
    steps: Steps
    relabelled_frames: int
    fixed: PoseSequence


def leg_length_px(seq: PoseSequence) -> float:
    """Median thigh + shank length over frames and sides (pixels)."""
    lengths = []
    for s in SIDES:
        hip, knee, ankle = (seq.point(f"{s}_{j}") for j in ("hip", "knee", "ankle"))
        lengths.append(np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1))
    val = float(np.nanmedian(np.concatenate(lengths)))
    return val


def _at(values: FloatArray, frames: FloatArray) -> FloatArray:
    """Value of a per-frame series at fractional contact frames (linear interpolation, sub-frame timing).

    Contacts are timed to a fraction of a frame (:mod:`events`); at 30 fps the knee moves
    ~5 deg and the shank ~10 deg per frame around contact, so reading the nearest frame
    instead is worth several degrees. (Until 2026-12-02 the value was extrapolated back from
    the two frames after contact; interpolating between the frames either side gave smaller
    errors on the tuning clip, docs/video.md.)
    """
    return np.array([interpolate_at(values, float(t)) for t in frames], dtype=float)


def interpolate_at(values: FloatArray, t: float) -> float:
    """Linear interpolation of a per-frame series at fractional frame ``t`` (NaN outside or at a gap)."""
    if not (0.0 <= t <= len(values) - 1):
        return float("nan")
    k = int(np.floor(t))
    if k == t or k + 1 >= len(values):
        return float(values[k])
    w = t - k
    return float((1.0 - w) * values[k] + w * values[k + 1])


def analyse_sagittal(raw: PoseSequence, *, lowpass_hz: float = 12.0) -> SagittalAnalysis:
    """Detect contacts (label-swap proof, :mod:`events`) and compute side-view metrics.

    ``raw`` is gated and gap-filled but not low-passed. The legs are relabelled from the
    step sequence first; values at contact are read from the relabelled unfiltered
    keypoints (a low-pass rounds off the contact kink, ~2 deg bias), trunk lean and bounce
    from the low-passed ones.

    Raises
    ------
    TooFewStrides
        Fewer than :data:`MIN_IC_PER_SIDE` contacts on either side.
    """
    L = leg_length_px(raw)
    face = facing_direction(raw)
    R0 = to_runner_frame(raw.xy, face)
    hip0 = midpoint(R0[:, INDEX["left_hip"]], R0[:, INDEX["right_hip"]])
    steps = find_steps(R0, hip0, L, raw.fps)
    fixed, changed = relabel_legs(raw, R0, hip0, steps, L)
    _check_strides(steps, raw)
    V = to_runner_frame(_for_values(fixed).xy, face)
    per_ic, per_frame = _per_contact_values(V, steps, raw.fps, L)
    R = to_runner_frame(cleaning.lowpass(fixed, cutoff_hz=lowpass_hz).xy, face)
    central, trunk = _central(R, steps, raw.fps, L)
    per_frame |= {"trunk_lean_deg": trunk, "facing": face}
    ic_frames = {s: [round(c) for c in steps.side_frames(s)] for s in SIDES}
    ic_times = {s: np.array(steps.side_frames(s)) / raw.fps for s in SIDES}
    warnings = _warnings(steps, raw, face, central)
    return SagittalAnalysis(L, ic_frames, ic_times, per_ic, central, per_frame, warnings, steps, changed, fixed)


#: Keypoints the angles are read from: "raw" (relabelled, gated, gap-filled, not smoothed), or
#: "medianN" / "sgN" / "lowpass6" / "lowpass12" (kept for the comparison in docs/video.md). Each smoothing
#: was worse on the tuning clip: the true knee flexes ~20 deg within one 30 fps frame after contact, and
#: any filter spreads the swing frames into the contact value and flattens the midstance peak.
VALUE_SOURCE = "raw"


def _for_values(seq: PoseSequence) -> PoseSequence:
    """Keypoints the angles are read from (:data:`VALUE_SOURCE`)."""
    if VALUE_SOURCE == "raw":
        return seq
    if VALUE_SOURCE == "lowpass6":
        return cleaning.lowpass(seq, cutoff_hz=6.0)
    if VALUE_SOURCE == "lowpass12":
        return cleaning.lowpass(seq, cutoff_hz=12.0)
    if VALUE_SOURCE.startswith("sg"):
        return savgol_keypoints(seq, int(VALUE_SOURCE.removeprefix("sg")))
    w = int(VALUE_SOURCE.removeprefix("median"))
    return seq.with_xy(median_filter(seq.xy, size=(w, 1, 1), mode="nearest"))


def savgol_keypoints(seq: PoseSequence, window: int, order: int = 2) -> PoseSequence:
    """Savitzky-Golay smoothing (zero lag) of every keypoint coordinate over finite runs >= ``window`` frames."""
    return cleaning.filter_finite_runs(seq, window, lambda v: savgol_filter(v, window, order))


def _check_strides(steps: Steps, seq: PoseSequence) -> None:
    counts = {s: len(steps.side_frames(s)) for s in SIDES}
    if min(counts.values()) < MIN_IC_PER_SIDE or len(steps.contacts) < MIN_STEPS:
        raise TooFewStrides(
            f"found {counts['left']} left and {counts['right']} right initial contacts in "
            f"{seq.n_frames / seq.fps:.1f} s; at least {MIN_STEPS} steps ({MIN_IC_PER_SIDE} per side) are "
            f"needed (>= {RECOMMENDED_STEPS} recommended). Film the runner side-on for at least "
            "10 s of steady running, whole body in frame."
        )


def _per_contact_values(
    V: FloatArray, steps: Steps, fps: float, L: float
) -> tuple[dict[str, dict[str, FloatArray]], dict[str, FloatArray]]:
    """Shank, knee, overstride at each contact and knee flexion at midstance, per side.

    The contact's side comes from the step sequence; its values are read from the leg that
    is *forward* at that contact (the landing foot is ahead of the pelvis, the swing foot
    behind it), whatever its pose-model label, so a left/right swap left over at a contact
    cannot put the swing leg's angles into the table.
    """
    vhip = midpoint(V[:, INDEX["left_hip"]], V[:, INDEX["right_hip"]])
    period = 60.0 * fps / steps.cadence_frequency_spm
    series = {s: _leg_series(V, vhip, s, L) for s in SIDES}
    per_ic: dict[str, dict[str, FloatArray]] = {}
    per_frame: dict[str, FloatArray] = {}
    regular = regular_contacts(np.array(steps.contacts), period)
    for s in SIDES:
        ic = np.array(steps.side_frames(s))
        ok = np.array([r for r, side in zip(regular, steps.sides, strict=True) if side == s], dtype=bool)
        if ok.sum() >= MIN_IC_PER_SIDE:
            ic = ic[ok]
        legs = [_landing_leg(V, c, s) for c in ic]
        keys = ("overstride_pct", "overstride_angle_deg", "shank_angle_ic_deg", "knee_flexion_ic_deg")
        vals = {k: np.array([_at(series[g][k], np.array([c]))[0] for g, c in zip(legs, ic, strict=True)])
                for k in keys}  # fmt: skip
        mid_flex = [_midstance_flexion(V, c, period) for c in ic]
        per_ic[s] = vals | {"knee_flexion_midstance_deg": np.array([m for m in mid_flex if np.isfinite(m)])}
        per_frame |= {f"shank_angle_{s}_deg": series[s]["shank_angle_ic_deg"],
                      f"knee_flexion_{s}_deg": series[s]["knee_flexion_ic_deg"]}  # fmt: skip
    return per_ic, per_frame


def regular_contacts(contacts: FloatArray, period: float) -> NDArray[np.bool_]:
    """Contacts within :data:`MAX_CONTACT_OFFSET` step of the regular step sequence (Theil-Sen line).

    Steady running puts contact k near ``a + k * period``; a contact detected at a pose
    model's glitch (a far foot jumping forward, another person) lies far off that line,
    while even a strongly asymmetric runner's steps stay within a quarter step of it. The
    angles are read only at the regular contacts; cadence keeps them all (its fit is robust).
    """
    if len(contacts) < 3 or not np.isfinite(period):
        return np.ones(len(contacts), dtype=bool)
    k = np.arange(len(contacts), dtype=float)
    slope = theilslopes(contacts, k)[0]
    # the line's offset is the median residual, not scipy's median(y) - slope * median(x): that passes
    # through the middle contact whatever it is, so one glitch there made every good contact "irregular"
    # (run_side_r_30 with the human-shaped body, 2026-12-03: 10 good contacts dropped, 5 glitches kept)
    intercept = float(np.median(contacts - slope * k))
    return np.asarray(np.abs(contacts - (intercept + slope * k)) <= MAX_CONTACT_OFFSET * period, dtype=bool)


def _leg_series(V: FloatArray, vhip: FloatArray, s: str, L: float) -> dict[str, FloatArray]:
    """Per-frame shank angle, knee flexion and overstride of the leg labelled ``s``."""
    vheel, vankle, vknee = (V[:, INDEX[f"{s}_{j}"]] for j in ("heel", "ankle", "knee"))
    vheel = np.where(np.isfinite(vheel), vheel, vankle)
    return {
        "overstride_pct": 100 * (vheel[:, 0] - vhip[:, 0]) / L,
        "overstride_angle_deg": np.degrees(np.arctan2(vheel[:, 0] - vhip[:, 0], vhip[:, 1] - vheel[:, 1])),
        "shank_angle_ic_deg": inclination_from_vertical(vankle, vknee),
        "knee_flexion_ic_deg": flexion(V[:, INDEX[f"{s}_hip"]], vknee, vankle),
    }


def _landing_leg(V: FloatArray, contact: float, side: str) -> str:
    """The label of the leg whose ankle is further forward at ``contact`` (falls back to ``side``)."""
    k = min(len(V) - 1, int(np.ceil(contact)))
    x = [V[k, INDEX[f"{s}_ankle"], 0] for s in SIDES]
    if not all(np.isfinite(x)):
        return side
    return SIDES[int(np.argmax(x))]


def _midstance_flexion(V: FloatArray, contact: float, period: float) -> float:
    """Peak knee flexion of the stance leg within 0.6 step after contact (midstance).

    In that window the stance leg is the one with the *lower* ankle (the swing foot is off
    the ground), which holds even where the labels of the crossing legs are confused. The
    peak, not one "ankle under the hip" frame: at 30 fps the knee of this runner moves up to
    25 deg between two frames around midstance, so a one-frame timing error dominated.
    """
    a, b = int(np.ceil(contact)), min(len(V), int(np.ceil(contact + 0.6 * period)))
    flex = []
    for t in range(a, b):
        ank = [V[t, INDEX[f"{s}_ankle"]] for s in SIDES]
        if not all(np.all(np.isfinite(p)) for p in ank):
            continue
        s = SIDES[int(np.argmin([p[1] for p in ank]))]
        flex.append(float(flexion(V[t : t + 1, INDEX[f"{s}_hip"]], V[t : t + 1, INDEX[f"{s}_knee"]],
                                  V[t : t + 1, INDEX[f"{s}_ankle"]])[0]))  # fmt: skip
    return float(np.nanmax(flex)) if flex else float("nan")


def _central(R: FloatArray, steps: Steps, fps: float, L: float) -> tuple[dict[str, float], FloatArray]:
    hip = midpoint(R[:, INDEX["left_hip"]], R[:, INDEX["right_hip"]])
    sh = midpoint(R[:, INDEX["left_shoulder"]], R[:, INDEX["right_shoulder"]])
    trunk = np.degrees(np.arctan2(sh[:, 0] - hip[:, 0], sh[:, 1] - hip[:, 1]))
    ics = [round(c) for c in steps.contacts]
    vo = [np.nanmax(hip[a:b, 1]) - np.nanmin(hip[a:b, 1]) for a, b in zip(ics[:-2], ics[2:], strict=True)]
    central = {
        "cadence_spm": steps.cadence_contacts_spm(fps),
        "cadence_frequency_spm": steps.cadence_frequency_spm,
        "trunk_lean_deg": float(np.nanmean(trunk)),
        "vertical_oscillation_pct": 100 * float(np.median(vo)) / L if vo else float("nan"),
    }
    return central, trunk


def _warnings(steps: Steps, seq: PoseSequence, face: FloatArray, central: dict[str, float]) -> list[str]:
    warnings: list[str] = []
    n = len(steps.contacts)
    off = n - int(regular_contacts(np.array(steps.contacts), 60.0 * seq.fps / steps.cadence_frequency_spm).sum())
    if off:
        warnings.append(
            f"{off} of {n} contacts lie more than {MAX_CONTACT_OFFSET:g} step off the regular step sequence "
            "(likely a pose glitch); the angles at contact and midstance leave them out"
        )
    if n < RECOMMENDED_STEPS:
        warnings.append(
            f"only {n} steps found; Dingenen et al. 2018 recommend averaging >= "
            f"{RECOMMENDED_STEPS} steps for reliable 2D running values"
        )
    diff = central["cadence_spm"] - central["cadence_frequency_spm"]
    if abs(diff) > CADENCE_CHECK_TOLERANCE_SPM:
        warnings.append(
            f"cadence from contacts ({central['cadence_spm']:.1f}) and from the step frequency "
            f"({central['cadence_frequency_spm']:.1f} steps/min) differ by {abs(diff):.1f}; some steps may be "
            "missed or double-counted"
        )
    if steps.side_agreement < SIDE_AGREEMENT_MIN:
        warnings.append(
            f"the pose model's left/right labels agree with the alternating step sequence at only "
            f"{steps.side_agreement:.0%} of contacts; which foot is left may be wrong (sides are kept alternating)"
        )
    turns = int(np.count_nonzero(np.diff(face) != 0))
    if turns:
        warnings.append(f"the runner changed direction {turns} time(s); angles are kept in the runner's own frame")
    if seq.fps < 60:
        warnings.append(
            f"video is {seq.fps:.0f} fps; Sports2D and Pose2Sim advise >= 60 fps for running, "
            "contact frames may be up to half a frame off"
        )
    return warnings

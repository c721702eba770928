"""Gait events that survive left/right label swaps and keypoint jitter.

Pose models often swap the labels of the two legs (in 22-30 % of the frames of the
project's side-view pixel clips) and jitter the heel by a few pixels. Everything here is
built from signals that do not depend on the labels:

* **Step frequency** from the autocorrelation of three once-per-step signals: the horizontal
  distance between the feet, the forward reach of the leading foot and the pelvis height
  (side view), or the feet's height difference (front/back view).
* **Contacts**: the forward-most foot reaches furthest ahead of the pelvis once per step
  (Zeni et al. 2008 on the *envelope* of both feet); contact is the first frame after that
  when this foot comes down to its own stance level.
* **Sides**: steps alternate, so only which parity is "left" is decided, by a majority vote
  of the model's labels over all contacts (a stretch of missed steps restarts the vote).
* **Identity over time**: between two midstance crossings the forward foot belongs to one
  known side, so each frame's leg labels are set from the step sequence, not frame by frame.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, filtfilt, find_peaks
from scipy.stats import theilslopes

from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX

SIDES = ("left", "right")
#: Keypoints that move with the leg and are swapped together.
LEG_CHAIN = ("knee", "ankle", "heel", "toe")
#: Step rates searched by the frequency estimate (steps/min): slow walking to sprinting.
STEP_RATE_RANGE_SPM = (60.0, 260.0)
#: An autocorrelation peak this high relative to the best one is taken as the step (not the stride).
STRONG_PEAK = 0.3
#: A foot within this share of leg length above its own stance level is on the ground, and contact is
#: timed (interpolated to a fraction of a frame) where it comes down to this level.
CONTACT_TOL = 0.02
CONTACT_LEVEL = 0.02
#: The stance level is this percentile of the foot's lowest point around the contact, not its minimum: the
#: minimum of a jittering heel lies below where the foot actually rests, so a contact timed against it came
#: late (tuning clip, 30 fps: +0.76 frame with the minimum and a 4 % level, +0.52 with this rule; 2026-12-02).
GROUND_PCT = 25.0
DESCENT_EXTRAPOLATION = True  # see _crossing


@dataclass(frozen=True)
class Steps:
    """Contacts of one clip, in time order, with their sides and the frequency cross-check."""

    contacts: tuple[float, ...]
    sides: tuple[str, ...]
    cadence_frequency_spm: float
    side_agreement: float
    relabelled_frames: int = 0

    def side_frames(self, side: str) -> list[float]:
        """Fractional contact frames of one side."""
        return [c for c, s in zip(self.contacts, self.sides, strict=True) if s == side]

    def cadence_contacts_spm(self, fps: float) -> float:
        """Steps per minute from a robust straight-line fit of contact time against step number.

        The slope (Theil-Sen, the median of pairwise slopes) is not thrown by one contact
        mistimed at either end of the clip. NaN with fewer than 2 contacts.
        """
        if len(self.contacts) < 2:
            return float("nan")
        slope = theilslopes(np.asarray(self.contacts), np.arange(len(self.contacts)))[0]
        return 60.0 * fps / float(slope)


def _smooth(v: FloatArray, fps: float, cutoff: float = 8.0) -> FloatArray:
    ok = np.isfinite(v)
    if ok.sum() < 12:
        return v
    filled = np.interp(np.arange(len(v)), np.flatnonzero(ok), v[ok])
    b, a = butter(2, min(cutoff, 0.4 * fps) / (fps / 2))
    return np.asarray(filtfilt(b, a, filled), dtype=float)


def step_period(signal: FloatArray, fps: float) -> tuple[float, float]:
    """Step period (frames, fractional) from the autocorrelation of a once-per-step signal.

    Returns ``(period_frames, strength)``; strength is the normalised autocorrelation at
    that lag (0-1). NaN period when no periodicity is found in :data:`STEP_RATE_RANGE_SPM`.
    """
    ok = np.isfinite(signal)
    if ok.sum() < 10:
        return float("nan"), 0.0
    x = np.interp(np.arange(len(signal)), np.flatnonzero(ok), signal[ok])
    x = x - x.mean()
    ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
    if ac[0] <= 0:
        return float("nan"), 0.0
    ac = ac / ac[0]
    lo = max(2, int(60.0 * fps / STEP_RATE_RANGE_SPM[1]))
    hi = min(len(ac) - 2, int(np.ceil(60.0 * fps / STEP_RATE_RANGE_SPM[0])))
    if hi <= lo:
        return float("nan"), 0.0
    peaks, _ = find_peaks(ac[: hi + 2])
    peaks = peaks[(peaks >= lo) & (peaks <= hi)]
    if not peaks.size:
        return float("nan"), 0.0
    best = float(ac[peaks].max())
    if best <= 0:  # no positive self-similarity at any step-like lag: no periodic gait
        return float("nan"), 0.0
    k = int(next(p for p in peaks if ac[p] >= STRONG_PEAK * best))  # first strong peak (not a multiple)
    y0, y1, y2 = ac[k - 1], ac[k], ac[k + 1]
    den = y0 - 2 * y1 + y2
    shift = 0.5 * (y0 - y2) / den if den < 0 else 0.0
    return float(k + np.clip(shift, -0.5, 0.5)), float(y1)


def _forward(R: FloatArray, hip: FloatArray, leg_px: float) -> FloatArray:
    """(F, 2) forward reach of each labelled heel (ankle where no heel) ahead of the pelvis, leg lengths."""
    cols = []
    for s in SIDES:
        heel = R[:, INDEX[f"{s}_heel"]]
        heel = np.where(np.isfinite(heel), heel, R[:, INDEX[f"{s}_ankle"]])
        cols.append((heel[:, 0] - hip[:, 0]) / leg_px)
    return np.column_stack(cols)


def _low_point(R: FloatArray, k: int) -> FloatArray:
    """(2,) height of each labelled foot's lowest point (heel or toe) at frame ``k``, runner frame."""
    out = []
    for s in SIDES:
        ys = [R[k, INDEX[f"{s}_{j}"], 1] for j in ("heel", "toe", "ankle")]
        finite = [y for y in ys if np.isfinite(y)]
        out.append(min(finite) if finite else np.nan)
    return np.array(out)


def _label(f: FloatArray) -> int:
    """Label (0 left, 1 right) of the forward foot; 0 when neither foot is seen."""
    return int(np.nanargmax(f)) if np.any(np.isfinite(f)) else 0


def _contact(R: FloatArray, fwd: FloatArray, peak: int, period: float, leg_px: float) -> tuple[float, int]:
    """Fractional contact frame after the forward-reach peak, and the label (0/1) of that foot."""
    lo, hi = max(1, peak - int(0.15 * period)), min(len(R) - 1, peak + int(np.ceil(0.5 * period)))
    lows = []
    for k in range(lo, hi + 1):
        f = fwd[k]
        c = _label(f)
        lows.append(_low_point(R, k)[c])
    low = np.array(lows)
    if not np.any(np.isfinite(low)):
        return float(peak), _label(fwd[peak])
    ground = float(np.nanpercentile(low, GROUND_PCT))
    level = ground + CONTACT_LEVEL * leg_px
    for i, y in enumerate(low):
        if not (np.isfinite(y) and y <= ground + CONTACT_TOL * leg_px):
            continue
        j = i  # walk on to the frame the foot settles at the contact level (at most 3 frames)
        while j < min(len(low) - 1, i + 3) and np.isfinite(low[j]) and low[j] > level:
            j += 1
        k = lo + j
        return k + _crossing(low, j, level), _label(fwd[k])
    return float(peak), _label(fwd[peak])


def _crossing(low: FloatArray, j: int, level: float) -> float:
    """Fraction of a frame (-1..0) before frame ``j`` at which the descending foot crossed ``level``.

    The foot falls freely until it lands and then stops, so the crossing is extrapolated from
    the descent (frames ``j-2`` and ``j-1``) rather than interpolated across the stop, which
    would put it late; the linear interpolation between ``j-1`` and ``j`` is used only when
    the descent is not seen (DESCENT_EXTRAPOLATION off, or too few frames).
    """
    prev = low[j - 1] if j > 0 else np.nan
    if not (np.isfinite(prev) and np.isfinite(low[j]) and prev > level >= low[j]):
        return 0.0
    before = low[j - 2] if j > 1 else np.nan
    if DESCENT_EXTRAPOLATION and np.isfinite(before) and before > prev:
        return float(min(0.0, (prev - level) / (before - prev) - 1.0))
    return float((prev - level) / (prev - low[j]) - 1.0)


def _assign_sides(contacts: list[float], labels: list[int], period: float) -> tuple[list[str], float]:
    """Alternate sides along the contacts; each run without a missed step votes on its parity."""
    sides: list[str] = []
    agree = 0
    start = 0
    for i in range(1, len(contacts) + 1):
        if i < len(contacts) and contacts[i] - contacts[i - 1] < 1.6 * period:
            continue
        seg = labels[start:i]
        even_left = sum(1 for j, lab in enumerate(seg) if (lab == 0) == (j % 2 == 0))
        first = "left" if even_left >= len(seg) - even_left else "right"
        other = "right" if first == "left" else "left"
        sides += [first if j % 2 == 0 else other for j in range(len(seg))]
        agree += max(even_left, len(seg) - even_left)
        start = i
    return sides, (agree / len(contacts) if contacts else 0.0)


def _combined_period(estimates: list[tuple[float, float]]) -> float:
    """One step period (frames) from several once-per-step signals' ``(period, strength)``.

    Seen obliquely, or with one foot overstriding far more than the other, a signal may
    repeat only once per *stride*; the pelvis height still dips once per step. Estimates
    with autocorrelation >= 0.4 are kept; one about twice the shortest is halved (a stride);
    the median of what is left is the step.
    """
    good = [p for p, strength in estimates if np.isfinite(p) and strength >= 0.4]
    if not good:
        finite = [(strength, p) for p, strength in estimates if np.isfinite(p)]
        return max(finite)[1] if finite else float("nan")
    shortest = min(good)
    folded = [p / 2 if 1.8 <= p / shortest <= 2.2 else p for p in good]
    return float(np.median(folded))


def find_steps(R: FloatArray, hip: FloatArray, leg_px: float, fps: float) -> Steps:
    """Contacts and sides from runner-frame keypoints ``R`` (F, K, 2; X forward, Y up)."""
    fwd = _forward(R, hip, leg_px)
    gap = np.abs(fwd[:, 0] - fwd[:, 1])
    env = np.nanmax(np.where(np.isfinite(fwd), fwd, -np.inf), axis=1)
    env = _smooth(np.where(np.isfinite(env), env, np.nan), fps)
    bounce = _smooth(hip[:, 1], fps)
    period = _combined_period([step_period(_smooth(gap, fps), fps), step_period(env, fps), step_period(bounce, fps)])
    if not np.isfinite(period):
        return Steps((), (), float("nan"), 0.0)
    peaks, _ = find_peaks(np.nan_to_num(env, nan=-10.0), distance=max(1, int(0.6 * period)), prominence=0.1)
    found = [_contact(R, fwd, int(p), period, leg_px) for p in peaks if np.isfinite(env[p])]
    contacts = [c for c, _ in found]
    sides, agreement = _assign_sides(contacts, [lab for _, lab in found], period)
    return Steps(tuple(contacts), tuple(sides), 60.0 * fps / period, agreement)


def period_frames(steps: Steps, fps: float) -> float:
    """Step period in frames from the frequency estimate."""
    return 60.0 * fps / steps.cadence_frequency_spm


def _expected(steps: Steps, gap: FloatArray, n: int, period: float) -> tuple[list[str], list[str | None]]:
    """Per frame: the side expected forward, and the side expected in stance (None in flight/unknown)."""
    c = [round(x) for x in steps.contacts]
    crossings = []
    for a, b in itertools.pairwise(c):
        seg = gap[a:b]
        crossings.append(a + int(np.nanargmin(seg)) if np.any(np.isfinite(seg)) else (a + b) // 2)
    tail = gap[c[-1] : min(n, c[-1] + int(np.ceil(period)))]
    after = c[-1] + int(np.nanargmin(tail)) if np.any(np.isfinite(tail)) else n
    bounds = [0, *crossings, after, n]
    sides = [*steps.sides, "right" if steps.sides[-1] == "left" else "left"]
    forward = ["left"] * n
    for k, side in enumerate(sides):
        forward[bounds[k] : bounds[k + 1]] = [side] * (bounds[k + 1] - bounds[k])
    stance: list[str | None] = [None] * n
    for ck, side in zip(c, steps.sides, strict=True):
        for t in range(max(0, ck), min(n, ck + int(0.5 * period))):
            stance[t] = side
    return forward[:n], stance


def _unary(fwd: FloatArray, A: FloatArray, B: FloatArray, forward: list[str], stance: list[str | None]) -> FloatArray:
    """(F, 2) cost of "as labelled" (0) / "swapped" (1): wrong foot forward or wrong foot in stance."""
    unary = np.zeros((len(fwd), 2))
    for t in range(len(fwd)):
        for z in (0, 1):
            f = fwd[t] if z == 0 else fwd[t, ::-1]
            if np.all(np.isfinite(f)) and SIDES[int(np.argmax(f))] != forward[t]:
                unary[t, z] += abs(f[0] - f[1])
            low = (A[t, 1, 1], B[t, 1, 1]) if z == 0 else (B[t, 1, 1], A[t, 1, 1])
            if stance[t] is not None and np.all(np.isfinite(low)) and SIDES[int(np.argmin(low))] != stance[t]:
                unary[t, z] += abs(low[0] - low[1])
    return unary


def _move(A: FloatArray, B: FloatArray, t: int, z: int, zp: int) -> float:
    """Mean leg-point displacement (leg lengths) from frame t-1 in state zp to frame t in state z."""
    cur_l, cur_r = (A[t], B[t]) if z == 0 else (B[t], A[t])
    prev_l, prev_r = (A[t - 1], B[t - 1]) if zp == 0 else (B[t - 1], A[t - 1])
    d = np.concatenate([np.linalg.norm(cur_l - prev_l, axis=1), np.linalg.norm(cur_r - prev_r, axis=1)])
    d = d[np.isfinite(d)]
    return 2.0 * float(d.mean()) if d.size else 0.0


def _viterbi(unary: FloatArray, A: FloatArray, B: FloatArray) -> NDArray[np.int_]:
    """Cheapest label-state path: unary costs plus continuity of the legs between frames."""
    n = len(unary)
    cost = unary[0].copy()
    back = np.zeros((n, 2), dtype=int)
    for t in range(1, n):
        new = np.empty(2)
        for z in (0, 1):
            trans = [cost[zp] + _move(A, B, t, z, zp) for zp in (0, 1)]
            back[t, z] = int(np.argmin(trans))
            new[z] = min(trans) + unary[t, z]
        cost = new
    z_path = np.zeros(n, dtype=int)
    z_path[-1] = int(np.argmin(cost))
    for t in range(n - 1, 0, -1):
        z_path[t - 1] = back[t, z_path[t]]
    return z_path


def relabel_legs(
    seq: PoseSequence, R: FloatArray, hip: FloatArray, steps: Steps, leg_px: float
) -> tuple[PoseSequence, int]:
    """Leg labels tracked over time (Viterbi over "as labelled" / "swapped" per frame).

    Each frame's cost: the forward foot should be the side the step sequence expects
    (weighted by how far apart the feet are), the lower foot should be the side in stance
    (weighted by the height difference), and the legs should move continuously from the
    previous frame. Returns the relabelled sequence and the number of frames swapped.
    """
    n = seq.n_frames
    if len(steps.contacts) < 2:
        return seq, 0
    fwd = _forward(R, hip, leg_px)
    gap = np.abs(fwd[:, 0] - fwd[:, 1])
    forward, stance = _expected(steps, gap, n, period_frames(steps, seq.fps))
    li = [INDEX[f"left_{j}"] for j in LEG_CHAIN]
    ri = [INDEX[f"right_{j}"] for j in LEG_CHAIN]
    A, B = R[:, li] / leg_px, R[:, ri] / leg_px
    z_path = _viterbi(_unary(fwd, A, B, forward, stance), A, B)
    xy, conf = seq.xy.copy(), seq.conf.copy()
    sw = z_path == 1
    for j in LEG_CHAIN:
        a, b = INDEX[f"left_{j}"], INDEX[f"right_{j}"]
        xy[sw, a], xy[sw, b] = seq.xy[sw, b], seq.xy[sw, a]
        conf[sw, a], conf[sw, b] = seq.conf[sw, b], seq.conf[sw, a]
    return seq.with_xy(xy, conf), int(sw.sum())

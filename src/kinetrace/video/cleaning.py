"""Keypoint cleaning: confidence gating, left/right swap repair, gap filling, low-pass.

Follows the Sports2D defaults as described in its README (interpolate only short gaps,
6 Hz Butterworth low-pass), plus a left/right swap repair Sports2D does not yet have.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, filtfilt

from kinetrace.video.pose import FloatArray, PoseSequence
from kinetrace.video.skeleton import INDEX

#: Keypoint chains that swap together when a pose model confuses the legs or arms.
SWAP_CHAINS: tuple[tuple[str, ...], ...] = (
    ("knee", "ankle", "heel", "toe"),
    ("elbow", "wrist", "index"),
)


def gate_confidence(seq: PoseSequence, min_conf: float) -> PoseSequence:
    """Set keypoints below ``min_conf`` (0-1) to NaN."""
    xy = seq.xy.copy()
    xy[seq.conf < min_conf] = np.nan
    return seq.with_xy(xy)


def repair_lr_swaps(seq: PoseSequence) -> tuple[PoseSequence, int]:
    """Undo frame-to-frame left/right label swaps of the leg and arm chains.

    For each chain, the labels of frame ``t`` are swapped when that brings both sides
    closer to their positions predicted from frames ``t-1`` and ``t-2`` (constant
    velocity). Returns the repaired sequence and the number of chain swaps made.
    """
    xy = seq.xy.copy()
    conf = seq.conf.copy()
    n_swaps = 0
    for chain in SWAP_CHAINS:
        li = [INDEX[f"left_{n}"] for n in chain]
        ri = [INDEX[f"right_{n}"] for n in chain]
        for t in range(1, seq.n_frames):
            prev = xy[t - 1]
            pred = prev if t < 2 else 2 * prev - xy[t - 2]
            pred = np.where(np.isnan(pred), prev, pred)
            keep = _chain_cost(xy[t, li], pred[li]) + _chain_cost(xy[t, ri], pred[ri])
            swap = _chain_cost(xy[t, ri], pred[li]) + _chain_cost(xy[t, li], pred[ri])
            if np.isfinite(keep) and np.isfinite(swap) and swap < 0.5 * keep:
                xy[t, li], xy[t, ri] = xy[t, ri].copy(), xy[t, li].copy()
                conf[t, li], conf[t, ri] = conf[t, ri].copy(), conf[t, li].copy()
                n_swaps += 1
    return seq.with_xy(xy, conf), n_swaps


def _chain_cost(a: FloatArray, b: FloatArray) -> float:
    d = np.linalg.norm(a - b, axis=-1)
    d = d[np.isfinite(d)]
    return float(d.sum()) if d.size else float("nan")


def fill_gaps(seq: PoseSequence, max_gap_s: float = 0.1) -> PoseSequence:
    """Linearly interpolate gaps no longer than ``max_gap_s`` seconds."""
    xy = seq.xy.copy()
    max_gap = max(1, round(max_gap_s * seq.fps))
    t = np.arange(seq.n_frames)
    for k in range(xy.shape[1]):
        for c in range(2):
            v = xy[:, k, c]
            ok = np.isfinite(v)
            if ok.sum() < 2 or ok.all():
                continue
            filled = np.interp(t, t[ok], v[ok])
            # only fill interior runs of NaN that are short enough
            run_start = None
            for i in range(len(v) + 1):
                missing = i < len(v) and not ok[i]
                if missing and run_start is None:
                    run_start = i
                elif not missing and run_start is not None:
                    inside = run_start > 0 and i < len(v)
                    if inside and i - run_start <= max_gap:
                        v[run_start:i] = filled[run_start:i]
                    run_start = None
    return seq.with_xy(xy)


def filter_finite_runs(seq: PoseSequence, min_len: int, fn: Callable[[FloatArray], FloatArray]) -> PoseSequence:
    """``fn`` applied to each finite run (at least ``min_len`` frames) of each keypoint coordinate;
    shorter runs and the gaps between runs are left as they are."""
    xy = seq.xy.copy()
    for k in range(xy.shape[1]):
        for c in range(2):
            v = xy[:, k, c]
            ok = np.isfinite(v)
            idx = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
            for s, e in zip(idx[::2], idx[1::2], strict=True):
                if e - s >= min_len:
                    v[s:e] = fn(v[s:e])
    return seq.with_xy(xy)


def lowpass(seq: PoseSequence, cutoff_hz: float = 6.0, order: int = 4) -> PoseSequence:
    """Zero-lag Butterworth low-pass (Hz) on each finite run of each coordinate.

    Runs shorter than the filter's pad length are left as they are. The cutoff is
    capped at 40 % of the Nyquist-limited band so low frame rates stay valid.
    """
    cutoff = min(cutoff_hz, 0.4 * seq.fps)
    b, a = butter(order // 2, cutoff / (seq.fps / 2))
    padlen = 3 * max(len(a), len(b))
    return filter_finite_runs(seq, padlen + 1, lambda v: filtfilt(b, a, v))


def clean(seq: PoseSequence, *, min_conf: float = 0.3) -> tuple[PoseSequence, int]:
    """Gate, repair swaps, fill short gaps and low-pass. Returns ``(clean, n_swaps)``."""
    gated = gate_confidence(seq, min_conf)
    repaired, n_swaps = repair_lr_swaps(gated)
    return lowpass(fill_gaps(repaired)), n_swaps

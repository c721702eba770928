"""Provisional MDCs from repeated measurement of the synthetic runner.

Used only where no published MDC was found (see ``reference_values.yaml``). Each re-test
re-draws independent keypoint noise; MDC95 = 1.96 x SD of test-retest differences
(de Vet et al.). This reflects pose jitter only, so it is a lower bound on real MDCs.
"""

from __future__ import annotations

import numpy as np

from kinetrace.video import cleaning
from kinetrace.video.gait_frontal import analyse_frontal
from kinetrace.video.gait_sagittal import analyse_sagittal
from kinetrace.video.synthetic import RunnerParams, frontal_runner, sagittal_runner


def _session(rng: np.random.Generator, noise_px: float) -> dict[str, float]:
    p = RunnerParams()
    seq = sagittal_runner(p, noise_px=noise_px, rng=rng)
    raw = cleaning.fill_gaps(seq)
    a = analyse_sagittal(cleaning.lowpass(raw, 12.0), raw)
    out = dict(a.central.items())
    for key in ("overstride_pct", "overstride_angle_deg"):
        out[key] = float(np.median(a.per_ic["right"][key]))
    f = analyse_frontal(cleaning.lowpass(frontal_runner(p, noise_px=noise_px, rng=rng), 12.0), "back")
    for key in (
        "shoulder_abduction_deg",
        "elbow_trunk_distance_pct",
        "shoulder_ear_distance_pct",
        "wrist_midline_crossing_pct",
    ):
        out[key] = f.per_side["right"][key]
    return out


def estimate(n_pairs: int = 20, noise_fraction: float = 0.01, seed: int = 0) -> dict[str, float]:
    """MDC95 per metric id from ``n_pairs`` simulated test-retests (noise = fraction of leg length)."""
    rng = np.random.default_rng(seed)
    noise_px = noise_fraction * 300.0
    diffs: dict[str, list[float]] = {}
    for _ in range(n_pairs):
        a, b = _session(rng, noise_px), _session(rng, noise_px)
        for k in a:
            diffs.setdefault(k, []).append(a[k] - b[k])
    return {k: float(1.96 * np.std(v, ddof=1)) for k, v in diffs.items()}


if __name__ == "__main__":  # pragma: no cover
    for k, v in estimate().items():
        print(f"{k}: {v:.3f}")

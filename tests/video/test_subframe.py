"""Sub-frame contact timing and reading angles at the fractional contact time (known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from kinetrace.video import events
from kinetrace.video.events import _contact
from kinetrace.video.gait_sagittal import _at, interpolate_at
from kinetrace.video.pose import FloatArray
from kinetrace.video.skeleton import INDEX, KEYPOINTS


def test_interpolation_at_a_fractional_frame_gives_the_value_between_the_frames() -> None:
    v = 3.0 * np.arange(10.0) + 1.0  # a ramp: value at frame t is 3 t + 1
    assert interpolate_at(v, 2.25) == pytest.approx(7.75)
    assert interpolate_at(v, 9.0) == pytest.approx(28.0)
    assert np.isnan(interpolate_at(v, -0.5)) and np.isnan(interpolate_at(v, 9.5))
    np.testing.assert_allclose(_at(v, np.array([0.5, 4.9])), [2.5, 15.7])


def _one_foot(t0: float, jitter: float, n: int = 30, leg: float = 100.0) -> tuple[FloatArray, FloatArray]:
    """Runner-frame keypoints (Y up): the left foot comes down at 0.3 leg/frame and lands at ``t0``.

    In stance the heel, toe and ankle jitter by +-``jitter`` (leg lengths), alternating frame to
    frame (up on odd frames); the right foot stays in the air, behind. Returns (R, fwd).
    """
    t = np.arange(n, dtype=float)
    height = np.clip(0.3 * leg * (t0 - t), 0.0, None)
    height += np.where(height == 0.0, jitter * leg * (-1.0) ** (np.arange(n) + 1), 0.0)
    R = np.full((n, len(KEYPOINTS), 2), np.nan)
    for j in ("heel", "toe", "ankle"):
        R[:, INDEX[f"left_{j}"]] = np.column_stack([np.full(n, 30.0), height + (8.0 if j == "ankle" else 0.0)])
        R[:, INDEX[f"right_{j}"]] = np.column_stack([np.full(n, -30.0), np.full(n, 40.0)])
    fwd = np.column_stack([np.full(n, 0.3), np.full(n, -0.3)])
    return R, fwd


@pytest.mark.parametrize("t0", [10.0, 10.3, 10.7])
def test_contact_is_timed_to_a_fraction_of_a_frame(t0: float) -> None:
    R, fwd = _one_foot(t0, jitter=0.0)
    c, label = _contact(R, fwd, peak=9, period=12.0, leg_px=100.0)
    assert label == 0
    assert c == pytest.approx(t0, abs=0.1)  # extrapolated from the descent: the 2 % level, 0.07 frame early


def test_a_jittering_heel_does_not_make_the_contact_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stance level from a low percentile, not the minimum of the jitter (which lies below the resting foot)."""
    R, fwd = _one_foot(10.3, jitter=0.03)
    c, _ = _contact(R, fwd, peak=9, period=12.0, leg_px=100.0)
    assert c == pytest.approx(10.3, abs=0.3)
    monkeypatch.setattr(events, "GROUND_PCT", 0.0)  # the old rule: stance level = the minimum
    late, _ = _contact(R, fwd, peak=9, period=12.0, leg_px=100.0)
    assert late > c + 0.5


def test_a_contact_far_off_the_step_sequence_is_left_out_of_the_angles_but_asymmetry_is_kept() -> None:
    from kinetrace.video.gait_sagittal import regular_contacts

    period = 12.0
    steady = 5.0 + period * np.arange(12)
    glitch = steady.copy()
    glitch[[3, 8]] -= 0.45 * period  # detected at a pose glitch, almost half a step early
    assert list(np.flatnonzero(~regular_contacts(glitch, period))) == [3, 8]
    limping = steady + 0.15 * period * (-1.0) ** np.arange(12)  # short/long steps: 30 % step-time asymmetry
    assert regular_contacts(limping, period).all()
    assert regular_contacts(steady[:2], period).all()  # too few to judge


def test_the_step_line_is_not_anchored_on_a_glitch_at_the_middle_contact() -> None:
    """Contacts k = 5, 7, 9, 12, 14 early (run_side_r_30 with the human-shaped body, 2026-12-03).

    scipy's Theil-Sen intercept, median(y) - slope * median(x), passes through the middle
    contact (k = 7 of 15, a glitch here), which made the 10 good contacts the "irregular" ones.
    """
    from kinetrace.video.gait_sagittal import regular_contacts

    period = 12.0
    contacts = 10.0 + period * np.arange(15)
    early = [5, 7, 9, 13, 14]
    contacts[early] -= 4.5  # 0.375 step early
    assert list(np.flatnonzero(~regular_contacts(contacts, period))) == early

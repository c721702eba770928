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


def test_a_late_landing_is_read_half_way_between_the_other_foots_contacts_but_a_limp_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinetrace.video import gait_sagittal
    from kinetrace.video.gait_sagittal import regular_contacts, retimed_contacts

    steady = 10.0 + 12.0 * np.arange(14)
    assert np.array_equal(retimed_contacts(steady + 3.0 * (np.arange(14) == 5), np.ones(14, bool), 12.0),
                          steady + 3.0 * (np.arange(14) == 5))  # off by default (not adopted)  # fmt: skip
    monkeypatch.setattr(gait_sagittal, "RETIME_TOL", 0.04)  # the value tried (docs/video.md)
    period = 12.0
    steady = 10.0 + period * np.arange(14)
    late = steady.copy()
    late[[3, 7, 9]] += 1.8  # some landings of one foot seen 1.8 frames late, as run_side_pan_30's right foot
    late[5] -= 0.7  # and one of them a little early
    fixed = retimed_contacts(late, regular_contacts(late, period), period)
    assert np.allclose(fixed[[3, 7, 9]], steady[[3, 7, 9]], atol=1e-9)  # back on the step sequence
    assert np.array_equal(fixed[[0, 1, 2, 4, 6, 8, 10, 11, 12, 13]], late[[0, 1, 2, 4, 6, 8, 10, 11, 12, 13]])
    assert abs(fixed[5] - late[5]) <= 1e-9 or abs(fixed[5] - steady[5]) < abs(late[5] - steady[5])
    # a limp: every contact of one foot 0.15 step late (30 % step-time asymmetry) is the runner, not a glitch
    limping = steady + 0.15 * period * (-1.0) ** np.arange(14)
    assert np.array_equal(retimed_contacts(limping, regular_contacts(limping, period), period), limping)
    # and a glitch on top of the limp is re-timed to the limping foot's own offset
    glitch = limping.copy()
    glitch[6] += 1.0  # (still within the quarter step of regular_contacts)
    fixed = retimed_contacts(glitch, regular_contacts(glitch, period), period)
    assert fixed[6] == pytest.approx(limping[6], abs=1e-9)
    # small timing noise (within the tolerance) is left alone; first and last contacts always keep their time
    rng = np.random.default_rng(3)
    noisy = steady + rng.uniform(-0.2, 0.2, size=steady.size)
    assert np.array_equal(retimed_contacts(noisy, regular_contacts(noisy, period), period), noisy)
    late[[0, -1]] += 1.8
    fixed = retimed_contacts(late, regular_contacts(late, period), period)
    assert fixed[0] == late[0] and fixed[-1] == late[-1]


def test_re_timed_contacts_do_not_move_their_neighbours_so_shifts_cannot_add_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """run_side_l_30 (2026-12-03): one foot's contacts ~0.9 frame early but one; moving each contact's
    neighbours in turn pushed the other foot's contacts 1.7 frames late (knee at contact -1.1 -> +12.7)."""
    from kinetrace.video import gait_sagittal
    from kinetrace.video.gait_sagittal import regular_contacts, retimed_contacts

    monkeypatch.setattr(gait_sagittal, "RETIME_TOL", 0.04)

    period = 12.0
    steady = 10.0 + period * np.arange(15)
    early = steady.copy()
    early[1:13:2] -= 0.9  # odd contacts early, except the last inner one (k = 13)
    fixed = retimed_contacts(early, regular_contacts(early, period), period)
    moved = np.flatnonzero(fixed != early)
    assert moved.size and not np.any(np.diff(moved) == 1)  # never two neighbours
    assert np.max(np.abs(fixed - steady)) <= 0.9 + 1e-9  # nothing pushed further off than it was detected

"""Trial scoring against hand-computed cases (formulas in docs/scoring.md)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import minimal_case, with_trials

from kinetrace import load_case
from kinetrace.scoring import estimate_drift, graded_improvement, latest_values, score_trials


def _scores(*trials: dict[str, Any], **overrides: object) -> dict[str, Any]:
    case = load_case(with_trials(minimal_case(**overrides), *trials))
    return {s.id: s for s in score_trials(case)}


def test_single_trial_hand_computed() -> None:
    """pain 6->2 (2 MDC, primary x2), SLR 60->67 (1 MDC), hop 100->105 (0.5 MDC): G = (2*1 + 0.5 + 0) / 4."""
    t = _scores({"id": "t1", "candidate": "f_shoulder", "post": {"pain": 2, "slr": 67, "custom": 105}})["t1"]
    by = {m.marker: m for m in t.markers}
    assert by["pain"].change == -4 and by["pain"].change_in_mdc == pytest.approx(-2.0)
    assert by["pain"].real is True and by["pain"].improved is True and by["pain"].worsened is False
    assert by["slr"].real is True and by["slr"].improved is True  # exactly one MDC counts as real
    assert by["custom"].real is False and by["custom"].improved is False
    assert t.global_change == pytest.approx(2.5 / 4)
    assert (t.n_improved, t.n_worsened, t.primary_improved) == (2, 0, True)


def test_worsening_is_real_and_negative() -> None:
    """SLR 60->50 is a real worsening of 10/7 MDC: G = -(10/7)/2 / 4."""
    t = _scores({"id": "t1", "candidate": "f_lumbar", "post": {"slr": 50}})["t1"]
    (slr,) = t.markers
    assert slr.worsened is True and slr.improved is False
    assert t.global_change == pytest.approx(-(10 / 7) / 2 / 4)


def test_carry_over_later_trial_starts_from_changed_state() -> None:
    """The second trial is scored from the first trial's post values, not from baseline."""
    s = _scores(
        {"id": "t1", "candidate": "f_shoulder", "post": {"pain": 2, "slr": 67}},
        {"id": "t2", "candidate": "f_lumbar", "post": {"pain": 1, "slr": 70}},
    )
    t2 = {m.marker: m for m in s["t2"].markers}
    assert (t2["pain"].pre, t2["slr"].pre) == (2, 67)
    assert not t2["pain"].real and not t2["slr"].real
    assert s["t2"].global_change == 0


def test_explicit_pre_overrides_carry_over() -> None:
    s = _scores({"id": "t1", "candidate": "f_lumbar", "pre": {"slr": 55}, "post": {"slr": 62}})
    (slr,) = s["t1"].markers
    assert slr.pre == 55 and slr.change == 7 and slr.real is True


def test_session_measurements_update_the_pre_state() -> None:
    case = with_trials(minimal_case(), {"id": "t1", "candidate": "f_lumbar", "post": {"slr": 70}})
    case["sessions"][0]["measurements"] = {"slr": 64}
    (t1,) = score_trials(load_case(case))
    assert t1.markers[0].pre == 64 and t1.markers[0].change == 6 and t1.markers[0].real is False


def test_control_trial_drift_is_subtracted() -> None:
    """A control re-test that raises SLR by 3 deg makes a later +4 deg change net +1: within the MDC."""
    s = _scores(
        {"id": "t0", "candidate": "control", "post": {"slr": 63, "pain": 6}},
        {"id": "t1", "candidate": "f_shoulder", "post": {"slr": 67}},
    )
    (slr,) = s["t1"].markers
    assert slr.drift == 3 and slr.change == 4 and slr.net_change == 1
    assert slr.real is False
    assert s["t0"].is_control is True and s["t0"].markers[0].drift == 0


def test_drift_is_the_mean_over_control_trials() -> None:
    case = load_case(
        with_trials(
            minimal_case(),
            {"id": "t0", "candidate": "control", "post": {"slr": 64}},
            {"id": "t1", "candidate": "control", "post": {"slr": 66}},
        )
    )
    assert estimate_drift(case) == {"slr": pytest.approx(3.0)}


def test_deficit_restored_against_target() -> None:
    """SLR 60 with target 80: +7 deg restores 35 % of the deficit."""
    data = minimal_case()
    data["markers"][1]["target"] = 80
    (t1,) = score_trials(load_case(with_trials(data, {"id": "t1", "candidate": "f_lumbar", "post": {"slr": 67}})))
    assert t1.markers[0].deficit_restored_pct == pytest.approx(35.0)


def test_no_deficit_means_no_percentage() -> None:
    data = minimal_case()
    data["markers"][1]["target"] = 50  # already above target
    (t1,) = score_trials(load_case(with_trials(data, {"id": "t1", "candidate": "f_lumbar", "post": {"slr": 67}})))
    assert t1.markers[0].deficit_restored_pct is None


def test_partial_retest_cannot_inflate_the_global_change() -> None:
    """Re-testing only one marker divides by the weight of all markers of the case."""
    one = _scores({"id": "t1", "candidate": "f_lumbar", "post": {"custom": 120}})["t1"]
    assert one.global_change == pytest.approx(1 / 4)


@pytest.mark.parametrize(
    ("z", "g"), [(0.0, 0.0), (0.99, 0.0), (-0.99, 0.0), (1.0, 0.5), (1.5, 0.75), (2.0, 1.0), (5.0, 1.0), (-3.0, -1.0)]
)
def test_graded_improvement(z: float, g: float) -> None:
    assert graded_improvement(z) == pytest.approx(g)


def test_latest_values_follow_sessions_and_trials() -> None:
    case = with_trials(minimal_case(), {"id": "t1", "candidate": "f_lumbar", "post": {"slr": 70}})
    case = with_trials(case, {"id": "t2", "candidate": "f_lumbar", "post": {"pain": 3}}, date="2026-02-01")
    case["sessions"][1]["measurements"] = {"slr": 66}
    assert latest_values(load_case(case)) == {"pain": 3, "slr": 66, "custom": 100}

"""Posterior after hand-made trials: one strong trial, a null trial, a control trial, carry-over."""

from __future__ import annotations

import math

import pytest

from kinetrace import analyse, load_case
from kinetrace.engine import run
from kinetrace.engine.params import EngineParams
from kinetrace.engine.posterior import posterior
from kinetrace.scoring import score_trials

from .cases import NULL, STRONG, two_finding_case, with_session

PARAMS = EngineParams()


def _post(data: dict[str, object]) -> dict[str, float]:
    case = load_case(data)
    return posterior(case, tuple(score_trials(case)), PARAMS).posterior


def test_one_strong_trial_names_its_candidate() -> None:
    """Every sign really improves after treating the shoulder: it passes the stop threshold."""
    before = _post(two_finding_case())
    after = _post(with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": STRONG}))
    assert after["a_shoulder"] >= PARAMS.threshold > before["a_shoulder"]
    assert math.isclose(sum(after.values()), 1.0)


def test_a_null_trial_lowers_its_candidate_and_raises_the_rest() -> None:
    before = _post(two_finding_case())
    after = _post(with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": NULL}))
    assert after["a_shoulder"] < before["a_shoulder"] / 5
    assert after["b_knee"] > before["b_knee"] and after["none"] > before["none"]
    # a null trial can fail (the driver's treatment did not take): never exactly zero
    assert after["a_shoulder"] > 0


def test_a_control_trial_changes_no_probability() -> None:
    """A re-test without treatment favours no hypothesis."""
    before = _post(two_finding_case())
    control = {"id": "t0", "candidate": "control", "post": {"pain": 6, "slr": 57, "ppt": 2.1, "hop": 104}}
    after = _post(with_session(two_finding_case(), control))
    assert after == pytest.approx(before)


def test_control_drift_is_removed_before_judging_a_trial() -> None:
    """If re-testing alone raises the SLR by 12 deg, a trial that raises it by 12 deg is not credited."""
    drift = {"id": "t0", "candidate": "control", "post": {"slr": 67}}
    trial = {"id": "t1", "candidate": "a_shoulder", "post": {"slr": 79}}
    with_drift = _post(with_session(two_finding_case(), drift, trial))
    without = _post(with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": {"slr": 67}}))
    assert with_drift["a_shoulder"] < without["a_shoulder"]


def test_carry_over_a_later_trial_from_a_restored_state_is_no_evidence_against_the_driver() -> None:
    """After the driver's trial restores every sign, a second trial of it changes little."""
    t1 = {"id": "t1", "candidate": "a_shoulder", "post": {"pain": 0, "slr": 80, "ppt": 4.0, "hop": 150}}
    t2 = {"id": "t2", "candidate": "a_shoulder", "post": {"pain": 0, "slr": 80, "ppt": 4.0, "hop": 150}}
    once = _post(with_session(two_finding_case(), t1))
    twice = _post(with_session(two_finding_case(), t1, t2))
    assert twice["a_shoulder"] == pytest.approx(once["a_shoulder"], abs=0.02)


def test_partial_retest_uses_only_the_markers_retested() -> None:
    """Re-testing two signs that both improve is evidence, but less than all four improving."""
    part = _post(
        with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": {"pain": 2, "slr": 72}})
    )
    full = _post(with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": STRONG}))
    prior = _post(two_finding_case())
    assert prior["a_shoulder"] < part["a_shoulder"] <= full["a_shoulder"]


def test_secondary_contributor_is_reported() -> None:
    """A trial that moves a couple of remote signs, then the driver's broad trial and its recheck.

    Since round 3 the background has no pseudo-signs: the first trial's change is read partly as
    the session's common lift (capped at ``background_max``), so the driver's one trial is capped
    and rechecked, and a secondary contributor needs a clearer partial response than a lift
    (slr 55 -> 72, ppt 2.0 -> 2.8; with no background, 66 and 2.3 sufficed)."""
    t1 = {"id": "t1", "candidate": "b_knee", "post": {"pain": 3, "slr": 72, "ppt": 2.8, "hop": 112}}
    t2 = {"id": "t2", "candidate": "a_shoulder", "post": {"pain": 0, "slr": 78, "ppt": 3.8, "hop": 140}}
    t3 = {"id": "t3", "candidate": "a_shoulder", "post": {"pain": 0, "slr": 80, "ppt": 4.0, "hop": 148}}
    result = analyse(load_case(with_session(two_finding_case(), t1, t2, t3)))
    assert result.driver is not None and result.driver.candidate == "a_shoulder"
    assert [s.candidate for s in result.recommendation.secondary] == ["b_knee"]
    small = {"id": "t1", "candidate": "b_knee", "post": {"pain": 3, "slr": 66, "ppt": 2.3, "hop": 112}}
    plain = analyse(load_case(with_session(two_finding_case(), small, t2)), params=EngineParams(background_shift=False))
    assert [s.candidate for s in plain.recommendation.secondary] == ["b_knee"]


def test_engine_result_is_frozen() -> None:
    result = run(load_case(two_finding_case()))
    with pytest.raises(AttributeError):
        result.decision = None  # type: ignore[misc, assignment]


def test_model_doubt_mixes_the_posterior_with_the_prior() -> None:
    """epsilon-contamination: the stated posterior is (1 - eps) posterior + eps prior, so no
    probability exceeds (1 - eps) + eps * prior, and the leader is kept."""
    from tests.factories import SEED_CASE

    case = load_case(SEED_CASE)
    plain = analyse(case, params=EngineParams(model_doubt=0.0))  # 0.02 by default since round 3
    doubt = analyse(case, params=EngineParams(model_doubt=0.2))
    p_plain = {r.candidate: r.probability for r in plain.ranking}
    p_doubt = {r.candidate: r.probability for r in doubt.ranking}
    top = plain.ranking[0].candidate
    assert doubt.ranking[0].candidate == top
    prior = {r.candidate: r.probability for r in analyse(case.model_copy(update={"sessions": ()})).ranking}
    assert abs(p_doubt[top] - (0.8 * p_plain[top] + 0.2 * prior[top])) < 1e-9
    assert abs(sum(p_doubt.values()) - 1.0) < 1e-9

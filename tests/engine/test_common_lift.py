"""Round 3 of issue 11: the session's common lift is measured by a comparison trial, a leader that
rests on the session's first trial is compared before it is rechecked, and stale signs are found."""

from __future__ import annotations

from tests.engine.test_likelihood_scale import FS, _p, _trial
from tests.engine.test_properties_engine import MDC, case_dict

from kinetrace import analyse, load_case
from kinetrace.engine.likelihood import stale_signs
from kinetrace.engine.params import EngineParams
from kinetrace.engine.results import Reason
from kinetrace.timeline import timeline


def test_one_comparison_trial_measures_the_common_lift() -> None:
    """f0's first trial lifts every sign by 1 MDC; the comparison trial of f1 lifts every sign by a
    further 0.5 MDC (half the first trial's lift, as a later trial's). That is the session's common
    lift: f0 falls below its prior. With ten pseudo-signs at 0 (round 2) one comparison could not
    show it and f0 stayed near the threshold."""
    first, comparison = _trial("t1", "f0", [1.0] * 6), _trial("t2", "f1", [1.5] * 6)
    prior = _p([], "f0")
    assert _p([first, comparison], "f0") < prior
    assert _p([first, comparison], "f0", EngineParams(background_prior_strength=10.0)) > 0.9


def test_a_leader_on_the_sessions_first_trial_is_compared_not_rechecked() -> None:
    """A leader (P >= recheck_above, below the cap) whose one trial was the session's first: the
    next trial is another finding (the lift is unmeasured), never the leader again."""
    trial = _trial("t1", "f0", [1.5, 1.2, 0.5, 0.5, 0.5, 0.5])
    result = analyse(load_case(case_dict(FS, [trial])))
    p = next(r.probability for r in result.ranking if r.candidate == "f0")
    assert EngineParams().recheck_above <= p < EngineParams().unconfirmed_cap
    assert result.recommendation.reason is Reason.NEXT_TRIAL and result.recommendation.next_candidate != "f0"
    off = analyse(load_case(case_dict(FS, [trial])), params=EngineParams(compare_before_recheck=False))
    assert off.recommendation.reason is Reason.RECHECK and off.recommendation.next_candidate == "f0"


def test_stale_signs_are_those_not_retested_since_an_earlier_treatment_trial() -> None:
    def post(ids: list[int]) -> dict[str, float]:
        return {f"m{i}": 50.0 + MDC for i in ids}

    trials = [
        {"id": "t0", "candidate": "control", "post": post(list(range(6)))},
        {"id": "t1", "candidate": "f0", "post": post([0, 1])},
        {"id": "t2", "candidate": "control", "post": post([0, 2])},  # a control refreshes m2, treats nothing
        {"id": "t3", "candidate": "f1", "post": post(list(range(6)))},
        {"id": "t4", "candidate": "f2", "post": post([0, 3])},
    ]
    stale = stale_signs(timeline(load_case(case_dict(FS, trials))))
    assert stale == {
        "t1": frozenset(),
        "t3": frozenset({"m3", "m4", "m5"}),  # skipped by t1's re-tests
        "t4": frozenset(),  # m3 was re-tested after t3
    }


def test_an_earlier_failed_trial_of_another_finding_is_the_comparison() -> None:
    """Round 4: f1's trial changed nothing, then f0's (the session's second trial) moved the primary
    measure and two signs by 2.5 MDC. f1's trial already measured the session's lift (none), so f0
    is not capped and the trials stop; the round-3 rule (comparison only after the leader's
    trial) capped f0 at ``unconfirmed_cap`` and asked for a recheck."""
    trials = [_trial("t1", "f1", [0.0] * 6), _trial("t2", "f0", [2.5, 2.5, 2.5, 0.5, 0.5, 0.5])]
    case = load_case(case_dict(FS, trials))
    on = analyse(case)
    assert on.stop and on.driver is not None and on.driver.candidate == "f0"
    assert on.driver.probability >= EngineParams().threshold
    off = analyse(case, params=EngineParams(compare_earlier=False))
    assert not off.stop and off.recommendation.reason is Reason.RECHECK
    assert off.recommendation.next_candidate == "f0"
    assert _p(trials, "f0", EngineParams(compare_earlier=False)) == EngineParams().unconfirmed_cap


def test_an_earlier_trial_that_moved_every_sign_is_a_lift_not_a_comparison() -> None:
    """If the earlier trial of f1 moved every sign by 1.2 MDC, the session shows a common lift: f0's
    same trial as above is weighed against it, f0 is not called and the trials go on."""
    trials = [_trial("t1", "f1", [1.2] * 6), _trial("t2", "f0", [2.5, 2.5, 2.5, 0.5, 0.5, 0.5])]
    result = analyse(load_case(case_dict(FS, trials)))
    assert not result.stop and result.driver is None
    assert _p(trials, "f0") < EngineParams().recheck_above

"""The response scale is integrated out (issue 11): moderate driver trials count, repeats may change
less, other trials set the background, and evidence stays monotone (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.engine.test_properties_engine import MDC, SETTINGS, case_dict, findings

from kinetrace import analyse, load_case
from kinetrace.engine.params import EngineParams

#: The fixed-scale engine of before issue 11 (one assumed effect size, no background).
FIXED = EngineParams(
    scale_min=1.0,
    scale_points=1,
    repeat_steps=(0,),
    repeat_weights=(1.0,),
    background_shift=False,
    model_doubt=0.0,
    compare_before_recheck=False,
    first_trial_margin=0.0,
)

FS = [
    {"id": "f0", "kind": "muscle_tension", "region": "scapula", "side": "right", "severity": 2, "history": []},
    {"id": "f1", "kind": "muscle_tension", "region": "knee", "side": "right", "severity": 2, "history": []},
    {"id": "f2", "kind": "joint_hypomobility", "region": "lumbar", "side": "central", "severity": 2, "history": []},
]


def _trial(tid: str, cand: str, zs: list[float]) -> dict[str, Any]:
    return {"id": tid, "candidate": cand, "post": {f"m{i}": 50.0 + z * MDC for i, z in enumerate(zs)}}


def _p(trials: list[dict[str, Any]], cand: str, params: EngineParams | None = None) -> float:
    result = analyse(load_case(case_dict(FS, trials)), params=params)
    return next(r.probability for r in result.ranking if r.candidate == cand)


def test_a_moderate_broad_trial_raises_its_candidate_where_one_fixed_effect_size_lowered_it() -> None:
    """Every sign improves by 1.1 MDC (a clear, moderate change; 2 MDC expected at scale 1)."""
    trials = [_trial("t0", "f1", [0.0] * 6), _trial("t1", "f0", [1.1] * 6)]
    prior = _p([], "f0")
    assert _p(trials, "f0") > prior + 0.2
    assert _p(trials, "f0", FIXED) < _p(trials, "f0")


def test_a_smaller_repeat_after_carry_over_does_not_collapse_the_leader() -> None:
    """First trial 1.2 MDC on every sign; the recheck (after carry-over) 1 MDC on the complaint
    measure and 0.4 MDC on the others. One fixed effect size read the recheck as evidence against."""
    first = _trial("t1", "f0", [1.2] * 6)
    post = {f"m{i}": 50.0 + (1.2 + (1.0 if i == 0 else 0.4)) * MDC for i in range(6)}
    repeat = {"id": "t2", "candidate": "f0", "post": post}
    assert _p([first, repeat], "f0") >= _p([first], "f0") - 0.01
    assert _p([first, repeat], "f0", FIXED) < _p([first], "f0", FIXED) - 0.1


def test_the_background_of_other_trials_is_subtracted() -> None:
    """When every other trial improves every sign by 0.6 MDC, the same 1.1 MDC trial counts for less."""
    quiet = [_trial("t1", "f1", [0.0] * 6), _trial("t2", "f2", [0.0] * 6)]
    lifted = [_trial("t1", "f1", [0.6] * 6), _trial("t2", "f2", [1.2] * 6)]
    target = _trial("t3", "f0", [1.1 + 1.2] * 6)  # pre-state carries the earlier lifts; net +1.1
    target_quiet = _trial("t3", "f0", [1.1] * 6)
    assert _p([*lifted, target], "f0") < _p([*quiet, target_quiet], "f0")


@SETTINGS
@given(data=st.data())
def test_more_confirming_evidence_in_a_repeat_trial_never_lowers_the_candidate(data: st.DataObject) -> None:
    fs = data.draw(findings())
    cand = data.draw(st.sampled_from([f["id"] for f in fs]))
    z1 = [data.draw(st.floats(min_value=-1.0, max_value=2.5)) for _ in range(6)]
    z1[0] = max(z1[0], 1.0)
    dz = [data.draw(st.floats(min_value=-1.0, max_value=1.5)) for _ in range(6)]
    j = data.draw(st.integers(min_value=0, max_value=5))
    extra = data.draw(st.floats(min_value=0.05, max_value=1.5))

    def prob(second: list[float]) -> float:
        trials = [_trial("t0", cand, z1), _trial("t1", cand, [a + b for a, b in zip(z1, second, strict=True)])]
        result = analyse(load_case(case_dict(fs, trials)))
        return next(r.probability for r in result.ranking if r.candidate == cand)

    more = list(dz)
    more[j] = dz[j] + extra
    assert prob(more) >= prob(dz) - 1e-9


def _cum(*nets: list[float]) -> list[list[float]]:
    """Post values (MDC units from baseline) of trials with these net changes, in order."""
    out, state = [], [0.0] * 6
    for net in nets:
        state = [a + b for a, b in zip(state, net, strict=True)]
        out.append(state)
    return out


def test_a_common_lift_on_every_trial_names_no_driver() -> None:
    """Every trial lifts every sign alike, twice as much on the session's first (1.3 MDC, then
    0.65): the first trial is weighed against twice the lift the later trials show, so its
    candidate falls below its prior and no driver is named."""
    posts = _cum([1.3] * 6, [0.65] * 6, [0.65] * 6)
    trials = [_trial(f"t{i + 1}", c, z) for i, (c, z) in enumerate(zip(["f0", "f1", "f2"], posts, strict=True))]
    result = analyse(load_case(case_dict(FS, trials)))
    assert result.driver is None or result.driver.probability < 0.5
    p0 = _p(trials, "f0")
    assert p0 < 0.1 < _p([], "f0")
    assert p0 < _p(trials, "f0", EngineParams(first_trial_factor=1.0))  # the first trial's larger lift


def test_signs_beyond_the_mdc_only_by_the_common_lift_are_no_real_change() -> None:
    """The MDC rule counts a change only beyond the trial's common lift: 1.05 MDC everywhere,
    when the other trials show a lift of 0.25 MDC per sign, cannot raise the candidate."""
    from kinetrace.engine.posterior import posterior
    from kinetrace.scoring import score_trials

    posts = _cum([1.0] * 6, [1.0] * 6, [1.05] * 6)
    trials = [_trial(f"t{i + 1}", c, z) for i, (c, z) in enumerate(zip(["f1", "f2", "f0"], posts, strict=True))]
    case = load_case(case_dict(FS, trials))
    post = posterior(case, tuple(score_trials(case)), EngineParams())
    lik = next(t for t in post.trials if t.candidate == "f0")
    assert lik.shift > 0.2
    assert max(lik.log_ratio_by_scale) <= 0.0
    quiet = load_case(
        case_dict(FS, [_trial("t1", "f1", [0.0] * 6), _trial("t2", "f2", [0.0] * 6), _trial("t3", "f0", [1.05] * 6)])
    )
    assert (
        max(
            next(
                t for t in posterior(quiet, tuple(score_trials(quiet)), EngineParams()).trials if t.candidate == "f0"
            ).log_ratio_by_scale
        )
        > 0.0
    )

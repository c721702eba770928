"""A responding sign may move only part of the way (``response_shares``, round 5, an option that is
off): partial responses count for the driver, evidence stays monotone, bad values are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.engine.test_likelihood_scale import _p, _trial
from tests.engine.test_properties_engine import SETTINGS, case_dict, findings

from kinetrace import analyse, load_case
from kinetrace.engine.params import EngineParams

SHARES = EngineParams(response_shares=(0.25, 0.5, 0.75, 1.0), response_share_weights=(0.25,) * 4)


def test_the_default_is_the_all_or_nothing_response() -> None:
    assert EngineParams().response_shares == (1.0,)
    trials = [_trial("t0", "f1", [0.0] * 6), _trial("t1", "f0", [2.0, 2.0, 0.6, 0.6, 0.6, 0.6])]
    assert _p(trials, "f0", EngineParams(response_shares=(1.0,), response_share_weights=(1.0,))) == _p(trials, "f0")


def test_a_partial_response_counts_more_for_the_driver_with_shares() -> None:
    """The complaint measure and one sign fully, four signs about a third of the way (0.6 MDC of
    2 expected): all or nothing reads the four as noise that should have moved; shares do not."""
    trials = [_trial("t0", "f1", [0.0] * 6), _trial("t1", "f0", [2.0, 2.0, 0.6, 0.6, 0.6, 0.6])]

    def odds(p: float) -> float:
        return p / (1.0 - p)

    # about twice the odds (0.95 -> 0.98); a Bayes factor ratio, not a probability difference,
    # since both are near the top of the scale
    assert odds(_p(trials, "f0", SHARES)) > 1.5 * odds(_p(trials, "f0"))


def test_a_trial_with_no_change_is_not_raised_by_shares() -> None:
    trials = [_trial("t1", "f0", [0.1] * 6)]
    assert _p(trials, "f0", SHARES) <= _p([], "f0", SHARES) + 1e-9


@SETTINGS
@given(data=st.data())
def test_more_improvement_never_lowers_the_candidate_with_shares(data: st.DataObject) -> None:
    fs = data.draw(findings())
    cand = data.draw(st.sampled_from([f["id"] for f in fs]))
    z = [data.draw(st.floats(min_value=-1.0, max_value=2.5)) for _ in range(6)]
    j = data.draw(st.integers(min_value=0, max_value=5))
    extra = data.draw(st.floats(min_value=0.05, max_value=1.5))

    def prob(zs: list[float]) -> float:
        result = analyse(load_case(case_dict(fs, [_trial("t0", cand, zs)])), params=SHARES)
        return next(r.probability for r in result.ranking if r.candidate == cand)

    more = list(z)
    more[j] += extra
    assert prob(more) >= prob(z) - 1e-9


@pytest.mark.parametrize(
    ("shares", "weights", "field"),
    [
        ((0.0, 1.0), (0.5, 0.5), "response_shares must be in (0, 1]"),
        ((0.5, 1.2), (0.5, 0.5), "response_shares must be in (0, 1]"),
        ((0.5, 1.0), (0.3, 0.3), "response_share_weights must be > 0 and sum to 1"),
        ((0.5, 1.0), (1.0,), "same (non-zero) length"),
    ],
)
def test_bad_shares_are_refused_naming_the_field(
    shares: tuple[float, ...], weights: tuple[float, ...], field: str
) -> None:
    with pytest.raises(ValueError, match=field.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        EngineParams(response_shares=shares, response_share_weights=weights)

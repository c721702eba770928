"""Next trial, stop signal, 'driver not listed', and the seed case end to end."""

from __future__ import annotations

import pytest

from kinetrace import analyse, load_case
from kinetrace.engine import explain
from kinetrace.engine.params import EngineParams
from kinetrace.engine.recommend import expected_gain
from kinetrace.engine.results import MechanismClass, Reason
from kinetrace.presentation import explanation_dict

from .cases import NULL, STRONG, seed_case, two_finding_case, with_session


def test_expected_gain_grows_with_probability_below_one_half() -> None:
    params = EngineParams()
    gains = [expected_gain(p, params) for p in (0.01, 0.05, 0.1, 0.2, 0.4)]
    assert gains == sorted(gains) and gains[0] > 0


def test_next_is_the_most_informative_untested_finding() -> None:
    result = analyse(load_case(two_finding_case(b_knee={"severity": 3, "region": "lumbar", "side": "central"})))
    probs = {r.candidate: r.probability for r in result.ranking}
    assert result.next is not None and not result.stop
    assert result.next.candidate == max(("a_shoulder", "b_knee"), key=probs.__getitem__)


def test_stop_and_name_after_a_decisive_trial() -> None:
    result = analyse(
        load_case(with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": STRONG}))
    )
    assert result.stop and result.next is None
    assert result.driver is not None and result.driver.candidate == "a_shoulder"


def test_threshold_is_configurable() -> None:
    """The same evidence names the driver under a threshold below its probability, and not above it."""
    data = with_session(two_finding_case(), {"id": "t1", "candidate": "a_shoulder", "post": STRONG})
    p = analyse(load_case(data)).driver
    assert p is not None
    below = analyse(load_case(data), params=EngineParams(threshold=p.probability - 0.01)).recommendation
    above = analyse(load_case(data), params=EngineParams(threshold=(p.probability + 1) / 2)).recommendation
    assert below.reason is Reason.DRIVER_FOUND and below.driver == "a_shoulder"
    assert above.reason is not Reason.DRIVER_FOUND
    assert above.data.threshold == pytest.approx((p.probability + 1) / 2)


def test_when_every_finding_fails_the_engine_says_examine_elsewhere() -> None:
    data = with_session(
        two_finding_case(),
        {"id": "t1", "candidate": "a_shoulder", "post": NULL},
        {"id": "t2", "candidate": "b_knee", "post": {**NULL, "pain": 6}},
    )
    result = analyse(load_case(data))
    assert result.stop and result.next is None
    assert result.ranking[0].candidate == "none" and result.driver is None
    examine = result.recommendation.examine
    assert examine and all(row.links and row.evidence_level for row in examine)
    occupied = {("scapula", "right"), ("knee", "right")}
    assert not occupied & {(row.place.region, row.place.side) for row in examine}


def test_seed_case_first_recommendation_is_a_top_three_candidate() -> None:
    result = analyse(seed_case(trials=0))
    top3 = [r.candidate for r in result.ranking if r.candidate != "none"][:3]
    assert "r_infraspinatus" in top3
    assert result.next is not None and result.next.candidate in top3


def test_seed_case_stops_after_the_infraspinatus_trial_and_names_it() -> None:
    before = analyse(seed_case(trials=3))  # control, neural_rll, thoracic
    assert not before.stop
    after = analyse(seed_case(trials=4))  # + t3 r_infraspinatus
    assert after.stop and after.driver is not None
    assert after.driver.candidate == "r_infraspinatus" and after.driver.probability >= 0.95


def test_seed_case_explanation_is_the_graded_diagonal_chain() -> None:
    case = seed_case()
    items = [explanation_dict(case, e) for e in explain(case, "r_infraspinatus")]
    buttock = next(e for e in items if e["complaint_area"]["region"] == "buttock")
    assert buttock["complaint_area"]["side"] == "left"
    assert buttock["mechanism"] == "myofascial_line"
    # the weakest link's level (the adjacency step, D) and the strongest's, never a "best/weakest" pair
    assert buttock["evidence_level"] == "D" and buttock["best_level"] in {"C", "C/B", "B"}
    assert buttock["indirect"] is True
    assert "bfl_posterior_oblique_sling" in [s["link"] for s in buttock["steps"]]
    assert buttock["steps"][0]["from"] == {"region": "scapula", "side": "right"}
    for e in items:
        assert e["summary"].startswith("Consistent with") or "consistent with" in e["summary"]
        assert "caused by" not in e["summary"].lower()
        assert all(s["source"] and s["sentence"] for s in e["steps"])


@pytest.mark.parametrize("finding", ["neural_upper_cervical", "l_hamstring_restriction", "overstriding"])
def test_every_explanation_has_the_shared_format(finding: str) -> None:
    keys = {"candidate", "complaint_area", "mechanism", "evidence_level", "strength", "summary", "steps"}
    mechanisms = {m.value for m in MechanismClass}
    case = seed_case()
    for e in (explanation_dict(case, x) for x in explain(case, finding)):
        assert keys <= set(e) and e["mechanism"] in mechanisms and 0 <= e["strength"] <= 1
        assert "caused by" not in e["summary"].lower()


def test_explain_unknown_finding_raises_key_error() -> None:
    with pytest.raises(KeyError):
        explain(seed_case(), "nope")

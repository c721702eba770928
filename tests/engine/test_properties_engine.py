"""Property tests of the engine (hypothesis): probabilities, invariance, the MDC rule, monotone evidence."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinetrace import analyse, load_case
from kinetrace.engine.params import EngineParams
from kinetrace.knowledge import regions

REGIONS = sorted(regions())
KINDS = ["neural_tension", "muscle_tension", "joint_hypomobility", "restricted_range", "weakness", "movement_pattern"]
MDC = 5.0


@st.composite
def findings(draw: st.DrawFn, n_min: int = 1, n_max: int = 6) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=n_min, max_value=n_max))
    out = []
    for i in range(n):
        region = draw(st.sampled_from(REGIONS))
        side = draw(st.sampled_from(["left", "right", "bilateral"])) if regions()[region].paired else "central"
        out.append(
            {
                "id": f"f{i}",
                "kind": draw(st.sampled_from(KINDS)),
                "region": region,
                "side": side,
                "severity": draw(st.integers(min_value=1, max_value=3)),
                "history": draw(st.sampled_from([[], ["old_injury"], ["sustained_posture"]])),
            }
        )
    return out


def markers(n: int = 6) -> list[dict[str, Any]]:
    regs = ["buttock", "posterior_thigh", "lumbar", "scapula", "upper_cervical", "knee", "calf", "shoulder"]
    return [
        {
            "id": f"m{j}",
            "name": f"sign {j}",
            "unit": "deg",
            "better": "higher",
            "mdc": MDC,
            "mdc_source": "test",
            "region": regs[j % len(regs)],
            "side": "central" if not regions()[regs[j % len(regs)]].paired else "left",
            "baseline": 50.0,
            "target": 70.0,
            "primary": j == 0,
        }
        for j in range(n)
    ]


def case_dict(fs: list[dict[str, Any]], trials: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "kinetrace/case@1",
        "patient": {"id": "p"},
        "complaint": {"areas": [{"region": "buttock", "side": "left", "kind": "pain"}]},
        "findings": fs,
        "markers": markers(),
        "sessions": [{"id": "s1", "date": "2026-01-05", "trials": trials}] if trials else [],
    }


@st.composite
def trials_for(draw: st.DrawFn, fs: list[dict[str, Any]], scale: float = 3.0) -> list[dict[str, Any]]:
    k = draw(st.integers(min_value=0, max_value=4))
    out = []
    for t in range(k):
        cand = draw(st.sampled_from([f["id"] for f in fs] + ["control"]))
        post = {
            f"m{j}": 50.0 + draw(st.floats(min_value=-scale, max_value=scale)) * MDC
            for j in range(6)
            if draw(st.booleans()) or j == 0
        }
        out.append({"id": f"t{t}", "candidate": cand, "post": post})
    return out


SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("KINETRACE_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_probabilities_sum_to_one(data: st.DataObject) -> None:
    fs = data.draw(findings())
    result = analyse(load_case(case_dict(fs, data.draw(trials_for(fs)))))
    probs = [r.probability for r in result.ranking]
    assert math.isclose(sum(probs), 1.0, abs_tol=1e-9)
    assert all(0.0 <= p <= 1.0 for p in probs)


@SETTINGS
@given(data=st.data(), seed=st.integers(min_value=0, max_value=10_000))
def test_relabelling_and_reordering_findings_changes_nothing(data: st.DataObject, seed: int) -> None:
    """Renaming findings (a bijection) and shuffling their order maps every probability across."""
    fs = data.draw(findings())
    trials = data.draw(trials_for(fs))
    rng = random.Random(seed)
    names = [f"x{rng.randrange(10**6)}_{i}" for i in range(len(fs))]
    mapping = {f["id"]: n for f, n in zip(fs, names, strict=True)}
    fs2 = rng.sample([{**f, "id": mapping[f["id"]]} for f in fs], k=len(fs))
    trials2 = [{**t, "candidate": mapping.get(t["candidate"], t["candidate"])} for t in trials]
    a = analyse(load_case(case_dict(fs, trials)))
    b = analyse(load_case(case_dict(fs2, trials2)))
    pa = {mapping.get(r.candidate, r.candidate): r.probability for r in a.ranking}
    pb = {r.candidate: r.probability for r in b.ranking}
    assert pa.keys() == pb.keys()
    for k in pa:
        assert math.isclose(pa[k], pb[k], rel_tol=1e-9, abs_tol=1e-12)
    assert a.stop == b.stop
    if a.next is not None and b.next is not None:  # exact ties may pick either twin
        assert math.isclose(pa[mapping[a.next.candidate]], pb[b.next.candidate], rel_tol=1e-9)
    assert (a.next is None) == (b.next is None)


@SETTINGS
@given(data=st.data())
def test_a_trial_within_the_mdc_never_lifts_a_candidate_to_the_threshold(data: st.DataObject) -> None:
    """Starting from no trials, one treatment trial whose every change is within the MDC leaves
    every finding below the stop threshold."""
    fs = data.draw(findings())
    cand = data.draw(st.sampled_from([f["id"] for f in fs]))
    post = {f"m{j}": 50.0 + data.draw(st.floats(min_value=-0.99, max_value=0.99)) * MDC for j in range(6)}
    result = analyse(load_case(case_dict(fs, [{"id": "t0", "candidate": cand, "post": post}])))
    threshold = EngineParams().threshold
    assert all(r.probability < threshold for r in result.ranking if r.candidate != "none")
    assert result.driver is None or result.driver.probability < threshold


@SETTINGS
@given(data=st.data())
def test_more_confirming_evidence_never_lowers_the_driver(data: st.DataObject) -> None:
    """Making one re-tested sign of the candidate's trial improve further never lowers its probability."""
    fs = data.draw(findings())
    cand = data.draw(st.sampled_from([f["id"] for f in fs]))
    zs = [data.draw(st.floats(min_value=-1.5, max_value=3.0)) for _ in range(6)]
    zs[0] = max(zs[0], 1.0)  # at least one real improvement
    j = data.draw(st.integers(min_value=0, max_value=5))
    extra = data.draw(st.floats(min_value=0.05, max_value=3.0))

    def prob(values: list[float]) -> float:
        post = {f"m{i}": 50.0 + z * MDC for i, z in enumerate(values)}
        result = analyse(load_case(case_dict(fs, [{"id": "t0", "candidate": cand, "post": post}])))
        return next(r.probability for r in result.ranking if r.candidate == cand)

    more = list(zs)
    more[j] = min(zs[j] + extra, 4.0)  # stays within the marker's range
    assert prob(more) >= prob(zs) - 1e-9

"""Common checks every benchmark policy passes (as scikit-learn's common estimator checks)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from kinetrace import analyse
from kinetrace.analysis import NONE
from kinetrace.bench import POLICIES, Decision, EpisodeView, Policy, run_episode
from kinetrace.simulate import Episode, get_scenario, scenario_names, simulate_patient

ALL = sorted(POLICIES)


def _patient(seed: int, scenario: str = "typical"):
    return simulate_patient(get_scenario(scenario), np.random.default_rng(seed))


def _view(policy: Policy, patient, episode: Episode) -> EpisodeView:
    return EpisodeView(episode.case, truth=patient.driver if policy.needs_truth else None)


@pytest.mark.parametrize("name", ALL)
def test_constructor_takes_keyword_only_parameters_and_stores_them(name: str) -> None:
    cls = POLICIES[name]
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    policy = cls()
    assert policy.get_params() == {p.name: p.default for p in params}
    assert type(cls(**policy.get_params())).get_params(policy) == policy.get_params()
    assert policy.name == name


@pytest.mark.parametrize("name", ALL)
def test_decision_is_frozen_and_names_a_finding_or_none(name: str, global_random_seed: int) -> None:
    policy = POLICIES[name]()
    patient = _patient(global_random_seed)
    episode = Episode(patient, np.random.default_rng(global_random_seed))
    d = policy.decide(_view(policy, patient, episode), np.random.default_rng(0))
    assert isinstance(d, Decision)
    with pytest.raises(AttributeError):
        d.call = "x"  # type: ignore[misc]
    assert d.trial is None or d.trial in patient.finding_ids
    assert d.call == NONE or d.call in patient.finding_ids
    if policy.states_probability:
        assert d.probability is not None and 0.0 <= d.probability <= 1.0


@pytest.mark.parametrize("name", ALL)
def test_decide_is_stateless_and_uses_only_the_generator_given(name: str, global_random_seed: int) -> None:
    policy = POLICIES[name]()
    patient = _patient(global_random_seed)
    episode = Episode(patient, np.random.default_rng(global_random_seed))
    episode.trial(patient.finding_ids[-1])
    view = _view(policy, patient, episode)
    case_before = episode.case
    np.random.seed(1)
    a = policy.decide(view, np.random.default_rng(7))
    np.random.seed(2)
    b = policy.decide(view, np.random.default_rng(7))
    assert a == b
    assert episode.case is case_before


@pytest.mark.parametrize("name", ALL)
def test_a_run_is_reproducible_and_ends(name: str, global_random_seed: int) -> None:
    a = run_episode(POLICIES[name](), "typical", 3, global_random_seed)
    b = run_episode(POLICIES[name](), "typical", 3, global_random_seed)
    assert (a.call, a.n_trials, a.benefit) == (b.call, b.n_trials, b.benefit)
    assert not a.capped
    assert a.n_trials <= 2 * a.n_findings
    assert all(0.0 <= x <= 1.0 + 1e-9 for x in a.benefit)


# -- each policy does what its name says ------------------------------------------------------


def _trials_of(name: str, scenario: str, index: int, seed: int) -> tuple[list[str], object]:
    """Re-run an episode and return the candidates trialled, in order, with the patient."""
    from kinetrace.bench.runner import run_episode as run

    result = run(POLICIES[name](), scenario, index, seed)
    s_idx = scenario_names().index(scenario)
    patient = simulate_patient(get_scenario(scenario), np.random.default_rng([seed, s_idx, index, 0]))
    # Replay the same decisions to read the order (episodes are deterministic).
    episode = Episode(patient, np.random.default_rng([seed, s_idx, index, 1]))
    policy = POLICIES[name]()
    rng = np.random.default_rng([seed, s_idx, index, 2])
    order = []
    while True:
        d = policy.decide(_view(policy, patient, episode), rng)
        if d.trial is None:
            break
        episode.trial(d.trial)
        order.append(d.trial)
    assert len(order) == result.n_trials
    return order, patient


def test_exhaustive_trials_every_finding_in_exam_order(global_random_seed: int) -> None:
    for i in range(5):
        order, patient = _trials_of("exhaustive", "typical", i, global_random_seed)
        assert order == list(patient.finding_ids)  # type: ignore[attr-defined]


def test_severity_first_goes_from_most_to_least_severe(global_random_seed: int) -> None:
    for i in range(10):
        order, patient = _trials_of("severity-first", "typical", i, global_random_seed)
        sev = [patient.case.finding(f).severity for f in order]  # type: ignore[attr-defined]
        assert sev == sorted(sev, reverse=True)


def test_local_first_starts_nearest_the_complaint(global_random_seed: int) -> None:
    from kinetrace.knowledge import regions

    atlas = regions()
    index = {r: i for i, r in enumerate(atlas)}
    for i in range(10):
        order, patient = _trials_of("local-first", "typical", i, global_random_seed)
        area = patient.case.complaint.areas[0]  # type: ignore[attr-defined]
        tiers = [
            (
                0 if f.region == area.region else 1 if atlas[f.region].segment == atlas[area.region].segment else 2,
                abs(index[f.region] - index[area.region]),
            )
            for f in (patient.case.finding(x) for x in order)  # type: ignore[attr-defined]
        ]
        assert tiers == sorted(tiers)


def test_first_that_works_policies_stop_at_the_first_broad_change(global_random_seed: int) -> None:
    from kinetrace.bench.policies import BROAD_CHANGE
    from kinetrace.scoring import score_trials

    for name in ("local-first", "severity-first", "random"):
        for i in range(5):
            result = run_episode(POLICIES[name](), "typical", i, global_random_seed)
            order, patient = _trials_of(name, "typical", i, global_random_seed)
            s_idx = scenario_names().index("typical")
            episode = Episode(patient, np.random.default_rng([global_random_seed, s_idx, i, 1]))  # type: ignore[arg-type]
            for f in order:
                episode.trial(f)
            g = [s.global_change for s in score_trials(episode.case) if not s.is_control]
            assert all(x < BROAD_CHANGE for x in g[:-1])
            if result.call != NONE:
                assert g[-1] >= BROAD_CHANGE and result.call == order[-1]


def test_random_orders_differ_between_generators(global_random_seed: int) -> None:
    patient = _patient(global_random_seed)
    episode = Episode(patient, np.random.default_rng(0))
    view = EpisodeView(episode.case)
    firsts = {POLICIES["random"]().decide(view, np.random.default_rng(s)).trial for s in range(60)}
    assert len(firsts) >= min(4, patient.n_findings)


def test_oracle_trials_only_the_driver_and_is_always_right(global_random_seed: int) -> None:
    for i in range(30):
        r = run_episode(POLICIES["oracle"](), "typical", i, global_random_seed)
        assert r.correct
        assert r.n_trials == (0 if r.truth == NONE else 1)


def test_kinetrace_follows_the_engines_recommendation_and_stop_rule(global_random_seed: int) -> None:
    policy = POLICIES["kinetrace"]()
    for i in range(5):
        patient = _patient([global_random_seed, i])  # type: ignore[arg-type]
        episode = Episode(patient, np.random.default_rng(i))
        while True:
            result = analyse(episode.case)
            d = policy.decide(EpisodeView(episode.case), np.random.default_rng(0))
            if result.stop or result.next is None:
                assert d.trial is None
                expected = result.driver or result.ranking[0]
                assert (d.call, d.probability) == (expected.candidate, expected.probability)
                break
            assert d.trial == result.next.candidate
            episode.trial(d.trial)

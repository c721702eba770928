"""The family of worlds (issue 11): each does what its assumptions in scenarios.yaml say."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kinetrace.simulate import Episode, get_scenario, scenario_names, simulate_patient
from kinetrace.simulate.atlas_links import atlas_hops
from kinetrace.simulate.patient import SimPatient

WORLDS = (
    "partial-responders",
    "nonspecific",
    "diminishing-repeats",
    "off-atlas",
    "two-drivers",
    "sparse-retest",
    "correlated-noise",
)


def _patients(name: str, n: int, seed: int, **update: object) -> list[SimPatient]:
    sc = get_scenario(name).model_copy(update=update) if update else get_scenario(name)
    return [simulate_patient(sc, np.random.default_rng([seed, i])) for i in range(n)]


@pytest.mark.parametrize("name", WORLDS)
def test_each_world_states_its_assumptions_and_comes_after_the_older_scenarios(name: str) -> None:
    sc = get_scenario(name)
    assert sc.assumptions and len(sc.description.split()) > 15
    assert scenario_names().index(name) > scenario_names().index("misspecified")


def test_partial_responders_restore_a_wide_per_marker_share_only_for_the_driver(global_random_seed: int) -> None:
    shares = []
    for p in _patients("partial-responders", 200, global_random_seed):
        assert p.marker_efficacy is not None
        for i, fid in enumerate(p.finding_ids):
            if fid == p.driver:
                shares.extend(p.marker_efficacy[i])
            else:
                assert np.all(p.marker_efficacy[i] == 1.0)
    arr = np.asarray(shares)
    assert abs(arr.mean() - 0.6 / 1.5) < 0.03
    assert np.mean(arr < 0.1) > 0.15 and np.mean(arr > 0.8) > 0.1  # wide: many barely move, some fully


def test_nonspecific_improvement_is_larger_on_the_first_trial_and_stays(global_random_seed: int) -> None:
    p = _patients("nonspecific", 1, global_random_seed, noise_scale=1e-9, learning_sem_per_retest=0.0)[0]
    twin = dataclasses.replace(p, scenario=p.scenario.model_copy(update={"nonspecific_mdc": 0.0}))
    ep, ep0 = (
        Episode(p, np.random.default_rng(0), control=False),
        Episode(twin, np.random.default_rng(0), control=False),
    )
    lifts = []
    for _ in range(2):
        ep.trial(p.finding_ids[0])
        ep0.trial(p.finding_ids[0])
        unclipped = (ep.true_values() > p.low) & (ep.true_values() < p.high)
        lift = p.direction * (ep.true_values() - ep0.true_values()) / p.mdc
        lifts.append(lift[unclipped])
    first, both = lifts
    assert np.all((first >= 0.3 * 2.5 * 0.5 - 1e-9) & (first <= 0.3 * 2.5 * 1.5 + 1e-9))
    second = both - first[: len(both)] if len(both) == len(first) else both
    assert len(second) and np.all((second >= 0.15 - 1e-9) & (second <= 0.45 + 1e-9))


def test_a_repeat_trial_removes_less_in_diminishing_repeats(global_random_seed: int) -> None:
    p = _patients("diminishing-repeats", 1, global_random_seed, noise_scale=1e-9, learning_sem_per_retest=0.0)[0]
    f = 0
    ep = Episode(p, np.random.default_rng(0), control=False)
    ep.trial(p.finding_ids[f])
    assert ep._efficacy(f, p.finding_ids[f]) == pytest.approx(p.efficacy[f] * 0.35)
    fatigue = [q.learning * q.direction < 0 for q in _patients("diminishing-repeats", 100, global_random_seed)]
    assert 0.2 < np.mean([f[1:].mean() for f in fatigue]) < 0.4  # about 30 % of signs fatigue
    assert not any(f[0] for f in fatigue)  # never the complaint measure


def test_off_atlas_drivers_are_no_closer_to_the_complaint_than_other_findings(global_random_seed: int) -> None:
    driver: list[int] = []
    other: list[int] = []
    for p in _patients("off-atlas", 800, global_random_seed):
        area = p.case.complaint.areas[0]
        for f in p.case.findings:
            (driver if f.id == p.driver else other).append(atlas_hops(f.region, f.side, area.region, area.side))
    assert abs(np.mean(driver) - np.mean(other)) < 0.25


def test_two_drivers_each_carry_part_of_the_complaint(global_random_seed: int) -> None:
    listed = [p for p in _patients("two-drivers", 200, global_random_seed) if p.driver != "none"]
    assert all(len(p.co_drivers) == 1 and p.co_drivers[0] != p.driver for p in listed)
    for p in listed:
        d, c = p.finding_ids.index(p.driver), p.finding_ids.index(p.co_drivers[0])
        assert p.contributions[d, 0] > 0 and p.contributions[c, 0] > 0
        assert set(p.accepted_calls) == {p.driver, p.co_drivers[0]}


def test_sparse_retest_retests_three_to_five_signs(global_random_seed: int) -> None:
    for k, p in enumerate(_patients("sparse-retest", 30, global_random_seed)):
        ep = Episode(p, np.random.default_rng(k))
        for i, fid in enumerate(p.finding_ids):
            post = ep.trial(fid).post
            assert len(post) <= max(5, 1 + len(p.local[i]))
            assert len(post) >= min(3, len(p.mdc))
            assert next(iter(p.case.markers)).id in post


def test_correlated_noise_has_the_stated_correlation_and_sd(global_random_seed: int) -> None:
    p = _patients("correlated-noise", 1, global_random_seed, learning_sem_per_retest=0.0)[0]
    ep = Episode(p, np.random.default_rng(global_random_seed), control=False)
    true = ep.true_values()
    far = np.flatnonzero((true - p.low > 5 * p.sem) & (p.high - true > 5 * p.sem))
    z = np.array([p.direction[far] * (ep.measure(far) - true[far]) / p.sem[far] for _ in range(4000)])
    c = np.corrcoef(z.T)
    off = c[~np.eye(len(far), dtype=bool)]
    assert abs(off.mean() - 0.4) < 0.05
    assert np.allclose(z.std(axis=0), 1.0, atol=0.06)

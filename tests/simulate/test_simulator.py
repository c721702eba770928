"""The simulator is what docs/benchmark.md says it is: noise, unlisted drivers, carry-over, re-tests."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kinetrace.simulate import MDC_PER_SEM, Episode, get_scenario, link, scenario_names, simulate_patient
from kinetrace.simulate.patient import SimPatient
from kinetrace.simulate.scenarios import simulator_data


def _patients(name: str, n: int, seed: int, **update: object) -> list[SimPatient]:
    sc = get_scenario(name).model_copy(update=update) if update else get_scenario(name)
    return [simulate_patient(sc, np.random.default_rng([seed, i])) for i in range(n)]


@pytest.mark.parametrize("name", ["typical", "easy", "noisy", "misspecified", "coarse-linkage"])
def test_every_documented_scenario_ships_with_a_description(name: str) -> None:
    assert name in scenario_names()
    assert len(get_scenario(name).description.split()) > 15


@pytest.mark.parametrize("name", ["typical", "noisy"])
def test_measurement_noise_is_the_mdc_derived_sem(name: str, global_random_seed: int) -> None:
    """Observed - true, in SEM units (SEM = noise_scale x MDC / 2.77), has mean 0 and SD 1."""
    z = []
    for k, p in enumerate(_patients(name, 40, global_random_seed, learning_sem_per_retest=0.0)):
        ep = Episode(p, np.random.default_rng([global_random_seed, k]), control=False)
        true = ep.true_values()
        # markers whose true value is far (> 5 SEM) from the range ends, so clipping plays no part
        far = np.flatnonzero((true - p.low > 5 * p.sem) & (p.high - true > 5 * p.sem))
        for _ in range(25):
            z.extend((ep.measure(far) - true[far]) / p.sem[far])
        assert np.allclose(p.sem, get_scenario(name).noise_scale * p.mdc / MDC_PER_SEM)
    z_arr = np.asarray(z)
    assert len(z_arr) > 5000
    assert abs(z_arr.mean()) < 0.05
    assert abs(z_arr.std() - 1.0) < 0.05


@pytest.mark.parametrize("name", ["typical", "noisy", "misspecified", "coarse-linkage"])
def test_about_ten_percent_of_drivers_are_not_listed(name: str, global_random_seed: int) -> None:
    patients = _patients(name, 1500, global_random_seed)
    share = np.mean([p.driver == "none" for p in patients])
    assert abs(share - 0.10) < 4 * np.sqrt(0.09 / 1500)
    listed = [p for p in patients if p.driver != "none"]
    assert all(p.driver in p.finding_ids for p in listed)


def test_a_trial_changes_the_treated_sources_and_carries_over_only_its_carryover_share(global_random_seed: int) -> None:
    p = _patients("typical", 1, global_random_seed, noise_scale=1e-9, learning_sem_per_retest=0.0)[0]
    ep = Episode(p, np.random.default_rng(0), control=False)
    f = 0
    e, c = p.efficacy[f], p.scenario.carryover
    before = ep.true_values()
    trial = ep.trial(p.finding_ids[f])
    ids = [m.id for m in p.case.markers]
    # At re-test the finding's whole effect shows ...
    expected_post = np.clip(before + p.direction * e * p.contributions[f], p.low, p.high)
    for key, value in trial.post.items():
        assert value == pytest.approx(expected_post[ids.index(key)], abs=1e-3)
    # ... by the next trial only the carry-over share is left.
    expected_next = np.clip(before + p.direction * c * e * p.contributions[f], p.low, p.high)
    assert np.allclose(ep.true_values(), expected_next)


def test_non_driver_findings_have_local_effects_only(global_random_seed: int) -> None:
    for p in _patients("typical", 60, global_random_seed):
        for i, fid in enumerate(p.finding_ids):
            if fid == p.driver or fid in p.secondary:
                continue
            touched = set(np.flatnonzero(p.contributions[i] > 0))
            assert touched <= set(p.local[i]), fid


def test_repeated_retests_drift_by_the_learning_effect(global_random_seed: int) -> None:
    p = _patients("noisy", 1, global_random_seed)[0]
    ep = Episode(p, np.random.default_rng(1), control=False)
    idx = np.arange(len(p.mdc))
    obs = np.array([ep.measure(idx) for _ in range(400)])
    inside = np.all((obs > p.low) & (obs < p.high), axis=0)
    slope = np.polyfit(np.arange(400), obs[:, inside], 1)[0]
    assert np.allclose(slope, p.learning[inside], atol=0.02 * p.mdc[inside])
    assert np.all(np.sign(p.learning) == p.direction)  # learning looks like improvement


def test_retests_cover_the_primary_and_local_markers_and_a_share_of_the_rest(global_random_seed: int) -> None:
    counts, total = 0, 0
    for k, p in enumerate(_patients("typical", 30, global_random_seed)):
        ep = Episode(p, np.random.default_rng(k), control=False)
        ids = [m.id for m in p.case.markers]
        for i, fid in enumerate(p.finding_ids):
            post = ep.trial(fid).post
            assert ids[0] in post
            assert {ids[j] for j in p.local[i]} <= set(post)
            others = [ids[j] for j in range(1, len(ids)) if j not in p.local[i]]
            counts += sum(o in post for o in others)
            total += len(others)
    assert abs(counts / total - get_scenario("typical").p_retest) < 0.05


def test_coarse_linkage_drivers_follow_the_coarse_rule(global_random_seed: int) -> None:
    """coarse-linkage (the old `typical`): drivers have a stronger coarse link than other findings."""
    driver_links: list[float] = []
    other_links: list[float] = []
    for p in _patients("coarse-linkage", 400, global_random_seed):
        area = p.case.complaint.areas[0]
        for f in p.case.findings:
            (driver_links if f.id == p.driver else other_links).append(link(f.region, f.side, area.region, area.side))
    assert np.mean(driver_links) > np.mean(other_links) + 0.1


def test_coarse_linkage_keeps_the_old_typical_patients() -> None:
    """`-s coarse-linkage` reproduces the earlier `typical` results: same index, same patients.

    The drivers are pinned from the simulator before the atlas-linked placement existed
    (runner seeds ``[seed, scenario index, patient, 0]``, seed 0).
    """
    assert scenario_names()[0] == "coarse-linkage"
    sc = get_scenario("coarse-linkage")
    drivers = [simulate_patient(sc, np.random.default_rng([0, 0, i, 0])).driver for i in range(6)]
    assert drivers == ["f08_scapula", "f06_wrist", "f05_medial_thigh", "f04_abdomen", "f05_lateral_thigh", "none"]
    assert all(not f.history for p in _patients("coarse-linkage", 50, 0) for f in p.case.findings)


def test_the_same_seed_gives_the_same_patient(global_random_seed: int) -> None:
    a = simulate_patient(get_scenario("typical"), np.random.default_rng(global_random_seed))
    b = simulate_patient(get_scenario("typical"), np.random.default_rng(global_random_seed))
    assert a.case == b.case and a.driver == b.driver
    assert np.array_equal(a.contributions, b.contributions)


def test_every_generated_case_is_a_valid_case_file(global_random_seed: int) -> None:
    from kinetrace import load_case

    for name in scenario_names():
        for p in _patients(name, 20, global_random_seed):
            ep = Episode(p, np.random.default_rng(0))
            for fid in p.finding_ids:
                ep.trial(fid)
            assert load_case(ep.case.to_dict()) == ep.case


def test_linkage_rule_is_symmetric_and_crossed_diagonal_is_moderate() -> None:
    assert link("scapula", "right", "buttock", "left") == simulator_data().linkage.diagonal
    assert link("scapula", "right", "buttock", "right") == simulator_data().linkage.far
    assert link("hip", "left", "buttock", "left") == link("buttock", "left", "hip", "left")


ENGINE_MODEL = ("prior", "likelihood", "posterior", "recommend", "params", "graph", "atlas")


def test_the_simulator_never_imports_the_engine() -> None:
    """Independence: no module of kinetrace.simulate imports kinetrace.engine or kinetrace.analysis.

    Neither ``import kinetrace.engine.prior`` nor ``from kinetrace.engine import params`` nor
    ``from kinetrace import analyse``; and no simulator file names the engine's prior data
    (``driver_priors.yaml``). The simulator reads the atlas links with its own loader.
    (Importing any kinetrace module runs ``kinetrace/__init__``, which loads the engine for
    ``analyse``; what matters is that the simulator's own code never reads it: the next test
    checks that at run time.)
    """
    import ast
    from pathlib import Path

    import kinetrace.simulate

    folder = Path(kinetrace.simulate.__file__).parent
    forbidden = ("kinetrace.engine", "kinetrace.analysis", "kinetrace.bench")
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                assert not name.startswith(forbidden), (path, name)
                assert name not in ("kinetrace.analyse", "kinetrace.Analysis"), (path, name)
    for path in [*folder.glob("*.py"), *folder.glob("*.yaml")]:
        assert "driver_priors" not in path.read_text(encoding="utf-8"), path


def test_the_simulator_never_calls_the_engines_model() -> None:
    """Every function of the engine's model modules raises; every scenario still simulates."""
    code = f"""
import importlib, inspect
import numpy as np
from kinetrace.simulate import Episode, get_scenario, scenario_names, simulate_patient
from kinetrace.simulate.atlas_links import atlas_links
def boom(*args, **kwargs):
    raise AssertionError('the simulator called the engine')
for name in {ENGINE_MODEL!r}:
    module = importlib.import_module('kinetrace.engine.' + name)
    for attr, value in list(vars(module).items()):
        if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == module.__name__:
            setattr(module, attr, boom)
assert atlas_links.cache_info().currsize == 0  # nothing cached before the engine was blocked
for s in scenario_names():
    for i in range(20):
        p = simulate_patient(get_scenario(s), np.random.default_rng(i))
        Episode(p, np.random.default_rng(i)).trial(p.finding_ids[0])
print('ok')
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_the_simulator_runs_with_the_outer_layers_blocked() -> None:
    code = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {'typer', 'rich', 'matplotlib', 'django'}:
            raise ImportError('simulator must not import ' + name)
        return None
sys.meta_path.insert(0, Block())
import numpy as np
from kinetrace.simulate import Episode, get_scenario, simulate_patient
p = simulate_patient(get_scenario('typical'), np.random.default_rng(0))
Episode(p, np.random.default_rng(1)).trial(p.finding_ids[0])
print('ok')
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"

"""Drivers sit where the atlas links say (typical, easy, noisy) or where they say not (misspecified).

The shares asserted here are the simulator's documented behaviour (docs/benchmark.md,
``scenarios.yaml``): about 10 % unlisted drivers, about a third crossing between upper and lower
body, spine/sacroiliac the most frequent class, history more often on the driver.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest

from kinetrace.knowledge import regions
from kinetrace.simulate import get_scenario, simulate_patient
from kinetrace.simulate.atlas_links import atlas_distance, atlas_hops, atlas_links, atlas_weight, body_half
from kinetrace.simulate.patient import SimPatient
from kinetrace.simulate.scenarios import simulator_data

N = 1500


@cache
def _patients(name: str, n: int, seed: int) -> list[SimPatient]:
    """The same draw for every test of a scenario and seed (patients are never mutated)."""
    sc = get_scenario(name)
    return [simulate_patient(sc, np.random.default_rng([seed, i])) for i in range(n)]


def _hops(patients: list[SimPatient]) -> tuple[float, float]:
    """Mean plain atlas hops to the complaint: (listed drivers, every other finding)."""
    driver: list[int] = []
    other: list[int] = []
    for p in patients:
        area = p.case.complaint.areas[0]
        for f in p.case.findings:
            (driver if f.id == p.driver else other).append(atlas_hops(f.region, f.side, area.region, area.side))
    return float(np.mean(driver)), float(np.mean(other))


def _listed_drivers(patients: list[SimPatient]) -> list[tuple[SimPatient, str, str]]:
    out: list[tuple[SimPatient, str, str]] = []
    for p in patients:
        if p.driver != "none":
            f = p.case.finding(p.driver)
            out.append((p, f.region, f.side))
    return out


def _se(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n))


@pytest.mark.parametrize("name", ["typical", "easy", "noisy"])
def test_atlas_linked_drivers_are_fewer_hops_from_the_complaint_than_other_findings(
    name: str, global_random_seed: int
) -> None:
    driver, other = _hops(_patients(name, N, global_random_seed))
    assert driver < other - 0.5, (driver, other)


def test_misspecified_drivers_are_more_hops_from_the_complaint_than_other_findings(global_random_seed: int) -> None:
    driver, other = _hops(_patients("misspecified", N, global_random_seed))
    assert driver > other + 0.05, (driver, other)
    typical_driver, _ = _hops(_patients("typical", N, global_random_seed))
    assert driver > typical_driver + 0.5


def test_the_driver_is_almost_never_where_it_hurts(global_random_seed: int) -> None:
    listed = _listed_drivers(_patients("typical", N, global_random_seed))
    local = [
        atlas_distance(r, s, p.case.complaint.areas[0].region, p.case.complaint.areas[0].side) == 0
        for p, r, s in listed
    ]
    assert np.mean(local) < 0.05


def test_about_a_third_of_typical_drivers_cross_between_upper_and_lower_body(global_random_seed: int) -> None:
    listed = _listed_drivers(_patients("typical", N, global_random_seed))
    crossing = [body_half(r) != body_half(p.case.complaint.areas[0].region) for p, r, _s in listed]
    assert 0.27 < np.mean(crossing) < 0.42


def test_spine_and_sacroiliac_drivers_are_the_most_frequent_class(global_random_seed: int) -> None:
    spine_si = set(simulator_data().atlas_linkage.spine_sacroiliac)
    atlas = regions()
    classes = Counter(
        "spine_si" if r in spine_si else atlas[r].segment
        for _p, r, _s in _listed_drivers(_patients("typical", N, global_random_seed))
    )
    assert classes.most_common(1)[0][0] == "spine_si", classes


@pytest.mark.parametrize("name", ["typical", "misspecified"])
def test_history_is_drawn_at_the_stated_rates(name: str, global_random_seed: int) -> None:
    sc = get_scenario(name)
    patients = _patients(name, N, global_random_seed)
    on_driver = [bool(f.history) for p in patients for f in p.case.findings if f.id == p.driver]
    on_other = [bool(f.history) for p in patients for f in p.case.findings if f.id != p.driver]
    assert abs(np.mean(on_driver) - sc.history_driver) < 4 * _se(sc.history_driver, len(on_driver)) + 1e-9
    assert abs(np.mean(on_other) - sc.history_other) < 4 * _se(sc.history_other, len(on_other))
    kinds = Counter(h.kind for p in patients for f in p.case.findings for h in f.history)
    assert set(kinds) == {"old_injury", "sustained_posture"}
    assert all(len(f.history) <= 1 for p in patients for f in p.case.findings)


def test_typical_drivers_carry_a_history_more_often_than_other_findings() -> None:
    sc = get_scenario("typical")
    assert sc.history_driver > 2 * sc.history_other
    assert get_scenario("misspecified").history_driver < get_scenario("misspecified").history_other


def test_the_loader_reads_the_atlas_links_with_their_sides_and_evidence() -> None:
    ids = {link.id for link in atlas_links()}
    assert "bfl_posterior_oblique_sling" in ids and "regional_interdependence_any" not in ids
    # contralateral sling: left upper arm to right buttock is one link, same side is not
    assert atlas_hops("upper_arm", "left", "buttock", "right") == 1
    assert atlas_hops("upper_arm", "left", "buttock", "left") > 1
    # a link counts its evidence level's hop length (C: 1.25); midline regions have one node
    assert atlas_distance("lumbar", "left", "upper_cervical", "central") == pytest.approx(1.25)
    assert atlas_distance("knee", "right", "knee", "right") == 0
    assert atlas_hops("knee", "right", "knee", "bilateral") == 0


def test_atlas_weights_decrease_with_distance_and_favour_the_spine() -> None:
    cfg = simulator_data().atlas_linkage
    assert atlas_weight("knee", "left", "knee", "left") == pytest.approx(cfg.local_weight * cfg.other_region_factor)
    near = atlas_weight("lumbar", "central", "upper_cervical", "central")  # one C link
    far = atlas_weight("lumbar", "central", "hand", "left")
    assert 0 < far < near <= 1
    assert atlas_weight("mid_thoracic", "central", "upper_arm", "left") > atlas_weight(
        "hip", "left", "lumbar", "central"
    )  # both one B link (gait_arm_thorax, hip_to_lumbar); spine/SI factor 1, other regions less

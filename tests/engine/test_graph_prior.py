"""Paths respect sides; the prior orders findings as the stated model says (hand-worked)."""

from __future__ import annotations

import math

import pytest

from kinetrace import load_case
from kinetrace.engine.atlas import atlas
from kinetrace.engine.graph import LEVEL_ORDER, best_paths, path_level, path_to, sides_of
from kinetrace.engine.prior import prior

from .cases import seed_case, two_finding_case


def test_posterior_oblique_sling_is_diagonal() -> None:
    """The sling joins the right upper arm to the LEFT buttock in one step, not the right one."""
    paths = best_paths((("upper_arm", "right"),), "muscle_tension", None)
    left = paths[("buttock", "left")]
    right = paths[("buttock", "right")]
    assert [s.link.id for s in left.steps] == ["bfl_posterior_oblique_sling"]
    assert len(right.steps) > 1 and right.strength < left.strength


def test_bilateral_and_midline_nodes() -> None:
    assert sides_of("buttock", "bilateral") == (("buttock", "left"), ("buttock", "right"))
    assert sides_of("lumbar", "left") == (("lumbar", "central"),)


def test_a_path_is_no_stronger_than_its_weakest_link() -> None:
    """scapula -> upper arm (adjacency, D) -> opposite buttock (posterior oblique sling): the path's
    strength is at most its weakest link's weight and its stated level ends in the weakest level."""
    at = atlas()
    path = path_to((("scapula", "right"),), (("buttock", "left"),), "muscle_tension", ())
    weights = [at.link_weight(s.link, "muscle_tension") for s in path.steps]
    assert path.strength <= min(weights) + 1e-12
    weakest = max(path.levels(), key=LEVEL_ORDER.index)
    assert weakest == "D" and path_level(path).split("/")[-1] == weakest
    assert [s.link.id for s in path.steps][-1] == "bfl_posterior_oblique_sling"


def test_local_finding_has_the_local_strength() -> None:
    path = path_to((("buttock", "left"),), (("buttock", "left"),))
    assert path.local and path.steps == ()


def test_prior_sums_to_one_with_the_stated_none() -> None:
    p, _ = prior(load_case(two_finding_case()), p_none=0.1)
    assert math.isclose(sum(p.values()), 1.0)
    assert p["none"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("overrides", "expect_first"),
    [
        ({"b_knee": {"region": "scapula", "side": "right", "severity": 3}}, "b_knee"),  # same place, more severe
        ({"b_knee": {"region": "scapula", "side": "right", "history": ["old_injury"]}}, "b_knee"),  # history
        ({"b_knee": {"region": "scapula", "side": "right", "kind": "neural_tension"}}, "b_knee"),  # neural kind
        (
            {"a_shoulder": {"region": "lumbar", "side": "central"}, "b_knee": {"region": "buttock", "side": "left"}},
            "a_shoulder",
        ),  # a spinal finding linked by a C-level path beats the local one
    ],
)
def test_prior_ordering(overrides: dict[str, dict[str, object]], expect_first: str) -> None:
    p, _ = prior(load_case(two_finding_case(**overrides)), p_none=0.1)
    other = "a_shoulder" if expect_first == "b_knee" else "b_knee"
    assert p[expect_first] > p[other]


def test_seed_case_prior_ranks_right_infraspinatus_in_top_three() -> None:
    p, _ = prior(seed_case(trials=0), p_none=0.1)
    order = sorted((k for k in p if k != "none"), key=lambda k: -p[k])
    assert "r_infraspinatus" in order[:3]


def test_fast_strength_equals_the_explained_path_strength() -> None:
    """The prior's matrix computation and the explanation's path search agree on every finding."""
    from tests.factories import synthetic_case

    from kinetrace.engine.prior import complaint_areas, linkage, linkage_strength

    for case in (seed_case(), load_case(synthetic_case(n_findings=40, n_markers=3, n_trials=1))):
        areas = complaint_areas(case)
        for f in case.findings:
            assert linkage_strength(f, areas) == pytest.approx(linkage(f, areas).strength, abs=1e-12)

"""Probabilities are displayed in whole percent and never as certainty."""

from __future__ import annotations

import pytest

from kinetrace.presentation import probability_label


@pytest.mark.parametrize(
    ("p", "label"),
    [(0.9999999993, "> 99 %"), (0.995, "> 99 %"), (0.994, "99 %"), (0.5, "50 %"), (0.0049, "< 1 %"), (0.0, "< 1 %")],
)
def test_probability_label(p: float, label: str) -> None:
    assert probability_label(p) == label


@pytest.mark.parametrize(
    ("region", "side", "label"),
    [
        ("buttock", "left", "left buttock (gluteal region)"),
        ("mid_thoracic", "central", "mid thoracic spine (T5-T8)"),
        ("mid_thoracic", "left", "mid thoracic spine (T5-T8), left"),
        ("foot", "bilateral", "foot on both sides"),
    ],
)
def test_place_label(region: str, side: str, label: str) -> None:
    from kinetrace.presentation import place_label

    assert place_label(region, side) == label


def test_change_is_worded_by_direction_against_the_mdc() -> None:
    from tests.factories import minimal_case

    from kinetrace import load_case
    from kinetrace.presentation import change_text
    from kinetrace.scoring import score_marker

    pain = load_case(minimal_case()).marker("pain")  # NPRS, lower is better, MDC 2
    assert change_text(pain, 6, 2, real=score_marker(pain, 6, 2).real).endswith(
        "6 → 2, better by 4, beyond its MDC of 2"
    )
    assert change_text(pain, 6, 7, real=score_marker(pain, 6, 7).real).endswith(
        "6 → 7, worse by 1, within its MDC of 2"
    )


def test_a_suggested_confirmation_is_worded_on_every_surface_list() -> None:
    import dataclasses

    from tests.factories import SEED_CASE

    from kinetrace import analyse, load_case
    from kinetrace.engine.results import Confirmation
    from kinetrace.presentation import decision_lines

    analysis = analyse(load_case(SEED_CASE))
    rec = dataclasses.replace(analysis.recommendation, confirmation=Confirmation("retrial", "r_infraspinatus"))
    lines = decision_lines(dataclasses.replace(analysis, recommendation=rec))
    assert lines[1].startswith("To confirm: trial Muscle tension") and lines[1].endswith("once more.")
    control = dataclasses.replace(rec, confirmation=Confirmation("control"))
    assert "control trial" in decision_lines(dataclasses.replace(analysis, recommendation=control))[1]


def test_a_recheck_sentence_names_the_confirming_trial() -> None:
    import dataclasses

    from tests.factories import SEED_CASE

    from kinetrace import load_case
    from kinetrace.engine.results import NextTrial, Reason, ReasonData, Recommendation
    from kinetrace.presentation import recommendation_sentence

    case = load_case(SEED_CASE)
    leader = case.findings[0].id
    data = ReasonData(candidate=leader, probability=0.9, threshold=0.95)
    rec = Recommendation(stop=False, reason=Reason.RECHECK, data=data, next=NextTrial(leader, recheck=True))
    text = recommendation_sentence(case, rec)
    assert text.startswith("Next trial: ") and "again, to confirm it" in text and "90 % likely" in text
    first = dataclasses.replace(rec, reason=Reason.NEXT_TRIAL, next=NextTrial(leader))
    assert "to confirm" not in recommendation_sentence(case, first)

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

"""Honest outputs: support needs signs beyond the treated area; no probability shown as certain."""

from __future__ import annotations

import json
import re

from tests.factories import SEED_CASE, minimal_case, with_trials
from typer.testing import CliRunner

from kinetrace import analyse, load_case
from kinetrace.analysis import driver_of, supporting_trials
from kinetrace.cli import app
from kinetrace.presentation import probability_label


def _case(post: dict[str, float]) -> dict:  # type: ignore[type-arg]
    data = minimal_case()
    data["markers"].append(
        {"id": "ppt", "test": "pressure_pain_threshold", "region": "scapula", "side": "right", "baseline": 2.0}
    )
    return with_trials(data, {"id": "t1", "candidate": "f_shoulder", "post": post})


def test_a_change_of_the_treated_area_alone_does_not_support_the_driver() -> None:
    local_only = analyse(load_case(_case({"ppt": 4.0, "pain": 6})))
    assert supporting_trials(local_only, "f_shoulder") == ()
    remote = analyse(load_case(_case({"ppt": 4.0, "pain": 2})))  # pain (left buttock) beyond its MDC
    assert supporting_trials(remote, "f_shoulder") == ("t1",)


def test_analyse_json_carries_raw_probabilities_and_labels_never_certainty() -> None:
    result = CliRunner().invoke(app, ["analyse", str(SEED_CASE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert driver_of(data) == "r_infraspinatus"
    p = data["driver"]["probability"]
    assert 0.95 <= p < 1 and data["driver"]["probability_label"] == probability_label(p) != "100 %"
    assert all(r["probability_label"] for r in data["ranking"])
    text = result.stdout
    assert "1.00" not in text and '"probability": 1.0,' not in text
    assert not re.search(r"(?<![\d.])100 %", text)


def test_driver_of_reads_the_old_pcf_format() -> None:
    assert driver_of({"format": "kinetrace/analysis@1", "pcf": {"candidate": "x", "probability": 0.97}}) == "x"
    assert driver_of({"format": "kinetrace/analysis@2", "driver": None}) is None

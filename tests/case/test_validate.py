"""Loading a case: every kind of bad input is reported with its path and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.factories import SEED_CASE, minimal_case, with_trials

from kinetrace import CaseError, load_case


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as info:
        load_case(data)
    return info.value.problems


def _set(path: str, value: Any) -> dict[str, Any]:
    """minimal_case() with one value replaced; path like 'markers.0.baseline'."""
    case = minimal_case()
    node: Any = case
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return case


def test_minimal_case_loads_and_resolves_catalogue_markers() -> None:
    """A catalogue marker gets name, unit, direction and MDC (with source) from the catalogue."""
    case = load_case(minimal_case())
    pain = case.marker("pain")
    assert (pain.name, pain.unit, pain.better, pain.mdc) == ("Pain intensity (NPRS 0-10)", "points", "lower", 2)
    assert pain.mdc_source is not None and "Spine 2005" in pain.mdc_source
    assert case.marker("custom").mdc == 10


BAD_INPUTS = [
    ("unknown region", _set("findings.0.region", "neck"), "findings[0].region: 'neck' is not a known region"),
    ("negative MDC", _set("markers.2.mdc", -1), "markers[2].mdc: Input should be greater than 0 (got -1)"),
    (
        "NPRS 11",
        _set("markers.0.baseline", 11),
        "markers[0].baseline: 11 is outside 0-10 for Pain intensity (NPRS 0-10)",
    ),
    (
        "wrong format tag",
        _set("format", "kinetrace/case@2"),
        "format: 'kinetrace/case@2' is not supported; expected 'kinetrace/case@1'",
    ),
    ("missing format tag", {k: v for k, v in minimal_case().items() if k != "format"}, "format: missing"),
    (
        "missing baseline",
        {**minimal_case(), "markers": [{"id": "pain", "test": "nprs", "region": "buttock", "side": "left"}]},
        "markers[0].baseline: Field required",
    ),
    (
        "duplicate finding ids",
        _set("findings.1.id", "f_shoulder"),
        "findings: id 'f_shoulder' is used 2 times; ids must be unique",
    ),
    ("duplicate marker ids", _set("markers.1.id", "pain"), "markers: id 'pain' is used 2 times; ids must be unique"),
    (
        "unknown side",
        _set("findings.0.side", "up"),
        "findings[0].side: Input should be 'left', 'right', 'central' or 'bilateral' (got 'up')",
    ),
    ("unknown finding kind", _set("findings.0.kind", "fascia"), "findings[0].kind: Input should be 'neural_tension'"),
    (
        "severity out of range",
        _set("findings.0.severity", 4),
        "findings[0].severity: Input should be less than or equal to 3 (got 4)",
    ),
    (
        "unknown catalogue test",
        _set("markers.1.test", "sit_and_reach"),
        "markers[1].test: 'sit_and_reach' is not in the marker catalogue; allowed: nprs",
    ),
    (
        "custom marker without mdc",
        _set("markers.2.mdc", None),
        "markers[2]: a custom marker (no catalogue `test`) needs mdc",
    ),
    (
        "catalogue test without published MDC",
        _set("markers.1.test", "slump_knee_extension"),
        "markers[1].mdc: required for 'slump_knee_extension': the catalogue has no published MDC",
    ),
    (
        "central side on a paired region",
        _set("complaint.areas.0.side", "central"),
        "complaint.areas[0].side: 'central' is not allowed for 'buttock'",
    ),
    ("misspelt field", _set("findings.0.severty", 2), "findings[0].severty: Extra inputs are not permitted"),
    ("age out of range", _set("patient.age", 130), "patient.age: Input should be less than or equal to 120 (got 130)"),
    (
        "trial naming an unknown finding",
        with_trials(minimal_case(), {"id": "t1", "candidate": "f_knee", "post": {"pain": 3}}),
        "sessions[0].trials[0].candidate: 'f_knee' is not a finding id; allowed: f_lumbar, f_shoulder or 'control'",
    ),
    (
        "trial naming an unknown marker",
        with_trials(minimal_case(), {"id": "t1", "candidate": "f_lumbar", "post": {"grip": 3}}),
        "sessions[0].trials[0].post.grip: 'grip' is not a marker id; allowed: custom, pain, slr",
    ),
    (
        "trial value out of range",
        with_trials(minimal_case(), {"id": "t1", "candidate": "f_lumbar", "post": {"pain": -1}}),
        "sessions[0].trials[0].post.pain: -1 is outside 0-10 for Pain intensity (NPRS 0-10)",
    ),
    (
        "duplicate trial ids",
        with_trials(
            minimal_case(),
            {"id": "t1", "candidate": "f_lumbar", "post": {"pain": 5}},
            {"id": "t1", "candidate": "f_shoulder", "post": {"pain": 4}},
        ),
        "trials: id 't1' is used 2 times; ids must be unique",
    ),
    ("reserved finding id", _set("findings.0.id", "control"), "findings[0].id: 'control' is reserved"),
    (
        "better contradicting the catalogue",
        _set("markers.0.better", "higher"),
        "markers[0].better: 'higher' contradicts the catalogue (Pain intensity (NPRS 0-10): lower is better)",
    ),
]


@pytest.mark.parametrize(("label", "data", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_names_the_problem_with_its_path(label: str, data: dict[str, Any], expected: str) -> None:
    """Each kind of bad input gives a precise message starting with the path of the bad value."""
    problems = _problems(data)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    """Several independent problems are all listed, not just the first."""
    data = minimal_case()
    data["findings"][0]["region"] = "neck"
    data["markers"][0]["baseline"] = 11
    data["markers"][1]["id"] = "custom"
    problems = _problems(data)
    assert len(problems) == 3, problems


def test_sessions_out_of_date_order_are_rejected() -> None:
    data = with_trials(minimal_case(), {"id": "t1", "candidate": "f_lumbar", "post": {"pain": 5}}, date="2026-02-01")
    data = with_trials(data, {"id": "t2", "candidate": "f_lumbar", "post": {"pain": 5}}, date="2026-01-01")
    assert any("sessions[1].date: 2026-01-01 is before the previous session" in p for p in _problems(data))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_load_from_file_yaml_or_json(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"case{suffix}"
    data = minimal_case()
    path.write_text(json.dumps(data) if suffix == ".json" else yaml.safe_dump(data))
    assert load_case(path).patient.id == "p1"


def test_unreadable_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: [unclosed")
    with pytest.raises(CaseError, match="not valid YAML"):
        load_case(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(CaseError, match="expected a mapping"):
        load_case(listy)


def test_case_round_trips_through_to_dict() -> None:
    """A loaded case dumped with to_dict() loads back to an equal case."""
    case = load_case(SEED_CASE)
    assert load_case(case.to_dict()) == case


def test_history_accepts_shorthand_strings() -> None:
    data = minimal_case()
    data["findings"][0]["history"] = ["old_injury", "fell skiing 2019"]
    finding = load_case(data).finding("f_shoulder")
    assert [(h.kind, h.text) for h in finding.history] == [("old_injury", ""), ("other", "fell skiing 2019")]

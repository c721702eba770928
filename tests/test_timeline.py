"""The episode's one timeline: state before each trial, session start/end, resolved, measurements."""

from __future__ import annotations

import subprocess

import pytest
from tests.factories import ROOT, SEED_CASE, minimal_case, with_trials

from kinetrace import load_case
from kinetrace.scoring import score_trials
from kinetrace.timeline import resolved, timeline


def _case() -> dict:  # type: ignore[type-arg]
    case = with_trials(
        minimal_case(),
        {"id": "t1", "candidate": "f_lumbar", "post": {"pain": 4}},
        {"id": "t2", "candidate": "f_shoulder", "pre": {"pain": 5}, "post": {"pain": 2, "slr": 70}},
    )
    case = with_trials(case, {"id": "t3", "candidate": "f_shoulder", "post": {"pain": 1}}, date="2026-02-01")
    case["sessions"][1]["measurements"] = {"pain": 3}
    return case


def test_state_before_a_trial_respects_its_own_pre() -> None:
    tl = timeline(load_case(_case()))
    pre = {s.trial.id: dict(s.pre) for s in tl.trials}
    assert pre["t1"]["pain"] == 6 and pre["t2"]["pain"] == 5 and pre["t3"]["pain"] == 3
    assert [s.sequence for s in tl.trials] == [1, 2, 3]
    scores = {s.id: s for s in score_trials(load_case(_case()))}
    assert scores["t2"].markers[0].pre == 5  # scoring reads the same state


def test_session_start_and_end_for_any_marker_with_change_from_that_sessions_start() -> None:
    tl = timeline(load_case(_case()))
    pain = tl.marker_sessions("pain")
    assert [(v.start, v.end, v.start_measured, v.end_measured) for v in pain] == [
        (6, 2, False, True),
        (3, 1, True, True),
    ]
    assert pain[1].pct_change == pytest.approx(100 * 2 / 3)  # lower is better: 3 -> 1 is 67 % better
    slr = tl.marker_sessions("slr")
    assert [(v.start, v.end, v.end_measured) for v in slr] == [(60, 70, True), (70, 70, False)]
    assert tl.latest == {"pain": 1, "slr": 70, "custom": 100}


def test_resolved_needs_every_primary_target_reached() -> None:
    case = _case()
    case["markers"][0]["target"] = 1
    assert resolved(timeline(load_case(case)))
    case["markers"][0]["target"] = 0
    assert not resolved(timeline(load_case(case)))
    assert not resolved(timeline(load_case(_case())))  # no target: never "resolved"


def test_measurements_are_numbered_in_order_and_skip_carried_values() -> None:
    tl = timeline(load_case(SEED_CASE))
    assert [m.seq for m in tl.measurements] == list(range(1, len(tl.measurements) + 1))
    phases = {m.phase for m in tl.measurements}
    assert phases <= {"baseline", "session", "trial_pre", "trial_post"} and "baseline" in phases


def test_one_timeline_walk_in_the_package() -> None:
    """Only the timeline walks sessions and trials for marker values; others read it."""
    out = subprocess.run(
        [
            "git",
            "grep",
            "-l",
            "-P",
            r"\b(t|trial|s|session)\.(post|pre|measurements)\b(?!\.(all|select))",
            "--",
            "*.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    walkers = {p for p in out if p.startswith("src/kinetrace/") and not p.startswith("src/kinetrace/simulate/")}
    # scoring reads each trial's own post values from the timeline's steps; validate.py checks the
    # values and casefile.py maps them to the database: none of them walks the state
    allowed = {"timeline.py", "scoring.py", "case/validate.py", "web/casefile.py"}
    assert walkers <= {f"src/kinetrace/{p}" for p in allowed}

"""Small hand-built cases for engine tests (each test builds its own)."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import SEED_CASE

from kinetrace import Case, load_case


def two_finding_case(**finding_overrides: Any) -> dict[str, Any]:
    """Left buttock pain; a right shoulder-blade finding and a right knee finding; 4 markers with targets."""
    shoulder = {"id": "a_shoulder", "kind": "muscle_tension", "region": "scapula", "side": "right", "severity": 2}
    knee = {"id": "b_knee", "kind": "muscle_tension", "region": "knee", "side": "right", "severity": 2}
    shoulder.update(finding_overrides.get("a_shoulder", {}))
    knee.update(finding_overrides.get("b_knee", {}))
    return {
        "format": "kinetrace/case@1",
        "patient": {"id": "p1"},
        "complaint": {"areas": [{"region": "buttock", "side": "left", "kind": "pain"}]},
        "findings": [shoulder, knee],
        "markers": [
            {
                "id": "pain",
                "test": "nprs",
                "region": "buttock",
                "side": "left",
                "baseline": 6,
                "target": 0,
                "primary": True,
            },
            {
                "id": "slr",
                "test": "straight_leg_raise",
                "region": "posterior_thigh",
                "side": "left",
                "baseline": 55,
                "target": 80,
            },
            {
                "id": "ppt",
                "name": "PPT",
                "unit": "kg/cm2",
                "better": "higher",
                "mdc": 0.34,
                "mdc_source": "PeerJ 2025",
                "region": "scapula",
                "side": "right",
                "baseline": 2.0,
                "target": 4.0,
            },
            {
                "id": "hop",
                "name": "Hop",
                "unit": "cm",
                "better": "higher",
                "mdc": 10,
                "mdc_source": "test",
                "region": "knee",
                "side": "right",
                "baseline": 100,
                "target": 150,
            },
        ],
        "sessions": [],
    }


def with_session(data: dict[str, Any], *trials: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with one session holding ``trials``."""
    out = copy.deepcopy(data)
    out["sessions"] = [
        *out["sessions"],
        {"id": f"s{len(out['sessions']) + 1}", "date": "2026-01-05", "trials": list(trials)},
    ]
    return out


STRONG = {"pain": 2, "slr": 72, "ppt": 3.4, "hop": 135}  # every sign really improved (>= 2 MDC where possible)
NULL = {"pain": 6, "slr": 56, "ppt": 2.05, "hop": 102}  # every change within the MDC


def seed_case(*, sessions: int | None = None, trials: int | None = None) -> Case:
    """The published seed case, optionally cut to its first sessions / first trials of session 1."""
    import yaml

    data = yaml.safe_load(SEED_CASE.read_text(encoding="utf-8"))
    if sessions is not None:
        data["sessions"] = data["sessions"][:sessions]
    if trials is not None:
        data["sessions"] = data["sessions"][:1]
        data["sessions"][0]["trials"] = data["sessions"][0]["trials"][:trials]
        if trials == 0:
            data["sessions"] = []
    return load_case(data)

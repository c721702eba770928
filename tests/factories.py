"""Case factories for tests: each test builds its own case from these (no shared fixture world)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED_CASE = ROOT / "examples" / "mrs_h.yaml"


def minimal_case(**overrides: Any) -> dict[str, Any]:
    """A small valid case dict: one complaint area, two findings, three markers, no sessions."""
    case: dict[str, Any] = {
        "format": "kinetrace/case@1",
        "patient": {"id": "p1", "age": 40, "sex": "female"},
        "complaint": {"areas": [{"region": "buttock", "side": "left", "kind": "pain"}], "duration_weeks": 10},
        "findings": [
            {"id": "f_shoulder", "kind": "muscle_tension", "region": "scapula", "side": "right", "severity": 3},
            {"id": "f_lumbar", "kind": "joint_hypomobility", "region": "lumbar", "side": "central", "severity": 1},
        ],
        "markers": [
            {"id": "pain", "test": "nprs", "region": "buttock", "side": "left", "baseline": 6, "primary": True},
            {"id": "slr", "test": "straight_leg_raise", "region": "posterior_thigh", "side": "left", "baseline": 60},
            {
                "id": "custom",
                "name": "Hop test",
                "unit": "cm",
                "better": "higher",
                "mdc": 10,
                "region": "knee",
                "side": "left",
                "baseline": 100,
            },
        ],
        "sessions": [],
    }
    for key, value in overrides.items():
        case[key] = value
    return copy.deepcopy(case)


def with_trials(case: dict[str, Any], *trials: dict[str, Any], date: str = "2026-01-05") -> dict[str, Any]:
    """Append one session holding ``trials`` to a case dict."""
    case = copy.deepcopy(case)
    case["sessions"].append({"id": f"s{len(case['sessions']) + 1}", "date": date, "trials": list(trials)})
    return case


def synthetic_case(*, n_findings: int = 40, n_markers: int = 40, n_trials: int = 20, seed: int = 0) -> dict[str, Any]:
    """A large synthetic case (findings x markers x trials) for latency benchmarks.

    Regions, sides and kinds cycle through the vocabulary; markers are custom (MDC 5) so every
    value is in range; each trial re-tests every marker with seeded noise.
    """
    import numpy as np

    from kinetrace.knowledge import regions

    rng = np.random.default_rng(seed)
    region_ids = list(regions())
    kinds = ["neural_tension", "muscle_tension", "joint_hypomobility", "restricted_range", "weakness"]

    def side(region: str, i: int) -> str:
        return ("left", "right")[i % 2] if regions()[region].paired else "central"

    findings = [
        {
            "id": f"f{i:02d}",
            "kind": kinds[i % len(kinds)],
            "region": (r := region_ids[(i * 7) % len(region_ids)]),
            "side": side(r, i),
            "severity": 1 + i % 3,
        }
        for i in range(n_findings)
    ]
    markers = [
        {
            "id": f"m{j:02d}",
            "name": f"Sign {j}",
            "unit": "deg",
            "better": "higher",
            "mdc": 5.0,
            "region": (r := region_ids[(j * 5) % len(region_ids)]),
            "side": side(r, j),
            "baseline": 50.0,
            "target": 70.0,
            "primary": j == 0,
        }
        for j in range(n_markers)
    ]
    values = {m["id"]: 50.0 for m in markers}
    trials = []
    for k in range(n_trials):
        post = {key: float(v + rng.normal(0, 2.0)) for key, v in values.items()}
        values.update(post)
        trials.append({"id": f"t{k:02d}", "candidate": findings[k % n_findings]["id"], "post": post})
    return {
        "format": "kinetrace/case@1",
        "patient": {"id": "synthetic"},
        "complaint": {"areas": [{"region": "buttock", "side": "left", "kind": "pain"}]},
        "findings": findings,
        "markers": markers,
        "sessions": [{"id": "s1", "date": "2026-01-05", "trials": trials}],
    }

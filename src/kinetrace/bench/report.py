"""The ``kinetrace/bench@1`` JSON document printed by ``kinetrace bench --json``."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinetrace.bench.metrics import PolicyMetrics, WorldRow, world_row, worst_case
from kinetrace.simulate import get_scenario

BENCH_FORMAT = "kinetrace/bench@1"


@dataclass(frozen=True)
class ScenarioRun:
    scenario: str
    patients: int
    seed: int
    wall_s: float
    metrics: tuple[PolicyMetrics, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "description": " ".join(get_scenario(self.scenario).description.split()),
            "patients": self.patients,
            "seed": self.seed,
            "wall_s": round(self.wall_s, 2),
            "policies": [m.to_dict() for m in self.metrics],
        }


def engine_version() -> str:
    """Which engine was measured: the git commit of the checkout, or "unknown"."""
    root = Path(__file__).resolve().parents[3]
    try:
        out = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                "-1",
                "--format=%h",
                "--",
                "src/kinetrace/engine",
                "src/kinetrace/analysis.py",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def world_rows(runs: Sequence[ScenarioRun]) -> list[WorldRow]:
    """The worlds table: the engine against exhaustive trialling in each scenario run."""
    rows = [world_row(r.scenario, r.metrics) for r in runs]
    return [r for r in rows if r is not None]


def bench_document(runs: Sequence[ScenarioRun], *, command: str) -> dict[str, Any]:
    """The full JSON-able result of a bench invocation."""
    try:
        import kinetrace.engine  # noqa: F401

        engine = "kinetrace.engine"
    except ModuleNotFoundError:
        engine = "interim ranking (kinetrace.analysis)"
    return {
        "format": BENCH_FORMAT,
        "command": command,
        "engine": {"implementation": engine, "commit": engine_version()},
        "runs": [r.to_dict() for r in runs],
        "worlds": _worlds(runs),
    }


def _worlds(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    rows = world_rows(runs)
    return {"rows": [r.to_dict() for r in rows], "worst": worst_case(rows) if rows else None}

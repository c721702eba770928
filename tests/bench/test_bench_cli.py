"""``kinetrace bench``: smoke run (output schema, not scores), plots, bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinetrace.bench import POLICIES
from kinetrace.cli import app

runner = CliRunner()


def test_smoke_run_of_200_patients_prints_the_bench_json_schema(global_random_seed: int) -> None:
    out = runner.invoke(app, ["bench", "--patients", "200", "--seed", str(global_random_seed), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["format"] == "kinetrace/bench@1"
    assert set(doc) == {"format", "command", "engine", "runs", "worlds"}
    (run,) = doc["runs"]
    assert run["scenario"] == "typical" and run["patients"] == 200 and run["seed"] == global_random_seed
    assert [p["policy"] for p in run["policies"]] == list(POLICIES)
    keys = {
        "policy", "patients", "accuracy", "accuracy_listed_driver", "accuracy_none", "false_none_rate",
        "mean_trials", "p90_trials",
        "trials_pct_of_exhaustive", "benefit_at_3", "benefit_end", "ece", "reliability", "capped", "wall_s",
    }  # fmt: skip
    for p in run["policies"]:
        assert set(p) == keys
        assert 0.0 <= p["accuracy"] <= 1.0
        assert p["patients"] == 200
    by = {p["policy"]: p for p in run["policies"]}
    assert by["kinetrace"]["ece"] is not None and len(by["kinetrace"]["reliability"]) == 10
    assert by["exhaustive"]["ece"] is None and by["exhaustive"]["trials_pct_of_exhaustive"] == 100.0


def test_table_output_and_plots(tmp_path: Path) -> None:
    out = runner.invoke(
        app,
        [
            "bench",
            "-n",
            "12",
            "-s",
            "easy",
            "-s",
            "misspecified",
            "-p",
            "exhaustive",
            "-p",
            "kinetrace",
            "--plots",
            str(tmp_path),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "Scenario easy" in out.stdout and "Scenario misspecified" in out.stdout
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == [
        "calibration_easy_kinetrace.png",
        "calibration_misspecified_kinetrace.png",
        "trials_easy.png",
        "trials_misspecified.png",
    ]
    assert all((tmp_path / n).read_bytes()[:4] == b"\x89PNG" for n in pngs)


def test_results_do_not_depend_on_worker_count() -> None:
    args = ["bench", "-n", "30", "-s", "noisy", "--json", "-p", "random", "-p", "severity-first"]
    one = json.loads(runner.invoke(app, [*args, "-j", "1"]).stdout)["runs"][0]["policies"]
    two = json.loads(runner.invoke(app, [*args, "-j", "2"]).stdout)["runs"][0]["policies"]
    strip = [{k: v for k, v in p.items() if k != "wall_s"} for p in one]
    assert strip == [{k: v for k, v in p.items() if k != "wall_s"} for p in two]


def test_unknown_scenario_or_policy_exits_2_naming_the_allowed_values() -> None:
    out = runner.invoke(app, ["bench", "-n", "5", "-s", "nosiy"])
    assert out.exit_code == 2
    assert "typical, easy, noisy, misspecified" in out.output
    out = runner.invoke(app, ["bench", "-n", "5", "-p", "greedy"])
    assert out.exit_code == 2 and "exhaustive" in out.output


def test_help_is_readable() -> None:
    out = runner.invoke(app, ["bench", "--help"])
    assert out.exit_code == 0
    assert "--scenario" in out.output and "--patients" in out.output and "--plots" in out.output


def test_several_worlds_get_a_worlds_table_with_the_worst_case() -> None:
    args = ["bench", "-n", "8", "-s", "easy", "-s", "sparse-retest", "-p", "exhaustive", "-p", "kinetrace"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "Worlds: kinetrace vs exhaustive" in out.stdout and "worst" in out.stdout
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    rows = doc["worlds"]["rows"]
    assert [r["scenario"] for r in rows] == ["easy", "sparse-retest"]
    worst = doc["worlds"]["worst"]
    assert worst["accuracy_margin"]["accuracy_margin"] == min(r["accuracy_margin"] for r in rows)
    assert worst["ece"]["ece"] == max(r["ece"] for r in rows)


def test_progress_goes_to_stderr_even_with_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from kinetrace.cli import bench_commands

    seen: list[bool] = []
    real = bench_commands._progress

    def spy(total: int):
        bar = real(total)
        seen.append(bar.console.stderr)
        return bar

    monkeypatch.setattr(bench_commands, "_progress", spy)
    out = runner.invoke(app, ["bench", "-n", "4", "-p", "exhaustive", "--json"])
    assert out.exit_code == 0, out.output
    assert seen == [True]
    json.loads(out.stdout)  # stdout stays pure JSON


def test_all_runs_every_world() -> None:
    from kinetrace.simulate import scenario_names

    out = runner.invoke(app, ["bench", "-n", "2", "-s", "all", "-p", "exhaustive", "--json"])
    assert out.exit_code == 0, out.output
    assert [r["scenario"] for r in json.loads(out.stdout)["runs"]] == list(scenario_names())

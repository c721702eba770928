"""``kinetrace next``, ``explain`` and ``check``: smoke tests on the seed case."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from tests.factories import SEED_CASE
from typer.testing import CliRunner

from kinetrace.cli import app

runner = CliRunner()


def _seed_without_trials(tmp_path: Path) -> Path:
    data = yaml.safe_load(SEED_CASE.read_text(encoding="utf-8"))
    data["sessions"] = []
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_next_json_before_any_trial_recommends_a_trial(tmp_path: Path) -> None:
    result = runner.invoke(app, ["next", str(_seed_without_trials(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rec = data["recommendation"]
    assert rec["stop"] is False and rec["next"]["candidate"] == "r_infraspinatus" and rec["reason"] == "next_trial"
    assert set(data) == {"format", "driver", "recommendation"} and data["driver"] is None
    assert rec["sentence"].startswith("Next trial: ")


def test_next_on_the_seed_case_says_stop() -> None:
    result = runner.invoke(app, ["next", str(SEED_CASE)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Stop" in result.stdout and "r_infraspinatus" in result.stdout


def test_explain_json_and_text() -> None:
    result = runner.invoke(app, ["explain", str(SEED_CASE), "r_infraspinatus", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert {i["complaint_area"]["region"] for i in items} == {"buttock", "posterior_thigh"}
    text = runner.invoke(app, ["explain", str(SEED_CASE), "r_infraspinatus"], env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "posterior oblique sling" in text.stdout


def test_explain_unknown_finding_exits_2() -> None:
    result = runner.invoke(app, ["explain", str(SEED_CASE), "nope"])
    assert result.exit_code == 2
    assert "r_infraspinatus" in result.output


def test_engine_commands_have_help() -> None:
    for command in ("next", "explain", "check"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output

"""The ``kinetrace`` CLI: exit codes, JSON schema, and a --help smoke over every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.factories import SEED_CASE, minimal_case
from typer.testing import CliRunner

from kinetrace.cli import app
from kinetrace.presentation import probability_label

runner = CliRunner()


def _commands() -> list[str]:
    return sorted(c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands) + sorted(
        g.name or "" for g in app.registered_groups
    )


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command: str) -> None:
    """Each command answers --help with a description (a smoke test over all commands)."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output) > 100


def test_validate_ok_on_seed_case() -> None:
    result = runner.invoke(app, ["validate", str(SEED_CASE)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "12 findings" in result.output


def test_invalid_case_exits_2_with_every_problem_on_stderr(tmp_path: Path) -> None:
    data = minimal_case()
    data["markers"][0]["baseline"] = 11
    data["findings"][0]["region"] = "neck"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    for command in (["validate", str(path)], ["analyse", str(path)], ["analyse", str(path), "--json"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "markers[0].baseline: 11 is outside 0-10" in result.stderr
        assert "findings[0].region: 'neck' is not a known region" in result.stderr
        assert result.stdout == ""


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "file not found" in result.stderr


def test_analyse_json_schema_on_seed_case() -> None:
    """analyse --json prints kinetrace/analysis@2 with the contract keys, and names the driver."""
    result = runner.invoke(app, ["analyse", str(SEED_CASE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "kinetrace/analysis@2"
    assert {"trials", "ranking", "driver", "recommendation", "explanations"} <= set(data) and "pcf" not in data
    trial = data["trials"][1]
    assert {"id", "candidate", "global_change", "markers"} <= set(trial)
    assert {"marker", "pre", "post", "change", "change_in_mdc", "real", "improved"} <= set(trial["markers"][0])
    probabilities = [r["probability"] for r in data["ranking"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0, abs=1e-3)
    assert "none" in {r["candidate"] for r in data["ranking"]}
    # the seed case names r_infraspinatus at P >= 0.95, never shown as certain (98 % since engine round 3)
    driver = data["driver"]
    assert driver["candidate"] == "r_infraspinatus" and 0.95 <= driver["probability"] < 1
    assert driver["probability_label"] == probability_label(driver["probability"]) != "100 %"
    assert data["recommendation"]["stop"] is True and data["recommendation"]["reason"] == "driver_found"


def test_analyse_table_names_the_driver() -> None:
    result = runner.invoke(app, ["analyse", str(SEED_CASE)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Driver found (primary contributing factor): r_infraspinatus" in result.output

"""The CLI runs on the ``cli`` extra alone; a command whose extra is missing names it; ``--version``.

Installing only ``pip install -e .[cli]`` in a fresh venv takes minutes, so the "extra missing"
world is made in a subprocess instead: a meta path finder makes every module of the other extras
(Django, OpenCV, MediaPipe, WeasyPrint, matplotlib, Jinja2, fhir.resources) fail to import, as if
they were not installed, and the commands run through Typer's runner inside that process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.factories import ROOT, SEED_CASE
from typer.testing import CliRunner

import kinetrace
from kinetrace.cli import EXTRA_OF_MODULE, app

BLOCKED = ["django", "ninja", "cv2", "mediapipe", "weasyprint", "matplotlib", "jinja2", "fhir", "psycopg", "skimage"]

SCRIPT = """
import importlib.abc, json, sys
BLOCKED = set({blocked!r})
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from typer.testing import CliRunner
from kinetrace.cli import app
runner = CliRunner()
results = []
for args in json.loads(sys.argv[1]):
    r = runner.invoke(app, args, env={{"COLUMNS": "200"}})
    crash = None if r.exception is None or isinstance(r.exception, SystemExit) else repr(r.exception)
    results.append({{"args": args, "code": r.exit_code, "out": r.stdout, "err": r.stderr, "crash": crash}})
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & BLOCKED)
print(json.dumps({{"results": results, "loaded": loaded}}))
"""


def _run_without_extras(commands: list[list[str]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    code = SCRIPT.format(blocked=BLOCKED)
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(commands)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return {" ".join(r["args"]): r for r in data["results"]}, data["loaded"]


def _registered_commands() -> list[str]:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    return sorted(names + [g.name or "" for g in app.registered_groups])


def test_core_commands_run_with_only_the_cli_extra(tmp_path: Path) -> None:
    """validate/analyse/next/explain/check/bench work, every --help answers, no other extra is imported."""
    seed = str(SEED_CASE)
    core = [
        ["--version"],
        ["--help"],
        ["validate", seed],
        ["analyse", seed],
        ["analyse", seed, "--json"],
        ["next", seed],
        ["next", seed, "--json"],
        ["explain", seed, "r_infraspinatus"],
        ["explain", seed, "r_infraspinatus", "--json"],
        ["check"],
        ["bench", "-n", "2", "-s", "typical", "--json"],
    ]
    helps = [[command, "--help"] for command in _registered_commands()]
    results, loaded = _run_without_extras(core + helps)
    for args in core + helps:
        r = results[" ".join(args)]
        assert r["crash"] is None and r["code"] == 0, r
    assert loaded == []
    # The same answers as with every extra installed (this process has them all).
    runner = CliRunner()
    for args in (["analyse", seed, "--json"], ["next", seed, "--json"], ["explain", seed, "r_infraspinatus", "--json"]):
        full = json.loads(runner.invoke(app, args).stdout)
        assert json.loads(results[" ".join(args)]["out"]) == full, args
    assert "12 findings" in results[f"validate {seed}"]["out"]
    for args in (["analyse", seed], ["next", seed], ["explain", seed, "r_infraspinatus"], ["check"]):
        assert results[" ".join(args)]["out"].strip(), args
    assert json.loads(results["bench -n 2 -s typical --json"]["out"])
    for args in helps:
        assert "Usage" in results[" ".join(args)]["out"]


def test_a_command_without_its_extra_names_the_extra_and_exits_2(tmp_path: Path) -> None:
    seed = str(SEED_CASE)
    clip = tmp_path / "run.mp4"
    clip.write_bytes(b"not really a video")
    expected = {
        f"gait {clip}": "video",
        f"posture {clip}": "video",
        f"report {seed} -o {tmp_path / 'r.pdf'}": "reports",
        f"export {seed} --fhir {tmp_path / 'b.json'}": "reports",
        "web check": "web",
    }
    results, _ = _run_without_extras([key.split(" ") for key in expected])
    for key, extra in expected.items():
        r = results[key]
        assert r["crash"] is None, r
        assert r["code"] == 2, r
        assert f"pip install 'kinetrace[{extra}]'" in r["err"], r
        assert "Traceback" not in r["err"] + r["out"]
        assert len(r["err"].strip().splitlines()) == 1, r["err"]
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "b.json").exists()


def test_version_is_the_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"kinetrace {project['version']}"
    assert kinetrace.__version__ == project["version"]


def test_every_optional_module_maps_to_an_extra_that_exists() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRA_OF_MODULE.values()) <= set(extras) - {"cli", "dev", "all"}
    assert {name.split(".")[0] for name in BLOCKED} - {"skimage"} <= set(EXTRA_OF_MODULE)


@pytest.mark.parametrize("name", ["cv2.aruco", "django.core.management", "weasyprint"])
def test_missing_extra_reads_the_failed_module(name: str) -> None:
    from kinetrace.cli import missing_extra

    assert (
        missing_extra(ModuleNotFoundError(f"No module named {name!r}", name=name))
        == EXTRA_OF_MODULE[name.split(".")[0]]
    )
    assert missing_extra(ModuleNotFoundError("No module named 'numpy'", name="numpy")) is None


def test_a_command_module_that_cannot_be_imported_becomes_placeholders_naming_the_extra() -> None:
    from kinetrace.cli import CommandModule, KinetraceGroup, _register

    target = typer.Typer(cls=KinetraceGroup)

    @target.callback()
    def _root() -> None:
        """Test root."""

    _register(target, CommandModule("cv2.not_a_module", ("clip", "still")))  # fails like a missing cv2
    runner = CliRunner()
    result = runner.invoke(target, ["clip", "run.mp4", "--view", "side"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "kinetrace clip needs the 'video' extra (missing module cv2.not_a_module): pip install 'kinetrace[video]'"
    )
    assert "install the 'video' extra" in runner.invoke(target, ["still", "--help"]).stdout
    with pytest.raises(ModuleNotFoundError):  # a module of no extra is a real error, not a missing extra
        _register(target, CommandModule("kinetrace.cli.no_such_commands", ("x",)))

"""The checks' own rules: CI runs scripts/test, every dependency is pinned, the coverage floor only rises,
no module is excluded from the type checks."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tests.factories import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: Installed and upgraded by scripts/_env.sh itself, left out of ``pip freeze`` (as pip does).
PACKAGING_TOOLS = {"pip", "setuptools", "wheel"}
FLOOR = re.compile(r"^COVERAGE_FLOOR=(\d+(?:\.\d+)?)$", re.MULTILINE)


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return pins


def test_ci_runs_exactly_scripts_test() -> None:
    commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["exec bash scripts/test"]


def test_every_dependency_is_pinned_within_its_range() -> None:
    """A clean clone installs the versions the suite was run with (pyproject range + constraints pin)."""
    project = PYPROJECT["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    pins = _pins()
    for text in requirements:
        req = Requirement(text)
        if req.name == "kinetrace":
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in requirements/constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req.name}=={pins[name]} is outside {req}"


def test_every_installed_dependency_is_pinned() -> None:
    """The whole tree that ``pyproject.toml``'s dependencies and extras pull in (read from the installed
    metadata, markers evaluated) is pinned, so a clean clone resolves to the same versions."""
    pins = _pins()
    seen: set[tuple[str, str]] = set()
    project = PYPROJECT["project"]
    listed = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    todo = [(Requirement(text), "") for text in listed if not text.startswith("kinetrace")]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        for wanted in sorted(req.extras) or [""]:
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            if name not in PACKAGING_TOOLS:
                assert name in pins, f"{req.name} (needed via the dependency tree) is not pinned"
            try:
                requires = importlib.metadata.requires(req.name) or []
            except importlib.metadata.PackageNotFoundError:
                pytest.fail(f"{req.name} is required but not installed")
            todo.extend((Requirement(r), wanted) for r in requires)


def test_the_coverage_floor_never_went_down() -> None:
    """scripts/test's COVERAGE_FLOOR, read in every commit that changed it, never decreases."""
    (floor,) = FLOOR.findall((ROOT / "scripts" / "test").read_text())
    assert float(floor) >= 75
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git history here")
    log = subprocess.run(
        ["git", "log", "--reverse", "--format=", "-p", "--", "scripts/test"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    ).stdout
    added = [float(v) for v in re.findall(r"^\+COVERAGE_FLOOR=(\d+(?:\.\d+)?)$", log, re.MULTILINE)]
    assert added == sorted(added), f"the coverage floor went down in the history: {added}"


def test_no_module_is_excluded_from_the_type_checks() -> None:
    """The whole package and the tests are under mypy: no ``ignore_errors`` override is left."""
    for override in PYPROJECT["tool"]["mypy"]["overrides"]:
        assert not override.get("ignore_errors"), f"mypy ignores errors in {override['module']}"


def test_the_complexity_rules_are_on() -> None:
    lint = PYPROJECT["tool"]["ruff"]["lint"]
    assert {"C901", "PLR0915", "DJ", "DTZ"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] == 10 and lint["pylint"]["max-statements"] == 50
    assert PYPROJECT["tool"]["mypy"]["strict"] is True and "src/kinetrace" in PYPROJECT["tool"]["mypy"]["files"]

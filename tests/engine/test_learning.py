"""Learning from confirmed cases (issue 11): fit, shrinkage, round trip, CLI, published cases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import kinetrace
from kinetrace import Case, load_case
from kinetrace.cli import app
from kinetrace.learning import LearnError, Model, ModelError, learn, load_model
from kinetrace.simulate import get_scenario, simulate_patient

PUBLISHED = Path(__file__).resolve().parents[1] / "data" / "published"
runner = CliRunner()


@cache
def _cases(world: str, n: int) -> tuple[Case, ...]:
    out = []
    for i in range(n):
        p = simulate_patient(get_scenario(world), np.random.default_rng([41, i]))
        out.append(p.case.model_copy(update={"confirmed_driver": p.driver}))
    return tuple(out)


def test_learning_off_atlas_cases_weakens_the_atlas_and_beats_the_defaults_held_out() -> None:
    model = learn(list(_cases("off-atlas", 120)), fit_likelihood=False)
    assert model.cases == 120
    assert model.factors.linkage_power < 0.9  # the atlas links count for less where drivers ignore them
    assert model.cv_fitted is not None and model.cv_defaults is not None
    assert model.cv_fitted > model.cv_defaults
    assert any("linkage power" in line for line in model.report)


def test_shrinkage_keeps_a_model_from_few_cases_near_the_defaults() -> None:
    few = learn(list(_cases("off-atlas", 120))[:8], fit_likelihood=False)
    many = learn(list(_cases("off-atlas", 120)), fit_likelihood=False)
    assert abs(np.log(few.factors.linkage_power)) < abs(np.log(many.factors.linkage_power)) + 1e-9


def test_the_model_round_trips_and_changes_the_prior(tmp_path: Path) -> None:
    model = learn(list(_cases("off-atlas", 60)), fit_likelihood=False, version=3)
    back = load_model(model.save(tmp_path / "m.yaml"))
    assert back.version == 3 and back.cases == 60
    assert back.factors.linkage_power == pytest.approx(model.factors.linkage_power, rel=1e-3)
    case = _cases("typical", 5)[0]
    shipped = kinetrace.analyse(case).prior
    fitted = kinetrace.analyse(case, model=back).prior
    assert shipped != pytest.approx(fitted)
    assert kinetrace.analyse(case, model=Model()).prior == pytest.approx(shipped)


def test_nothing_to_learn_without_confirmed_outcomes() -> None:
    plain = [c.model_copy(update={"confirmed_driver": None}) for c in _cases("typical", 3)]
    with pytest.raises(LearnError, match="confirmed_driver"):
        learn(plain)


def test_a_bad_model_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: kinetrace/model@1\nprior: {linkage_power: -1}\n", encoding="utf-8")
    with pytest.raises(ModelError, match="prior.linkage_power"):
        load_model(bad)


def test_cli_learn_then_analyse_with_the_model(tmp_path: Path) -> None:
    out = tmp_path / "model.yaml"
    res = runner.invoke(app, ["learn", str(PUBLISHED), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Fitted on 16 confirmed cases" in res.stdout
    assert load_model(out).cases == 16
    res = runner.invoke(app, ["analyse", "examples/mrs_h.yaml", "--model", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert '"r_infraspinatus"' in res.stdout
    bad = tmp_path / "x.yaml"
    bad.write_text("format: nope\n", encoding="utf-8")
    res = runner.invoke(app, ["analyse", "examples/mrs_h.yaml", "--model", str(bad)])
    assert res.exit_code == 2 and "format" in res.output


def test_the_published_cases_are_valid_case_files_with_their_confirmed_drivers() -> None:
    files = sorted(PUBLISHED.glob("*.yaml"))
    assert len(files) == 21
    cases = [load_case(f) for f in files]
    named = [c for c in cases if c.confirmed_driver is not None]
    assert len(named) == 16
    assert all(c.confirmed_driver in {f.id for f in c.findings} for c in named)
    assert all("SYNTHETIC" in c.title for c in cases)  # marker values are synthetic, and say so

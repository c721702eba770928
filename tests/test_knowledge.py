"""Every knowledge file through the E-coded checks; the verification record is complete and current."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kinetrace.cli import app
from kinetrace.engine import atlas as atlas_module
from kinetrace.knowledge import catalogue, checks
from kinetrace.knowledge.docs import DOC_PATH, render_markdown

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _patched(monkeypatch: pytest.MonkeyPatch, name: str, edit: Any) -> None:
    """Serve an edited copy of one knowledge file to both loaders."""
    real = catalogue.load_yaml

    def fake(file: str) -> dict[str, Any]:
        data = copy.deepcopy(real(file))
        if file == name:
            edit(data)
        return data

    monkeypatch.setattr(checks, "load_yaml", fake)
    monkeypatch.setattr(atlas_module, "load_yaml", fake)


def test_shipped_knowledge_passes_and_every_figure_has_a_status() -> None:
    problems, verification = checks.check_knowledge()
    assert problems == []
    counts = verification.counts()
    assert counts["missing"] == 0 and sum(counts.values()) == len(verification.items)
    kinds = {i.kind for i in verification.items}
    assert {"mdc", "mcid", "link", "source", "table"} <= kinds
    wheres = " ".join(i.where for i in verification.items)
    for name in ("markers.yaml", "links.yaml", "proms.yaml", "video/reference_values.yaml", "video/rula_tables.yaml"):
        assert name in wheres


def test_docs_knowledge_md_is_generated_and_up_to_date() -> None:
    committed = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert committed == render_markdown(), "run `kinetrace check --write-docs` and commit docs/knowledge.md"


def test_a_figure_without_a_record_fails_with_e013(monkeypatch: pytest.MonkeyPatch) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["markers"][0].pop("mdc_record")

    _patched(monkeypatch, "markers.yaml", drop)
    problems, verification = checks.check_knowledge()
    assert [(p.id, p.where) for p in problems] == [("kinetrace.E013", "markers.yaml: nprs.mdc")]
    assert verification.counts()["missing"] == 1
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1 and "kinetrace.E013 markers.yaml: nprs.mdc" in result.output
    assert "missing 1" in result.output


def test_a_record_without_status_is_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["markers"][0]["mdc_record"].pop("status")

    _patched(monkeypatch, "markers.yaml", drop)
    problems, _ = checks.check_knowledge()
    assert [p.id for p in problems] == ["kinetrace.E001"] and "status" in problems[0].message


def test_a_link_above_its_sources_cap_fails_with_e014(monkeypatch: pytest.MonkeyPatch) -> None:
    def upgrade(data: dict[str, Any]) -> None:
        link = next(x for x in data["links"] if x["id"] == "sbl_calf_hamstrings")
        link["evidence"] = "B"  # Wilke 2020 is uncontrolled; Krause/Wilke 2016 cap at C/B

    _patched(monkeypatch, "links.yaml", upgrade)
    problems, _ = atlas_module.check_atlas()
    assert [(p.id, p.where, p.message) for p in problems] == [
        ("kinetrace.E014", "links.yaml: sbl_calf_hamstrings", "level B above its cap C/B")
    ]


def test_a_source_without_record_and_a_bad_prom_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["source_records"].pop("boyd2009")

    _patched(monkeypatch, "links.yaml", drop)
    problems, _ = atlas_module.check_atlas()
    assert ("kinetrace.E013", "links.yaml: sources.boyd2009") in [(p.id, p.where) for p in problems]

    def wrong_example(data: dict[str, Any]) -> None:
        data["instruments"][1]["worked_examples"][0]["total"] = 33

    _patched(monkeypatch, "proms.yaml", wrong_example)
    problems, _ = checks.check_knowledge()
    assert [(p.id, p.where) for p in problems] == [("kinetrace.E015", "proms.yaml: odi")]
    assert "scores 32, the published example says 33" in problems[0].message


def test_cli_check_prints_the_verification_counts(tmp_path: Path) -> None:
    out = tmp_path / "knowledge.md"
    result = runner.invoke(app, ["check", "--write-docs", "--docs-path", str(out)])
    assert result.exit_code == 0, result.output
    assert "verification:" in result.output and "missing 0" in result.output
    assert out.read_text(encoding="utf-8") == render_markdown()


def test_clinician_report_shows_each_mdcs_population_beside_its_source() -> None:
    from kinetrace.case.validate import load_case
    from kinetrace.reports.render import render_html

    html = render_html(load_case(ROOT / "examples" / "mrs_h.yaml"), kind="clinician")
    row = html[html.index("ppt_r_infraspinatus") :]
    row = row[: row.index("</tr>")]
    assert "Population, conditions: 24 patients with myofascial trigger points in the UPPER TRAPEZIUS" in row
    assert "by extrapolation" in row
    # a clinician-set MDC (the seed's shoulder abduction, 10 deg) gets no catalogue population
    abd = html[html.index("sh_abd_guard_right") :]
    assert "Population, conditions" not in abd[: abd.index("</tr>")]

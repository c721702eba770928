"""Reports: the seed case's PDF names the driver, the explanation and the plan; HTML/PDF API; fakes."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from tests.factories import SEED_CASE, minimal_case, with_trials
from typer.testing import CliRunner

from kinetrace import analyse, load_case
from kinetrace.cli import app
from kinetrace.presentation import driver_explanation, explanation_summary, path_text
from kinetrace.reports import FakePdfRenderer, render_html, render_report
from kinetrace.reports.context import body_chart
from kinetrace.reports.outcomes import marker_outcomes, outcome_points

runner = CliRunner()


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return render_report(load_case(SEED_CASE), kind="clinician", fmt="pdf")


def test_seed_pdf_names_driver_explanation_and_plan(seed_pdf: bytes) -> None:
    """Text extracted from the real WeasyPrint PDF names the driver, its explanation and the plan."""
    case = load_case(SEED_CASE)
    analysis = analyse(case)
    assert analysis.driver is not None and analysis.driver.candidate == "r_infraspinatus"
    text = _pdf_text(seed_pdf)
    assert seed_pdf.startswith(b"%PDF")
    assert "Driver found (primary contributing factor): Muscle tension/guarding in the right shoulder" in text
    assert "Supporting trials: t3." in text
    assert "Increase step rate by 5-10 %" in text and "support the scanning arm" in text
    explanations = [e for e in analysis.explanations if e.candidate == "r_infraspinatus"]
    assert explanations  # the seed driver has an explanation path
    summary = " ".join(explanation_summary(case, explanations[0]).split())
    assert summary[:60] in text


def test_seed_patient_summary_is_one_page_in_plain_words() -> None:
    data = render_report(load_case(SEED_CASE), kind="patient", fmt="pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _pdf_text(data)
    assert "muscle tension in your right shoulder blade" in text
    assert "each arm swings with the opposite leg" in text  # why the right shoulder, left buttock
    assert "At work" in text and "When running" in text and "What to expect next" in text


def test_html_report_embeds_charts_and_body_chart() -> None:
    html = render_report(load_case(SEED_CASE), fmt="html").decode()
    assert html.count("data:image/svg+xml;base64,") >= 3
    assert "Global change per trial" in html and "Outcomes across sessions" in html


def test_pdf_goes_through_the_renderer_protocol() -> None:
    fake = FakePdfRenderer()
    data = render_report(load_case(SEED_CASE), kind="patient", fmt="pdf", renderer=fake)
    assert data.startswith(b"%PDF-FAKE") and len(fake.calls) == 1 and "<html" in fake.calls[0]


@pytest.mark.parametrize("kind", ["clinician", "patient"])
def test_case_without_sessions_renders(kind: str) -> None:
    """A case with no trials yet (no driver, no charts) still renders both reports."""
    html = render_html(load_case(minimal_case()), kind=kind)  # type: ignore[arg-type]
    assert "No driver identified yet" in html or "not yet found" in html


def test_unknown_kind_and_format_are_refused() -> None:
    case = load_case(minimal_case())
    with pytest.raises(ValueError, match="allowed: clinician, patient"):
        render_report(case, kind="doctor", fmt="html")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allowed: html, pdf"):
        render_report(case, fmt="docx")  # type: ignore[arg-type]


def test_outcome_points_keep_only_measured_values() -> None:
    case = load_case(SEED_CASE)
    points = outcome_points(case)
    assert [p.label for p in points] == ["Baseline", "s1 end", "s2 start", "s2 end", "s3 start"]
    assert "ftf" not in points[3].values  # not re-tested in t4
    pain = next(o for o in marker_outcomes(case) if o.marker.id == "pain_run")
    assert (pain.first, pain.last, pain.improved, pain.target_reached) == (6, 0, True, True)


def test_outcome_within_mdc_is_not_an_improvement() -> None:
    case = load_case(with_trials(minimal_case(), {"id": "t1", "candidate": "f_shoulder", "post": {"slr": 66}}))
    slr = next(o for o in marker_outcomes(case) if o.marker.id == "slr")
    assert slr.change == 6 and not slr.improved and not slr.worsened  # MDC 7


# --- CLI ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_cli_report_writes_file(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"r.{suffix}"
    result = runner.invoke(app, ["report", str(SEED_CASE), "-o", str(out), "--kind", "patient"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000 and not list(tmp_path.glob("*.part"))


def _bad_case(tmp_path: Path) -> Path:
    data = minimal_case()
    data["markers"][0]["baseline"] = 11
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{bad}", "-o", "{out}/r.pdf"],
        ["report", "{bad}", "-o", "{out}/r.html"],
        ["export", "{bad}", "--fhir", "{out}/b.json"],
        ["export", "{bad}", "--csv", "{out}/m.csv"],
        ["export", "{bad}", "--fhir", "{out}/b.json", "--csv", "{out}/m.csv"],
        ["report", "{good}", "-o", "{out}/r.docx"],
        ["report", "{good}", "-o", "{out}/r.pdf", "--kind", "doctor"],
        ["export", "{good}"],
    ],
)
def test_bad_input_writes_nothing_and_exits_2(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    values = {"bad": str(_bad_case(tmp_path)), "good": str(SEED_CASE), "out": str(out)}
    result = runner.invoke(app, [a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    assert list(out.iterdir()) == []


def test_cli_export_writes_both(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", str(SEED_CASE), "--fhir", str(tmp_path / "b.json"), "--csv", str(tmp_path / "m.csv")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.json").stat().st_size > 10000
    assert len((tmp_path / "m.csv").read_text().splitlines()) == 81


def test_engine_explanation_is_rendered_with_its_path() -> None:
    """The engine's own explanations of the seed driver appear in both reports, and the one drawn
    on the body chart is the path the patient page words in plain places."""
    case = load_case(SEED_CASE)
    analysis = analyse(case)
    shown = driver_explanation(analysis)
    assert shown is not None and len(shown.path) >= 2
    clinician = " ".join(render_html(case, kind="clinician", analysis=analysis).split())
    patient = " ".join(render_html(case, kind="patient", analysis=analysis).split())
    for e in analysis.explanations:
        assert html.escape(explanation_summary(case, e), quote=False) in clinician
        assert all(html.escape(s.citation, quote=False) in clinician for s in e.steps)
    assert "No explanation path" not in clinician
    # the patient reads the path in plain places, not the engine's technical summary
    assert html.escape(path_text(shown.path), quote=False) in patient
    assert "Consistent with" not in patient and "evidence level" not in patient
    chart = body_chart(case, "r_infraspinatus", shown, "t")
    assert chart.count('class="region mark-') >= len(shown.path)  # every place of the path is marked

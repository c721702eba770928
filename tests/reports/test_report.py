"""Reports: the seed case's PDF names the driver, the explanation and the plan; HTML/PDF API; fakes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from tests.factories import SEED_CASE, minimal_case, with_trials
from typer.testing import CliRunner

from kinetrace import analyse, load_case
from kinetrace.cli import app
from kinetrace.reports import FakePdfRenderer, render_html, render_report
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
    assert analysis.pcf is not None and analysis.pcf.candidate == "r_infraspinatus"
    text = _pdf_text(seed_pdf)
    assert seed_pdf.startswith(b"%PDF")
    assert "Driver (primary contributing factor): Muscle tension/guarding in the right shoulder" in text
    assert "Supporting trials: t3, t4" in text
    assert "Increase step rate by 5-10 %" in text and "support the scanning arm" in text
    explanations = [e for e in analysis.explanations if e.get("candidate") == "r_infraspinatus"]
    if explanations:  # the driver engine's explanation path is printed when it gives one
        summary = " ".join(str(explanations[0]["summary"]).split())
        assert summary[:60] in text
    else:
        assert "No explanation path was returned by the analysis" in text


def test_seed_patient_summary_is_one_page_in_plain_words() -> None:
    data = render_report(load_case(SEED_CASE), kind="patient", fmt="pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _pdf_text(data)
    assert "muscle tension in your right shoulder blade" in text
    assert "each arm swings together with the opposite leg" in text  # why the right shoulder, left buttock
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
    """An explanation in the engine's format appears in both reports and draws its path on the body chart."""
    import dataclasses

    case = load_case(SEED_CASE)
    explanation = {
        "candidate": "r_infraspinatus",
        "complaint_area": {"region": "buttock", "side": "left", "kind": "pain"},
        "mechanism": "posterior oblique sling",
        "evidence_level": "C/D",
        "strength": 0.4,
        "summary": "Consistent with load transfer across the posterior oblique sling.",
        "steps": [
            {
                "from": {"region": "scapula", "side": "right"},
                "to": {"region": "lumbar", "side": "central"},
                "link": "latissimus dorsi to thoracolumbar fascia",
                "link_type": "myofascial",
                "evidence_level": "C",
                "source": "Vleeming et al. Spine 1995;20(7):753",
                "sentence": "The right latissimus dorsi inserts into the thoracolumbar fascia.",
            },
            {
                "from": {"region": "lumbar", "side": "central"},
                "to": {"region": "buttock", "side": "left"},
                "link": "thoracolumbar fascia to left gluteus maximus",
                "link_type": "myofascial",
                "evidence_level": "C",
                "source": "Caldeira et al. J Biomech 2024;112431",
                "sentence": "The fascia couples with the opposite gluteus maximus.",
            },
        ],
    }
    analysis = dataclasses.replace(analyse(case), explanations=(explanation,))
    clinician = render_html(case, kind="clinician", analysis=analysis)
    patient = render_html(case, kind="patient", analysis=analysis)
    assert "Consistent with load transfer across the posterior oblique sling." in clinician
    assert "Vleeming et al. Spine 1995" in clinician and "No explanation path" not in clinician
    # the patient reads the path in plain places, not the engine's technical summary
    assert "runs from your right shoulder blade \u2192 lumbar spine \u2192 left buttock (gluteal region)" in patient
    assert "Consistent with load transfer" not in patient and "evidence level" not in patient

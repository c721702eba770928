"""The patient page: plain words at a reading grade of about 6, hypotheses worded as such, a legible chart."""

from __future__ import annotations

import html
import io
import re

import textstat  # type: ignore[import-untyped]
from pypdf import PdfReader
from tests.factories import ROOT, SEED_CASE

from kinetrace import load_case
from kinetrace.reports import render_html, render_report

#: "About grade 6": the Flesch-Kincaid grade of the whole page (clinician-entered plan text included).
MAX_GRADE = 7.0
#: The smallest text on the printed body chart, in points (6 pt is the usual floor for print labels).
MIN_CHART_PT = 6.0


def _visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_seed_patient_page_reads_at_about_grade_six() -> None:
    text = _visible_text(render_html(load_case(SEED_CASE), kind="patient"))
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"Flesch-Kincaid grade {grade:.1f}"


def test_patient_page_says_may_be_linked_never_cause() -> None:
    text = _visible_text(render_html(load_case(SEED_CASE), kind="patient")).lower()
    assert "may be linked" in text
    assert not re.search(r"\bcause[sd]?\b|caused by", text)


def test_body_chart_is_legible_on_a4_and_the_page_stays_one_page() -> None:
    css = (ROOT / "src/kinetrace/reports/templates/report.css").read_text(encoding="utf-8")
    width_mm = float(re.search(r"body\.patient \.bodychart img \{ width: ([\d.]+)mm", css).group(1))  # type: ignore[union-attr]
    from kinetrace.bodychart import render_body_chart

    svg = render_body_chart(title="t")
    view_w = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    smallest_px = min(float(x) for x in re.findall(r"font-size:([\d.]+)px", svg))
    smallest_pt = smallest_px * width_mm / view_w / 25.4 * 72
    assert smallest_pt >= MIN_CHART_PT, f"{smallest_pt:.1f} pt"
    pdf = render_report(load_case(SEED_CASE), kind="patient", fmt="pdf")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

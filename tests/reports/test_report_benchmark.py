"""Time to build the seed case's clinician PDF with real WeasyPrint (3 rounds): `pytest tests/reports/test_report_benchmark.py`."""

from __future__ import annotations

import pytest
from tests.factories import SEED_CASE

from kinetrace import load_case
from kinetrace.reports import render_report


@pytest.mark.slow
def test_seed_clinician_pdf_build_time(benchmark) -> None:
    case = load_case(SEED_CASE)
    data = benchmark.pedantic(lambda: render_report(case, kind="clinician", fmt="pdf"), rounds=3, iterations=1)
    assert data.startswith(b"%PDF")

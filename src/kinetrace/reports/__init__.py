"""Case reports: the clinician report and the one-page patient summary (HTML or A4 PDF).

Calls the core; the core never imports this package.
"""

from __future__ import annotations

from kinetrace.reports.pdf import FakePdfRenderer, PdfRenderer, WeasyPrintRenderer
from kinetrace.reports.render import render_html, render_report

__all__ = ["FakePdfRenderer", "PdfRenderer", "WeasyPrintRenderer", "render_html", "render_report"]

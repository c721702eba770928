"""``render_report``: the clinician report and the one-page patient summary, as HTML or PDF."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2

import kinetrace
from kinetrace.analysis import Analysis, analyse
from kinetrace.case.model import Case
from kinetrace.presentation import probability_label
from kinetrace.reports.context import build_context
from kinetrace.reports.pdf import PdfRenderer, WeasyPrintRenderer

Kind = Literal["clinician", "patient"]
Fmt = Literal["html", "pdf"]
KINDS: tuple[Kind, ...] = ("clinician", "patient")
FORMATS: tuple[Fmt, ...] = ("html", "pdf")


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kinetrace.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["probability_label"] = probability_label
    return env


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii") if svg else ""


def render_html(
    case: Case,
    *,
    kind: Kind = "clinician",
    analysis: Analysis | None = None,
    notes: Sequence[Mapping[str, Any]] = (),
    texts: Mapping[str, str] | None = None,
) -> str:
    """The report as one self-contained HTML document (CSS inline, charts as SVG data URIs).

    ``notes``: the sessions' signed SOAP notes (``session``, ``date``, ``version``, ``signed``,
    ``subjective``...``plan``; clinician report). ``texts``: the patient summary's free-text parts
    as the clinician edited them (``found``, ``expect``, ``note``; empty keeps the generated text)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; allowed: {', '.join(KINDS)}")
    ctx = build_context(case, analysis or analyse(case))
    css = resources.files("kinetrace.reports").joinpath("templates/report.css").read_text(encoding="utf-8")
    return (
        _env()
        .get_template(f"{kind}.html")
        .render(
            **ctx,
            css=css,
            version=kinetrace.__version__,
            body_chart_uri=_svg_uri(ctx["body_chart"]),
            global_chart_uri=_svg_uri(ctx["global_chart"]),
            outcome_chart_uri=_svg_uri(ctx["outcome_chart"]),
            session_notes=list(notes),
            texts=dict(texts or {}),
        )
    )


def render_report(
    case: Case,
    *,
    kind: Kind = "clinician",
    fmt: Fmt = "pdf",
    renderer: PdfRenderer | None = None,
    analysis: Analysis | None = None,
    notes: Sequence[Mapping[str, Any]] = (),
    texts: Mapping[str, str] | None = None,
) -> bytes:
    """Render a report of ``case``: ``kind`` clinician (full) or patient (one page), ``fmt`` html or pdf.

    PDF goes through ``renderer`` (default :class:`~kinetrace.reports.pdf.WeasyPrintRenderer`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
    html = render_html(case, kind=kind, analysis=analysis, notes=notes, texts=texts)
    if fmt == "html":
        return html.encode("utf-8")
    return (renderer or WeasyPrintRenderer())(html)

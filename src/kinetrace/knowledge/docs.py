"""Render ``docs/knowledge.md`` (the verification record) from the knowledge files.

``kinetrace check --write-docs`` writes it; a test checks that the committed file is up to date,
so the page is never edited by hand. Plain Python (core).
"""

from __future__ import annotations

from typing import Any

from kinetrace.engine.atlas import CHECKS, Atlas, atlas
from kinetrace.knowledge.catalogue import FigureRecord, load_yaml, marker_catalogue
from kinetrace.knowledge.checks import Verification, check_knowledge

DOC_PATH = "docs/knowledge.md"


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(*cells: Any) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _counts(verification: Verification) -> list[str]:
    lines = ["## Verification counts", "", _row("status", "items"), "|---|---|"]
    lines += [_row(k, v) for k, v in verification.counts().items()]
    kinds: dict[str, int] = {}
    for item in verification.items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    lines += ["", "Items by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ".", ""]
    lines.append(
        "`full_text` / `abstract`: checked against that text (locator quotes it); `secondary`: taken from the "
        "shared research note or a third-party page and not re-checked; `unverified`: no published figure "
        "(e.g. a provisional video MDC measured on the synthetic clip) or no source found."
    )
    return [*lines, ""]


def _grade_rule(at: Atlas) -> list[str]:
    doc = load_yaml("links.yaml")
    lines = ["## Link grade rule (evidence scale)", ""]
    lines += [f"{n}. {_cell(c)}" for n, c in enumerate(doc.get("grade_rule") or [], 1)]
    lines += ["", _row("level", "meaning", "what earns it", "default weight"), "|---|---|---|---|"]
    lines += [_row(k, v.meaning, v.rule, f"{v.weight:g}") for k, v in at.levels.items()]
    lines += ["", "Cap of each source design (clause 1): " + ", ".join(f"{k} {v}" for k, v in at.designs.items()), ""]
    return lines


def _links(at: Atlas) -> list[str]:
    lines = [
        "## Links: grade re-checked against the rule",
        "",
        "`cap` is the highest level the cited designs allow; every link is at or below it (kinetrace.E014).",
        "",
        _row("link", "regions", "laterality", "level", "cap", "before audit", "status", "sources", "basis"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for link in (*at.links, at.fallback):
        lines.append(
            _row(
                link.id,
                f"{link.a} - {link.b}",
                link.laterality,
                link.evidence,
                at.cap(link),
                link.regraded_from or "same",
                at.status(link),
                ", ".join(link.sources),
                link.grade_basis or link.note or at.levels[link.evidence].rule,
            )
        )
    changed = [link for link in at.links if link.regraded_from]
    lines += ["", "Regraded by the issue-15 audit:", ""]
    lines += [f"- `{x.id}`: {x.regraded_from} -> {x.evidence}" for x in changed]
    return [*lines, ""]


def _sources(at: Atlas) -> list[str]:
    lines = [
        "## Link sources",
        "",
        _row("key", "citation", "design", "status", "population", "locator", "checked"),
        "|---|---|---|---|---|---|---|",
    ]
    for key, text in at.sources.items():
        r = at.source_records[key]
        lines.append(_row(key, text, r.design, r.status, r.population, r.locator, r.checked))
    return [*lines, ""]


def _figure_row(owner: str, kind: str, value: float, label: str, source: str | None, rec: FigureRecord | None) -> str:
    if rec is None:
        return _row(owner, kind, f"{value:g}", label, source or "", "MISSING", "", "", "", "", "")
    return _row(
        owner,
        kind,
        f"{value:g}",
        label,
        source or "",
        rec.locator,
        rec.population,
        f"{rec.rater}, {rec.interval}, {rec.symptomatic}",
        rec.status,
        rec.grade,
        rec.checked,
    )


_FIGURE_HEAD = [
    _row(
        *("item", "figure", "value", "label", "source", "locator"),
        *("population", "conditions", "status", "grade", "checked"),
    ),
    "|---|---|---|---|---|---|---|---|---|---|---|",
]


def _markers() -> list[str]:
    lines = ["## Marker figures (MDC / MCID)", "", *_FIGURE_HEAD]
    for m in marker_catalogue().values():
        if m.mdc is not None:
            lines.append(_figure_row(m.id, "MDC", m.mdc, m.mdc_label or "", m.mdc_source, m.mdc_record))
        if m.mcid is not None:
            lines.append(_figure_row(m.id, "MCID", m.mcid, "", m.mcid_source, m.mcid_record))
    missing = [f"`{m.id}` ({_cell(m.mdc_note)})" for m in marker_catalogue().values() if m.mdc is None]
    lines += ["", "No published MDC (the case must give one): " + "; ".join(missing) + "."]
    return [*lines, ""]


def _proms() -> list[str]:
    from kinetrace.proms import instruments

    lines = [
        "## Patient-reported outcome measures",
        "",
        _row("PROM", "region", "range", "better", "scoring", "items shipped", "licence holder", "licence terms"),
        "|---|---|---|---|---|---|---|---|",
    ]
    found = instruments()
    for p in found.values():
        scoring = f"{p.scoring.method}, {p.items.count} items {p.items.min}-{p.items.max}"
        scoring += f", at least {p.scoring.min_answered} answered"
        shipped = "yes" if p.licence.items_shipped else "no (enter responses by number or the total)"
        lines.append(
            _row(
                p.name,
                p.region,
                f"{p.range[0]:g}-{p.range[1]:g} {p.unit}",
                p.better,
                scoring,
                shipped,
                p.licence.holder,
                p.licence.terms,
            )
        )
    lines += ["", *_FIGURE_HEAD]
    for p in found.values():
        if p.mdc is not None:
            lines.append(_figure_row(p.id, "MDC", p.mdc, p.mdc_label, p.mdc_source, p.mdc_record))
        if p.mcid is not None:
            lines.append(_figure_row(p.id, "MCID", p.mcid, "", p.mcid_source, p.mcid_record))
    lines += ["", "Worked examples scored by the tests:", ""]
    for p in found.values():
        lines += [f"- {p.id}: {list(ex.items)} -> {ex.total:g} ({_cell(ex.source)})" for ex in p.worked_examples]
    return [*lines, ""]


def _video(verification: Verification) -> list[str]:
    lines = ["## Video reference values and RULA tables", "", _row("item", "status"), "|---|---|"]
    lines += [_row(i.where, i.status) for i in verification.items if i.where.startswith("video/")]
    return [*lines, ""]


def render_markdown() -> str:
    """The verification record as Markdown (the content of ``docs/knowledge.md``)."""
    problems, verification = check_knowledge()
    at = atlas()
    lines = [
        "# Knowledge base: verification record",
        "",
        "Generated from `src/kinetrace/knowledge/*.yaml` and `src/kinetrace/video/*.yaml` by",
        "`kinetrace check --write-docs`; do not edit by hand (a test fails when it is out of date).",
        "Every figure and link carries its source, the exact locator, the population and conditions",
        "and its verification status. Explanations built on these links are hypotheses",
        '("consistent with"), never causes.',
        "",
    ]
    if problems:
        lines += ["**The knowledge files have problems:**", "", *[f"- {p}" for p in problems], ""]
    lines += _counts(verification) + _grade_rule(at) + _links(at) + _sources(at)
    lines += _markers() + _proms() + _video(verification)
    lines += ["## Check ids", "", _row("id", "problem"), "|---|---|", *[_row(k, v) for k, v in CHECKS.items()], ""]
    return "\n".join(lines).rstrip() + "\n"

"""Every knowledge file through one E-coded loader, and the verification counts.

:func:`check_knowledge` checks the regions, the marker catalogue, the atlas (structures, links,
prior factors; :func:`kinetrace.engine.atlas.check_atlas`), the PROM definitions and the video
reference values / RULA tables, and returns every problem with its stable id
(``kinetrace.E0xx``, listed in :data:`kinetrace.engine.atlas.CHECKS`) plus a
:class:`Verification` summary: every figure, source and reference with its verification status.
The CLI (``kinetrace check``) and the Django system checks (``web/checks.py``) call it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kinetrace.engine.atlas import CheckMessage, check_atlas
from kinetrace.knowledge.catalogue import CatalogueMarker, KnowledgeError, Region, load_yaml

STATUSES: tuple[str, ...] = ("full_text", "abstract", "secondary", "unverified")
_VIDEO_DIR = Path(__file__).resolve().parent.parent / "video"


@dataclass(frozen=True)
class VerifiedItem:
    """One figure, source or reference value and its verification status (None = missing)."""

    kind: str
    where: str
    status: str | None


@dataclass(frozen=True)
class Verification:
    """Everything that carries (or should carry) a verification status."""

    items: tuple[VerifiedItem, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """Items per status, in the order of :data:`STATUSES` (plus ``missing``)."""
        found = Counter(i.status or "missing" for i in self.items)
        return {s: found.get(s, 0) for s in (*STATUSES, "missing")}

    def summary(self) -> str:
        """One line: ``verification: 80 items - full_text 0, abstract 12, ...``."""
        parts = ", ".join(f"{k} {v}" for k, v in self.counts().items())
        return f"verification: {len(self.items)} figures, sources and references - {parts}"


def _doc(name: str, problems: list[CheckMessage], loader: Any = None) -> dict[str, Any]:
    try:
        data: dict[str, Any] = (loader or load_yaml)(name)
    except (KnowledgeError, yaml.YAMLError, OSError) as exc:
        problems.append(CheckMessage("kinetrace.E001", name, str(exc)))
        return {}
    return data


def _entries(name: str, key: str, doc: dict[str, Any], model: Any, problems: list[CheckMessage]) -> list[Any]:
    items = doc.get(key)
    if not isinstance(items, list):
        if doc:
            problems.append(CheckMessage("kinetrace.E001", name, f"expected a list under {key!r}"))
        return []
    out, seen = [], set()
    for i, item in enumerate(items):
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            problems.append(CheckMessage("kinetrace.E001", f"{name}: {key}[{i}]", str(exc).replace("\n", " ")))
            continue
        if entry.id in seen:
            problems.append(CheckMessage("kinetrace.E002", f"{name}: {key}[{i}]", f"duplicate id {entry.id!r}"))
        seen.add(entry.id)
        out.append(entry)
    return out


def _figure_items(name: str, entries: list[Any], problems: list[CheckMessage]) -> list[VerifiedItem]:
    out = []
    for e in entries:
        for kind, _value, record in e.figures():
            where = f"{name}: {e.id}.{kind}"
            if record is None:
                problems.append(CheckMessage("kinetrace.E013", where, f"a published {kind} needs a {kind}_record"))
            out.append(VerifiedItem(kind, where, None if record is None else record.status))
    return out


def _check_markers(problems: list[CheckMessage]) -> list[VerifiedItem]:
    _entries("regions.yaml", "regions", _doc("regions.yaml", problems), Region, problems)
    markers = _entries("markers.yaml", "markers", _doc("markers.yaml", problems), CatalogueMarker, problems)
    return _figure_items("markers.yaml", markers, problems)


def _check_proms(problems: list[CheckMessage]) -> list[VerifiedItem]:
    from kinetrace.proms import parse_instruments

    doc = _doc("proms.yaml", problems)
    if not doc:
        return []
    found, issues = parse_instruments(doc)
    problems += [CheckMessage("kinetrace.E015", where, msg) for where, msg in issues]
    return _figure_items("proms.yaml", list(found.values()), problems)


def _video_yaml(name: str) -> dict[str, Any]:
    data = yaml.safe_load((_VIDEO_DIR / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise KnowledgeError(f"{name}: expected a mapping at the top level")
    return data


def _check_video(problems: list[CheckMessage]) -> list[VerifiedItem]:
    """Video reference values and MDCs need a source; published ones count as secondary here."""
    out: list[VerifiedItem] = []
    refs = _doc("reference_values.yaml", problems, _video_yaml)
    for metric, entry in (refs.get("metrics") or {}).items():
        where = f"video/reference_values.yaml: {metric}"
        entry = entry or {}
        if not (entry.get("reference") or {}).get("source"):
            problems.append(CheckMessage("kinetrace.E016", f"{where}.reference", "needs a source"))
        if "mdc" not in entry:
            continue  # no MDC given for this metric: nothing to verify
        mdc = entry.get("mdc") or {}
        if not mdc.get("source") or mdc.get("kind") not in ("published", "provisional"):
            problems.append(
                CheckMessage("kinetrace.E016", f"{where}.mdc", "needs a source and kind published/provisional")
            )
        # published: from the named study (helper E's notes, not re-checked here) -> secondary;
        # provisional: measured on the synthetic clip, no published figure -> unverified
        out.append(VerifiedItem("mdc", where, "secondary" if mdc.get("kind") == "published" else "unverified"))
    rula = _doc("rula_tables.yaml", problems, _video_yaml)
    if rula:
        if not rula.get("source"):
            problems.append(CheckMessage("kinetrace.E016", "video/rula_tables.yaml", "needs a source"))
        # the file says so: cross-checked against public transcriptions, not the 1993 paper
        out.append(VerifiedItem("table", "video/rula_tables.yaml: tables A-C", "secondary"))
    return out


def check_knowledge() -> tuple[list[CheckMessage], Verification]:
    """Load and check every knowledge file; return every problem and the verification summary."""
    problems, atlas = check_atlas()
    problems = list(problems)
    items = _check_markers(problems)
    if atlas is not None:
        items += [VerifiedItem("source", f"links.yaml: {k}", r.status) for k, r in atlas.source_records.items()]
        items += [VerifiedItem("link", f"links.yaml: {link.id}", atlas.status(link)) for link in atlas.links]
    items += _check_proms(problems)
    items += _check_video(problems)
    return problems, Verification(tuple(items))

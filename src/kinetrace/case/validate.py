"""Load and validate a ``kinetrace/case@1`` file; every problem is reported with its path.

:func:`load_case` is the only way to get a :class:`~kinetrace.case.model.Case`: it checks the
structure with pydantic, then the rules that need the knowledge base or cross fields, and
resolves catalogue markers. It either returns a whole valid case or raises
:class:`~kinetrace.errors.CaseError` listing *every* problem (``markers[3].baseline: 11 is
outside 0-10 for NPRS``).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kinetrace.case.bounded import DEFAULT_LIMITS, check_tree, excerpt, parse_case_bytes
from kinetrace.case.model import CASE_FORMAT, CONTROL, Case, Marker, Session
from kinetrace.errors import CaseError
from kinetrace.knowledge import marker_catalogue, regions

#: Candidate ids with a fixed meaning; a finding may not use them.
RESERVED_IDS = frozenset({CONTROL, "none"})


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load a case from a YAML/JSON file path or an already-parsed mapping.

    Parameters
    ----------
    source
        Path to a ``.yaml``/``.yml``/``.json`` file, or a mapping in the ``kinetrace/case@1``
        format.

    Raises
    ------
    CaseError
        With every problem found, each as ``path: message``.
    """
    if isinstance(source, str | Path):
        data = _read(source)
    else:
        check_tree(source)
        data = dict(source)
    problems = _check_format(data)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems += [p for p in _pydantic_problems(exc) if not p.startswith("format:")]
        raise CaseError(problems) from None
    if problems:
        raise CaseError(problems)
    problems = list(_cross_checks(case))
    if problems:
        raise CaseError(problems)
    return case.model_copy(update={"markers": tuple(_resolve(m) for m in case.markers)})


def _read(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > DEFAULT_LIMITS.max_bytes:
            raise CaseError([f"{path}: larger than {DEFAULT_LIMITS.max_bytes // 1024} KiB (the limit for a case file)"])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CaseError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise CaseError([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        return parse_case_bytes(raw)
    except CaseError as exc:
        raise CaseError(
            [p.replace("file:", f"{path}:", 1) if p.startswith("file:") else p for p in exc.problems]
        ) from None


def _check_format(data: Mapping[str, Any]) -> list[str]:
    tag = data.get("format")
    if tag is None:
        return [f"format: missing; expected {CASE_FORMAT!r}"]
    if tag != CASE_FORMAT:
        return [f"format: {excerpt(tag)} is not supported; expected {CASE_FORMAT!r}"]
    return []


def format_path(loc: Iterable[str | int]) -> str:
    """``('markers', 3, 'baseline')`` -> ``markers[3].baseline``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(case)"


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] not in {"missing", "extra_forbidden"} and "input" in err:
            given = err["input"]
            if isinstance(given, str):
                msg += f" (got {excerpt(given)})"
            elif isinstance(given, int | float | bool) or given is None:
                msg += f" (got {given!r:.40})"
        problems.append(f"{format_path(loc)}: {msg}")
    return problems


def _cross_checks(case: Case) -> Iterable[str]:
    known_regions = regions()

    def region_problem(path: str, region: str, side: str) -> str | None:
        if region not in known_regions:
            close = difflib.get_close_matches(region, known_regions, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"{path}.region: {region!r} is not a known region{hint}; allowed: {', '.join(known_regions)}"
        if known_regions[region].paired and side == "central":
            return f"{path}.side: 'central' is not allowed for {region!r}; allowed: left, right, bilateral"
        return None

    yield from _place_problems(case, region_problem)
    resolved: dict[str, Marker] = {}
    yield from _marker_section_problems(case, region_problem, resolved)
    yield from _confirmed_driver_problems(case)
    yield from _session_problems(case, resolved)


RegionCheck = Callable[[str, str, str], str | None]


def _place_problems(case: Case, region_problem: RegionCheck) -> Iterable[str]:
    """Complaint areas and findings on known places; unique ids; no reserved finding id."""
    for i, area in enumerate(case.complaint.areas):
        if p := region_problem(f"complaint.areas[{i}]", area.region, area.side):
            yield p
    yield from _duplicates("findings", [f.id for f in case.findings])
    yield from _duplicates("markers", [m.id for m in case.markers])
    yield from _duplicates("sessions", [s.id for s in case.sessions])
    yield from _duplicates("trials", [t.id for _, t in case.trials])
    for i, f in enumerate(case.findings):
        if f.id in RESERVED_IDS:
            yield f"findings[{i}].id: {f.id!r} is reserved; choose another id"
        if p := region_problem(f"findings[{i}]", f.region, f.side):
            yield p


def _marker_section_problems(case: Case, region_problem: RegionCheck, resolved: dict[str, Marker]) -> Iterable[str]:
    """Each marker's place, catalogue entry and values; fills ``resolved`` with the valid markers."""
    catalogue = marker_catalogue()
    for i, m in enumerate(case.markers):
        path = f"markers[{i}]"
        if p := region_problem(path, m.region, m.side):
            yield p
        problems = list(_marker_problems(path, m, catalogue))
        yield from problems
        if not problems:
            resolved[m.id] = _resolve(m)
            yield from _value_problems(f"{path}.baseline", m.baseline, resolved[m.id])
            if m.target is not None:
                yield from _value_problems(f"{path}.target", m.target, resolved[m.id])


def _confirmed_driver_problems(case: Case) -> Iterable[str]:
    finding_ids = {f.id for f in case.findings}
    if case.confirmed_driver is not None and case.confirmed_driver not in finding_ids | {"none"}:
        yield (
            f"confirmed_driver: {case.confirmed_driver!r} is not a finding id; allowed: "
            f"{', '.join(sorted(finding_ids)) or '(no findings yet)'} or 'none'"
        )


def _session_problems(case: Case, resolved: Mapping[str, Marker]) -> Iterable[str]:
    """Sessions in date order; measurements, trial candidates and values, PROMs."""
    finding_ids = {f.id for f in case.findings}
    marker_ids = {m.id for m in case.markers}
    previous_date = None
    for si, s in enumerate(case.sessions):
        path = f"sessions[{si}]"
        if previous_date is not None and s.date < previous_date:
            yield (
                f"{path}.date: {s.date} is before the previous session ({previous_date}); "
                "sessions must be in date order"
            )
        previous_date = s.date
        yield from _values(f"{path}.measurements", s.measurements, marker_ids, resolved)
        for ti, t in enumerate(s.trials):
            tpath = f"{path}.trials[{ti}]"
            if t.candidate != CONTROL and t.candidate not in finding_ids:
                yield (
                    f"{tpath}.candidate: {t.candidate!r} is not a finding id; allowed: "
                    f"{', '.join(sorted(finding_ids)) or '(no findings yet)'} or {CONTROL!r}"
                )
            if t.pre is not None:
                yield from _values(f"{tpath}.pre", t.pre, marker_ids, resolved)
            yield from _values(f"{tpath}.post", t.post, marker_ids, resolved)
        yield from _prom_problems(path, s)


def _prom_problems(path: str, s: Session) -> Iterable[str]:
    from kinetrace.proms import PromError, score

    for pi, r in enumerate(s.proms):
        try:
            score(r.instrument, r.items, r.total)
        except PromError as exc:
            yield f"{path}.proms[{pi}].{exc}"


def _duplicates(what: str, ids: list[str]) -> Iterable[str]:
    for ident, n in Counter(ids).items():
        if n > 1:
            yield f"{what}: id {ident!r} is used {n} times; ids must be unique"


def _marker_problems(path: str, m: Marker, catalogue: Mapping[str, Any]) -> Iterable[str]:
    if m.test is not None:
        entry = catalogue.get(m.test)
        if entry is None:
            yield f"{path}.test: {m.test!r} is not in the marker catalogue; allowed: {', '.join(catalogue)}"
            return
        if m.better is not None and m.better != entry.better:
            yield f"{path}.better: {m.better!r} contradicts the catalogue ({entry.name}: {entry.better} is better)"
        if m.mdc is None and entry.mdc is None:
            yield f"{path}.mdc: required for {m.test!r}: the catalogue has no published MDC ({entry.mdc_note})"
        if m.mdc is not None and entry.mdc is not None and not m.mdc_source:
            yield f"{path}.mdc_source: required when overriding the catalogue MDC ({entry.mdc} {entry.unit})"
        return
    missing = [k for k in ("name", "unit", "better", "mdc") if getattr(m, k) is None]
    if missing:
        yield f"{path}: a custom marker (no catalogue `test`) needs {', '.join(missing)}"


def _resolve(m: Marker) -> Marker:
    if m.test is None:
        return m.model_copy(update={"mdc_source": m.mdc_source or "clinician-set (custom marker; no source given)"})
    entry = marker_catalogue()[m.test]
    return m.model_copy(
        update={
            "name": m.name or entry.name,
            "unit": m.unit or entry.unit,
            "ucum": m.ucum or entry.ucum,
            "better": entry.better,
            "mdc": m.mdc if m.mdc is not None else entry.mdc,
            "mdc_source": m.mdc_source if m.mdc is not None else entry.mdc_source,
        }
    )


def _value_problems(path: str, value: float, m: Marker) -> Iterable[str]:
    if m.test is None:
        return
    low, high = marker_catalogue()[m.test].range
    if not low <= value <= high:
        yield f"{path}: {value:g} is outside {low:g}-{high:g} for {m.name}"


def _values(
    path: str, values: Mapping[str, float], marker_ids: set[str], resolved: Mapping[str, Marker]
) -> Iterable[str]:
    for key, value in values.items():
        if key not in marker_ids:
            allowed = ", ".join(sorted(marker_ids)) or "(no markers)"
            yield f"{path}.{key}: {key!r} is not a marker id; allowed: {allowed}"
        elif key in resolved:
            yield from _value_problems(f"{path}.{key}", value, resolved[key])

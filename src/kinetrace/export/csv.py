"""Tidy long CSV: one row per measurement of a case (data dictionary: docs/csv-dictionary.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from kinetrace.case.model import Case
from kinetrace.export.atomic import write_bytes_atomic
from kinetrace.export.measurements import iter_measurements
from kinetrace.scoring import score_trials

#: Column order of the CSV; docs/csv-dictionary.md describes each column.
COLUMNS: tuple[str, ...] = (
    "patient_id",
    "measurement_id",
    "seq",
    "date",
    "session",
    "phase",
    "trial",
    "candidate",
    "control",
    "intervention",
    "marker",
    "test",
    "marker_name",
    "region",
    "side",
    "value",
    "unit",
    "ucum",
    "better",
    "mdc",
    "primary",
    "change",
    "net_change",
    "change_in_mdc",
    "real_change",
    "improved",
    "worsened",
)


def _fmt(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def to_csv_rows(case: Case) -> list[dict[str, Any]]:
    """One dict per measurement (keys = :data:`COLUMNS`), in the order the values were taken.

    ``trial_post`` rows also carry the trial's scored change of that marker (drift-corrected,
    against the MDC; see docs/scoring.md); the score columns are empty on other rows.
    """
    scored = {(t.id, c.marker): c for t in score_trials(case) for c in t.markers}
    rows = []
    for m in iter_measurements(case):
        mk = m.marker
        score = scored.get((m.trial or "", mk.id)) if m.phase == "trial_post" else None
        row = {
            "patient_id": case.patient.id,
            "measurement_id": m.key,
            "seq": m.seq,
            "date": m.date.isoformat() if m.date else None,
            "session": m.session,
            "phase": m.phase,
            "trial": m.trial,
            "candidate": m.candidate,
            "control": m.is_control,
            "intervention": m.intervention,
            "marker": mk.id,
            "test": mk.test,
            "marker_name": mk.name,
            "region": mk.region,
            "side": mk.side,
            "value": m.value,
            "unit": mk.unit,
            "ucum": mk.ucum,
            "better": mk.better,
            "mdc": mk.mdc,
            "primary": mk.primary,
            "change": score.change if score else None,
            "net_change": score.net_change if score else None,
            "change_in_mdc": score.change_in_mdc if score else None,
            "real_change": score.real if score else None,
            "improved": score.improved if score else None,
            "worsened": score.worsened if score else None,
        }
        rows.append({k: _fmt(row[k]) for k in COLUMNS})
    return rows + _prom_rows(case, len(rows))


def _prom_rows(case: Case, seq: int) -> list[dict[str, Any]]:
    """One row (phase ``prom``) per PROM response, after the measurements: its score on the PROM's scale."""
    from kinetrace.proms import instrument, score

    rows = []
    for s in case.sessions:
        for n, r in enumerate(s.proms):
            inst, seq = instrument(r.instrument), seq + 1
            row = dict.fromkeys(COLUMNS)
            row |= {"patient_id": case.patient.id, "measurement_id": f"prom/{inst.id}/{s.id}/{n}", "seq": seq}
            row |= {"date": s.date.isoformat(), "session": s.id, "phase": "prom", "marker": inst.id, "test": inst.id}
            row |= {"marker_name": inst.name, "value": score(r.instrument, r.items, r.total).total}
            row |= {"unit": inst.unit, "better": inst.better, "mdc": inst.mdc}
            rows.append({k: _fmt(row[k]) for k in COLUMNS})
    return rows


def to_csv_bytes(case: Case) -> bytes:
    """The CSV file's bytes (UTF-8, header row, ``\\n`` line ends)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(to_csv_rows(case))
    return buf.getvalue().encode("utf-8")


def write_csv(case: Case, path: str | Path) -> Path:
    """Write the case's CSV to ``path`` atomically (no half file on failure)."""
    return write_bytes_atomic(path, to_csv_bytes(case))

"""FHIR R4B resources for PROM responses: one ``QuestionnaireResponse`` + one ``Observation`` each.

Wired into :func:`kinetrace.export.fhir.to_fhir_bundle` (the bundle is validated with
``fhir.resources``). The ``QuestionnaireResponse`` holds the answers by item number (``linkId``
``"1"`` ... ``"n"``) and, for the PSFS, the patient's own activity as the item text; item wording
of licensed questionnaires is never exported (it is not shipped). A response entered as a total has
one item ``linkId`` ``"total"``. The ``Observation`` (category ``survey``) carries the score from
:func:`kinetrace.proms.score`, ``derivedFrom`` its ``QuestionnaireResponse``. Codes are local
(``https://kinetrace.example/fhir/CodeSystem/prom``): no LOINC code was verified for these scores.
"""

from __future__ import annotations

import uuid
from typing import Any

from kinetrace.case.model import Case, PromResponse, Session
from kinetrace.export.codes import system
from kinetrace.proms import instrument, score

PROM_SYSTEM = "https://kinetrace.example/fhir/CodeSystem/prom"
QUESTIONNAIRE_BASE = "https://kinetrace.example/fhir/Questionnaire/"
_NS = uuid.UUID("2f0f0c5e-93c4-4b7e-a1c1-2d0e7a3c9b51")
_UCUM = {"%": "%", "points": "{score}"}


def _uid(case: Case, *parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join((case.patient.id, *parts))))


def _answers(r: PromResponse) -> list[dict[str, Any]]:
    if not any(v is not None for v in r.items):
        return [{"linkId": "total", "answer": [{"valueDecimal": r.total}]}]
    out = []
    for n, value in enumerate(r.items, 1):
        if value is None:
            continue
        item: dict[str, Any] = {"linkId": str(n), "answer": [{"valueInteger": int(value)}]}
        if n <= len(r.labels) and r.labels[n - 1]:
            item["text"] = r.labels[n - 1]  # the patient's own activity (PSFS), never licensed wording
        out.append(item)
    return out


def prom_resources(case: Case, pid: str) -> list[dict[str, Any]]:
    """QuestionnaireResponse + Observation for every PROM response of the case, in session order."""
    out: list[dict[str, Any]] = []
    for s in case.sessions:
        for n, r in enumerate(s.proms):
            out += _pair(case, s, n, r, pid)
    return out


def _pair(case: Case, s: Session, n: int, r: PromResponse, pid: str) -> list[dict[str, Any]]:
    inst = instrument(r.instrument)
    scored = score(r.instrument, r.items, r.total)
    qr_id, obs_id = _uid(case, "qr", s.id, str(n)), _uid(case, "prom", s.id, str(n))
    code = {"coding": [{"system": PROM_SYSTEM, "code": inst.id, "display": inst.name}], "text": inst.name}
    qr = {
        "resourceType": "QuestionnaireResponse",
        "id": qr_id,
        "questionnaire": QUESTIONNAIRE_BASE + inst.id,
        "status": "completed",
        "subject": {"reference": f"urn:uuid:{pid}"},
        "authored": s.date.isoformat(),
        "source": {"reference": f"urn:uuid:{pid}"} if r.by == "patient" else None,
        "item": _answers(r),
    }
    quantity: dict[str, Any] = {"value": scored.total, "unit": inst.unit}
    if inst.unit in _UCUM:
        quantity |= {"system": system("ucum"), "code": _UCUM[inst.unit]}
    obs = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [{"coding": [{"system": system("observation_category"), "code": "survey"}]}],
        "code": code,
        "subject": {"reference": f"urn:uuid:{pid}"},
        "effectiveDateTime": s.date.isoformat(),
        "valueQuantity": quantity,
        "derivedFrom": [{"reference": f"urn:uuid:{qr_id}"}],
        "method": {"text": f"{inst.scoring.method} ({' '.join(inst.scoring_source.split())[:200]})"},
        "note": [
            {"text": f"{inst.better} is better; MCID {inst.mcid:g} ({' '.join((inst.mcid_source or '').split())})"}
        ]
        if inst.mcid
        else None,
    }
    return [{k: v for k, v in qr.items() if v is not None}, {k: v for k, v in obs.items() if v is not None}]

"""FHIR export: a case as a FHIR R4B ``Bundle`` (type ``collection``), validated with ``fhir.resources``.

Resources (docs/fhir.md has the full mapping and the code systems):

* ``Patient``; one ``Condition`` for the complaint (bodySite per complaint area: SNOMED CT body
  structure, laterality extension, our label as text);
* one ``Observation`` per measurement (:func:`kinetrace.export.measurements.iter_measurements`):
  UCUM ``valueQuantity``, bodySite, session date, method = the catalogue test, ``partOf`` its
  trial's ``Procedure``; LOINC code where a verified one exists, the local marker system always;
* one ``Procedure`` per treatment trial (control trials included, coded as such);
* one ``ClinicalImpression`` naming the driver (``finding``), its supporting trials
  (``supportingInfo``) and the explanation (``summary``);
* one ``CarePlan`` with an activity per plan item.

Why R4B: ``fhir.resources`` 8.x ships R5 (default package), ``R4B`` and ``STU3``; plain R4 is not
included. R4B (4.3.0) is the R4 technical correction; the resources used here have the same
JSON shape in R4 and R4B.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from kinetrace.analysis import Analysis, analyse, supporting_trials
from kinetrace.case.model import Case, Marker
from kinetrace.export.codes import (
    extension_url,
    fhir_codes,
    identifier_system,
    laterality_codes,
    marker_loinc,
    region_snomed,
    system,
)
from kinetrace.export.fhir_proms import prom_resources
from kinetrace.export.measurements import Measurement, iter_measurements
from kinetrace.knowledge import regions
from kinetrace.presentation import (
    capital,
    decision_sentence,
    driver_explanation,
    explanation_summary,
    place_label,
    probability_label,
)
from kinetrace.timeline import TrialState, resolved, timeline

FHIR_VERSION = "4.3.0"
_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
_NS = uuid.UUID("6f1c2a52-5d0e-4a43-9d1f-6b6b8f0c7e11")


def _uid(case: Case, *parts: str) -> str:
    """Deterministic UUID for a resource of this case (same case -> same bundle)."""
    return str(uuid.uuid5(_NS, "/".join((case.patient.id, *parts))))


def _ref(uid: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{uid}"}


def is_direction(region: str, side: str) -> bool:
    """True when ``side`` of a midline region is a movement's direction, not a body side."""
    known = regions().get(region)
    return known is not None and not known.paired and side in ("left", "right")


def body_site(region: str, side: str, *, extra: str = "") -> dict[str, Any]:
    """A bodySite CodeableConcept: SNOMED CT structure (if verified), laterality and region extensions.

    Laterality only for a body side: on a midline region (e.g. the cervical spine) "left" is the
    direction of the movement tested, exported as an Observation component (:func:`direction`).
    """
    if is_direction(region, side):
        side = "central"
    cc: dict[str, Any] = {"text": capital(place_label(region, side)) + extra}
    code = region_snomed(region)
    if code:
        cc["coding"] = [{"system": system("snomed"), "code": code}]
    ext: list[dict[str, Any]] = [{"url": extension_url("region"), "valueCode": region}]
    lat = laterality_codes().get(side)
    if lat:
        ext.append(
            {
                "url": extension_url("laterality"),
                "valueCodeableConcept": {"coding": [{"system": system("snomed"), "code": lat}], "text": side},
            }
        )
    cc["extension"] = ext
    return cc


def _patient(case: Case, pid: str) -> dict[str, Any]:
    p = case.patient
    res: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": identifier_system("patient"), "value": p.id}],
    }
    if p.sex:
        res["gender"] = p.sex
    return res


def _condition(case: Case, cid: str, pid: str) -> dict[str, Any]:
    c = case.complaint
    sites = []
    for a in c.areas:
        site = body_site(a.region, a.side, extra=f" ({a.kind})")
        site["extension"].append({"url": extension_url("complaint_kind"), "valueCode": a.kind})
        sites.append(site)
    areas = "; ".join(f"{a.kind}: {place_label(a.region, a.side)}" for a in c.areas)
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"system": system("condition_clinical"), "code": _clinical_status(case)}]},
        "category": [{"coding": [{"system": system("condition_category"), "code": "problem-list-item"}]}],
        "code": {"text": f"Presenting complaint - {areas}"},
        "bodySite": sites,
        "subject": _ref(pid),
    }
    if c.duration_weeks is not None:
        res["onsetString"] = f"about {c.duration_weeks:g} weeks before the first session"
    if case.sessions:
        res["recordedDate"] = case.sessions[0].date.isoformat()
    notes = [c.description] if c.description else []
    if c.aggravating:
        notes.append("Aggravated by: " + ", ".join(c.aggravating))
    if c.easing:
        notes.append("Eased by: " + ", ".join(c.easing))
    if notes:
        res["note"] = [{"text": n} for n in notes]
    return res


def _clinical_status(case: Case) -> str:
    """``resolved`` when the episode is resolved (:func:`kinetrace.timeline.resolved`), else ``active``."""
    return "resolved" if resolved(timeline(case)) else "active"


def direction(side: str) -> dict[str, Any]:
    """An Observation component: the direction of a movement test (left / right)."""
    return {
        "code": {"coding": [{"system": system("observation_component"), "code": "direction"}], "text": "direction"},
        "valueCodeableConcept": {"text": side},
    }


def sequence(n: int) -> dict[str, Any]:
    """The order of a trial or measurement within the episode (trials carry no time of day)."""
    return {"url": extension_url("sequence"), "valueInteger": n}


def _observation(case: Case, m: Measurement, pid: str, proc_ids: Mapping[str, str]) -> dict[str, Any]:
    mk: Marker = m.marker
    survey = mk.test in fhir_codes()["survey_tests"]
    coding = []
    loinc = marker_loinc(mk.test)
    if loinc:
        coding.append({"system": system("loinc"), "code": loinc})
    coding.append({"system": system("marker"), "code": mk.test or f"custom.{mk.id}"})
    quantity: dict[str, Any] = {"value": m.value, "unit": mk.unit or ""}
    if mk.ucum:
        quantity |= {"system": system("ucum"), "code": mk.ucum}
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uid(case, "obs", m.key),
        "identifier": [{"system": identifier_system("measurement"), "value": f"{case.patient.id}/{m.key}"}],
        "extension": [
            {"url": extension_url("marker_id"), "valueString": mk.id},
            {"url": extension_url("measurement_phase"), "valueCode": m.phase},
            sequence(m.seq),
        ],
        "status": "final",
        "category": [{"coding": [{"system": system("observation_category"), "code": "survey" if survey else "exam"}]}],
        "code": {"coding": coding, "text": mk.name or mk.id},
        "subject": _ref(pid),
        "valueQuantity": quantity,
        "bodySite": body_site(mk.region, mk.side),
        "method": {"text": _method_text(mk)},
    }
    if m.date is not None:
        res["effectiveDateTime"] = m.date.isoformat()
    if m.trial is not None:
        res["partOf"] = [_ref(proc_ids[m.trial])]
    if is_direction(mk.region, mk.side):
        res["component"] = [direction(mk.side)]
    return res


def _method_text(mk: Marker) -> str:
    test = mk.test or "custom marker"
    return f"{test}; MDC {mk.mdc:g} {mk.unit or ''} ({mk.mdc_source or 'no source'})".replace("  ", " ")


def _procedure(case: Case, analysis: Analysis, step: TrialState, uid: str, pid: str, cid: str) -> dict[str, Any]:
    trial, trial_id = step.trial, step.trial.id
    score = next(t for t in analysis.trials if t.id == trial_id)
    kind = "control" if trial.is_control else "treatment-trial"
    res: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": uid,
        "identifier": [{"system": identifier_system("trial"), "value": f"{case.patient.id}/{trial.id}"}],
        "extension": [
            {"url": extension_url("trial_candidate"), "valueString": trial.candidate},
            sequence(step.sequence),
        ],
        "status": "completed",
        "category": {"coding": [{"system": system("trial_kind"), "code": kind}]},
        "code": {"text": trial.intervention or ("Re-test with no treatment" if trial.is_control else trial.candidate)},
        "subject": _ref(pid),
        "performedDateTime": step.date.isoformat(),
        "reasonReference": [_ref(cid)],
        "outcome": {
            "text": f"Global change {score.global_change:+.2f}; {score.n_improved} of {len(score.markers)} "
            f"re-tested signs improved and {score.n_worsened} worsened by at least their MDC"
        },
    }
    if not trial.is_control:
        f = case.finding(trial.candidate)
        res["bodySite"] = [body_site(f.region, f.side)]
    if trial.note:
        res["note"] = [{"text": trial.note}]
    return res


def _impression(
    case: Case, analysis: Analysis, uid: str, pid: str, cid: str, proc_ids: Mapping[str, str]
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "ClinicalImpression",
        "id": uid,
        "status": "completed",
        "subject": _ref(pid),
        "problem": [_ref(cid)],
        "description": "Whole-body treatment-trial assessment: each candidate finding treated in turn and "
        "all signs re-tested against their minimal detectable change (MDC).",
    }
    if case.sessions:
        res["effectiveDateTime"] = case.sessions[-1].date.isoformat()
    if analysis.driver is None:
        res["summary"] = "No driver identified yet. " + decision_sentence(analysis)
        return res
    driver = analysis.driver.candidate
    f = case.finding(driver)
    trials = supporting_trials(analysis, driver)
    explanation = driver_explanation(analysis)
    summary = (
        f"Driver (primary contributing factor): {f.text or driver} "
        f"(probability {probability_label(analysis.driver.probability)})."
    )
    if explanation is not None:
        summary += " " + explanation_summary(case, explanation)
    res["summary"] = summary
    res["finding"] = [
        {
            "itemCodeableConcept": {
                "coding": [{"system": system("finding"), "code": driver}],
                "text": f.text or driver,
            },
            "basis": "Supporting trials: " + (", ".join(trials) or "none"),
            "extension": [{"url": extension_url("driver_probability"), "valueDecimal": analysis.driver.probability}],
        }
    ]
    res["supportingInfo"] = [_ref(proc_ids[t]) for t in trials]
    return res


def _careplan(case: Case, uid: str, pid: str, cid: str) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": uid,
        "status": "active",
        "intent": "plan",
        "title": "Treatment and self-management plan",
        "subject": _ref(pid),
        "addresses": [_ref(cid)],
        "activity": [
            {
                "detail": {
                    "code": {"coding": [{"system": system("plan_kind"), "code": p.kind}], "text": p.kind},
                    "status": "in-progress",
                    "description": p.text + (f" (Source: {p.source})" if p.source else ""),
                }
            }
            for p in case.plan
        ],
    }
    if case.patient.goals:
        res["note"] = [
            {"text": f"Goal ({g.status}): {g.text}" + (f" - {g.note}" if g.note else "")} for g in case.patient.goals
        ]
    return res


def to_fhir_bundle(case: Case, analysis: Analysis | None = None) -> dict[str, Any]:
    """The case as a JSON-able FHIR R4B Bundle, validated with ``fhir.resources``.

    Deterministic: the same case gives the same bundle (ids are UUIDv5 of the case's ids).
    """
    analysis = analysis or analyse(case)
    tl = timeline(case)
    pid, cid = _uid(case, "patient"), _uid(case, "condition")
    proc_ids = {s.trial.id: _uid(case, "trial", s.trial.id) for s in tl.trials}
    resources: list[dict[str, Any]] = [_patient(case, pid), _condition(case, cid, pid)]
    resources += [_procedure(case, analysis, s, proc_ids[s.trial.id], pid, cid) for s in tl.trials]
    resources += [_observation(case, m, pid, proc_ids) for m in tl.measurements]
    resources.append(_impression(case, analysis, _uid(case, "impression"), pid, cid, proc_ids))
    resources.append(_careplan(case, _uid(case, "careplan"), pid, cid))
    resources += prom_resources(case, pid)  # QuestionnaireResponse + Observation per PROM (fhir_proms.py)
    bundle = {
        "resourceType": "Bundle",
        "id": _uid(case, "bundle"),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    if case.synthetic:  # HL7 v3 ActReason HTEST: test health data (not a real patient), on every resource
        for r in (bundle, *resources):
            r["meta"] = {"security": [{"system": _ACT_REASON, "code": "HTEST"}]}
    return validate_bundle(bundle)


def validate_bundle(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a bundle dict with ``fhir.resources`` (R4B); return its canonical JSON form.

    Raises ``pydantic.ValidationError`` when the bundle is not valid FHIR R4B.
    """
    model = Bundle.model_validate(dict(bundle))
    data: dict[str, Any] = json.loads(model.model_dump_json(exclude_none=True))
    return data


# --- round trip -------------------------------------------------------------------------------


def _ext(element: Mapping[str, Any], name: str) -> Any:
    url = extension_url(name)
    for e in element.get("extension", ()):
        if e.get("url") == url:
            return next(v for k, v in e.items() if k.startswith("value"))
    return None


def _side(site: Mapping[str, Any], components: list[dict[str, Any]] | None = None) -> str:
    lat = _ext(site, "laterality")
    if lat is None:
        way = [c["valueCodeableConcept"]["text"] for c in components or () if c["code"]["text"] == "direction"]
        return way[0] if way else "central"
    by_code = {code: side for side, code in laterality_codes().items()}
    return by_code[lat["coding"][0]["code"]]


def fhir_bundle_to_facts(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Read the key facts back from a bundle made by :func:`to_fhir_bundle`.

    Returns ``{"patient", "complaint", "driver", "supporting_trials", "trials", "measurements"}`` in
    the same shape as :func:`case_facts`, so ``fhir_bundle_to_facts(to_fhir_bundle(c)) ==
    case_facts(c)`` checks the round trip. Validates the bundle first.
    """
    data = validate_bundle(bundle)
    by_url = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in by_url.values():
        by_type.setdefault(r["resourceType"], []).append(r)
    procedures = sorted(by_type.get("Procedure", []), key=lambda p: _ext(p, "sequence"))
    trial_of = {f"urn:uuid:{p['id']}": p["identifier"][0]["value"].split("/", 1)[1] for p in procedures}
    measurements = []
    for o in by_type.get("Observation", []):
        q = o["valueQuantity"]
        part = o.get("partOf")
        measurements.append(
            {
                "marker": _ext(o, "marker_id"),
                "phase": _ext(o, "measurement_phase"),
                "trial": trial_of[part[0]["reference"]] if part else None,
                "date": o.get("effectiveDateTime"),
                "value": float(q["value"]),
                "unit": q.get("unit"),
                "ucum": q.get("code"),
                "region": _ext(o["bodySite"], "region"),
                "side": _side(o["bodySite"], o.get("component")),
            }
        )
    impression = by_type["ClinicalImpression"][0]
    findings = impression.get("finding", [])
    driver = findings[0]["itemCodeableConcept"]["coding"][0]["code"] if findings else None
    condition = by_type["Condition"][0]
    return {
        "patient": by_type["Patient"][0]["identifier"][0]["value"],
        "complaint": [
            {"region": _ext(s, "region"), "side": _side(s), "kind": _ext(s, "complaint_kind")}
            for s in condition["bodySite"]
        ],
        "driver": driver,
        "supporting_trials": [trial_of[r["reference"]] for r in impression.get("supportingInfo", [])],
        "trials": list(trial_of.values()),
        "measurements": measurements,
    }


def case_facts(case: Case, analysis: Analysis | None = None) -> dict[str, Any]:
    """The facts :func:`fhir_bundle_to_facts` recovers, computed straight from the case."""
    analysis = analysis or analyse(case)
    driver = analysis.driver.candidate if analysis.driver else None
    return {
        "patient": case.patient.id,
        "complaint": [{"region": a.region, "side": a.side, "kind": a.kind} for a in case.complaint.areas],
        "driver": driver,
        "supporting_trials": list(supporting_trials(analysis, driver)) if driver else [],
        "trials": [s.trial.id for s in timeline(case).trials],
        "measurements": [
            {
                "marker": m.marker.id,
                "phase": m.phase,
                "trial": m.trial,
                "date": m.date.isoformat() if m.date else None,
                "value": m.value,
                "unit": m.marker.unit,
                "ucum": m.marker.ucum,
                "region": m.marker.region,
                "side": m.marker.side,
            }
            for m in iter_measurements(case)
        ],
    }

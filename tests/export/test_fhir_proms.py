"""PROM responses exported to FHIR (QuestionnaireResponse + Observation, validated) and to the CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kinetrace.case.validate import load_case
from kinetrace.export.csv import COLUMNS, to_csv_rows
from kinetrace.export.fhir import to_fhir_bundle, validate_bundle

SEED = Path(__file__).resolve().parents[2] / "examples" / "mrs_h.yaml"


def _case() -> Any:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["sessions"][0]["proms"] = [
        {"instrument": "odi", "items": [2, 2, 2, 2, 2, 2, 2, 1, 1, None]},
        {"instrument": "psfs", "items": [4, 7], "labels": ["running 10 km", "sitting 1 hour"], "by": "patient"},
    ]
    data["sessions"][-1]["proms"] = [{"instrument": "odi", "total": 12}]
    return load_case(data)


def test_bundle_has_a_questionnaire_response_and_an_observation_per_prom() -> None:
    bundle = to_fhir_bundle(_case())
    validate_bundle(bundle)  # fhir.resources R4B
    res = [e["resource"] for e in bundle["entry"]]
    qrs = [r for r in res if r["resourceType"] == "QuestionnaireResponse"]
    assert [q["questionnaire"].rsplit("/", 1)[1] for q in qrs] == ["odi", "psfs", "odi"]
    odi = qrs[0]
    assert [i["linkId"] for i in odi["item"]] == [str(n) for n in range(1, 10)]  # item 10 unanswered
    assert all("text" not in i for i in odi["item"])  # no licensed wording exported
    psfs = qrs[1]
    assert [(i["text"], i["answer"][0]["valueInteger"]) for i in psfs["item"]] == [
        ("running 10 km", 4),
        ("sitting 1 hour", 7),
    ]
    assert psfs["source"] == psfs["subject"]  # filled in by the patient
    assert qrs[2]["item"] == [{"linkId": "total", "answer": [{"valueDecimal": 12.0}]}]
    obs = {
        r["derivedFrom"][0]["reference"]: r for r in res if r["resourceType"] == "Observation" and "derivedFrom" in r
    }
    first = obs[f"urn:uuid:{odi['id']}"]
    assert first["valueQuantity"]["value"] == 35.56 and first["valueQuantity"]["unit"] == "%"
    assert first["category"][0]["coding"][0]["code"] == "survey" and first["code"]["coding"][0]["code"] == "odi"
    assert obs[f"urn:uuid:{psfs['id']}"]["valueQuantity"]["value"] == 5.5


def test_csv_has_one_prom_row_per_response() -> None:
    rows = [r for r in to_csv_rows(_case()) if r["phase"] == "prom"]
    assert [(r["marker"], r["value"], r["unit"], r["better"]) for r in rows] == [
        ("odi", 35.56, "%", "lower"),
        ("psfs", 5.5, "points", "higher"),
        ("odi", 12.0, "%", "lower"),
    ]
    assert all(set(r) == set(COLUMNS) for r in rows)
    assert rows[0]["measurement_id"] == "prom/odi/s1/0" and rows[0]["mdc"] == 10

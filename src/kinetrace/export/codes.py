"""Codes for the FHIR export: local systems (fhir_codes.yaml), SNOMED CT regions and laterality,
LOINC marker codes (knowledge/*.yaml). Codes only: displays are our own labels (docs/fhir.md)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from kinetrace.knowledge import marker_catalogue, regions


@cache
def fhir_codes() -> dict[str, Any]:
    """The parsed ``fhir_codes.yaml`` (systems, identifiers, extensions, survey tests)."""
    text = resources.files("kinetrace.export").joinpath("fhir_codes.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def system(name: str) -> str:
    return str(fhir_codes()["systems"][name])


def extension_url(name: str) -> str:
    return str(fhir_codes()["extensions"][name])


def identifier_system(name: str) -> str:
    return str(fhir_codes()["identifiers"][name])


@cache
def laterality_codes() -> dict[str, str]:
    """Side -> SNOMED CT laterality qualifier (``left``, ``right``, ``bilateral``; ``central`` has none)."""
    text = resources.files("kinetrace.knowledge").joinpath("regions.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(text)["laterality"]
    return {side: str(table[side]) for side in ("left", "right", "bilateral")}


def region_snomed(region: str) -> str | None:
    """SNOMED CT body-structure concept id of an atlas region, or None where none was verified."""
    r = regions().get(region)
    return r.snomed if r is not None else None


def marker_loinc(test: str | None) -> str | None:
    """The verified LOINC code of a catalogue test, or None (then the local marker system is used)."""
    if test is None:
        return None
    entry = marker_catalogue().get(test)
    return entry.loinc if entry is not None else None

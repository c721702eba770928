"""Exports of a case for other systems: FHIR R4B (``to_fhir_bundle``) and tidy CSV (``to_csv_rows``).

Calls the core; the core never imports this package.
"""

from __future__ import annotations

from kinetrace.export.csv import to_csv_bytes, to_csv_rows, write_csv
from kinetrace.export.fhir import case_facts, fhir_bundle_to_facts, to_fhir_bundle, validate_bundle

__all__ = [
    "case_facts",
    "fhir_bundle_to_facts",
    "to_csv_bytes",
    "to_csv_rows",
    "to_fhir_bundle",
    "validate_bundle",
    "write_csv",
]

"""Tidy CSV: exactly one row per measurement, with the documented columns."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.factories import SEED_CASE, minimal_case, with_trials

from kinetrace import load_case
from kinetrace.export import to_csv_rows, write_csv
from kinetrace.export.csv import COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def _n_measurements(case) -> int:
    n = len(case.markers) + sum(len(s.measurements) for s in case.sessions)
    return n + sum(len(t.post) + len(t.pre or {}) for _, t in case.trials)


def test_seed_csv_has_one_row_per_measurement(tmp_path: Path) -> None:
    case = load_case(SEED_CASE)
    path = write_csv(case, tmp_path / "seed.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == _n_measurements(case) == 80
    assert tuple(rows[0]) == COLUMNS
    assert len({r["measurement_id"] for r in rows}) == len(rows)
    t3_pain = next(r for r in rows if r["trial"] == "t3" and r["marker"] == "pain_run")
    assert (t3_pain["value"], t3_pain["phase"], t3_pain["side"], t3_pain["improved"]) == (
        "1.0",
        "trial_post",
        "left",
        "true",
    )
    assert not list(tmp_path.glob("*.part"))


def test_explicit_pre_values_are_rows_and_scores_only_on_post() -> None:
    case = load_case(
        with_trials(minimal_case(), {"id": "t1", "candidate": "f_shoulder", "pre": {"slr": 61}, "post": {"slr": 70}})
    )
    rows = to_csv_rows(case)
    assert len(rows) == _n_measurements(case) == 5
    pre = next(r for r in rows if r["phase"] == "trial_pre")
    post = next(r for r in rows if r["phase"] == "trial_post")
    assert pre["change"] == "" and post["change"] == 9.0 and post["real_change"] == "true"


def test_every_column_is_in_the_data_dictionary() -> None:
    text = (ROOT / "docs" / "csv-dictionary.md").read_text(encoding="utf-8")
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert not missing

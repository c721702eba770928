"""``confirmed_driver`` in case@1: optional, a finding id or "none", checked with a clear message."""

from __future__ import annotations

import pytest
import yaml
from tests.factories import SEED_CASE

from kinetrace import load_case
from kinetrace.errors import CaseError


def _seed() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(SEED_CASE.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("value", ["r_infraspinatus", "none"])
def test_a_finding_id_or_none_is_accepted_and_kept(value: str) -> None:
    data = {**_seed(), "confirmed_driver": value}
    case = load_case(data)
    assert case.confirmed_driver == value
    assert load_case(case.to_dict()).confirmed_driver == value


def test_it_is_optional() -> None:
    assert load_case(_seed()).confirmed_driver is None


def test_an_unknown_id_names_the_field_and_the_allowed_ids() -> None:
    with pytest.raises(CaseError) as err:
        load_case({**_seed(), "confirmed_driver": "l_infraspinatus"})
    text = str(err.value)
    assert "confirmed_driver: 'l_infraspinatus' is not a finding id" in text
    assert "r_infraspinatus" in text and "'none'" in text

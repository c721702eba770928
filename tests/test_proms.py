"""PROM scoring, item by item, against the published worked examples (sources in each test)."""

from __future__ import annotations

import pytest
import yaml

from kinetrace import proms
from kinetrace.case.validate import load_case
from kinetrace.errors import CaseError


def test_odi_form_examples() -> None:
    # ODI 2.1a scoring instructions (Fairbank & Pynsent, Spine 2000): "16 (total scored) / 50 (total
    # possible score) x 100 = 32%"; one section missed: "16 / 45 x 100 = 35.5%" (35.56, truncated).
    assert proms.score("odi", [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]).total == 32
    missed = proms.score("odi", [2, 2, 2, 2, 2, 2, 2, 1, 1, None])
    assert missed.total == pytest.approx(35.56) and missed.answered == 9


def test_ndi_form_examples_and_vernons_missing_item_rule() -> None:
    # NDI scoring guide: 16 / 50 x 100 = 32 %; one section missed: 16 / 45 x 100 = 35.5 %.
    assert proms.score("ndi", [1, 1, 2, 2, 2, 2, 2, 2, 1, 1]).total == 32
    missed = proms.score("ndi", [None, 2, 2, 2, 2, 2, 2, 2, 1, 1]).total
    assert missed == pytest.approx(35.56)
    # Vernon: "the average of all other items is then added": 16 + 16/9 raw points, x 2 = percent
    assert missed == pytest.approx((16 + 16 / 9) * 2, abs=0.01)


def test_quickdash_iwh_formula() -> None:
    # IWH: score = [(sum of n responses / n) - 1] x 25; not computable with more than one item missing.
    assert proms.score("quickdash", [1] * 11).total == 0
    assert proms.score("quickdash", [5] * 11).total == 100
    assert proms.score("quickdash", [3] * 10 + [None]).total == 50
    assert proms.score("quickdash", [2, 3, 4, 1, 2, 3, 4, 5, 1, 2, 3]).total == pytest.approx(
        (30 / 11 - 1) * 25, abs=0.01
    )
    with pytest.raises(proms.PromError, match=r"items: 9 answered; at least 10 of 11"):
        proms.score("quickdash", [3] * 9 + [None, None])


def test_lefs_sum_of_twenty_items() -> None:
    # LEFS form: 20 activities rated 0-4, "SCORE: ____ / 80", "Please submit the sum of responses".
    assert proms.score("lefs", [4] * 20).total == 80
    assert proms.score("lefs", [0, 1, 2, 3, 4] * 4).total == 40
    with pytest.raises(proms.PromError, match=r"items: 19 answered; at least 20"):
        proms.score("lefs", [4] * 19 + [None])


def test_psfs_mean_of_activities() -> None:
    # PSFS form (Stratford 1995): "Total score = sum of the activity scores / number of activities".
    assert proms.score("psfs", [4, 6, 8]).total == 6
    assert proms.score("psfs", [7]).total == 7
    with pytest.raises(proms.PromError, match=r"items: 6 responses given; up to 5"):
        proms.score("psfs", [1, 2, 3, 4, 5, 6])


def test_bad_input_names_field_and_allowed_range() -> None:
    with pytest.raises(proms.PromError, match=r"items\[3\]: 6; allowed: whole numbers 0-5"):
        proms.score("odi", [0, 0, 6, 0, 0, 0, 0, 0, 0, 0])
    with pytest.raises(proms.PromError, match=r"items\[1\]: 2.5; allowed: whole numbers"):
        proms.score("lefs", [2.5] + [1] * 19)
    with pytest.raises(proms.PromError, match=r"total: 81; allowed: 0-80"):
        proms.score("lefs", total=81)
    with pytest.raises(proms.PromError, match=r"instrument: 'sf36' is not a known PROM; allowed: lefs, odi"):
        proms.score("sf36", total=1)
    with pytest.raises(proms.PromError, match=r"total: 30 does not match the items' score 32"):
        proms.score("odi", [2, 2, 2, 2, 2, 2, 1, 1, 1, 1], total=30)
    assert proms.score("quickdash", total=45.5).from_items is False


def test_change_against_mdc_and_mcid_respects_direction() -> None:
    # ODI: lower is better; MCID 10 (Ostelo 2008), MDC 10.
    better = proms.change(proms.score("odi", total=40), proms.score("odi", total=28))
    assert better.change == -12 and better.improved and better.important and not better.worsened
    small = proms.change(proms.score("odi", total=40), proms.score("odi", total=34))
    assert not small.beyond_mdc and not small.improved and not small.important
    worse = proms.change(proms.score("lefs", total=50), proms.score("lefs", total=40))
    assert worse.worsened and not worse.improved
    with pytest.raises(proms.PromError, match="instrument: cannot compare"):
        proms.change(proms.score("odi", total=1), proms.score("ndi", total=1))


def test_every_instrument_has_sources_records_and_a_checked_licence() -> None:
    regions = {i.region for i in proms.instruments().values()}
    assert {"lower limb", "low back", "neck", "upper limb"} <= regions and "psfs" in proms.instruments()
    for inst in proms.instruments().values():
        assert inst.licence.checked and inst.licence.terms
        for _kind, _value, record in inst.figures():
            assert record is not None and record.status in {"full_text", "abstract", "secondary", "unverified"}
        if not inst.licence.items_shipped:
            assert not inst.prompt and not inst.anchors  # no item text shipped without a licence


def test_case_carries_prom_responses_and_rejects_bad_ones(tmp_path: object) -> None:
    with open("examples/mrs_h.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data["sessions"][0]["proms"] = [
        {"instrument": "lefs", "total": 41},
        {"instrument": "psfs", "items": [4, 6], "labels": ["running 10 km", "sitting 1 hour"], "by": "patient"},
    ]
    case = load_case(data)
    series = proms.case_series(case)
    assert [(p.score.instrument, p.score.total) for p in series] == [("lefs", 41), ("psfs", 5)]
    assert case.to_dict()["sessions"][0]["proms"][1]["labels"] == ["running 10 km", "sitting 1 hour"]
    data["sessions"][0]["proms"] = [{"instrument": "ndi", "items": [1] * 7}]
    with pytest.raises(CaseError, match=r"sessions\[0\]\.proms\[0\]\.items: 7 responses given; exactly 10"):
        load_case(data)

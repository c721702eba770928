"""Explanations by mechanism: the seed case shows its three published mechanisms, each graded and a hypothesis."""

from __future__ import annotations

import io

from pypdf import PdfReader
from tests.factories import SEED_CASE, minimal_case

from kinetrace import analyse, load_case
from kinetrace.engine import explain
from kinetrace.engine.atlas import atlas
from kinetrace.engine.results import MechanismClass
from kinetrace.presentation import MECHANISM_NAME, explanation_summary


def test_seed_driver_shows_mechanisms_a_b_c_each_graded_and_cited() -> None:
    case = load_case(SEED_CASE)
    analysis = analyse(case)
    by_class = {e.mechanism: e for e in analysis.explanations if e.candidate == "r_infraspinatus"}
    # (a) upper-body rotation in running, load taken by the left hip: gait counter-rotation
    chain = by_class[MechanismClass.KINETIC_CHAIN]
    assert "gait_counter_rotation" in {s.link_type for s in chain.steps}
    assert chain.path[-1].side == "left" and chain.path[0].side == "right"
    # (b) the diagonal: right arm with left leg, the posterior oblique sling
    sling = by_class[MechanismClass.MYOFASCIAL]
    assert "bfl_posterior_oblique_sling" in {s.link for s in sling.steps}
    # (c) pain as a protective output, its own graded, cited statement
    framing = by_class[MechanismClass.PROTECTIVE_OUTPUT]
    assert framing.statement and not framing.steps and framing.sources
    assert any("Moseley" in src for src in framing.sources)
    for e in (chain, sling, framing):
        assert e.evidence_level in atlas().levels
        text = explanation_summary(case, e).lower()
        assert "consistent with" in text and "caused by" not in text and "causes" not in text


def test_protective_statement_only_for_a_remote_finding() -> None:
    data = minimal_case()
    data["findings"].append({"id": "f_local", "kind": "muscle_tension", "region": "buttock", "side": "left"})
    case = load_case(data)
    local = explain(case, "f_local")
    assert [e.mechanism for e in local] == [MechanismClass.LOCAL]
    remote = explain(case, "f_shoulder")
    assert remote[-1].mechanism is MechanismClass.PROTECTIVE_OUTPUT and remote[-1].statement
    assert all(not e.statement for e in remote[:-1])


def test_seed_pdf_shows_the_three_mechanisms_graded() -> None:
    from kinetrace.reports import render_report

    pdf = render_report(load_case(SEED_CASE), kind="clinician", fmt="pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    for cls in (MechanismClass.MYOFASCIAL, MechanismClass.KINETIC_CHAIN, MechanismClass.PROTECTIVE_OUTPUT):
        assert f"{MECHANISM_NAME[cls]}; evidence level" in text
    assert "1.00" not in text and "100 %" not in text

"""The record never loses data (issue 12): every form gets empty, malformed, duplicate, huge and
non-numeric values (0 server errors, every typed value comes back), then each kind of record is
deleted and the delete undone; records with trial data are archived, never deleted."""

from __future__ import annotations

from typing import Any

import pytest

import kinetrace
from kinetrace.web import models as m
from kinetrace.web.casefile import episode_to_case

pytestmark = pytest.mark.django_db

HUGE = "x" * 5000
BAD_VALUES = {
    "empty": "",
    "malformed": "<script>alert(1)</script>\u0000",
    "huge": HUGE,
    "letters": "thirty7",
    "comma": "2,4",
    "inf": "1e400",
}


@pytest.fixture
def logged_in(client: Any, make_clinic: Any, make_user: Any, make_episode: Any) -> tuple[Any, Any]:
    clinic = make_clinic()
    client.force_login(make_user(clinic, "alice"))
    return client, make_episode(clinic)


def _counts() -> dict[str, int]:
    models = (m.Finding, m.Marker, m.Session, m.Trial, m.TrialValue, m.PlanItem, m.Goal, m.Measurement)
    return {model.__name__: model.objects.count() for model in models}


def _forms(ep: Any) -> list[tuple[str, dict[str, str]]]:
    """Every form of the episode pages with valid values (one field at a time is then spoiled)."""
    e = f"/episodes/{ep.pk}"
    finding = ep.findings.first()
    marker = ep.markers.get(key="pain_run")
    plan = ep.planitems.first()
    goal = ep.goals.first()
    session = ep.sessions.first()
    f_data = {"region": "knee", "side": "left", "kind": "other", "severity": "2", "text": "Knee", "key": "knee_x"}
    mk_data = {"test": "nprs", "region": "knee", "side": "left", "baseline": "4", "target": "1", "key": "k_pain"}
    return [
        (f"{e}/exam/findings/", f_data),
        (f"{e}/exam/markers/", mk_data),
        (f"{e}/findings/{finding.pk}/edit/", {**f_data, "key": finding.key, "region": finding.region}),
        (f"{e}/markers/{marker.pk}/edit/", {**mk_data, "key": "pain_run", "region": "buttock"}),
        (f"{e}/", {"title": "T", "description": "D", "duration_weeks": "26", "aggravating": "running"}),
        (f"{e}/sessions/", {"date": "2026-05-01", "m_pain_run": "3", "note": "n"}),
        (f"{e}/plan/", {"kind": "exercise", "text": "Walk", "source": ""}),
        (f"{e}/plan/{plan.pk}/edit/", {"edit-kind": "exercise", "edit-text": "Walk daily", "edit-source": ""}),
        (f"{e}/goals/", {"text": "Run", "status": "open", "note": ""}),
        (
            f"{e}/goals/{goal.pk}/",
            {f"g{goal.pk}-text": "Run far", f"g{goal.pk}-status": "open", f"g{goal.pk}-note": ""},
        ),
        (f"{e}/sessions/{session.pk}/note/", {"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"}),
        (f"{e}/exam/screen/", {"m0": "5"}),
        (f"{e}/workbench/trial/", {"candidate": "r_infraspinatus", "intervention": "x", "m_pain_run": "2"}),
        (f"{e}/summary/", {"found": "f", "expect": "e", "note": "n"}),
    ]


def test_every_form_survives_bad_values_without_a_server_error_or_a_lost_value(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    checked = 0
    for url, valid in _forms(ep):
        for field in valid:
            for label, bad in BAD_VALUES.items():
                data = {**valid, field: bad}
                resp = client.post(url, data)
                assert resp.status_code < 500, (url, field, label, resp.status_code)
                if resp.status_code == 400 and bad.strip() and "\u0000" not in bad and len(bad) < 1000:
                    # a refused value is shown again in the form (nothing typed is lost)
                    body = resp.content.decode()
                    assert bad.replace("<", "&lt;").replace(">", "&gt;") in body or bad in body, (url, field, label)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("value", ["thirty7", "2,4", "6.5.1", "1e3x", " 7 7 "])
def test_numbers_are_parsed_strictly_with_the_allowed_format_in_the_error(
    logged_in: tuple[Any, Any], value: str
) -> None:
    client, ep = logged_in
    before = _counts()
    resp = client.post(
        f"/episodes/{ep.pk}/exam/markers/", {"test": "nprs", "region": "knee", "side": "left", "baseline": value}
    )
    assert resp.status_code == 400
    errors = resp.context["marker_form"].errors["baseline"]
    assert any("decimal point" in e and "no comma" in e for e in errors), errors
    assert _counts() == before


@pytest.mark.parametrize("what", ["findings", "markers"])
def test_a_duplicate_short_id_is_a_field_error_never_a_500(logged_in: tuple[Any, Any], what: str) -> None:
    client, ep = logged_in
    before = _counts()
    key = "r_infraspinatus" if what == "findings" else "pain_run"
    data = {"region": "knee", "side": "left", "kind": "other", "severity": "2", "test": "nprs", "baseline": "3"}
    resp = client.post(f"/episodes/{ep.pk}/exam/{what}/", {**data, "key": key})
    assert resp.status_code == 400
    form = resp.context["finding_form" if what == "findings" else "marker_form"]
    assert "already has" in " ".join(form.errors["key"])
    assert _counts() == before


def test_a_finding_with_trials_is_archived_never_deleted_and_can_be_brought_back(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    finding = ep.findings.get(key="r_infraspinatus")
    resp = client.post(f"/episodes/{ep.pk}/findings/{finding.pk}/delete/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and "archived" in resp.content.decode()
    finding.refresh_from_db()
    assert finding.archived
    case = episode_to_case(ep)  # kept in the case with every trial that names it
    assert sum(t.candidate == "r_infraspinatus" for _, t in case.trials) == 2
    assert kinetrace.analyse(case).ranking  # the analysis still runs
    resp = client.post(f"/episodes/{ep.pk}/findings/{finding.pk}/restore/")
    finding.refresh_from_db()
    assert not finding.archived


def test_a_marker_with_recorded_values_is_archived_with_them(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    marker = ep.markers.get(key="slr_left")
    values = m.TrialValue.objects.filter(marker=marker).count()
    assert values > 0
    client.post(f"/episodes/{ep.pk}/markers/{marker.pk}/delete/")
    marker.refresh_from_db()
    assert marker.archived and m.TrialValue.objects.filter(marker=marker).count() == values
    resp = client.get(f"/episodes/{ep.pk}/workbench/")
    assert 'name="m_slr_left"' not in resp.content.decode()  # no new values asked for it


@pytest.mark.parametrize("kind", ["finding", "marker", "goal", "plan_item"])
def test_each_kind_of_record_is_deleted_then_restored_by_undo(logged_in: tuple[Any, Any], kind: str) -> None:
    client, ep = logged_in
    e = f"/episodes/{ep.pk}"
    obj: Any
    if kind == "finding":
        obj = m.Finding.objects.create(episode=ep, key="spare", kind="other", region="knee", side="left", text="Spare")
        url = f"{e}/findings/{obj.pk}/delete/"
    elif kind == "marker":
        obj = m.Marker.objects.create(episode=ep, key="spare", test="nprs", region="knee", side="left", baseline=3)
        url = f"{e}/markers/{obj.pk}/delete/"
    elif kind == "goal":
        obj = ep.goals.first()
        url = f"{e}/goals/{obj.pk}/delete/"
    else:
        obj = m.PlanItem.objects.create(episode=ep, kind="exercise", text="Spare walk")
        url = f"{e}/plan/{obj.pk}/delete/"
    model = type(obj)
    fields = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.name != "id"}
    resp = client.post(url)
    assert resp.status_code in (200, 302)
    assert not model.objects.filter(pk=obj.pk).exists()
    record = m.DeletedRecord.objects.get(episode=ep, kind=kind)
    assert m.AuditEvent.objects.filter(action=f"delete_{kind}").exists()
    resp = client.post(f"{e}/undo/{record.pk}/", {"back": "sessions"})
    assert resp.status_code in (200, 302)
    restored = model.objects.filter(episode=ep).order_by("-id").first()
    assert {k: getattr(restored, k) for k in fields} == fields  # every value is back
    assert client.post(f"{e}/undo/{record.pk}/").status_code == 400  # a second undo is refused cleanly


def test_finding_history_entered_in_the_exam_form_reaches_the_case(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    data = {
        "region": "scapula",
        "side": "left",
        "kind": "muscle_tension",
        "severity": "3",
        "text": "Left infraspinatus trigger point",
        "history_1_kind": "sustained_posture",
        "history_1_text": "Desk work with the arm reaching",
        "history_2_kind": "old_injury",
    }
    assert client.post(f"/episodes/{ep.pk}/exam/findings/", data).status_code == 302
    f = next(f for f in episode_to_case(ep).findings if f.text == "Left infraspinatus trigger point")
    assert [(h.kind, h.text) for h in f.history] == [
        ("sustained_posture", "Desk work with the arm reaching"),
        ("old_injury", ""),
    ]
    resp = client.post(f"/episodes/{ep.pk}/exam/findings/", {**data, "history_1_kind": "", "key": "other_one"})
    assert resp.status_code == 400 and "history_1_kind" in resp.context["finding_form"].errors


def test_screened_negative_is_recorded_dated_and_in_the_clinician_report(logged_in: tuple[Any, Any]) -> None:
    from kinetrace.web.forms import RED_FLAGS, YELLOW_FLAGS, EpisodeForm

    client, ep = logged_in
    form = EpisodeForm(instance=ep)
    data = {"title": ep.title, "description": "d", "screened_on": "2026-03-02"}
    data.update({name: "no" for _, _, name in form.flag_rows})
    data[form.flag_rows[-1][2]] = "not_asked"
    assert client.post(f"/episodes/{ep.pk}/", data).status_code == 302
    ep.refresh_from_db()
    screening = episode_to_case(ep).screening
    assert set(screening.screened_negative) == set(RED_FLAGS) | set(YELLOW_FLAGS[:-1])
    assert str(screening.screened_on) == "2026-03-02" and not screening.red_flags
    html = client.get(f"/episodes/{ep.pk}/report/clinician.html").content.decode()
    assert "Screened, negative (2026-03-02)" in html


def test_a_signed_note_is_locked_and_an_amendment_is_a_new_audited_version(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    session = ep.sessions.first()
    url = f"/episodes/{ep.pk}/sessions/{session.pk}/note/"
    page = client.get(url).content.decode()
    assert "Trial t3" in page and "infraspinatus" in page  # pre-filled from the trials
    client.post(url, {"subjective": "S1", "objective": "O1", "assessment": "A1", "plan": "P1"})
    client.post(f"{url}sign/")
    note = session.notes.get()
    assert note.signed and note.version == 1
    resp = client.post(url, {"subjective": "S2", "objective": "O1", "assessment": "A1", "plan": "P1"})
    assert resp.status_code == 400 and "reason" in resp.context["form"].errors
    client.post(url, {"subjective": "S2", "objective": "O1", "assessment": "A1", "plan": "P1", "reason": "typo"})
    assert [(n.version, n.subjective) for n in session.notes.all()] == [(1, "S1"), (2, "S2")]
    assert m.AuditEvent.objects.filter(action="sign_note").exists()
    html = client.get(f"/episodes/{ep.pk}/report/clinician.html").content.decode()
    assert "Session notes" in html and "amendment: typo" in html


def test_fhir_and_csv_downloads_and_the_edited_patient_summary(logged_in: tuple[Any, Any]) -> None:
    import json

    client, ep = logged_in
    rev = m.Episode.objects.get(pk=ep.pk).revision
    fhir = client.get(f"/episodes/{ep.pk}/export.fhir.json")
    assert fhir.status_code == 200 and fhir["Content-Type"].startswith("application/fhir+json")
    assert json.loads(fhir.content)["resourceType"] == "Bundle"
    csv = client.get(f"/episodes/{ep.pk}/export.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv") and b"pain_run" in csv.content
    assert m.Episode.objects.get(pk=ep.pk).revision == rev  # downloads are reads
    texts = {"found": "We found a tight right shoulder.", "expect": "Two more visits.", "note": "Well done!"}
    resp = client.post(f"/episodes/{ep.pk}/summary/", {**texts, "download": "html"})
    html = resp.content.decode()
    assert all(t.replace("!", "") in html for t in texts.values())


def test_the_whole_body_screen_adds_ticked_findings_and_marker_baselines(
    client: Any, make_clinic: Any, make_user: Any
) -> None:
    clinic = make_clinic()
    client.force_login(make_user(clinic, "alice"))
    patient = m.Patient.objects.create(clinic=clinic, ref="p-9")
    ep = m.Episode.objects.create(patient=patient)
    m.ComplaintArea.objects.create(episode=ep, region="buttock", side="left", kind="pain")
    page = client.get(f"/episodes/{ep.pk}/exam/screen/")
    assert page.status_code == 200 and "Lower quarter" in page.content.decode()
    form = page.context["form"]
    tick = next(n for n in form.fields if n.startswith("f") and n.endswith("_right"))
    rows = form.marker_rows
    resp = client.post(
        f"/episodes/{ep.pk}/exam/screen/", {tick: "on", f"m{rows[0]['i']}": "6", f"m{rows[1]['i']}": "11"}
    )
    assert resp.status_code == 400  # 11 is outside the second test's range: nothing is added
    assert ep.findings.count() == 0
    psfs = next(r for r in rows if r["test"] == "psfs_item")
    data = {tick: "on", f"m{rows[0]['i']}": "6", f"m{psfs['i']}": "4", f"m{psfs['i']}_name": "running 10 km"}
    resp = client.post(f"/episodes/{ep.pk}/exam/screen/", data)
    assert resp.status_code == 302
    assert ep.markers.get(test="psfs_item").name == "PSFS: running 10 km"
    assert ep.findings.get().side == "right"
    mk = ep.markers.get(test="nprs")
    assert (mk.test, mk.region, mk.side, mk.baseline, mk.primary) == ("nprs", "buttock", "left", 6, True)


def test_the_outcome_table_has_start_and_end_of_each_session_for_any_marker(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    resp = client.get(f"/episodes/{ep.pk}/sessions/?marker=slr_left")
    outcome = resp.context["outcome"]
    assert outcome["marker"].id == "slr_left"
    starts_ends = [(r["point"].start, r["point"].end) for r in outcome["rows"]]
    assert starts_ends == [(58, 78), (74, 79), (80, 80)]  # s2 starts below s1's end: the carry-over shows
    assert "better by 20, beyond its MDC" in outcome["rows"][0]["words"]

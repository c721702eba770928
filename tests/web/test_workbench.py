"""The trial workbench: htmx entry, live MDC colouring, ranking update, undo, red-flag block, query budget."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import SEED_CASE

import kinetrace
from kinetrace.presentation import probability_label
from kinetrace.web.models import AuditEvent, Trial

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def setup(client: Any, make_clinic: Any, make_user: Any, make_episode: Any) -> tuple[Any, Any]:
    clinic = make_clinic()
    user = make_user(clinic, "alice")
    client.force_login(user)
    return client, make_episode(clinic)


def test_workbench_shows_ranking_driver_and_coloured_changes(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    html = client.get(f"/episodes/{ep.pk}/workbench/").content.decode()
    assert 'id="ranking"' in html and "Driver found" in html
    assert 'class="improved"' in html and 'class="noise"' in html
    assert 'data-region="scapula"' in html and "mark-driver" in html
    assert 'class="path"' in html  # the driver's path drawn on the body chart
    # the seed case's driver as the engine states it (98 % since engine round 3), never as certainty
    seed = kinetrace.analyse(kinetrace.load_case(SEED_CASE))
    assert seed.driver is not None and seed.driver.probability >= 0.95
    assert probability_label(seed.driver.probability) in html and "100 %" not in html


def test_recording_a_trial_over_htmx_returns_the_live_panel_and_updates_the_ranking(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    before = client.get(f"/episodes/{ep.pk}/workbench/").context["wb"].ranking
    resp = client.post(
        f"/episodes/{ep.pk}/workbench/trial/",
        {
            "candidate": "neck_hypomobility",
            "intervention": "C1-C2 mobilisation",
            "m_cx_rot_left": "90",
            "m_pain_run": "0",
        },
        **HTMX,
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.lstrip().startswith('<div id="workbench"') and "<html" not in html
    after = resp.context["wb"].ranking
    assert Trial.objects.filter(session__episode=ep, candidate="neck_hypomobility").count() == 1
    assert before != after
    assert AuditEvent.objects.filter(action="record_trial", patient=ep.patient).exists()


def test_preview_scores_without_saving(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    n = Trial.objects.count()
    resp = client.post(f"/episodes/{ep.pk}/workbench/preview/", {"candidate": "neural_rll", "m_pain_run": "1"}, **HTMX)
    assert "within noise" in resp.content.decode()
    resp = client.post(f"/episodes/{ep.pk}/workbench/preview/", {"candidate": "neural_rll", "m_slr_left": "40"}, **HTMX)
    assert "real worsening" in resp.content.decode()
    assert Trial.objects.count() == n


def test_undo_removes_the_last_trial_only(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    keys = list(Trial.objects.filter(session__episode=ep).order_by("id").values_list("key", flat=True))
    client.post(f"/episodes/{ep.pk}/workbench/undo/", **HTMX)
    assert list(Trial.objects.filter(session__episode=ep).order_by("id").values_list("key", flat=True)) == keys[:-1]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"candidate": "neural_rll", "m_pain_run": "11"}, "m_pain_run"),  # NPRS is 0-10 (the core says so)
        ({"candidate": "neural_rll", "m_pain_run": "abc"}, "m_pain_run"),
        ({"candidate": "not_a_finding", "m_pain_run": "3"}, "candidate"),
        ({"candidate": "neural_rll"}, None),  # no value at all
    ],
)
def test_bad_trial_input_shows_field_errors_and_saves_nothing(
    setup: tuple[Any, Any], data: dict[str, str], field: str | None
) -> None:
    client, ep = setup
    n = Trial.objects.count()
    resp = client.post(f"/episodes/{ep.pk}/workbench/trial/", data, **HTMX)
    assert resp.status_code == 422
    form = resp.context["form"]
    assert form.errors.get(field) if field else form.non_field_errors()
    assert Trial.objects.count() == n


def test_red_flags_block_trials_until_cleared(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    ep.red_flags = "Progressive neurological deficit"
    ep.save()
    html = client.get(f"/episodes/{ep.pk}/workbench/").content.decode()
    assert "trials are blocked" in html.lower()
    n = Trial.objects.count()
    resp = client.post(f"/episodes/{ep.pk}/workbench/trial/", {"candidate": "neural_rll", "m_pain_run": "3"}, **HTMX)
    assert resp.status_code == 422 and Trial.objects.count() == n
    ep.red_flags_cleared = "Referred to GP 2026-03-01; cleared for treatment"
    ep.save()
    resp = client.post(f"/episodes/{ep.pk}/workbench/trial/", {"candidate": "neural_rll", "m_pain_run": "3"}, **HTMX)
    assert resp.status_code == 200 and Trial.objects.count() == n + 1


def test_workbench_page_query_count_is_pinned(setup: tuple[Any, Any], django_assert_max_num_queries: Any) -> None:
    client, ep = setup
    # cold: also the 10 parts of the episode (values(), PROMs too), catalogue, the clinic's active model
    with django_assert_max_num_queries(17):
        assert client.get(f"/episodes/{ep.pk}/workbench/").status_code == 200
    with django_assert_max_num_queries(6):  # warm: session, user, membership, episode, audit row, catalogue
        assert client.get(f"/episodes/{ep.pk}/workbench/").status_code == 200


def test_preview_reads_the_episode_once_per_revision(
    setup: tuple[Any, Any], django_assert_max_num_queries: Any
) -> None:
    client, ep = setup
    url = f"/episodes/{ep.pk}/workbench/preview/"
    client.post(url, {"candidate": "neural_rll", "m_pain_run": "1"}, **HTMX)  # cold: the episode's parts
    with django_assert_max_num_queries(4):  # warm (every keystroke): session, user, membership, episode
        resp = client.post(url, {"candidate": "neural_rll", "m_pain_run": "1"}, **HTMX)
    before = resp.context["preview"].score.pre_state["pain_run"]
    client.post(
        f"/episodes/{ep.pk}/workbench/trial/", {"candidate": "neural_rll", "m_pain_run": str(before + 2)}, **HTMX
    )
    resp = client.post(url, {"candidate": "neural_rll", "m_pain_run": "1"}, **HTMX)
    assert resp.context["preview"].score.pre_state["pain_run"] == before + 2  # the new revision's state, at once


def test_complaint_toggle_marks_and_unmarks_a_region(setup: tuple[Any, Any]) -> None:
    client, ep = setup
    url = f"/episodes/{ep.pk}/complaint/"
    resp = client.post(url, {"region": "knee", "side": "right", "kind": "pain"}, **HTMX)
    assert resp.status_code == 200 and ep.complaintareas.filter(region="knee").count() == 1
    client.post(url, {"region": "knee", "side": "right", "kind": "pain"}, **HTMX)
    assert ep.complaintareas.filter(region="knee").count() == 0
    resp = client.post(url, {"region": "tail", "side": "right", "kind": "pain"}, **HTMX)
    assert resp.status_code == 400 and ep.complaintareas.filter(region="tail").count() == 0


def test_the_cached_workbench_is_never_stale(setup: tuple[Any, Any]) -> None:
    """Every change bumps the episode's revision, so a cached analysis is never served after it."""
    client, ep = setup
    url = f"/episodes/{ep.pk}/workbench/"
    assert 'data-trial="t5"' not in client.get(url).content.decode()
    client.get(url)  # served from the cache
    client.post(f"/episodes/{ep.pk}/workbench/trial/", {"candidate": "neural_rll", "m_pain_run": "3"})
    assert 'data-trial="t5"' in client.get(url).content.decode()
    client.post(f"/episodes/{ep.pk}/workbench/undo/")
    assert 'data-trial="t5"' not in client.get(url).content.decode()
    client.post(
        f"/episodes/{ep.pk}/exam/findings/",
        {"region": "knee", "side": "left", "kind": "other", "severity": "2", "text": "Knee thing"},
    )
    assert "Knee thing" in client.get(url).content.decode()


def test_the_session_chart_is_generic_markers_with_an_aim_band_and_scores_without() -> None:
    from kinetrace.web.outcomes import SessionPoint, pct_change, session_chart_svg

    pain = [SessionPoint("s1", 6, 1), SessionPoint("s2", 2, 1, start_carried=False)]
    svg = session_chart_svg(pain, title="Pain", unit="points", better="lower", mcid=2)
    assert svg.count("<rect") == 2 and "+83 %" in svg and "+50 %" in svg and "MCID from the first value" in svg
    assert pct_change(6, 1, "lower") == pytest.approx(83.33, abs=0.01)
    assert pct_change(40, 60, "higher") == 50 and pct_change(0, 3, "higher") is None
    assert pct_change(None, 3, "higher") is None and pct_change(3, None, "lower") is None
    # a once-per-session score (a PROM total): one value per session, no per-session aim
    lefs = [SessionPoint(f"s{i}", v, v) for i, v in enumerate((40, 52, 61), 1)]
    svg = session_chart_svg(lefs, title="LEFS", better="higher", aim=None, mcid=9)
    assert "<rect" not in svg and "%" not in svg and svg.count("<circle") == 6


def test_the_web_chart_and_the_core_timeline_share_one_percent_rule() -> None:
    from kinetrace.case.model import Marker
    from kinetrace.timeline import pct_change as core_pct
    from kinetrace.web.outcomes import pct_change as web_pct

    for better, (start, end) in (("lower", (6.0, 1.0)), ("higher", (40.0, 60.0)), ("lower", (-2.0, 4.0))):
        marker = Marker(id="m", name="M", region="hip", side="left", baseline=start, better=better)
        assert web_pct(start, end, better) == core_pct(marker, start, end)  # type: ignore[arg-type]
    assert (
        core_pct(Marker(id="m", name="M", region="hip", side="left", baseline=0.0, better="higher"), 0.0, 5.0) is None
    )

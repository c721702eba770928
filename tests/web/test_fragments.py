"""The exam sheet's htmx panel: rows rendered once per content, per-user CSRF tokens, fresh after a change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kinetrace.web.models import Finding

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _panel(client: Client, ep: Any) -> str:
    resp = client.get(f"/episodes/{ep.pk}/exam/", **HTMX)
    assert resp.status_code == 200
    return resp.content.decode()


def _delete_token(html: str, ep: Any, finding: Any) -> str:
    form = re.search(rf'action="/episodes/{ep.pk}/findings/{finding.pk}/delete/".*?</form>', html, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token is not None
    return token.group(1)


def test_cached_rows_carry_each_users_own_csrf_token(make_clinic: Any, make_user: Any, make_episode: Any) -> None:
    clinic = make_clinic()
    ep = make_episode(clinic)
    finding = Finding.objects.filter(episode=ep).order_by("pk").first()
    assert finding is not None
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice.force_login(make_user(clinic, "alice"))
    bob.force_login(make_user(clinic, "bob"))
    _panel(alice, ep)
    token_a = _delete_token(_panel(alice, ep), ep, finding)  # the second view comes from the row cache
    token_b = _delete_token(_panel(bob, ep), ep, finding)
    url = f"/episodes/{ep.pk}/findings/{finding.pk}/delete/"
    assert bob.post(url, {"csrfmiddlewaretoken": token_a}).status_code == 403  # alice's token is not bob's
    assert Finding.objects.filter(pk=finding.pk).exists()
    assert bob.post(url, {"csrfmiddlewaretoken": token_b}).status_code in (200, 302)
    assert not Finding.objects.filter(pk=finding.pk, archived=False).exists()  # deleted (or archived: trials name it)


def test_an_edited_row_shows_at_once_and_the_warm_panel_is_cheap(
    client: Client, make_clinic: Any, make_user: Any, make_episode: Any, django_assert_max_num_queries: Any
) -> None:
    clinic = make_clinic()
    ep = make_episode(clinic)
    client.force_login(make_user(clinic, "alice"))
    finding = Finding.objects.filter(episode=ep).order_by("pk").first()
    assert finding is not None
    _panel(client, ep)
    with django_assert_max_num_queries(5):  # warm: session, user, membership, episode, audit row
        _panel(client, ep)
    data = {
        "region": finding.region,
        "side": finding.side,
        "kind": finding.kind,
        "severity": str(finding.severity),
        "text": "Trigger point, re-worded",
        "structure": finding.structure,
    }
    resp = client.post(f"/episodes/{ep.pk}/findings/{finding.pk}/edit/", data, **HTMX)
    assert resp.status_code == 200, resp.content.decode()[:500]
    html = _panel(client, ep)
    assert "Trigger point, re-worded" in html
    assert html.count(f'action="/episodes/{ep.pk}/findings/{finding.pk}/delete/"') == 1  # one row, not old + new

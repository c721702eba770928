"""The Content-Security-Policy does not break the app: no violation on any page or htmx swap (Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import browser, page  # noqa: F401 - the shared Chromium fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_no_csp_violation_on_the_pages_and_htmx_swaps(
    page: Any,  # noqa: F811
    live_server: Any,
    make_clinic: Any,
    make_user: Any,
    make_episode: Any,
) -> None:
    from .conftest import PASSWORD

    clinic = make_clinic("csp")
    make_user(clinic, "cleo", "admin")
    ep = make_episode(clinic)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    page.add_init_script(WATCH)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "cleo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/patients/")
    violations: list[str] = []
    for path in (
        "/patients/",
        f"/episodes/{ep.pk}/",
        f"/episodes/{ep.pk}/exam/",
        f"/episodes/{ep.pk}/workbench/",
        f"/episodes/{ep.pk}/sessions/",
        "/audit/",
        "/accounts/",
        "/accounts/2fa/",
        "/api/docs",
    ):
        resp = page.goto(f"{base}{path}")
        assert resp is not None and resp.status == 200, path
        assert "content-security-policy" in resp.headers
        page.wait_for_load_state("networkidle")
        violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    page.goto(f"{base}/episodes/{ep.pk}/workbench/")
    page.wait_for_load_state("networkidle")
    page.evaluate("htmx.ajax('GET', location.pathname, {target: 'body', swap: 'none'})")  # htmx itself runs
    page.wait_for_load_state("networkidle")
    violations += page.evaluate("window.__csp")
    assert not violations, violations
    assert not [m for m in console if "Content Security Policy" in m], console

"""The form renderer: Django's built-in widgets through Jinja2, every other template through Django's engine."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer

from kinetrace.web.forms import FindingForm
from kinetrace.web.renderer import FormRenderer

pytestmark = pytest.mark.django_db


def test_builtin_widgets_render_through_jinja2_and_the_rest_through_django() -> None:
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    assert type(renderer.get_template("django/forms/widgets/select.html")).__module__.endswith("jinja2")
    # the admin's widget templates exist only for Django's template engine: they fall back to it
    related = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert type(related).__module__.endswith("backends.django")


def test_a_rendered_form_is_the_same_html_as_with_the_django_engine() -> None:
    fast = str(FindingForm(initial={"region": "scapula", "side": "right"}).as_div())
    slow_form = FindingForm(initial={"region": "scapula", "side": "right"}, renderer=DjangoTemplates())
    slow = str(slow_form.as_div())
    squash = lambda html: " ".join(html.split()).replace("> <", "><")  # noqa: E731 - whitespace only
    assert squash(fast) == squash(slow)
    assert 'value="scapula" selected' in fast


def test_admin_pages_with_related_and_select_widgets_render(client: Any, django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-the-test-9")
    client.force_login(admin)
    for url in ("/admin/clinic/membership/add/", "/admin/clinic/markertest/add/", "/admin/auth/user/add/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
    assert "related-widget-wrapper" in client.get("/admin/clinic/membership/add/").content.decode()

"""The form renderer (setting ``FORM_RENDERER``): Django's built-in widget templates through its
Jinja2 renderer, about three times faster than the Django template language on the exam sheet's
long selects (docs/web.md, performance); any template only the Django template engine has
(the admin's widgets, third-party apps') falls back to it."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kinetrace.web"
    label = "clinic"
    verbose_name = "Kinetrace clinic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kinetrace.web import (
            checks,  # noqa: F401 - registers the knowledge system checks
            security,
        )

        security.connect_signals()

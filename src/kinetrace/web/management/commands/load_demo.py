from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kinetrace.web.demo import load_demo


class Command(BaseCommand):
    help = (
        "Create the demo clinic, a demo login (published password) and the seed case with its trials "
        "(safe to repeat). Only in demo mode: KINETRACE_DEMO=1 (scripts/run sets it)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO", False):
            raise CommandError(
                "load_demo creates a login with a published password: only in demo mode (KINETRACE_DEMO=1). "
                "For a clinic, use `kinetrace web createadmin`."
            )
        clinic, username, password, episode = load_demo()
        self.stdout.write(f"Demo clinic: {clinic.name}")
        self.stdout.write(f"Demo login:  username {username}  password {password}")
        if episode is not None:
            self.stdout.write(f"Seed case:   /episodes/{episode.pk}/workbench/")

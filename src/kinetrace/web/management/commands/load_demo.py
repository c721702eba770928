from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kinetrace.web.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo clinic, a demo login and the seed case with its trials (safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        clinic, username, password, episode = load_demo()
        self.stdout.write(f"Demo clinic: {clinic.name}")
        self.stdout.write(f"Demo login:  username {username}  password {password}")
        if episode is not None:
            self.stdout.write(f"Seed case:   /episodes/{episode.pk}/workbench/")

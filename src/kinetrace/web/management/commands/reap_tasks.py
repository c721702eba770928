"""``kinetrace web reap_tasks``: mark failed the video analyses whose worker died (lease expired)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kinetrace.web.tasks import reap_stale_videos


class Command(BaseCommand):
    help = "Mark failed every running video analysis whose worker stopped renewing its heartbeat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--lease", type=int, default=None, help="seconds without a heartbeat (default: setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        n = reap_stale_videos(options["lease"])
        self.stdout.write(f"{n} stale analys{'is' if n == 1 else 'es'} marked failed")

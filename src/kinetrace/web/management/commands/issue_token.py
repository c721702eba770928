from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kinetrace.web.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API bearer token for a user (printed once; only its hash is stored)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="api")
        parser.add_argument("--scope", choices=[ApiToken.READ, ApiToken.WRITE], default=ApiToken.READ)
        parser.add_argument("--days", type=int, default=90, help="validity in days (1-365; default 90)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not 1 <= options["days"] <= 365:
            raise CommandError("--days: 1-365")
        expires = timezone.now() + dt.timedelta(days=options["days"])
        _, raw = ApiToken.issue(user, options["name"], scope=options["scope"], expires=expires)
        self.stdout.write(raw)

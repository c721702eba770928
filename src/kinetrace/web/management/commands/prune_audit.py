"""``kinetrace web prune_audit``: delete audit rows older than the retention period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from kinetrace.web.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit events older than KINETRACE_AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] or settings.KINETRACE_AUDIT_RETENTION_DAYS
        cutoff = timezone.now() - dt.timedelta(days=days)
        n, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"{n} audit event{'s' if n != 1 else ''} older than {days} days deleted")

"""The demo clinic: a clinic, a clinician login and the seed case with its trials (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

import kinetrace
from kinetrace.web import models as m
from kinetrace.web.casefile import import_case

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "kinetrace-demo"  # printed by scripts/run; demo data is synthetic
SEED_CASE = Path(__file__).resolve().parents[3] / "examples" / "mrs_h.yaml"


@transaction.atomic
def load_demo(seed_case: Path = SEED_CASE) -> tuple[m.Clinic, str, str, m.Episode | None]:
    clinic, _ = m.Clinic.objects.get_or_create(slug="demo", defaults={"name": "Demo Clinic"})
    user_model = get_user_model()
    user = user_model.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = user_model.objects.create_user(DEMO_USERNAME, password=DEMO_PASSWORD, first_name="Demo")
    m.Membership.objects.get_or_create(user=user, defaults={"clinic": clinic, "role": m.Membership.ADMIN})
    episode = m.Episode.objects.filter(patient__clinic=clinic, patient__ref="mrs-h").first()
    if episode is None and seed_case.exists():
        episode = import_case(kinetrace.load_case(seed_case), clinic)
        m.AuditEvent.objects.create(
            clinic=clinic, user=user, patient=episode.patient, action="import_case", detail="demo seed"
        )
    return clinic, DEMO_USERNAME, DEMO_PASSWORD, episode

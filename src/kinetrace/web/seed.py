"""Catalogue seed data: marker tests from the core catalogue, interventions and an advice library.

Used by the data migration ``0002_seed_catalogues`` (with historical models) and by tests.
"""

from __future__ import annotations

from typing import Any

from kinetrace.knowledge import marker_catalogue

INTERVENTIONS: list[tuple[str, str]] = [
    ("Neural slider (nerve glide), 3 x 1 min", "neural_tension"),
    ("Neural tensioner, 3 x 10", "neural_tension"),
    ("Trigger point release (ischaemic pressure, 90 s)", "muscle_tension"),
    ("Soft-tissue release / massage, 3 min", "muscle_tension"),
    ("Joint mobilisation PA, grade III, 3 x 30 s", "joint_hypomobility"),
    ("Joint manipulation (thrust)", "joint_hypomobility"),
    ("Contract-relax stretch, 3 x", "restricted_range"),
    ("Activation exercise, 2 x 10", "weakness"),
    ("Movement retraining cue, 5 repetitions", "movement_pattern"),
    ("Taping", "other"),
]

ADVICE: list[tuple[str, str, str]] = [
    (
        "running_cue",
        "Increase step rate by 5-10 % (metronome) to reduce over-striding",
        "Heiderscheit et al. Med Sci Sports Exerc 2011;43(2):296-302",
    ),
    ("running_cue", "Run with relaxed, lowered shoulders and elbows swinging close to the body", ""),
    ("running_cue", "Land with the foot closer to under the hips; 'run quietly'", ""),
    ("work_posture", "Keep the working elbow close to the body; bring the work (or the patient) closer", ""),
    ("work_posture", "Screen at eye height, arms supported; change position every 30 minutes", ""),
    ("work_posture", "Alternate the working arm or position and take short micro-breaks", ""),
    ("exercise", "Hip flexor strengthening in standing, 3 x 10 each side, daily", ""),
    ("exercise", "Thoracic rotation mobility in side-lying ('open book'), 10 each side", ""),
    ("self_treatment", "Self-release with a ball against a wall, 1-2 minutes daily", ""),
    ("education", "Why a problem far from the pain can drive it, and what the trials showed", ""),
    ("education", "Pain is not damage: load gradually, aim for 30-50 % improvement per session", ""),
]


def seed_catalogues(marker_test: Any, intervention: Any, advice_item: Any) -> None:
    """Create missing catalogue rows (idempotent); arguments are the model classes."""
    for code, c in marker_catalogue().items():
        marker_test.objects.get_or_create(
            code=code,
            defaults={
                "name": c.name,
                "unit": c.unit,
                "better": c.better,
                "range_low": c.range[0],
                "range_high": c.range[1],
                "mdc": c.mdc,
                "mdc_source": c.mdc_source or c.mdc_note or "",
            },
        )
    for name, kind in INTERVENTIONS:
        intervention.objects.get_or_create(name=name, defaults={"finding_kind": kind})
    for kind, text, source in ADVICE:
        advice_item.objects.get_or_create(kind=kind, text=text, defaults={"source": source})

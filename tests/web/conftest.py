"""Web-app fixtures: per-test factories for clinics, users and the seed case (no shared world)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import kinetrace

SEED = Path(__file__).resolve().parents[2] / "examples" / "mrs_h.yaml"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests of other behaviour hash with MD5 (test_security checks argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_media_folder(settings: Any, tmp_path: Path) -> None:
    """Uploads and analysis images of a test go to its own folder, never into the repository's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_clinic(db: Any) -> Callable[..., Any]:
    """Clinic factory; also (re)seeds the catalogues, which a transactional test's flush empties."""
    from kinetrace.web.models import AdviceItem, Clinic, Intervention, MarkerTest
    from kinetrace.web.seed import seed_catalogues

    seed_catalogues(MarkerTest, Intervention, AdviceItem)

    def make(slug: str = "a") -> Any:
        return Clinic.objects.create(slug=slug, name=f"Clinic {slug.upper()}")

    return make


@pytest.fixture
def make_user(db: Any, django_user_model: Any) -> Callable[..., Any]:
    from kinetrace.web.models import Membership

    def make(clinic: Any, username: str, role: str = "clinician") -> Any:
        user = django_user_model.objects.create_user(username, password=PASSWORD)
        if clinic is not None:
            Membership.objects.create(user=user, clinic=clinic, role=role)
        return user

    return make


@pytest.fixture
def make_episode(db: Any) -> Callable[..., Any]:
    """Import the seed case (with its trials) into a clinic."""
    from kinetrace.web.casefile import import_case

    def make(clinic: Any, ref: str | None = None) -> Any:
        return import_case(kinetrace.load_case(SEED), clinic, ref=ref)

    return make


@pytest.fixture
def world(make_clinic: Any, make_user: Any, make_episode: Any) -> dict[str, Any]:
    """Two clinics, each with a clinician, a clinic admin and the seed case."""
    a, b = make_clinic("a"), make_clinic("b")
    return {
        "a": a,
        "b": b,
        "a_clinician": make_user(a, "alice"),
        "a_admin": make_user(a, "anne", "admin"),
        "b_clinician": make_user(b, "bob"),
        "b_admin": make_user(b, "bea", "admin"),
        "a_episode": make_episode(a),
        "b_episode": make_episode(b),
    }

"""Clinic scope: the only way to fetch a patient or an episode for a user.

Every query here names the user's clinic; another clinic's record is indistinguishable from
a missing one (404). Views and the API never query :class:`Patient` or :class:`Episode`
directly (``tests/web/test_isolation.py`` checks every URL).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from kinetrace.web.models import Clinic, Episode, Membership, Patient, Session, Trial


def membership_of(user: Any) -> Membership:
    """The user's clinic membership; a user without one may not see any patient."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("log in first")
    cached = getattr(user, "_kinetrace_membership", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    membership = Membership.objects.select_related("clinic").filter(user=user).first()
    if membership is None:
        raise PermissionDenied("this account belongs to no clinic")
    user.membership = membership  # fills Django's relation cache (templates read user.membership)
    user._kinetrace_membership = membership
    return membership


def clinic_of(user: Any) -> Clinic:
    return membership_of(user).clinic


def is_clinic_admin(user: Any) -> bool:
    return membership_of(user).role == Membership.ADMIN


def patients_for(user: Any) -> QuerySet[Patient]:
    return Patient.objects.filter(clinic=clinic_of(user))


def episodes_for(user: Any) -> QuerySet[Episode]:
    return Episode.objects.filter(patient__clinic=clinic_of(user)).select_related("patient__clinic")


def get_patient_for_user(user: Any, patient_id: Any) -> Patient:
    """The patient if it belongs to the user's clinic, else 404."""
    try:
        return patients_for(user).get(pk=int(patient_id))
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404("No such patient") from None


def get_episode_for_user(user: Any, episode_id: Any, *, full: bool = False) -> Episode:
    """The episode if its patient belongs to the user's clinic, else 404.

    ``full`` prefetches everything :func:`kinetrace.web.casefile.episode_to_case` reads, so
    building the case costs a fixed number of queries.
    """
    qs = episodes_for(user)
    if full:
        qs = qs.prefetch_related(
            "complaintareas",
            "findings",
            "markers",
            "planitems",
            "goals",
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related(
                    "measurements", "proms", Prefetch("trials", queryset=Trial.objects.prefetch_related("values"))
                ),
            ),
        )
    try:
        return qs.get(pk=int(episode_id))
    except (Episode.DoesNotExist, ValueError, TypeError):
        raise Http404("No such episode") from None

"""The database <-> kinetrace/case@1 bridge: the seed case survives a round trip unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import kinetrace
from kinetrace.web import models as m
from kinetrace.web.access import get_episode_for_user
from kinetrace.web.casefile import episode_to_case, episode_to_dict, load_parts, parts_from_instances, parts_of

from .conftest import SEED

pytestmark = pytest.mark.django_db


def test_seed_case_round_trips_through_the_database(make_clinic: Any, make_episode: Any) -> None:
    episode = make_episode(make_clinic())
    original = kinetrace.load_case(SEED)
    assert episode_to_case(episode).to_dict() == original.to_dict()


def test_analysis_of_the_stored_case_is_the_cores_analysis(make_clinic: Any, make_episode: Any) -> None:
    episode = make_episode(make_clinic())
    stored = kinetrace.analyse(episode_to_case(episode)).to_dict()
    assert stored == kinetrace.analyse(kinetrace.load_case(SEED)).to_dict()


def test_parts_read_with_values_queries_equal_the_prefetched_relations(
    make_clinic: Any, make_user: Any, make_episode: Any
) -> None:
    """The workbench reads an episode's parts with values() queries; the result is the same as
    through its prefetched relations (and so is the case), edge values included."""
    clinic = make_clinic()
    user = make_user(clinic, "alice")
    episode = make_episode(clinic)
    marker = m.Marker.objects.filter(episode=episode).first()
    assert marker is not None
    later = m.Session.objects.create(episode=episode, key="s9", date=dt.date(2031, 1, 2), note="later")
    trial = m.Trial.objects.create(
        session=later, key="t99", candidate="control", intervention="", note="odd", pre={marker.key: 3}
    )
    m.TrialValue.objects.create(trial=trial, marker=marker, value=2.5)
    m.Session.objects.create(episode=episode, key="s10", date=dt.date(2031, 1, 3))
    m.PlanItem.objects.create(episode=episode, kind="advice", text="Walk", targets=["a", "b"])

    full = get_episode_for_user(user, episode.pk, full=True)
    plain = get_episode_for_user(user, episode.pk)
    assert parts_of(full) == parts_from_instances(full)
    assert parts_of(plain) == load_parts(plain) == parts_from_instances(full)
    assert any(s["key"] == "s10" and not s["trials"] and not s["measurements"] for s in load_parts(plain).sessions)
    assert episode_to_dict(plain) == episode_to_dict(full)

"""The database <-> kinetrace/case@1 bridge: the seed case survives a round trip unchanged."""

from __future__ import annotations

from typing import Any

import pytest

import kinetrace
from kinetrace.web.casefile import episode_to_case

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

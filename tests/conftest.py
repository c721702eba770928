"""Shared fixtures. Case factories live in tests/factories.py."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def global_random_seed() -> int:
    """Seed for tests that must hold for any seed (KINETRACE_TESTS_SEED overrides; default 42)."""
    return int(os.environ.get("KINETRACE_TESTS_SEED", "42"))

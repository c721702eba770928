"""The public Python API is exactly what ``kinetrace.__all__`` lists (httpx-style)."""

from __future__ import annotations

import kinetrace


def test_public_api_is_stable() -> None:
    assert sorted(kinetrace.__all__) == ["Analysis", "Case", "CaseError", "analyse", "load_case"]
    for name in kinetrace.__all__:
        assert getattr(kinetrace, name) is not None

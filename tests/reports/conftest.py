"""Report tests render real PDFs: silence only the known third-party deprecation noise, here only."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reports" in str(item.path):
            # fontTools / WeasyPrint may emit these while subsetting fonts; nothing we can act on.
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:fontTools.*"))
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:weasyprint.*"))

"""Clinical knowledge shipped as data with sources: body regions and the marker catalogue.

The YAML files beside this module are the source of truth; this package only loads and
validates them (see :mod:`kinetrace.knowledge.catalogue`).
"""

from __future__ import annotations

from kinetrace.knowledge.catalogue import (
    CatalogueMarker,
    Region,
    marker_catalogue,
    regions,
)

__all__ = ["CatalogueMarker", "Region", "marker_catalogue", "regions"]

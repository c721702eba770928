"""The atlas's typed link DATA, read by the simulator's own loader, and its atlas distance.

Only the data in ``kinetrace/knowledge/links.yaml`` is read here: each link's endpoints (``a``,
``b``), ``laterality`` and evidence level. The engine's numbers in that file (the evidence levels'
``weight`` and per-link ``weight`` overrides) and the engine's prior, path-strength and
likelihood code are NOT used; how strongly a link counts is the simulator's own assumption
(``atlas_linkage`` in ``scenarios.yaml``), so a benchmark score cannot come from the engine
grading its own model.

The graph's nodes are (region, side) with side ``left``/``right`` for paired regions and
``central`` for midline ones. A link joins

* ``ipsilateral``: left-left and right-right (a midline end joins both sides);
* ``contralateral``: left-right and right-left (the diagonal slings);
* ``both``: every side combination.

The *atlas distance* of a finding from the complaint is the length of the shortest path between
their nodes, each link counting ``hop_length[evidence]`` (1 for a trial-backed link, more for a
weaker one): a weighted hop count. The plain hop count (every link = 1) is :func:`atlas_hops`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from kinetrace.knowledge import regions
from kinetrace.simulate.scenarios import SimulatorDataError, simulator_data

Node = tuple[str, str]

#: Distance of a node no path reaches (the atlas graph is connected, so only a safeguard).
UNREACHABLE = float("inf")


class AtlasLink(BaseModel):
    """One link of ``links.yaml``: only the fields the simulator reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    type: str
    a: str
    b: str
    laterality: Literal["ipsilateral", "contralateral", "both"]
    evidence: str


@cache
def atlas_links() -> tuple[AtlasLink, ...]:
    """Graph links of ``links.yaml`` (the ``a: any`` fallback, which names no pathway, is left out)."""
    text = resources.files("kinetrace.knowledge").joinpath("links.yaml").read_text(encoding="utf-8")
    raw: Any = yaml.safe_load(text)
    try:
        links = tuple(AtlasLink.model_validate(item) for item in raw["links"])
    except (ValidationError, KeyError, TypeError) as exc:
        raise SimulatorDataError(f"links.yaml: not the link list the simulator reads: {exc}") from exc
    known = regions()
    levels = simulator_data().atlas_linkage.hop_length
    graph = tuple(link for link in links if link.a != "any")
    for link in graph:
        for end in (link.a, link.b):
            if end not in known:
                raise SimulatorDataError(f"links.yaml {link.id}: unknown region {end!r}")
        if link.evidence not in levels:
            raise SimulatorDataError(
                f"links.yaml {link.id}: evidence {link.evidence!r} has no hop_length in scenarios.yaml; "
                f"allowed: {', '.join(levels)}"
            )
    return graph


def _sides(region: str) -> tuple[str, ...]:
    return ("left", "right") if regions()[region].paired else ("central",)


def nodes_of(region: str, side: str) -> tuple[Node, ...]:
    """Graph nodes a finding or complaint area at (region, side) sits on.

    A midline region has one node whatever its side; a paired region on ``bilateral`` (or an
    unspecified ``central``) side sits on both its nodes.
    """
    if not regions()[region].paired:
        return ((region, "central"),)
    if side in ("left", "right"):
        return ((region, side),)
    return ((region, "left"), (region, "right"))


def _edges(link: AtlasLink) -> Iterable[tuple[Node, Node]]:
    for sa in _sides(link.a):
        for sb in _sides(link.b):
            joined = (
                link.laterality == "both"
                or "central" in (sa, sb)  # a midline end joins both sides
                or (link.laterality == "ipsilateral" and sa == sb)
                or (link.laterality == "contralateral" and sa != sb)
            )
            if joined:
                yield (link.a, sa), (link.b, sb)


@cache
def _graph(weighted: bool) -> dict[Node, tuple[tuple[Node, float], ...]]:
    cfg = simulator_data().atlas_linkage
    adjacency: dict[Node, list[tuple[Node, float]]] = {}
    for link in atlas_links():
        level = cfg.level_overrides.get(link.id, link.evidence)
        length = cfg.hop_length[level] if weighted else 1.0
        for u, v in _edges(link):
            if u == v:
                continue
            adjacency.setdefault(u, []).append((v, length))
            adjacency.setdefault(v, []).append((u, length))
    return {node: tuple(edges) for node, edges in adjacency.items()}


@cache
def _distances_from(source: Node, weighted: bool) -> dict[Node, float]:
    graph = _graph(weighted)
    dist: dict[Node, float] = {source: 0.0}
    queue: list[tuple[float, Node]] = [(0.0, source)]
    while queue:
        d, node = heapq.heappop(queue)
        if d > dist.get(node, UNREACHABLE):
            continue
        for nxt, length in graph.get(node, ()):
            nd = d + length
            if nd < dist.get(nxt, UNREACHABLE):
                dist[nxt] = nd
                heapq.heappush(queue, (nd, nxt))
    return dist


def _shortest(region: str, side: str, c_region: str, c_side: str, *, weighted: bool) -> float:
    best = UNREACHABLE
    for target in nodes_of(c_region, c_side):
        dist = _distances_from(target, weighted)
        for node in nodes_of(region, side):
            best = min(best, dist.get(node, UNREACHABLE))
    return best


def atlas_distance(region: str, side: str, c_region: str, c_side: str) -> float:
    """Weighted hop count from (region, side) to the complaint area (0 = where it hurts)."""
    return _shortest(region, side, c_region, c_side, weighted=True)


def atlas_hops(region: str, side: str, c_region: str, c_side: str) -> int:
    """Plain number of atlas links on the shortest path to the complaint area (0 = same node)."""
    hops = _shortest(region, side, c_region, c_side, weighted=False)
    return int(hops) if hops != UNREACHABLE else 10**6


def body_half(region: str) -> str:
    """``upper`` or ``lower`` body, split at the thoracolumbar junction (``scenarios.yaml``)."""
    return "upper" if region in simulator_data().atlas_linkage.upper_body else "lower"


def atlas_weight(region: str, side: str, c_region: str, c_side: str) -> float:
    """The simulator's atlas-linked weight in (0, 1] of a finding being the driver.

    ``local_weight`` where it hurts (atlas distance 0), else ``hop_decay ** (distance - 1)``,
    times ``region_factor`` (1 for spine and sacroiliac regions). See ``scenarios.yaml``.
    """
    cfg = simulator_data().atlas_linkage
    distance = atlas_distance(region, side, c_region, c_side)
    if distance == 0:
        near = cfg.local_weight
    elif distance == UNREACHABLE:
        near = cfg.unreachable_weight
    else:
        near = cfg.hop_decay ** (distance - 1.0)
    factor = 1.0 if region in cfg.spine_sacroiliac else cfg.other_region_factor
    return float(min(1.0, near) * factor)

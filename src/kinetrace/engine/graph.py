"""Best paths through the typed linkage graph, with sides respected.

Nodes are ``(region, side)``: a paired region has a ``left`` and a ``right`` node, an unpaired
(midline) region one ``central`` node. A link joins nodes according to its laterality
(ipsilateral, contralateral = diagonal, both). The strength of a path is the weight of its
weakest link times ``hop_decay ** (hops - 1)``: a chain is no stronger than its least supported
step, and a little weaker for every further step (docs/engine.md, "Prior").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from kinetrace.engine.atlas import Atlas, Link, atlas

Node = tuple[str, str]

#: Evidence levels from strongest to weakest (for naming a path's weakest link).
LEVEL_ORDER: tuple[str, ...] = ("A", "B", "C/B", "C", "C/D", "D", "none")


@dataclass(frozen=True)
class Step:
    """One link of a path, in the direction travelled."""

    source: Node
    target: Node
    link: Link


@dataclass(frozen=True)
class Path:
    """A best path from a finding's nodes to one target node.

    ``steps`` is empty for a local finding (it sits in the target itself) and for the fallback
    (no path in the graph; ``fallback`` is then True).
    """

    target: Node
    steps: tuple[Step, ...]
    strength: float
    local: bool = False
    fallback: bool = False

    def levels(self) -> list[str]:
        """Evidence level of each step."""
        return [s.link.evidence for s in self.steps]


def sides_of(region: str, side: str, graph_atlas: Atlas | None = None) -> tuple[Node, ...]:
    """The graph nodes a region + side stands for (bilateral -> both sides; midline -> central)."""
    at = graph_atlas or atlas()
    if not at.regions[region].paired:
        return ((region, "central"),)
    if side in ("left", "right"):
        return ((region, side),)
    return ((region, "left"), (region, "right"))


@cache
def _adjacency(kind: str | None) -> dict[Node, tuple[tuple[Node, Link, float], ...]]:
    at = atlas()
    edges: dict[Node, list[tuple[Node, Link, float]]] = {}

    def add(u: Node, v: Node, link: Link) -> None:
        w = at.link_weight(link, kind)
        edges.setdefault(u, []).append((v, link, w))
        edges.setdefault(v, []).append((u, link, w))

    for link in at.links:
        for u in sides_of(link.a, "bilateral", at):
            for v in sides_of(link.b, "bilateral", at):
                if "central" in (u[1], v[1]) or link.laterality == "both":
                    ok = True
                else:
                    same = u[1] == v[1]
                    ok = same if link.laterality == "ipsilateral" else not same
                if ok and u != v:
                    add(u, v, link)
    return {k: tuple(v) for k, v in edges.items()}


@cache
def best_paths(
    starts: tuple[Node, ...],
    kind: str | None = None,
    lines: tuple[str, ...] | None = None,
    types: frozenset[str] | None = None,
) -> dict[Node, Path]:
    """Best path from any of ``starts`` to every reachable node (cached per start set and kind).

    Parameters
    ----------
    starts : tuple of (region, side)
        The finding's nodes (its region and the regions its structure spans), sorted.
    kind : str or None
        The finding's kind (link types may weigh kinds differently); None for no finding.
    lines : tuple of str or None
        Link ids the finding's structure belongs to; None when its structure is unknown. A first
        step along a named chain the structure is not on is weighted by ``indirect_entry``.
    types : frozenset of str or None
        Link types the path may use (None: every type); explanations search one mechanism
        class at a time with it.

    Returns
    -------
    dict
        Node -> :class:`Path`; start nodes map to a local path of strength ``local_strength``.
    """
    pri = atlas().priors
    layers = _layers(starts, kind, lines, types)
    best_hop: dict[Node, tuple[float, int]] = {}
    for hops in range(1, len(layers)):
        decay = pri.hop_decay ** (hops - 1)
        for v, (b, _, _) in layers[hops].items():
            strength = b * decay
            if v not in best_hop or strength > best_hop[v][0]:
                best_hop[v] = (strength, hops)
    best = {
        v: Path(target=v, steps=_steps_back(layers, v, hops), strength=strength)
        for v, (strength, hops) in best_hop.items()
        if v not in starts
    }
    for s0 in starts:
        best[s0] = Path(target=s0, steps=(), strength=pri.local_strength, local=True)
    return best


_Layer = dict[Node, tuple[float, Node | None, Link | None]]


def _layers(
    starts: tuple[Node, ...], kind: str | None, lines: tuple[str, ...] | None, types: frozenset[str] | None
) -> list[_Layer]:
    """layer[h][v] = (bottleneck weight, predecessor node, link) of the best path with exactly h hops."""
    pri = atlas().priors
    edges = _adjacency(kind)
    layers: list[_Layer] = [dict.fromkeys(starts, (1.0, None, None))]
    for hops in range(1, pri.max_hops + 1):
        nxt: _Layer = {}
        for u, (bottleneck, _, _) in layers[-1].items():
            for v, link, w in edges.get(u, ()):
                if types is not None and link.type not in types:
                    continue
                if hops == 1 and lines is not None and link.type != "adjacency" and link.id not in lines:
                    w *= pri.indirect_entry
                b = min(w, bottleneck)
                old = nxt.get(v)
                if old is None or b > old[0]:
                    nxt[v] = (b, u, link)
        layers.append(nxt)
    return layers


def _steps_back(layers: list[_Layer], target: Node, hops: int) -> tuple[Step, ...]:
    """The steps of the best ``hops``-hop path to ``target``, walked back through the layers."""
    steps: list[Step] = []
    node = target
    for h in range(hops, 0, -1):
        _, prev, via = layers[h][node]
        if prev is None or via is None:  # pragma: no cover - every layer-h node has a predecessor
            raise RuntimeError(f"broken path table at {node}")
        steps.append(Step(prev, node, via))
        node = prev
    return tuple(reversed(steps))


@cache
def _matrix(kind: str | None) -> tuple[dict[Node, int], NDArray[np.float64]]:
    """Node index and the N x N matrix of the strongest link weight between two nodes (0 = none)."""
    edges = _adjacency(kind)
    nodes = sorted({n for u, vs in edges.items() for n in (u, *(v for v, _, _ in vs))})
    index = {n: i for i, n in enumerate(nodes)}
    w = np.zeros((len(nodes), len(nodes)))
    for u, vs in edges.items():
        for v, _, weight in vs:
            w[index[u], index[v]] = max(w[index[u], index[v]], weight)
    return index, w


def strengths(
    starts: tuple[Node, ...], targets: tuple[Node, ...], kind: str | None = None, lines: tuple[str, ...] | None = None
) -> float:
    """Strength of the best path from ``starts`` to any of ``targets`` (same rule as
    :func:`best_paths`, computed as a max-min product of the link-weight matrix, without the
    paths themselves; the fallback weight when nothing is reached)."""
    at = atlas()
    pri = at.priors
    if set(starts) & set(targets):
        return pri.local_strength
    index, w = _matrix(kind)
    edges = _adjacency(kind)
    b = np.zeros(len(index))
    for u in starts:
        for v, link, weight in edges.get(u, ()):
            if lines is not None and link.type != "adjacency" and link.id not in lines:
                weight *= pri.indirect_entry
            b[index[v]] = max(b[index[v]], weight)
    cols = [index[t] for t in targets if t in index]
    best = float(b[cols].max()) if cols else 0.0
    decay = 1.0
    for _ in range(2, pri.max_hops + 1):
        decay *= pri.hop_decay
        b = np.max(np.minimum(b[:, None], w), axis=0)
        if cols:
            best = max(best, float(b[cols].max()) * decay)
    return best if best > 0 else at.link_weight(at.fallback)


def path_to(
    starts: tuple[Node, ...],
    targets: tuple[Node, ...],
    kind: str | None = None,
    lines: tuple[str, ...] | None = None,
) -> Path:
    """The strongest path from ``starts`` to any of ``targets`` (the fallback link if none)."""
    paths = best_paths(starts, kind, lines)
    found = [paths[t] for t in targets if t in paths]
    local = [p for p in found if p.local]
    if local:
        return local[0]
    if found:
        return max(found, key=lambda p: (p.strength, -len(p.steps), p.target))
    at = atlas()
    return Path(target=targets[0], steps=(), strength=at.link_weight(at.fallback), fallback=True)


def path_level(path: Path) -> str:
    """The evidence of a path: its weakest link's level.

    When a path joins single-letter levels that differ, both are stated as ``"best/weakest"``
    (e.g. ``"C/D"``: a C-level chain reached through a D-level step); the path is never
    stronger than the weakest.
    """
    if path.fallback:
        return atlas().fallback.evidence
    levels = sorted(set(path.levels()), key=LEVEL_ORDER.index)
    if not levels:
        return "local"
    best, weakest = levels[0], levels[-1]
    if best == weakest or "/" in best or "/" in weakest or weakest == "none":
        return weakest
    return f"{best}/{weakest}"

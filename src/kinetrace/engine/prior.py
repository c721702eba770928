"""Prior probability that each finding is the driver, before any trial.

For finding ``f`` and complaint areas ``a`` (docs/engine.md, "Prior")::

    s_f    = max_a  kind_weight(a) * strength(best path f -> a)
    w_f    = kind(f) * severity(f) * history(f) * region_group(f) * (linkage_floor + s_f)
    P(f)   = (1 - p_none) * w_f / sum_g w_g
    P(none)= p_none          "the driver is not among the findings"

The factor tables and the link weights are data (driver_priors.yaml, links.yaml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from kinetrace.case.model import Case, ComplaintArea, Finding
from kinetrace.engine.atlas import atlas
from kinetrace.engine.graph import Node, Path, path_to, sides_of, strengths


@dataclass(frozen=True)
class PriorFactors:
    """Multipliers on the shipped prior factors, learned from a clinic's confirmed cases.

    All empty / 1 is the shipped prior exactly. ``kind``, ``severity``, ``history`` and
    ``region_group`` multiply the shipped factor of that value (region groups of
    driver_priors.yaml, plus ``other`` for regions in no group); ``linkage_power`` raises the
    path strength (``floor + s ** power``: above 1 the atlas links count for more, below 1 for
    less); ``local`` multiplies the weight of a finding inside a complaint area.
    (:func:`kinetrace.learning.learn`; docs/engine.md, "Learning".)
    """

    kind: tuple[tuple[str, float], ...] = ()
    severity: tuple[tuple[int, float], ...] = ()
    history: tuple[tuple[str, float], ...] = ()
    region_group: tuple[tuple[str, float], ...] = ()
    linkage_power: float = 1.0
    local: float = 1.0


SHIPPED = PriorFactors()


def region_group(region: str) -> str:
    """The prior's region group of a region (driver_priors.yaml), ``other`` when in none."""
    for name, group in atlas().priors.region_groups.items():
        if region in group.get("regions", ()):
            return str(name)
    return "other"


@dataclass(frozen=True)
class FindingLinkage:
    """A finding's nodes and its best path to each complaint area."""

    finding: str
    nodes: tuple[Node, ...]
    paths: tuple[tuple[ComplaintArea, Path], ...]
    strength: float


@lru_cache(maxsize=16384)
def finding_nodes(f: Finding) -> tuple[Node, ...]:
    """The graph nodes a finding sits on: its region and the regions its structure spans."""
    at = atlas()
    structure = at.match_structure(f.structure)
    region_ids = [f.region, *(structure.regions if structure else ())]
    nodes = {n for r in region_ids for n in sides_of(r, f.side)}
    return tuple(sorted(nodes))


def complaint_areas(case: Case) -> tuple[ComplaintArea, ...]:
    """Complaint areas with one entry per (region, side), first kind kept."""
    seen: dict[tuple[str, str], ComplaintArea] = {}
    for a in case.complaint.areas:
        seen.setdefault((a.region, a.side), a)
    return tuple(seen.values())


@lru_cache(maxsize=16384)
def linkage(f: Finding, areas: tuple[ComplaintArea, ...]) -> FindingLinkage:
    """Best path from the finding to each complaint area and the combined strength ``s_f``."""
    at = atlas()
    pri = at.priors
    nodes = finding_nodes(f)
    structure = at.match_structure(f.structure)
    lines = None if structure is None else tuple(sorted(structure.lines))
    paths = tuple((a, path_to(nodes, sides_of(a.region, a.side), f.kind, lines)) for a in areas)
    strength = max(pri.complaint_kind_weight[a.kind] * p.strength for a, p in paths)
    return FindingLinkage(finding=f.id, nodes=nodes, paths=paths, strength=strength)


@lru_cache(maxsize=16384)
def linkage_strength(f: Finding, areas: tuple[ComplaintArea, ...]) -> float:
    """``s_f`` alone (the prior's fast path; equals ``linkage(f, areas).strength``)."""
    at = atlas()
    pri = at.priors
    structure = at.match_structure(f.structure)
    lines = None if structure is None else tuple(sorted(structure.lines))
    nodes = finding_nodes(f)
    return max(
        pri.complaint_kind_weight[a.kind] * strengths(nodes, sides_of(a.region, a.side), f.kind, lines) for a in areas
    )


@lru_cache(maxsize=16384)
def prior_weight(f: Finding, strength: float, factors: PriorFactors = SHIPPED, local: bool = False) -> float:
    """Unnormalised prior weight ``w_f`` of one finding (times the learned ``factors``)."""
    pri = atlas().priors
    kind, sev, hist, group = (
        dict(factors.kind),
        dict(factors.severity),
        dict(factors.history),
        dict(factors.region_group),
    )
    history = math.prod(pri.history_factor[h.kind] * hist.get(h.kind, 1.0) for h in f.history)
    linked = strength**factors.linkage_power if factors.linkage_power != 1.0 else strength
    return (
        pri.kind_factor[f.kind]
        * kind.get(f.kind, 1.0)
        * pri.severity_factor[f.severity]
        * sev.get(f.severity, 1.0)
        * min(history, pri.history_cap)
        * pri.region_factor(f.region)
        * group.get(region_group(f.region), 1.0)
        * (factors.local if local else 1.0)
        * (pri.linkage_floor + linked)
    )


def is_local(f: Finding, areas: tuple[ComplaintArea, ...]) -> bool:
    """Whether the finding sits in a complaint area (on one of its graph nodes)."""
    nodes = set(finding_nodes(f))
    return any(nodes & set(sides_of(a.region, a.side)) for a in areas)


def prior(
    case: Case, *, p_none: float, factors: PriorFactors | None = None
) -> tuple[dict[str, float], dict[str, tuple[Node, ...]]]:
    """Prior over the case's findings plus ``"none"``.

    Parameters
    ----------
    case : Case
        The loaded case.
    p_none : float
        Prior probability that the driver is not among the findings.
    factors : PriorFactors, optional
        Learned multipliers (a clinic's model); the shipped prior when omitted.

    Returns
    -------
    probabilities : dict
        Finding id (and ``"none"``) -> prior probability; sums to 1.
    nodes : dict
        Finding id -> the graph nodes the finding sits on.
    """
    areas = complaint_areas(case)
    nodes = {f.id: finding_nodes(f) for f in case.findings}
    fac = factors or SHIPPED
    weights = {
        f.id: prior_weight(f, linkage_strength(f, areas), fac, fac.local != 1.0 and is_local(f, areas))
        for f in case.findings
    }
    total = sum(weights.values())
    if total <= 0:
        return {"none": 1.0}, nodes
    probs = {k: (1.0 - p_none) * w / total for k, w in weights.items()}
    probs["none"] = p_none
    return probs, nodes

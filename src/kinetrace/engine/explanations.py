"""Explanations: typed, cited hypotheses of how a finding may be linked to the complaint.

Each explanation is an :class:`~kinetrace.engine.results.Explanation` (mechanism class, evidence
level, sources, the path of places); :mod:`kinetrace.presentation` words it. The wording is
"consistent with", never "caused by": a treatment trial shows that treating an area changed the
signs, not why; the links say what published work makes plausible.

:func:`explain_finding` gives, for one finding, the strongest path *per mechanism class*
(myofascial line / sling, gait counter-rotation / kinetic chain, neural continuum, remote effect)
to any complaint area, each searched over that class's link types (plus neighbouring regions);
then, for a finding outside the complaint area, the protective-output framing as its own graded,
cited statement (``framings.yaml``); a finding inside the complaint area gets a local explanation.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from kinetrace.case.model import ComplaintArea, Finding
from kinetrace.engine.atlas import Atlas, Link, atlas
from kinetrace.engine.graph import LEVEL_ORDER, Node, Path, best_paths, path_to, sides_of
from kinetrace.engine.prior import finding_nodes
from kinetrace.engine.results import Explanation, ExplanationStep, MechanismClass, Place

#: The mechanism classes searched one at a time for a driver, in display order.
SEARCHED: tuple[MechanismClass, ...] = (
    MechanismClass.MYOFASCIAL,
    MechanismClass.KINETIC_CHAIN,
    MechanismClass.NEURAL,
    MechanismClass.REMOTE_EFFECT,
)

#: The atlas's mechanism of a link type -> the explanation's mechanism class.
_CLASS_OF: dict[str, MechanismClass] = {
    "kinetic_chain": MechanismClass.KINETIC_CHAIN,
    "myofascial_diagonal": MechanismClass.MYOFASCIAL,
    "myofascial_line": MechanismClass.MYOFASCIAL,
    "neural_continuum": MechanismClass.NEURAL,
    "remote_effect": MechanismClass.REMOTE_EFFECT,
    "protective_output": MechanismClass.PROTECTIVE_OUTPUT,
}


def link_class(at: Atlas, link: Link) -> MechanismClass:
    """The mechanism class of one link (by its type's mechanism in the atlas)."""
    return _CLASS_OF[at.mechanism(link)]


def mechanism(at: Atlas, path: Path) -> MechanismClass:
    """Mechanism class of a path: the class of its strongest non-adjacency link.

    A path of neighbouring regions only is a kinetic chain; a local finding is local; no path
    is protective output (the regional interdependence model names no pathway).
    """
    if path.local:
        return MechanismClass.LOCAL
    if path.fallback or not path.steps:
        return MechanismClass.PROTECTIVE_OUTPUT
    specific = [s.link for s in path.steps if s.link.type != "adjacency"]
    if not specific:
        return MechanismClass.KINETIC_CHAIN
    best = max(specific, key=lambda link: (at.link_weight(link), link.id))
    return link_class(at, best)


def _indirect(at: Atlas, finding: Finding, path: Path) -> str | None:
    """The finding's structure when it sits on none of the path's named chains."""
    structure = at.match_structure(finding.structure)
    chains = {s.link.id for s in path.steps if s.link.type != "adjacency"}
    if structure is None or not chains or chains & set(structure.lines):
        return None
    return structure.id.replace("_", " ")


def _step(at: Atlas, source: Node, target: Node, link: Link) -> ExplanationStep:
    return ExplanationStep(
        source=Place(*source),
        target=Place(*target),
        link=link.id,
        link_type=link.type,
        link_label=at.link_types[link.type].label,
        mechanism=link_class(at, link),
        evidence_level=link.evidence,
        citation=at.cite(link),
        structures=tuple(link.structures),
        note=" ".join(link.note.split()),
    )


def _steps(at: Atlas, path: Path, nodes: tuple[Node, ...]) -> tuple[ExplanationStep, ...]:
    if path.local:
        return ()
    if path.fallback or not path.steps:
        return (_step(at, nodes[0], path.target, at.fallback),)
    return tuple(_step(at, s.source, s.target, s.link) for s in path.steps)


def levels(at: Atlas, steps: tuple[ExplanationStep, ...], local: bool) -> tuple[str, str]:
    """(weakest, strongest) evidence level of a path's links; ``local`` for a local finding."""
    if local or not steps:
        return ("local", "local") if local else (at.fallback.evidence, at.fallback.evidence)
    ordered = sorted({s.evidence_level for s in steps}, key=LEVEL_ORDER.index)
    return ordered[-1], ordered[0]


def explain_path(finding: Finding, area: ComplaintArea, path: Path, nodes: tuple[Node, ...]) -> Explanation:
    """One explanation of a finding for a complaint area, along the given best path."""
    at = atlas()
    steps = _steps(at, path, nodes)
    weakest, best = levels(at, steps, path.local)
    return Explanation(
        candidate=finding.id,
        area=Place(area.region, area.side),
        area_kind=area.kind,
        mechanism=mechanism(at, path),
        evidence_level=weakest,
        best_level=best,
        strength=path.strength,
        steps=steps,
        sources=tuple(dict.fromkeys(s.citation for s in steps)),
        indirect=_indirect(at, finding, path),
    )


class Framing(BaseModel):
    """A graded, cited statement (``framings.yaml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    applies_to: str
    evidence: str
    grade_basis: str
    statement: str
    sources: tuple[str, ...] = Field(min_length=1)


@cache
def framings() -> dict[str, Framing]:
    """The framings by id (validated; their levels must be atlas evidence levels)."""
    text = resources.files("kinetrace.engine").joinpath("framings.yaml").read_text(encoding="utf-8")
    items = [Framing.model_validate(x) for x in yaml.safe_load(text)["framings"]]
    levels = atlas().levels
    bad = [f.id for f in items if f.evidence not in levels]
    if bad:
        raise ValueError(f"framings.yaml: evidence of {bad} is not an atlas level; allowed: {', '.join(levels)}")
    return {f.id: f for f in items}


def class_types(at: Atlas, cls: MechanismClass) -> frozenset[str]:
    """The link types a path of one mechanism class may use: its own types and neighbouring regions."""
    own = {t for t, lt in at.link_types.items() if _CLASS_OF[lt.mechanism] is cls}
    return frozenset(own | {"adjacency"})


def _class_path(
    finding: Finding, areas: tuple[ComplaintArea, ...], cls: MechanismClass
) -> tuple[ComplaintArea, Path] | None:
    """The strongest path of one class from the finding to any complaint area (None if none)."""
    at = atlas()
    structure = at.match_structure(finding.structure)
    lines = None if structure is None else tuple(sorted(structure.lines))
    paths = best_paths(finding_nodes(finding), finding.kind, lines, class_types(at, cls))
    found = []
    for i, area in enumerate(areas):
        for node in sides_of(area.region, area.side):
            path = paths.get(node)
            if path is None or path.local or not path.steps:
                continue
            if any(link_class(at, st.link) is cls for st in path.steps):
                found.append((path.strength, -i, area, path))
    if not found:
        return None
    _, _, area, path = max(found, key=lambda x: (x[0], x[1], x[3].target))
    return area, path


def _with_class(e: Explanation, cls: MechanismClass) -> Explanation:
    from dataclasses import replace

    return replace(e, mechanism=cls)


def protective_statement(finding: Finding, area: ComplaintArea) -> Explanation:
    """The protective-output framing for a remote finding, as its own graded, cited statement."""
    framing = framings()["protective_output"]
    return Explanation(
        candidate=finding.id,
        area=Place(area.region, area.side),
        area_kind=area.kind,
        mechanism=MechanismClass.PROTECTIVE_OUTPUT,
        evidence_level=framing.evidence,
        best_level=framing.evidence,
        strength=atlas().link_weight(atlas().fallback),
        sources=tuple(" ".join(x.split()) for x in framing.sources),
        statement=True,
        note=" ".join(framing.statement.split()),
    )


def explain_finding(finding: Finding, areas: tuple[ComplaintArea, ...]) -> list[Explanation]:
    """A finding's explanations by mechanism (see the module docstring); never empty."""
    nodes = finding_nodes(finding)
    local = [a for a in areas if path_to(nodes, sides_of(a.region, a.side)).local]
    if local:
        path = path_to(nodes, sides_of(local[0].region, local[0].side))
        return [explain_path(finding, local[0], path, nodes)]
    out = []
    for cls in SEARCHED:
        hit = _class_path(finding, areas, cls)
        if hit is not None:
            out.append(_with_class(explain_path(finding, hit[0], hit[1], nodes), cls))
    if not out:  # no pathway of any class: the regional interdependence model only
        fallback = path_to(nodes, sides_of(areas[0].region, areas[0].side), finding.kind)
        out.append(explain_path(finding, areas[0], fallback, nodes))
    out.append(protective_statement(finding, areas[0]))
    return out

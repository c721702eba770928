"""Explanations: typed, cited paths from a finding to each complaint area.

Each explanation is an :class:`~kinetrace.engine.results.Explanation` (mechanism class, evidence
level, sources, the path of places); :mod:`kinetrace.presentation` words it. The wording is
"consistent with", never "caused by": a treatment trial shows that treating an area changed the
signs, not why; the links say what published work makes plausible.
"""

from __future__ import annotations

from kinetrace.case.model import ComplaintArea, Finding
from kinetrace.engine.atlas import Atlas, Link, atlas
from kinetrace.engine.graph import LEVEL_ORDER, Node, Path
from kinetrace.engine.results import Explanation, ExplanationStep, MechanismClass, Place

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

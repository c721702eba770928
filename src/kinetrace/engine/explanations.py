"""Explanations: the strongest typed, cited path from a finding to each complaint area.

Each explanation is a plain dict (the format the body chart and the reports draw)::

    {"candidate", "complaint_area": {"region", "side", "kind"}, "mechanism", "evidence_level",
     "strength", "summary", "indirect", "steps": [{"from", "to", "link", "link_type",
     "evidence_level", "source", "sentence"}]}

The wording is "consistent with", never "caused by": a treatment trial shows that treating an
area changed the signs, not why; the links say what published work makes plausible.
"""

from __future__ import annotations

from typing import Any

from kinetrace.case.model import ComplaintArea, Finding
from kinetrace.engine.atlas import Atlas, Link, atlas
from kinetrace.engine.graph import Node, Path, Step, path_level

#: Mechanism phrases for the summary sentence.
_MECHANISM_TEXT = {
    "kinetic_chain": "kinetic-chain compensation",
    "myofascial_diagonal": "a myofascial / diagonal link",
    "neural_continuum": "the neural continuum",
    "protective_output": "protective pain output (regional interdependence; no specific pathway)",
}


def node_label(at: Atlas, node: Node) -> str:
    """Plain name of a node, e.g. "left Buttock (gluteal region)"."""
    region, side = node
    label = at.regions[region].label
    label = label[0].lower() + label[1:]
    return label if side == "central" else f"{side} {label}"


def _sentence(at: Atlas, step: Step) -> str:
    link = step.link
    kind = at.link_types[link.type].label
    via = f" ({', '.join(link.structures)})" if link.structures else ""
    note = f"; {link.note.strip()}" if link.note else ""
    return (
        f"The {node_label(at, step.source)} and the {node_label(at, step.target)} are linked by "
        f"{kind}{via}, evidence level {link.evidence}{note}."
    )


def mechanism(at: Atlas, path: Path) -> str:
    """Mechanism class of a path: the type of its strongest non-adjacency link.

    A path of neighbouring regions only is a kinetic chain; no path, or a local finding, is
    protective output (the regional interdependence model names no pathway).
    """
    if path.fallback or path.local or not path.steps:
        return "protective_output"
    specific = [s.link for s in path.steps if s.link.type != "adjacency"]
    if not specific:
        return "kinetic_chain"
    best = max(specific, key=lambda link: (at.link_weight(link), link.id))
    return at.mechanism(best)


def _indirect(at: Atlas, finding: Finding, path: Path) -> str | None:
    """The finding's structure when it sits on none of the path's named chains."""
    structure = at.match_structure(finding.structure)
    chains = {s.link.id for s in path.steps if s.link.type != "adjacency"}
    if structure is None or not chains or chains & set(structure.lines):
        return None
    return structure.id.replace("_", " ")


def _step_dict(at: Atlas, step: Step) -> dict[str, Any]:
    return {
        "from": {"region": step.source[0], "side": step.source[1]},
        "to": {"region": step.target[0], "side": step.target[1]},
        "link": step.link.id,
        "link_type": step.link.type,
        "evidence_level": step.link.evidence,
        "source": at.cite(step.link),
        "sentence": _sentence(at, step),
    }


def _fallback_step(at: Atlas, start: Node, path: Path) -> dict[str, Any]:
    link: Link = at.fallback
    return {
        "from": {"region": start[0], "side": start[1]},
        "to": {"region": path.target[0], "side": path.target[1]},
        "link": link.id,
        "link_type": link.type,
        "evidence_level": link.evidence,
        "source": at.cite(link),
        "sentence": (
            "No published pathway joins these regions in the atlas; the regional interdependence "
            "model (a remote impairment may be associated with the complaint) is the only link."
        ),
    }


def explain_path(finding: Finding, area: ComplaintArea, path: Path, nodes: tuple[Node, ...]) -> dict[str, Any]:
    """One explanation dict for a finding and a complaint area."""
    at = atlas()
    mech = mechanism(at, path)
    level = path_level(path)
    side = finding.side if finding.side in ("left", "right") else "central"
    where = ("both sides, " if finding.side == "bilateral" else "") + node_label(at, (finding.region, side))
    what = finding.structure or finding.kind.replace("_", " ")
    target = node_label(at, path.target)
    indirect = _indirect(at, finding, path)
    if path.local:
        summary = (
            f"The finding ({what}) sits in the complaint area ({target}) itself; a change after treating it "
            f"is consistent with a local effect or {_MECHANISM_TEXT['protective_output']}."
        )
        steps: list[dict[str, Any]] = []
    elif path.fallback:
        summary = (
            f"A change in the {target} after treating the {where} ({what}) is consistent only with "
            f"{_MECHANISM_TEXT['protective_output']}; evidence level {level}."
        )
        steps = [_fallback_step(at, nodes[0], path)]
    else:
        route = " -> ".join([node_label(at, path.steps[0].source)] + [node_label(at, s.target) for s in path.steps])
        chains = ", ".join(dict.fromkeys(at.link_types[s.link.type].label for s in path.steps))
        summary = (
            f"Consistent with {_MECHANISM_TEXT[mech]} from the {where} ({what}) to the {target}: "
            f"{route}, through {chains}; evidence level {level} (no stronger than its weakest link)"
        )
        if indirect:
            summary += f"; indirect, because the {indirect} itself sits on none of these chains"
        summary += "."
        steps = [_step_dict(at, s) for s in path.steps]
    return {
        "candidate": finding.id,
        "complaint_area": {"region": area.region, "side": area.side, "kind": area.kind},
        "mechanism": mech,
        "evidence_level": level,
        "strength": round(path.strength, 4),
        "summary": summary,
        "indirect": indirect is not None,
        "steps": steps,
    }

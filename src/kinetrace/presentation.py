"""Words for every surface: the one place the analysis is turned into text (plain Python, core).

The CLI (``analyse``, ``next``, ``explain``), the web app and the reports all call these
functions, so they say the same thing. Nothing here computes a clinical result: it words the
typed results of :mod:`kinetrace.analysis` and :mod:`kinetrace.engine.results`.

* :func:`place_label` - one region + side ("left buttock (gluteal region)");
* :func:`candidate_label` - a finding, ``control`` or ``none``;
* :func:`probability_label` - a probability, never as certainty ("> 99 %", "< 1 %");
* :func:`decision_sentence` - the recommendation, one sentence per :class:`Reason` code;
* :func:`explanation_summary`, :func:`step_sentence`, :func:`path_text` - explanations;
* :func:`change_text` - a change worded by direction against the marker's MDC;
* :func:`chart_marks` - the body chart's marks.

Explanations are hypotheses: "consistent with", "may be linked", never "caused by".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from kinetrace.case.model import CONTROL, Case, Marker
from kinetrace.engine.atlas import atlas
from kinetrace.engine.results import (
    Confirmation,
    Explanation,
    ExplanationStep,
    MechanismClass,
    Place,
    Reason,
    Recommendation,
    RegionToExamine,
    SecondaryContributor,
)
from kinetrace.knowledge import regions

if TYPE_CHECKING:
    from kinetrace.analysis import Analysis

#: Candidate id of "the driver is not among the findings" (the engine's ``NONE``).
NONE = "none"

#: Mechanism classes in words (the noun phrase after "consistent with").
MECHANISM_TEXT: dict[MechanismClass, str] = {
    MechanismClass.MYOFASCIAL: "a myofascial line or sling (force transfer along connected fascia and muscle)",
    MechanismClass.KINETIC_CHAIN: "a kinetic chain (load transfer between body parts in movement)",
    MechanismClass.NEURAL: "the neural continuum (the nervous system moving and tensioning as one tissue)",
    MechanismClass.REMOTE_EFFECT: "a remote effect seen in clinical trials (no direction-specific pathway shown)",
    MechanismClass.PROTECTIVE_OUTPUT: "pain as a protective output of the nervous system",
    MechanismClass.LOCAL: "a local effect",
}

#: Short names of the mechanism classes (headings, table cells).
MECHANISM_NAME: dict[MechanismClass, str] = {
    MechanismClass.MYOFASCIAL: "myofascial line / sling",
    MechanismClass.KINETIC_CHAIN: "gait counter-rotation / kinetic chain",
    MechanismClass.NEURAL: "neural continuum",
    MechanismClass.REMOTE_EFFECT: "remote effect (not direction-specific)",
    MechanismClass.PROTECTIVE_OUTPUT: "protective output",
    MechanismClass.LOCAL: "local",
}


# --- labels -----------------------------------------------------------------------------------


def probability_label(p: float) -> str:
    """A probability for display, in whole percent, never as certainty.

    ``0.9999`` reads ``> 99 %`` and ``0.0001`` reads ``< 1 %``: a Bayesian probability of a
    driver is never 100 % or 0 %, and the display must not suggest it is.
    """
    if p >= 0.995:
        return "> 99 %"
    if p < 0.005:
        return "< 1 %"
    return f"{100 * p:.0f} %"


def place_label(region: str, side: str) -> str:
    """One region and side in words: ``left buttock (gluteal region)``, ``mid thoracic spine (T5-T8)``.

    Midline regions (``central``) have no side; on a midline region ``left``/``right`` follows the
    label ("mid thoracic spine (T5-T8), left": the worse side or a movement's direction);
    ``bilateral`` reads "... on both sides". An id unknown to the atlas is shown as it is.
    """
    known = regions().get(region)
    label = known.label if known else region.replace("_", " ")
    label = label[0].lower() + label[1:] if label else label
    if side == "bilateral":
        return f"{label} on both sides"
    if side in ("left", "right"):
        # on a midline region the side is where the sign is worse or a movement's direction
        return f"{side} {label}" if known is None or known.paired else f"{label}, {side}"
    return label


def place_of(place: Place) -> str:
    """:func:`place_label` of a :class:`Place`."""
    return place_label(place.region, place.side)


def capital(text: str) -> str:
    """The text with its first letter capitalised (the rest untouched)."""
    return text[:1].upper() + text[1:]


def candidate_label(case: Case, candidate: str) -> str:
    """A candidate in words: the finding's text (else its id), ``control`` or ``none``."""
    if candidate == CONTROL:
        return "control (no treatment)"
    if candidate == NONE:
        return "none of the findings"
    found = next((f for f in case.findings if f.id == candidate), None)
    return (found.text or found.id) if found is not None else candidate


def marker_label(marker: Marker) -> str:
    """A marker's name with its side (two "Straight leg raise" markers differ by side)."""
    return marker_name_label(marker.name, marker.id, marker.side)


def marker_name_label(name: str | None, key: str, side: str) -> str:
    """:func:`marker_label` from its parts (a marker not yet in a case, e.g. a web form's row)."""
    label = name or key
    if side in ("left", "right") and side not in label.lower():
        label += f", {side}"
    return label


# --- changes ----------------------------------------------------------------------------------


def change_text(marker: Marker, pre: float, post: float, *, real: bool) -> str:
    """A change by direction against the MDC: ``pain 6 → 2, better by 4, beyond its MDC of 2``.

    ``real`` comes from the scoring function (:func:`kinetrace.scoring.score_marker`); this only
    words it.
    """
    delta = post - pre
    head = f"{marker_label(marker)} {pre:g} → {post:g}"
    if delta == 0:
        return f"{head}, unchanged"
    better = marker.direction * delta > 0
    how = f"{'better' if better else 'worse'} by {abs(delta):g}"
    verdict = "beyond" if real else "within"
    return f"{head}, {how}, {verdict} its MDC of {marker.mdc:g}"


def verdict_text(improved: bool, worsened: bool) -> str:
    """A scored change's verdict in words."""
    return "real improvement" if improved else "real worsening" if worsened else "within noise"


# --- the decision -----------------------------------------------------------------------------


def _leader(case: Case, rec: Recommendation) -> str:
    d = rec.data
    if d.candidate is None or d.probability is None:
        return ""
    return f" The likeliest is {candidate_label(case, d.candidate)} (P {probability_label(d.probability)})."


def _driver_found(case: Case, rec: Recommendation) -> str:
    d = rec.data
    who = candidate_label(case, d.candidate or "")
    limit = "" if d.threshold is None else f"; threshold {100 * d.threshold:.0f} %"
    text = (
        f"Stop: {who} is very likely the driver (P {probability_label(d.probability or 0.0)}{limit}); "
        "no further trial is needed."
    )
    if rec.rests_on_single_trial:
        text += " The call rests on a single trial."
    return text


def _continue(case: Case, rec: Recommendation) -> str:
    d = rec.data
    who = candidate_label(case, d.candidate or "")
    # plain words (issue 12): no information units, no "near-tie"; the probability through its label only
    prob = f"{probability_label(d.probability or 0.0)} likely to be the driver now"
    if rec.reason is Reason.RECHECK:
        text = f"Next trial: {who} again, to confirm it - it leads ({prob}) but is not yet clear enough to stop."
    else:
        text = f"Next trial: {who} - of the untested findings, its result is expected to tell the most ({prob})."
    if d.near_ties:
        n = d.near_ties
        others = f"{n} other finding{'s' if n != 1 else ''} would tell almost as much"
        text += f" {others}; this one was chosen as the likelier to help."
    return text


def decision_sentence(analysis: Analysis) -> str:
    """The recommendation in one or two sentences, for every :class:`Reason` code."""
    return recommendation_sentence(analysis.case, analysis.recommendation)


def recommendation_sentence(case: Case, rec: Recommendation) -> str:
    """:func:`decision_sentence` from a case and its recommendation."""
    d = rec.data
    if rec.reason is Reason.DRIVER_FOUND:
        return _driver_found(case, rec)
    if rec.reason is Reason.NONE_LIKELY:
        return (
            f"Stop: the driver is likely not among the findings (P {probability_label(d.probability or 0.0)} "
            "that none of them is); examine the regions listed."
        )
    if rec.reason is Reason.NO_CANDIDATE_LEFT:
        return "Stop: every finding has been trialled and none reached the threshold." + _leader(case, rec)
    if rec.reason is Reason.NOTHING_WORTH_TRIAL:
        return (
            "Stop: no untested finding is expected to tell enough to be worth a trial; none reached the threshold."
            + _leader(case, rec)
        )
    if rec.reason is Reason.RED_FLAG_BLOCK:
        flags = "; ".join(d.red_flags)
        return f"Stop: red flags are recorded ({flags}) without a referral or clearance; record one before any trial."
    return _continue(case, rec)


def driver_heading(analysis: Analysis) -> str:
    """Heading of the driver box: found (threshold reached) or only the likeliest so far."""
    if analysis.driver is None:
        return ""
    found = analysis.recommendation.reason is Reason.DRIVER_FOUND or (
        analysis.recommendation.data.threshold is not None
        and analysis.driver.probability >= analysis.recommendation.data.threshold
    )
    return "Driver found" if found else "Likeliest driver (below the threshold)"


def driver_line(analysis: Analysis) -> str:
    """``Driver found (primary contributing factor): id - text (P > 99 %)``; empty without a driver."""
    d = analysis.driver
    if d is None:
        return ""
    who = candidate_label(analysis.case, d.candidate)
    return (
        f"{driver_heading(analysis)} (primary contributing factor): {d.candidate} - {who} "
        f"(P {probability_label(d.probability)})"
    )


def examine_text(row: RegionToExamine) -> str:
    """A region to examine and why: ``left hip: linked to the complaint by ...; evidence C``."""
    kinds = ", ".join(dict.fromkeys(atlas().link_types[x.type].label for x in row.links))
    return f"{place_of(row.place)}: linked to the complaint by {kinds}; evidence level {row.evidence_level}"


def secondary_text(case: Case, s: SecondaryContributor) -> str:
    """A likely secondary contributor in words."""
    return (
        f"{capital(candidate_label(case, s.candidate))} may be a secondary contributor: its trials favour a "
        f"partial response (Bayes factor {s.bayes_factor:.0f}; P {probability_label(s.probability)})."
    )


def confirmation_text(case: Case, c: Confirmation) -> str:
    """A suggested confirming step in words (empty kind codes are shown as they are)."""
    if c.kind == "control":
        return "To confirm: re-test with no treatment (a control trial)."
    who = candidate_label(case, c.candidate) if c.candidate else ""
    if c.kind == "retrial":
        return f"To confirm: trial {who} once more."
    return f"To confirm: {c.kind.replace('_', ' ')}{f' of {who}' if who else ''}."


def decision_lines(analysis: Analysis) -> list[str]:
    """The decision sentence, a suggested confirmation, secondary contributors and regions to examine."""
    rec, case = analysis.recommendation, analysis.case
    lines = [decision_sentence(analysis)]
    if rec.confirmation is not None:
        lines.append(confirmation_text(case, rec.confirmation))
    lines += [secondary_text(case, s) for s in rec.secondary]
    if rec.examine:
        lines.append("The driver may not be among the findings. Examine next:")
        lines += [f"  {examine_text(r)}" for r in rec.examine]
    return lines


# --- explanations -----------------------------------------------------------------------------


def path_text(places: Sequence[Place]) -> str:
    """The places of a path joined by arrows."""
    return " → ".join(place_of(p) for p in places)


def evidence_text(e: Explanation) -> str:
    """An explanation's evidence: ``level C (weakest link; strongest B)`` - never a "B/C" pair."""
    if e.best_level and e.best_level != e.evidence_level and e.evidence_level != "local":
        return f"level {e.evidence_level} (weakest link; strongest link {e.best_level})"
    return f"level {e.evidence_level}"


def step_sentence(step: ExplanationStep) -> str:
    """One link of a path in words, with its evidence level."""
    via = f" ({', '.join(step.structures)})" if step.structures else ""
    note = f"; {step.note}" if step.note else ""
    return (
        f"The {place_of(step.source)} and the {place_of(step.target)} may be linked by "
        f"{step.link_label}{via}, evidence level {step.evidence_level}{note}."
    )


def _finding_where(case: Case, e: Explanation) -> tuple[str, str]:
    """The finding's place and what it is (its structure unless the place already names it)."""
    f = case.finding(e.candidate)
    where = place_label(f.region, f.side)
    structure = f.structure if f.structure and f.structure.lower() not in where.lower() else None
    return where, structure or f.kind.replace("_", " ")


def explanation_summary(case: Case, e: Explanation) -> str:
    """An explanation as one hypothesis sentence ("consistent with ...", never "caused by")."""
    where, what = _finding_where(case, e)
    target = place_of(e.area)
    if e.mechanism is MechanismClass.LOCAL:
        return (
            f"The finding ({what}) sits in the complaint area ({target}) itself; a change after treating it "
            f"is consistent with {MECHANISM_TEXT[MechanismClass.LOCAL]}."
        )
    if e.statement:
        return (
            f"Also consistent with a model in which {e.note} (evidence {evidence_text(e)}): the {target} may be "
            f"where the pain is felt although the finding treated was in the {where} ({what}). "
            "A hypothesis; no study has tested it for this pattern."
        )
    if not e.steps or e.mechanism is MechanismClass.PROTECTIVE_OUTPUT:
        return (
            f"A change in the {target} after treating the {where} ({what}) is consistent only with "
            "the regional interdependence model (a remote impairment may be associated with the complaint; "
            f"no specific pathway); evidence {evidence_text(e)}."
        )
    kinds = ", ".join(dict.fromkeys(s.link_label for s in e.steps))
    text = (
        f"Consistent with {MECHANISM_TEXT[e.mechanism]} from the {where} ({what}) to the {target}: "
        f"{path_text(e.path)}, through {kinds}; evidence {evidence_text(e)}"
    )
    if e.indirect:
        text += f"; indirect, because the {e.indirect} itself sits on none of these chains"
    return text + "."


def explanation_heading(e: Explanation) -> str:
    """Heading of an explanation: the complaint area and its kind, e.g. ``left buttock (pain)``."""
    return f"{capital(place_of(e.area))} ({e.area_kind.replace('_', ' ')})"


def explanation_dict(case: Case, e: Explanation) -> dict[str, Any]:
    """An explanation for JSON: the typed fields plus its summary and each step's sentence."""
    data = e.to_dict()
    data["mechanism_label"] = MECHANISM_NAME[e.mechanism]
    data["summary"] = explanation_summary(case, e)
    for row, step in zip(data["steps"], e.steps, strict=True):
        row["sentence"] = step_sentence(step)
    return data


def explanation_view(case: Case, e: Explanation) -> dict[str, Any]:
    """An explanation in words for a template (web workbench and reports show the same)."""
    return {
        "candidate": e.candidate,
        "label": candidate_label(case, e.candidate),
        "heading": explanation_heading(e),
        "mechanism": MECHANISM_NAME[e.mechanism],
        "evidence": evidence_text(e),
        "strength": f"{e.strength:.2f}",
        "summary": explanation_summary(case, e),
        "statement": e.statement,
        "sources": list(e.sources) if e.statement else [],
        "steps": [
            {
                "from_label": place_of(s.source),
                "to_label": place_of(s.target),
                "link": s.link,
                "link_type": s.link_label,
                "evidence_level": s.evidence_level,
                "sentence": step_sentence(s),
                "source": s.citation,
            }
            for s in e.steps
        ],
    }


def driver_explanation(analysis: Analysis) -> Explanation | None:
    """The driver's first path explanation (the one drawn on the body chart), if any."""
    if analysis.driver is None:
        return None
    who = analysis.driver.candidate
    return next((e for e in analysis.explanations if e.candidate == who and not e.statement), None)


# --- body chart -------------------------------------------------------------------------------


def chart_marks(
    areas: Iterable[tuple[str, str]],
    findings: Iterable[tuple[str, str, str]],
    *,
    driver: str | None = None,
    path: Iterable[tuple[str, str]] = (),
) -> dict[tuple[str, str], str]:
    """The body chart's marks: ``(region, side) -> "complaint finding driver path"``.

    ``findings`` are ``(region, side, id)``; the driver's finding is marked ``driver`` instead
    of ``finding``; every place of the explanation ``path`` is marked ``path``.
    """
    marks: dict[tuple[str, str], list[str]] = {}

    def add(key: tuple[str, str], name: str) -> None:
        names = marks.setdefault(key, [])
        if name not in names:
            names.append(name)

    for region, side in areas:
        add((region, side), "complaint")
    for region, side, key in findings:
        add((region, side), "driver" if key == driver else "finding")
    for region, side in path:
        add((region, side), "path")
    return {k: " ".join(v) for k, v in marks.items()}


def case_chart_marks(case: Case, driver: str | None, path: Iterable[Place] = ()) -> dict[tuple[str, str], str]:
    """:func:`chart_marks` of a case's complaint areas and findings."""
    return chart_marks(
        [(a.region, a.side) for a in case.complaint.areas],
        [(f.region, f.side, f.id) for f in case.findings],
        driver=driver,
        path=[(p.region, p.side) for p in path],
    )

"""The engine's typed, frozen results: the recommendation and the explanations.

Every surface (CLI, web, reports, FHIR/CSV) reads these objects; none reads a dict of the
analysis. Words are made from them by :mod:`kinetrace.presentation` (one place for every
sentence); ``to_dict()`` is only for the JSON edge (``kinetrace/analysis@2``).

A :class:`Recommendation` says whether to stop, why (a :class:`Reason` code with its
:class:`ReasonData`), what to trial next, which finding is the driver (or none), which regions
to examine when the driver may not be listed, which tested findings are likely secondary
contributors, whether the call rests on a single trial, and a suggested confirming step.

An :class:`Explanation` is one hypothesis of how a finding may be linked to a complaint area:
a mechanism class, an evidence level, its sources and the path of places (its steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why the engine stops, or why it recommends the trial it does (one code per rule)."""

    #: continue: the most informative untested finding is recommended
    NEXT_TRIAL = "next_trial"
    #: continue: the leading tested finding, below the threshold, is trialled once more
    RECHECK = "recheck"
    #: stop: a finding reached the driver threshold
    DRIVER_FOUND = "driver_found"
    #: stop: "none of the findings" reached the threshold; examine further regions
    NONE_LIKELY = "none_likely"
    #: stop: every finding has been trialled
    NO_CANDIDATE_LEFT = "no_candidate_left"
    #: stop: untested findings remain but none is expected to tell enough to be worth a trial
    NOTHING_WORTH_TRIAL = "nothing_worth_trial"
    #: stop: red flags are recorded without a referral or clearance; no trial until then
    RED_FLAG_BLOCK = "red_flag_block"


#: The reason codes that stop the trials.
STOP_REASONS: frozenset[Reason] = frozenset(
    {
        Reason.DRIVER_FOUND,
        Reason.NONE_LIKELY,
        Reason.NO_CANDIDATE_LEFT,
        Reason.NOTHING_WORTH_TRIAL,
        Reason.RED_FLAG_BLOCK,
    }
)


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


@dataclass(frozen=True)
class Place:
    """A body region and side (``central`` for midline regions)."""

    region: str
    side: str

    def to_dict(self) -> dict[str, str]:
        return {"region": self.region, "side": self.side}


@dataclass(frozen=True)
class ReasonData:
    """The figures behind a reason code (only those the rule used are set).

    ``candidate``/``probability``: the finding (or ``"none"``) the rule looked at and its
    posterior; ``threshold``: the stop threshold; ``gain_bits``: expected information gain of the
    recommended trial; ``near_ties``: other candidates within the near-tie margin;
    ``red_flags``: the uncleared red flags.
    """

    candidate: str | None = None
    probability: float | None = None
    threshold: float | None = None
    gain_bits: float | None = None
    near_ties: int = 0
    red_flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "probability": self.probability,
            "threshold": self.threshold,
            "gain_bits": _r(self.gain_bits),
            "near_ties": self.near_ties,
            "red_flags": list(self.red_flags),
        }


@dataclass(frozen=True)
class LinkRef:
    """One typed link of the atlas, by id and type."""

    id: str
    type: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "type": self.type}


@dataclass(frozen=True)
class RegionToExamine:
    """A region linked to the complaint that carries no finding yet (strongest link first)."""

    place: Place
    links: tuple[LinkRef, ...]
    evidence_level: str
    strength: float

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.place.to_dict(),
            "links": [x.to_dict() for x in self.links],
            "evidence_level": self.evidence_level,
            "strength": _r(self.strength),
        }


@dataclass(frozen=True)
class SecondaryContributor:
    """A tested non-driver whose trials favour "partial response" (a likely secondary contributor)."""

    candidate: str
    probability: float
    bayes_factor: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "probability": self.probability,
            "bayes_factor": _r(self.bayes_factor, 2),
        }


@dataclass(frozen=True)
class Confirmation:
    """A suggested step that would confirm (or refute) the call, e.g. a re-trial or a control.

    ``kind`` is a short code (``retrial``, ``control``, ...), ``candidate`` the finding it concerns
    (None for a control), ``rationale`` a code for why it is suggested.
    """

    kind: str
    candidate: str | None = None
    rationale: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "candidate": self.candidate, "rationale": self.rationale}


@dataclass(frozen=True)
class NextTrial:
    """The recommended trial: its candidate and whether it is a recheck of a tested finding."""

    candidate: str
    recheck: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "recheck": self.recheck}


@dataclass(frozen=True)
class Recommendation:
    """The engine's decision on a case (frozen): stop or the next trial, and why."""

    stop: bool
    reason: Reason
    data: ReasonData = field(default_factory=ReasonData)
    next: NextTrial | None = None
    driver: str | None = None
    examine: tuple[RegionToExamine, ...] = ()
    secondary: tuple[SecondaryContributor, ...] = ()
    rests_on_single_trial: bool = False
    confirmation: Confirmation | None = None

    @property
    def next_candidate(self) -> str | None:
        """The candidate of the recommended trial, or None when stopping."""
        return None if self.next is None else self.next.candidate

    def to_dict(self) -> dict[str, Any]:
        return {
            "stop": self.stop,
            "reason": self.reason.value,
            "data": self.data.to_dict(),
            "next": None if self.next is None else self.next.to_dict(),
            "driver": self.driver,
            "examine": [x.to_dict() for x in self.examine],
            "secondary": [x.to_dict() for x in self.secondary],
            "rests_on_single_trial": self.rests_on_single_trial,
            "confirmation": None if self.confirmation is None else self.confirmation.to_dict(),
        }


class MechanismClass(StrEnum):
    """The mechanism classes an explanation can name (docs/engine.md, "Explanations")."""

    #: a myofascial line or sling joins the two places (force transfer along fascia)
    MYOFASCIAL = "myofascial_line"
    #: load transfer in movement: neighbouring regions, gait counter-rotation, kinetic chain
    KINETIC_CHAIN = "kinetic_chain"
    #: the nervous system as a continuous tissue (neurodynamics)
    NEURAL = "neural_continuum"
    #: a remote effect shown in trials without a direction-specific pathway
    REMOTE_EFFECT = "remote_effect"
    #: pain as the nervous system's protective output (no specific pathway)
    PROTECTIVE_OUTPUT = "protective_output"
    #: the finding sits in the complaint area itself
    LOCAL = "local"


@dataclass(frozen=True)
class ExplanationStep:
    """One link of an explanation path: from one place to the next, typed and cited."""

    source: Place
    target: Place
    link: str
    link_type: str
    link_label: str
    mechanism: MechanismClass
    evidence_level: str
    citation: str
    structures: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source.to_dict(),
            "to": self.target.to_dict(),
            "link": self.link,
            "link_type": self.link_type,
            "mechanism": self.mechanism.value,
            "evidence_level": self.evidence_level,
            "source": self.citation,
            "structures": list(self.structures),
        }


@dataclass(frozen=True)
class Explanation:
    """One graded hypothesis of how a finding may be linked to a complaint area.

    ``evidence_level`` is the weakest link's level (a path is no stronger than its weakest link),
    ``best_level`` the strongest link's level (equal when all links share one level).
    ``steps`` is the path of places (empty for a local finding or a stand-alone statement);
    ``sources`` the full citations behind it; ``indirect`` the finding's structure when it sits
    on none of the path's named chains; ``statement`` marks a stand-alone framing (the
    protective-output statement) rather than a path.
    """

    candidate: str
    area: Place
    area_kind: str
    mechanism: MechanismClass
    evidence_level: str
    strength: float
    steps: tuple[ExplanationStep, ...] = ()
    best_level: str = ""
    sources: tuple[str, ...] = ()
    indirect: str | None = None
    statement: bool = False
    #: the statement's own words (data, ``framings.yaml``) for a stand-alone statement
    note: str = ""

    @property
    def path(self) -> tuple[Place, ...]:
        """The places the explanation passes through, finding first (empty without steps)."""
        if not self.steps:
            return ()
        return (self.steps[0].source, *(s.target for s in self.steps))

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "complaint_area": {**self.area.to_dict(), "kind": self.area_kind},
            "mechanism": self.mechanism.value,
            "evidence_level": self.evidence_level,
            "best_level": self.best_level,
            "strength": _r(self.strength),
            "indirect": self.indirect is not None,
            "statement": self.statement,
            "note": self.note,
            "sources": list(self.sources),
            "steps": [s.to_dict() for s in self.steps],
        }

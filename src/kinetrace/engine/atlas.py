"""The body atlas as data: structures, typed links with evidence, and the prior factors.

Loads ``structures.yaml``, ``links.yaml`` and ``driver_priors.yaml`` from
:mod:`kinetrace.knowledge` and checks them against ``regions.yaml``. Every problem has a stable
id (``kinetrace.E001`` ...), in the manner of Django's system checks; :func:`check_atlas`
returns them all and :func:`atlas` raises :class:`AtlasError` when any is an error. The CLI
exposes the same checks as ``kinetrace check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kinetrace.knowledge.catalogue import KnowledgeError, Region, load_yaml, regions

Laterality = Literal["ipsilateral", "contralateral", "both"]
Mechanism = Literal["kinetic_chain", "myofascial_diagonal", "neural_continuum", "remote_effect", "protective_output"]
StructureKind = Literal["muscle", "fascia", "joint", "nerve"]

#: Check ids and what they mean (docs/engine.md lists them too).
CHECKS: dict[str, str] = {
    "kinetrace.E001": "a data file is malformed (YAML shape or field types)",
    "kinetrace.E002": "duplicate id",
    "kinetrace.E003": "unknown region",
    "kinetrace.E004": "unknown evidence level",
    "kinetrace.E005": "unknown link type",
    "kinetrace.E006": "unknown source key",
    "kinetrace.E007": "laterality not possible for the regions linked",
    "kinetrace.E008": "a weight override without a weight_note",
    "kinetrace.E009": "a structure names an unknown line (link id)",
    "kinetrace.E010": "a link without published support weighted above its level",
    "kinetrace.E011": "the fallback link is missing or not a regional_interdependence link",
    "kinetrace.E012": "a prior factor table misses a value of the case vocabulary",
    "kinetrace.E013": "a figure or source without a verification record (status, locator, population)",
    "kinetrace.E014": "a link graded above the cap of its best source design (grade rule clause 1)",
    "kinetrace.E015": "a PROM definition is inconsistent (items, range, scoring, licence)",
    "kinetrace.E016": "a video reference value or MDC without a source",
}

#: Order of the evidence levels, strongest first (grade rule: a link never exceeds its cap).
LEVEL_ORDER: tuple[str, ...] = ("A", "B", "C/B", "C", "C/D", "D", "none")
VerificationStatus = Literal["full_text", "abstract", "secondary", "unverified"]


class AtlasError(RuntimeError):
    """The shipped atlas data failed its checks (a packaging bug, not a user error)."""


@dataclass(frozen=True)
class CheckMessage:
    """One atlas check result: a stable id, where, and what is wrong."""

    id: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.id} {self.where}: {self.message}"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceLevel(_Model):
    weight: float = Field(gt=0, le=1)
    meaning: str
    rule: str = Field(min_length=1)


class SourceRecord(_Model):
    """Verification record of one link source: design, locator, population, status."""

    design: str
    status: VerificationStatus
    locator: str = Field(min_length=1)
    population: str = Field(min_length=1)
    checked: str = Field(min_length=1)


class LinkType(_Model):
    mechanism: Mechanism
    label: str
    kind_factor: dict[str, float] = {}

    def factor(self, finding_kind: str | None) -> float:
        """Weight multiplier of this link type for a finding kind (1 when not stated)."""
        if finding_kind is None:
            return 1.0
        return self.kind_factor.get(finding_kind, self.kind_factor.get("default", 1.0))


class Link(_Model):
    """One typed, cited link between two regions (undirected)."""

    id: str
    type: str
    a: str
    b: str
    laterality: Laterality
    evidence: str
    sources: tuple[str, ...] = Field(min_length=1)
    weight: float | None = Field(default=None, gt=0, le=1)
    weight_note: str | None = None
    structures: tuple[str, ...] = ()
    note: str = ""
    grade_basis: str = ""
    regraded_from: str | None = None


class Structure(_Model):
    """A muscle, fascia, joint or nerve, with the regions it spans and the lines it belongs to."""

    id: str
    kind: StructureKind
    regions: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    source: str


class DriverPriors(_Model):
    """Prior factors (driver_priors.yaml); sizes are engine parameters, directions are cited."""

    format: str
    source: str
    kind_factor: dict[str, float]
    severity_factor: dict[int, float]
    history_factor: dict[str, float]
    history_cap: float = Field(gt=0)
    region_groups: dict[str, dict[str, Any]]
    local_strength: float = Field(gt=0, le=1)
    complaint_kind_weight: dict[str, float]
    linkage_floor: float = Field(ge=0)
    hop_decay: float = Field(gt=0, le=1)
    max_hops: int = Field(ge=1, le=8)
    indirect_entry: float = Field(gt=0, le=1)

    def region_factor(self, region: str) -> float:
        """The prior factor of a region's group (1 when in no group)."""
        for group in self.region_groups.values():
            if region in group.get("regions", ()):
                return float(group.get("factor", 1.0))
        return 1.0


@dataclass(frozen=True)
class Atlas:
    """The loaded, checked atlas: regions, structures, links and prior factors."""

    regions: dict[str, Region]
    levels: dict[str, EvidenceLevel]
    link_types: dict[str, LinkType]
    sources: dict[str, str]
    source_records: dict[str, SourceRecord]
    designs: dict[str, str]
    links: tuple[Link, ...]
    fallback: Link
    structures: dict[str, Structure]
    priors: DriverPriors

    def link_weight(self, link: Link, finding_kind: str | None = None) -> float:
        """The link's weight: its override, else its level's default; times its type's kind factor."""
        base = link.weight if link.weight is not None else self.levels[link.evidence].weight
        return base * self.link_types[link.type].factor(finding_kind)

    def status(self, link: Link) -> VerificationStatus:
        """The link's verification status: the weakest status among its sources."""
        order = ("full_text", "abstract", "secondary", "unverified")
        return max((self.source_records[s].status for s in link.sources), key=order.index)

    def cap(self, link: Link) -> str:
        """The highest level the link's sources can support (grade rule clause 1)."""
        caps = [self.designs[self.source_records[s].design] for s in link.sources]
        return min(caps, key=LEVEL_ORDER.index)

    def mechanism(self, link: Link) -> Mechanism:
        """The mechanism class of the link's type."""
        return self.link_types[link.type].mechanism

    def cite(self, link: Link) -> str:
        """Full citations of the link's sources, joined by '; '."""
        return "; ".join(" ".join(self.sources[s].split()) for s in link.sources)

    def match_structure(self, text: str | None) -> Structure | None:
        """The atlas structure named by a finding's free-text ``structure`` (None if no match).

        The longest matching id or alias wins, so "upper trapezius" beats "trapezius".
        """
        if not text:
            return None
        low = text.lower()
        best: tuple[int, Structure] | None = None
        for s in self.structures.values():
            for name in (s.id.replace("_", " "), s.id, *s.aliases):
                if name.lower() in low and (best is None or len(name) > best[0]):
                    best = (len(name), s)
        return None if best is None else best[1]


def _parse(name: str, problems: list[CheckMessage]) -> dict[str, Any]:
    try:
        return load_yaml(name)
    except (KnowledgeError, yaml.YAMLError, OSError) as exc:  # reported as E001, with its text
        problems.append(CheckMessage("kinetrace.E001", name, str(exc)))
        return {}


def _models(name: str, key: str, items: Any, model: type[_Model], problems: list[CheckMessage]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        problems.append(CheckMessage("kinetrace.E001", name, f"expected a list under {key!r}"))
        return out
    for i, item in enumerate(items):
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            problems.append(CheckMessage("kinetrace.E001", f"{name}: {key}[{i}]", str(exc).replace("\n", " ")))
            continue
        ident = getattr(entry, "id")  # noqa: B009 - every listed model has an id
        if ident in out:
            problems.append(CheckMessage("kinetrace.E002", f"{name}: {key}[{i}]", f"duplicate id {ident!r}"))
        out[ident] = entry
    return out


def _table(key: str, doc: dict[str, Any], model: type[_Model], problems: list[CheckMessage]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (doc.get(key) or {}).items():
        try:
            out[str(k)] = model.model_validate(v)
        except ValidationError as exc:
            problems.append(CheckMessage("kinetrace.E001", f"links.yaml: {key}.{k}", str(exc).replace("\n", " ")))
    return out


def _weight_problems(link: Link, levels: dict[str, EvidenceLevel], where: str) -> list[CheckMessage]:
    """E008: an override without a note; E010: an unsupported (none / D) link weighted above its level."""
    out = []
    if link.weight is not None and not link.weight_note:
        out.append(CheckMessage("kinetrace.E008", where, "a weight override needs a weight_note"))
    level = levels.get(link.evidence)
    if link.evidence in ("none", "D") and level is not None and link.weight is not None and link.weight > level.weight:
        out.append(CheckMessage("kinetrace.E010", where, f"weight {link.weight} above its level's default"))
    return out


def _check_links(
    links: dict[str, Link],
    levels: dict[str, EvidenceLevel],
    types: dict[str, LinkType],
    sources: dict[str, str],
    known: dict[str, Region],
    fallback_id: str,
) -> list[CheckMessage]:
    problems = []
    for link in links.values():
        where = f"links.yaml: {link.id}"
        if link.evidence not in levels:
            problems.append(CheckMessage("kinetrace.E004", where, f"{link.evidence!r}; allowed: {', '.join(levels)}"))
        if link.type not in types:
            problems.append(CheckMessage("kinetrace.E005", where, f"{link.type!r}; allowed: {', '.join(types)}"))
        problems += [
            CheckMessage("kinetrace.E006", where, f"source {s!r} is not under `sources`")
            for s in link.sources
            if s not in sources
        ]
        problems += _weight_problems(link, levels, where)
        if link.id == fallback_id:
            continue
        for end in (link.a, link.b):
            if end not in known:
                problems.append(CheckMessage("kinetrace.E003", where, f"{end!r} is not in regions.yaml"))
        ends = [known[e] for e in (link.a, link.b) if e in known]
        if link.laterality != "both" and len(ends) == 2 and not all(r.paired for r in ends):
            problems.append(
                CheckMessage("kinetrace.E007", where, f"{link.laterality} needs two paired regions; use 'both'")
            )
    fallback = links.get(fallback_id)
    if fallback is None or fallback.type != "regional_interdependence":
        problems.append(CheckMessage("kinetrace.E011", "links.yaml", f"fallback_link {fallback_id!r}"))
    return problems


def _source_records(doc: dict[str, Any], problems: list[CheckMessage]) -> dict[str, SourceRecord]:
    out: dict[str, SourceRecord] = {}
    for k, v in (doc.get("source_records") or {}).items():
        try:
            out[str(k)] = SourceRecord.model_validate(v)
        except ValidationError as exc:
            problems.append(CheckMessage("kinetrace.E013", f"links.yaml: source_records.{k}", _flat(exc)))
    return out


def _flat(exc: ValidationError) -> str:
    return str(exc).replace("\n", " ")


def _check_grades(
    links: dict[str, Link],
    sources: dict[str, str],
    records: dict[str, SourceRecord],
    designs: dict[str, str],
) -> list[CheckMessage]:
    """E013: every source has a verification record; E014: no link above its sources' cap."""
    problems = [
        CheckMessage("kinetrace.E013", f"links.yaml: sources.{k}", "no verification record under `source_records`")
        for k in sources
        if k not in records
    ]
    for k, rec in records.items():
        if designs.get(rec.design) not in LEVEL_ORDER:
            problems.append(
                CheckMessage("kinetrace.E013", f"links.yaml: source_records.{k}", f"design {rec.design!r} has no cap")
            )
    for link in links.values():
        known = [s for s in link.sources if s in records and designs.get(records[s].design) in LEVEL_ORDER]
        if not known or link.evidence not in LEVEL_ORDER:
            continue
        cap = min((designs[records[s].design] for s in known), key=LEVEL_ORDER.index)
        if LEVEL_ORDER.index(link.evidence) < LEVEL_ORDER.index(cap):
            problems.append(
                CheckMessage("kinetrace.E014", f"links.yaml: {link.id}", f"level {link.evidence} above its cap {cap}")
            )
        if link.regraded_from is not None and link.regraded_from not in LEVEL_ORDER:
            problems.append(
                CheckMessage("kinetrace.E004", f"links.yaml: {link.id}", f"regraded_from {link.regraded_from!r}")
            )
    return problems


def check_atlas() -> tuple[list[CheckMessage], Atlas | None]:
    """Load and check the atlas files; return every problem and the atlas (None if unusable).

    Returns
    -------
    problems : list of CheckMessage
        Empty when the shipped data is consistent.
    atlas : Atlas or None
        The loaded atlas when there is no problem, else None.
    """
    problems: list[CheckMessage] = []
    known = regions()
    links_doc = _parse("links.yaml", problems)
    struct_doc = _parse("structures.yaml", problems)
    prior_doc = _parse("driver_priors.yaml", problems)
    levels: dict[str, EvidenceLevel] = _table("evidence_levels", links_doc, EvidenceLevel, problems)
    types: dict[str, LinkType] = _table("link_types", links_doc, LinkType, problems)
    sources = {str(k): str(v) for k, v in (links_doc.get("sources") or {}).items()}
    links: dict[str, Link] = _models("links.yaml", "links", links_doc.get("links"), Link, problems)
    fallback_id = str(links_doc.get("fallback_link", ""))
    problems += _check_links(links, levels, types, sources, known, fallback_id)
    records = _source_records(links_doc, problems)
    designs = {str(k): str(v) for k, v in (links_doc.get("designs") or {}).items()}
    problems += _check_grades(links, sources, records, designs)
    structures: dict[str, Structure] = _models(
        "structures.yaml", "structures", struct_doc.get("structures"), Structure, problems
    )
    for s in structures.values():
        where = f"structures.yaml: {s.id}"
        problems += [
            CheckMessage("kinetrace.E003", where, f"{r!r} is not in regions.yaml") for r in s.regions if r not in known
        ]
        problems += [
            CheckMessage("kinetrace.E009", where, f"line {x!r} is not a link id") for x in s.lines if x not in links
        ]
    priors: DriverPriors | None = None
    try:
        priors = DriverPriors.model_validate(prior_doc)
    except ValidationError as exc:
        problems.append(CheckMessage("kinetrace.E001", "driver_priors.yaml", str(exc).replace("\n", " ")))
    if priors is not None:
        problems += _check_priors(priors, known)
    if problems or priors is None:
        return problems, None
    graph_links = tuple(link for link in links.values() if link.id != fallback_id)
    return [], Atlas(
        regions=dict(known),
        levels=levels,
        link_types=types,
        sources=sources,
        source_records=records,
        designs=designs,
        links=graph_links,
        fallback=links[fallback_id],
        structures=structures,
        priors=priors,
    )


def _check_priors(priors: DriverPriors, known: dict[str, Region]) -> list[CheckMessage]:
    from typing import get_args

    from kinetrace.case.model import ComplaintKind, FindingKind, HistoryKind

    problems = []
    for table, vocabulary in (
        ("kind_factor", get_args(FindingKind)),
        ("history_factor", get_args(HistoryKind)),
        ("complaint_kind_weight", get_args(ComplaintKind)),
    ):
        missing = [v for v in vocabulary if v not in getattr(priors, table)]
        if missing:
            problems.append(CheckMessage("kinetrace.E012", f"driver_priors.yaml: {table}", f"missing {missing}"))
    if sorted(priors.severity_factor) != [1, 2, 3]:
        problems.append(CheckMessage("kinetrace.E012", "driver_priors.yaml: severity_factor", "needs keys 1, 2, 3"))
    for name, group in priors.region_groups.items():
        for r in group.get("regions", ()):
            if r not in known:
                problems.append(CheckMessage("kinetrace.E003", f"driver_priors.yaml: {name}", f"{r!r} unknown"))
    return problems


@cache
def atlas() -> Atlas:
    """The checked atlas (loaded once). Raises :class:`AtlasError` listing every problem."""
    problems, loaded = check_atlas()
    if loaded is None:
        raise AtlasError("atlas data failed its checks:\n" + "\n".join(f"  {p}" for p in problems))
    return loaded

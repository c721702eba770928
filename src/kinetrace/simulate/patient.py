"""Simulated patients: a whole-body exam (findings, markers, baselines) and the hidden truth.

A patient's signs are *deficits*: marker ``m`` sits ``D_m`` MDCs from its normal value. Each
deficit is split between *sources*: the driver (a listed finding, or a hidden one in about
``p_unlisted`` of patients), 0-2 secondary contributors (some of the complaint, their own signs
and a few remote ones), the other findings (their own, local signs only) and an untreatable
residual. Treating a finding removes a patient-specific share (``efficacy``) of that finding's
contributions; see :mod:`kinetrace.simulate.episode` for trials, noise, learning and carry-over.

Nothing here reads :mod:`kinetrace.engine`: the driver's position comes from the simulator's own
rule over the atlas link data (:func:`kinetrace.simulate.atlas_links.atlas_weight`) or, in the
scenario ``coarse-linkage``, from its coarse linkage rule (:func:`kinetrace.simulate.scenarios.link`).
Findings may carry a ``history`` (old injury, sustained posture), more often the driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kinetrace.case.model import Case
from kinetrace.case.validate import load_case
from kinetrace.knowledge import marker_catalogue, regions
from kinetrace.simulate.atlas_links import atlas_weight
from kinetrace.simulate.scenarios import Scenario, link, simulator_data

FloatArray = npt.NDArray[np.float64]

#: The true driver when it is none of the listed findings (the candidate id ``kinetrace.analysis.NONE``).
NONE = "none"

#: Divisor turning an MDC95 into the SEM of one measurement (MDC95 = 1.96 * sqrt(2) * SEM).
MDC_PER_SEM = 2.77

_KINDS_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    "head_neck": ("joint_hypomobility", "muscle_tension", "neural_tension"),
    "trunk": ("joint_hypomobility", "restricted_range", "muscle_tension"),
    "upper_limb": ("muscle_tension", "restricted_range", "weakness", "neural_tension"),
    "pelvis": ("joint_hypomobility", "weakness", "muscle_tension"),
    "lower_limb": ("muscle_tension", "neural_tension", "restricted_range", "weakness", "movement_pattern"),
}


@dataclass(frozen=True, eq=False)
class SimPatient:
    """One simulated patient: the case a clinician would write down, plus the hidden truth.

    Attributes
    ----------
    case : Case
        Loaded ``kinetrace/case@1`` case with findings in head-to-toe exam order, markers with
        measured baselines, no sessions yet.
    driver : str
        The true driver: a finding id, or ``"none"`` when it is not among the findings.
    secondary : tuple of str
        Finding ids of the secondary contributors.
    contributions : ndarray, shape (n_findings + 2, n_markers)
        Deficit each source contributes to each marker, in marker units (>= 0). Rows: findings in
        case order, then the hidden (unlisted) driver, then the untreatable residual.
    efficacy : ndarray, shape (n_findings,)
        Share of a finding's contributions one trial of it removes (patient-specific).
    mdc, sem, direction, target, low, high, weight : ndarray, shape (n_markers,)
        Per marker: MDC, SEM (= MDC / 2.77, times the scenario's noise scale), +1/-1 better
        direction, normal value, catalogue range, and weight (2 for the primary complaint measure).
    learning : ndarray, shape (n_markers,)
        Systematic change per re-test, in marker units (toward "better").
    local : tuple of tuple of int
        For each finding, the marker indices measured at its own site.
    co_drivers : tuple of str
        Further drivers (scenario ``n_drivers`` > 1): each relieves part of the picture; naming
        any of them counts as right.
    marker_efficacy : ndarray, shape (n_findings, n_markers), optional
        Per-marker multiplier of a finding's efficacy (partial responders); None = all ones.
    """

    case: Case
    scenario: Scenario
    driver: str
    secondary: tuple[str, ...]
    contributions: FloatArray
    efficacy: FloatArray
    mdc: FloatArray
    sem: FloatArray
    direction: FloatArray
    target: FloatArray
    low: FloatArray
    high: FloatArray
    weight: FloatArray
    learning: FloatArray
    baseline_true: FloatArray
    local: tuple[tuple[int, ...], ...]
    co_drivers: tuple[str, ...] = ()
    marker_efficacy: FloatArray | None = None

    @property
    def accepted_calls(self) -> tuple[str, ...]:
        """Calls that count as right: the driver, and any co-driver (either relieves part)."""
        return (self.driver, *self.co_drivers)

    @property
    def finding_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.case.findings)

    @property
    def n_findings(self) -> int:
        return len(self.case.findings)


def _side_for(region: str, rng: np.random.Generator) -> str:
    if regions()[region].paired:
        return str(rng.choice(["left", "right", "left", "right", "bilateral"]))
    return str(rng.choice(["central", "central", "left", "right"]))


def _choice_weights(weights: FloatArray) -> FloatArray:
    total = float(weights.sum())
    return weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))


def _test_for_region(region: str) -> str:
    for test, site in simulator_data().marker_sites.items():
        if region in site.regions:
            return test
    return "pressure_pain_threshold"


def driver_weights(
    scenario: Scenario, f_regions: list[str], f_sides: list[str], c_region: str, c_side: str
) -> FloatArray:
    """Unnormalised P(driver = finding) for each finding (``driver_prior`` in ``scenarios.yaml``).

    ``atlas``: atlas weight ** power; ``inverse_atlas``: (1.05 - atlas weight) ** power;
    ``link`` / ``inverse_link``: the coarse rule, link ** power / (1.1 - link) ** power;
    ``uniform``: all equal.
    """
    pairs = list(zip(f_regions, f_sides, strict=True))
    power = scenario.prior_power
    if scenario.driver_prior in ("atlas", "inverse_atlas"):
        a = np.array([atlas_weight(r, s, c_region, c_side) for r, s in pairs])
        return np.asarray(a**power if scenario.driver_prior == "atlas" else (1.05 - a) ** power, dtype=np.float64)
    if scenario.driver_prior in ("link", "inverse_link"):
        links = np.array([link(r, s, c_region, c_side) for r, s in pairs])
        return np.asarray(links**power if scenario.driver_prior == "link" else (1.1 - links) ** power, dtype=np.float64)
    return np.ones(len(pairs))


@dataclass
class _Draft:
    """The patient being drawn, step by step (internal to :func:`simulate_patient`)."""

    c_region: str
    c_side: str
    f_regions: list[str]
    f_sides: list[str]
    unlisted: bool
    driver_idx: int
    co_idx: list[int]
    sec_idx: list[int]
    findings: list[dict[str, Any]]
    markers_spec: list[tuple[str, str, str, bool]]
    local: tuple[tuple[int, ...], ...]


def _draw_complaint_and_findings(scenario: Scenario, rng: np.random.Generator) -> tuple[str, str, list[str], list[str]]:
    """Complaint area, and findings in distinct regions listed head to toe (a whole-body exam)."""
    atlas = regions()
    region_ids = list(atlas)
    c_region = str(rng.choice(list(simulator_data().complaint_regions)))
    c_side = str(rng.choice(["left", "right"])) if atlas[c_region].paired else "central"
    n_f = int(rng.integers(scenario.n_findings[0], scenario.n_findings[1] + 1))
    picked = sorted(rng.choice(len(region_ids), size=n_f, replace=False).tolist())
    f_regions = [region_ids[i] for i in picked]
    f_sides = [_side_for(r, rng) for r in f_regions]
    return c_region, c_side, f_regions, f_sides


def _draw_drivers(
    scenario: Scenario, rng: np.random.Generator, prior: FloatArray
) -> tuple[bool, int, list[int], list[int]]:
    """Unlisted or listed driver, the co-driver(s) of ``n_drivers`` worlds, secondary contributors."""
    n_f = len(prior)
    unlisted = bool(rng.random() < scenario.p_unlisted)
    driver_idx = -1 if unlisted else int(rng.choice(n_f, p=_choice_weights(prior)))
    co_idx: list[int] = []
    if scenario.n_drivers > 1 and not unlisted:
        rest = np.array([0.0 if i == driver_idx else float(prior[i]) for i in range(n_f)])
        k = min(scenario.n_drivers - 1, n_f - 1)
        co_idx = sorted(rng.choice(n_f, size=k, replace=False, p=_choice_weights(rest)).tolist())
    others = [i for i in range(n_f) if i != driver_idx and i not in co_idx]
    n_sec = min(len(others), int(rng.integers(scenario.n_secondary[0], scenario.n_secondary[1] + 1)))
    sec_idx = sorted(rng.choice(others, size=n_sec, replace=False).tolist()) if n_sec else []
    return unlisted, driver_idx, co_idx, sec_idx


def _draw_finding_dicts(
    scenario: Scenario, rng: np.random.Generator, f_regions: list[str], f_sides: list[str], drivers: set[int]
) -> list[dict[str, Any]]:
    """Severity (drivers drawn from their own weights) and kind of every finding, as case data."""
    atlas = regions()
    n_f = len(f_regions)
    severities = [
        int(
            rng.choice(
                [1, 2, 3], p=scenario.driver_severity_weights if i in drivers else scenario.other_severity_weights
            )
        )
        for i in range(n_f)
    ]
    findings = []
    for i, (r, s) in enumerate(zip(f_regions, f_sides, strict=True)):
        kind = str(rng.choice(list(_KINDS_BY_SEGMENT[atlas[r].segment])))
        findings.append({"id": f"f{i + 1:02d}_{r}", "kind": kind, "region": r, "side": s, "severity": severities[i]})
    return findings


def _draw_marker_sites(
    scenario: Scenario, rng: np.random.Generator, draft_sites: tuple[str, str, list[str], list[str]]
) -> tuple[list[tuple[str, str, str, bool]], tuple[tuple[int, ...], ...]]:
    """Markers: the complaint measures, one sign at each finding's site, a few extra remote signs."""
    c_region, c_side, f_regions, f_sides = draft_sites
    region_ids = list(regions())
    sites: list[tuple[str, str, str, bool]] = [("nprs", c_region, c_side, True), ("psfs_item", c_region, c_side, False)]
    for r, s in zip(f_regions, f_sides, strict=True):
        sites.append((_test_for_region(r), r, s, False))
    n_extra = int(rng.integers(scenario.extra_markers[0], scenario.extra_markers[1] + 1))
    for _ in range(n_extra):
        r = region_ids[int(rng.integers(len(region_ids)))]
        sites.append((_test_for_region(r), r, _side_for(r, rng), False))
    seen: dict[tuple[str, str, str], int] = {}
    markers_spec: list[tuple[str, str, str, bool]] = []
    for site in sites:
        key = site[:3]
        if key not in seen:
            seen[key] = len(markers_spec)
            markers_spec.append(site)
    local = tuple(
        tuple(j for j, (t, r, s, _p) in enumerate(markers_spec) if r == fr and s == fs and j >= 2)
        for fr, fs in zip(f_regions, f_sides, strict=True)
    )
    return markers_spec, local


def _marker_arrays(markers_spec: list[tuple[str, str, str, bool]]) -> dict[str, FloatArray]:
    """Per-marker MDC, better direction, target and catalogue range."""
    data = simulator_data()
    catalogue = marker_catalogue()
    return {
        "mdc": np.array([float(catalogue[t].mdc or 1.0) for t, *_ in markers_spec]),
        "direction": np.array([1.0 if catalogue[t].better == "higher" else -1.0 for t, *_ in markers_spec]),
        "target": np.array([data.marker_sites[t].target for t, *_ in markers_spec]),
        "low": np.array([catalogue[t].range[0] for t, *_ in markers_spec]),
        "high": np.array([catalogue[t].range[1] for t, *_ in markers_spec]),
    }


def _draw_deficits(scenario: Scenario, rng: np.random.Generator, arr: dict[str, FloatArray]) -> FloatArray:
    """Each marker's deficit in MDC units (the primary complaint measure from the pain baseline)."""
    mdc, direction = arr["mdc"], arr["direction"]
    room = np.where(direction > 0, arr["target"] - arr["low"], arr["high"] - arr["target"]) / mdc
    deficit = rng.uniform(*scenario.marker_deficit_mdc, size=len(mdc))
    deficit[0] = rng.uniform(*scenario.pain_baseline) / mdc[0]
    return np.asarray(np.minimum(deficit, 0.95 * room), dtype=np.float64)


def _draw_driver_shares(scenario: Scenario, rng: np.random.Generator, d: _Draft, shares: FloatArray) -> None:
    """The driver's share of the complaint measures, of the markers it reaches and of its own site.

    With co-drivers (``n_drivers`` > 1), each reached marker and the complaint measures are split
    between the drivers (``co_driver_split`` to each co-driver): either relieves part of the picture.
    """
    n_m = shares.shape[1]
    drow = len(d.f_regions) if d.unlisted else d.driver_idx
    shares[drow, 0] = rng.uniform(*scenario.driver_primary_share)
    shares[drow, 1] = rng.uniform(*scenario.driver_primary_share)
    reach = rng.random(n_m) < scenario.driver_reach
    reach[:2] = False
    shares[drow, reach] = rng.uniform(*scenario.driver_marker_share, size=int(reach.sum()))
    if not d.unlisted:
        for j in d.local[d.driver_idx]:
            shares[drow, j] = max(shares[drow, j], rng.uniform(0.6, 0.9))
    for i in d.co_idx:
        split = rng.uniform(*scenario.co_driver_split, size=n_m)
        split[2:] = np.where(rng.random(n_m - 2) < split[2:], 1.0, 0.0)  # a remote sign belongs to one of them
        moved = shares[drow] * split
        moved[list(d.local[d.driver_idx])] = 0.0  # the driver keeps its own site
        shares[drow] -= moved
        shares[i] += moved
        for j in d.local[i]:
            shares[i, j] = max(shares[i, j], rng.uniform(0.6, 0.9))


def _draw_shares(scenario: Scenario, rng: np.random.Generator, d: _Draft, n_m: int) -> FloatArray:
    """Shares of each marker's deficit per source (rows: findings, hidden driver, residual)."""
    n_f = len(d.f_regions)
    shares = np.zeros((n_f + 2, n_m))
    _draw_driver_shares(scenario, rng, d, shares)
    for i in d.sec_idx:
        shares[i, 0] = rng.uniform(*scenario.secondary_primary_share)
        shares[i, 1] = rng.uniform(*scenario.secondary_primary_share)
        remote = rng.random(n_m) < scenario.secondary_reach
        remote[:2] = False
        shares[i, remote] = rng.uniform(*scenario.secondary_marker_share, size=int(remote.sum()))
    for i in range(n_f):
        if i == d.driver_idx or i in d.co_idx:
            continue
        for j in d.local[i]:
            shares[i, j] = max(shares[i, j], rng.uniform(*scenario.local_share))
    total = shares[:-1].sum(axis=0)
    scale = np.where(total > 0.95, 0.95 / np.maximum(total, 1e-12), 1.0)
    shares[:-1] *= scale
    shares[-1] = 1.0 - shares[:-1].sum(axis=0)
    return shares


def _draw_efficacy(scenario: Scenario, rng: np.random.Generator, d: _Draft) -> FloatArray:
    """Share of a finding's contributions one trial removes (Beta; non-responders; drivers respond)."""
    n_f = len(d.f_regions)
    a = scenario.efficacy_mean * scenario.efficacy_concentration
    b = (1.0 - scenario.efficacy_mean) * scenario.efficacy_concentration
    efficacy = rng.beta(a, b, size=n_f)
    efficacy[rng.random(n_f) < scenario.p_nonresponder] = 0.0
    if not d.unlisted:
        # A driver whose treatment changes nothing cannot be told from an unlisted one by any
        # trial; it would measure the method's ceiling, not the strategies. Drivers respond.
        da = scenario.driver_efficacy_mean * scenario.efficacy_concentration
        db = (1.0 - scenario.driver_efficacy_mean) * scenario.efficacy_concentration
        efficacy[d.driver_idx] = rng.beta(da, db)
    for i in d.co_idx:
        da = scenario.driver_efficacy_mean * scenario.efficacy_concentration
        db = (1.0 - scenario.driver_efficacy_mean) * scenario.efficacy_concentration
        efficacy[i] = rng.beta(da, db)
    return np.asarray(efficacy, dtype=np.float64)


def _draw_marker_efficacy(scenario: Scenario, rng: np.random.Generator, d: _Draft, n_m: int) -> FloatArray:
    """Per-marker multiplier of a driver's efficacy (partial responders); all ones otherwise."""
    out = np.ones((len(d.f_regions), n_m))
    if scenario.driver_marker_restore is None:
        return out
    a, b = scenario.driver_marker_restore
    for i in [d.driver_idx, *d.co_idx] if not d.unlisted else []:
        out[i] = rng.beta(a, b, size=n_m)
    return out


def _draw_history(scenario: Scenario, rng: np.random.Generator, d: _Draft) -> None:
    """History on findings, drawn last and only when the scenario has any, so scenarios without
    history keep the random stream (and the patients) they had before history existed."""
    if scenario.history_driver <= 0 and scenario.history_other <= 0:
        return
    data = simulator_data()
    kinds = list(data.history_kinds)
    kind_p = _choice_weights(np.array([data.history_kinds[k] for k in kinds]))
    drivers = {d.driver_idx, *d.co_idx}
    for i, finding in enumerate(d.findings):
        rate = scenario.history_driver if i in drivers else scenario.history_other
        if rng.random() < rate:
            finding["history"] = [kinds[int(rng.choice(len(kinds), p=kind_p))]]


def _case_dict(
    scenario: Scenario, d: _Draft, baseline: FloatArray, target: FloatArray, patient_id: str
) -> dict[str, Any]:
    return {
        "format": "kinetrace/case@1",
        "title": f"Simulated patient ({scenario.name})",
        "synthetic": True,
        "patient": {"id": patient_id},
        "complaint": {"areas": [{"region": d.c_region, "side": d.c_side, "kind": "pain"}]},
        "findings": d.findings,
        "markers": [
            {
                "id": f"m{j:02d}_{t}",
                "test": t,
                "region": r,
                "side": s,
                "baseline": round(float(baseline[j]), 3),
                "target": float(target[j]),
                "primary": p,
            }
            for j, (t, r, s, p) in enumerate(d.markers_spec)
        ],
        "sessions": [],
    }


def _draft(scenario: Scenario, rng: np.random.Generator) -> _Draft:
    """Complaint, findings, drivers and markers (the exam a clinician would write down)."""
    c_region, c_side, f_regions, f_sides = _draw_complaint_and_findings(scenario, rng)
    prior = driver_weights(scenario, f_regions, f_sides, c_region, c_side)
    unlisted, driver_idx, co_idx, sec_idx = _draw_drivers(scenario, rng, prior)
    findings = _draw_finding_dicts(scenario, rng, f_regions, f_sides, {driver_idx, *co_idx})
    markers_spec, local = _draw_marker_sites(scenario, rng, (c_region, c_side, f_regions, f_sides))
    return _Draft(
        c_region, c_side, f_regions, f_sides, unlisted, driver_idx, co_idx, sec_idx, findings, markers_spec, local
    )


def simulate_patient(scenario: Scenario, rng: np.random.Generator, *, patient_id: str = "sim") -> SimPatient:
    """Draw one patient of ``scenario``.

    Steps (each its own function, in the order they draw from ``rng``): complaint and findings,
    drivers and secondary contributors, severities and kinds, marker sites, deficits, shares per
    source, efficacy (and per-marker restore shares), measurement parameters, history.

    Parameters
    ----------
    scenario : Scenario
        Patient mix (``scenarios.yaml``).
    rng : numpy.random.Generator
        The only source of randomness.
    patient_id : str
        Id written into the case.
    """
    d = _draft(scenario, rng)
    arr = _marker_arrays(d.markers_spec)
    mdc, direction = arr["mdc"], arr["direction"]
    n_m = len(mdc)
    deficit = _draw_deficits(scenario, rng, arr)
    contributions = _draw_shares(scenario, rng, d, n_m) * (deficit * mdc)
    efficacy = _draw_efficacy(scenario, rng, d)
    sem = scenario.noise_scale * mdc / MDC_PER_SEM
    learning = direction * scenario.learning_sem_per_retest * mdc / MDC_PER_SEM
    weight = np.ones(n_m)
    weight[0] = 2.0
    true = arr["target"] - direction * contributions.sum(axis=0)
    baseline = np.clip(true + rng.normal(0.0, sem), arr["low"], arr["high"])
    _draw_history(scenario, rng, d)
    marker_efficacy = _draw_marker_efficacy(scenario, rng, d, n_m)
    if scenario.fatigue_share > 0:
        flip = rng.random(n_m) < scenario.fatigue_share
        flip[0] = False
        learning = np.where(flip, -learning, learning)
    case = load_case(_case_dict(scenario, d, baseline, arr["target"], patient_id))
    driver = NONE if d.unlisted else d.findings[d.driver_idx]["id"]
    return SimPatient(
        case=case,
        scenario=scenario,
        driver=str(driver),
        secondary=tuple(str(d.findings[i]["id"]) for i in d.sec_idx),
        contributions=contributions,
        efficacy=efficacy,
        mdc=mdc,
        sem=sem,
        direction=direction,
        target=arr["target"],
        low=arr["low"],
        high=arr["high"],
        weight=weight,
        learning=learning,
        baseline_true=true,
        local=d.local,
        co_drivers=tuple(str(d.findings[i]["id"]) for i in d.co_idx),
        marker_efficacy=marker_efficacy,
    )

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


def simulate_patient(scenario: Scenario, rng: np.random.Generator, *, patient_id: str = "sim") -> SimPatient:
    """Draw one patient of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        Patient mix (``scenarios.yaml``).
    rng : numpy.random.Generator
        The only source of randomness.
    patient_id : str
        Id written into the case.
    """
    data = simulator_data()
    atlas = regions()
    catalogue = marker_catalogue()
    region_ids = list(atlas)

    # Complaint.
    c_region = str(rng.choice(list(data.complaint_regions)))
    c_side = str(rng.choice(["left", "right"])) if atlas[c_region].paired else "central"

    # Findings: distinct regions, listed head to toe (the order of a whole-body exam).
    n_f = int(rng.integers(scenario.n_findings[0], scenario.n_findings[1] + 1))
    picked = sorted(rng.choice(len(region_ids), size=n_f, replace=False).tolist())
    f_regions = [region_ids[i] for i in picked]
    f_sides = [_side_for(r, rng) for r in f_regions]

    # Driver.
    unlisted = bool(rng.random() < scenario.p_unlisted)
    prior = driver_weights(scenario, f_regions, f_sides, c_region, c_side)
    driver_idx = -1 if unlisted else int(rng.choice(n_f, p=_choice_weights(prior)))
    others = [i for i in range(n_f) if i != driver_idx]
    n_sec = min(len(others), int(rng.integers(scenario.n_secondary[0], scenario.n_secondary[1] + 1)))
    sec_idx = sorted(rng.choice(others, size=n_sec, replace=False).tolist()) if n_sec else []

    severities = [
        int(
            rng.choice(
                [1, 2, 3], p=scenario.driver_severity_weights if i == driver_idx else scenario.other_severity_weights
            )
        )
        for i in range(n_f)
    ]
    findings = []
    for i, (r, s) in enumerate(zip(f_regions, f_sides, strict=True)):
        kind = str(rng.choice(list(_KINDS_BY_SEGMENT[atlas[r].segment])))
        findings.append({"id": f"f{i + 1:02d}_{r}", "kind": kind, "region": r, "side": s, "severity": severities[i]})

    # Markers: the complaint measures, one sign at each finding's site, a few extra remote signs.
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

    n_m = len(markers_spec)
    mdc = np.array([float(catalogue[t].mdc or 1.0) for t, *_ in markers_spec])
    direction = np.array([1.0 if catalogue[t].better == "higher" else -1.0 for t, *_ in markers_spec])
    target = np.array([data.marker_sites[t].target for t, *_ in markers_spec])
    low = np.array([catalogue[t].range[0] for t, *_ in markers_spec])
    high = np.array([catalogue[t].range[1] for t, *_ in markers_spec])
    room = np.where(direction > 0, target - low, high - target) / mdc  # most deficit the range allows
    deficit = rng.uniform(*scenario.marker_deficit_mdc, size=n_m)
    deficit[0] = rng.uniform(*scenario.pain_baseline) / mdc[0]
    deficit = np.minimum(deficit, 0.95 * room)

    # Shares of each marker's deficit per source (rows: findings, hidden driver, residual).
    shares = np.zeros((n_f + 2, n_m))
    drow = n_f if unlisted else driver_idx
    shares[drow, 0] = rng.uniform(*scenario.driver_primary_share)
    shares[drow, 1] = rng.uniform(*scenario.driver_primary_share)
    reach = rng.random(n_m) < scenario.driver_reach
    reach[:2] = False
    shares[drow, reach] = rng.uniform(*scenario.driver_marker_share, size=int(reach.sum()))
    if not unlisted:
        for j in local[driver_idx]:
            shares[drow, j] = max(shares[drow, j], rng.uniform(0.6, 0.9))
    for i in sec_idx:
        shares[i, 0] = rng.uniform(*scenario.secondary_primary_share)
        shares[i, 1] = rng.uniform(*scenario.secondary_primary_share)
        remote = rng.random(n_m) < scenario.secondary_reach
        remote[:2] = False
        shares[i, remote] = rng.uniform(*scenario.secondary_marker_share, size=int(remote.sum()))
    for i in range(n_f):
        if i == driver_idx:
            continue
        for j in local[i]:
            shares[i, j] = max(shares[i, j], rng.uniform(*scenario.local_share))
    total = shares[:-1].sum(axis=0)
    scale = np.where(total > 0.95, 0.95 / np.maximum(total, 1e-12), 1.0)
    shares[:-1] *= scale
    shares[-1] = 1.0 - shares[:-1].sum(axis=0)
    contributions = shares * (deficit * mdc)

    a = scenario.efficacy_mean * scenario.efficacy_concentration
    b = (1.0 - scenario.efficacy_mean) * scenario.efficacy_concentration
    efficacy = rng.beta(a, b, size=n_f)
    efficacy[rng.random(n_f) < scenario.p_nonresponder] = 0.0
    if not unlisted:
        # A driver whose treatment changes nothing cannot be told from an unlisted one by any
        # trial; it would measure the method's ceiling, not the strategies. Drivers respond.
        da = scenario.driver_efficacy_mean * scenario.efficacy_concentration
        db = (1.0 - scenario.driver_efficacy_mean) * scenario.efficacy_concentration
        efficacy[driver_idx] = rng.beta(da, db)

    sem = scenario.noise_scale * mdc / MDC_PER_SEM
    learning = direction * scenario.learning_sem_per_retest * mdc / MDC_PER_SEM
    weight = np.ones(n_m)
    weight[0] = 2.0
    true = target - direction * contributions.sum(axis=0)
    baseline = np.clip(true + rng.normal(0.0, sem), low, high)

    # History: drawn last, and only when the scenario has any, so scenarios without history keep
    # the random stream (and the patients) they had before history existed.
    if scenario.history_driver > 0 or scenario.history_other > 0:
        kinds = list(data.history_kinds)
        kind_p = _choice_weights(np.array([data.history_kinds[k] for k in kinds]))
        for i, finding in enumerate(findings):
            rate = scenario.history_driver if i == driver_idx else scenario.history_other
            if rng.random() < rate:
                finding["history"] = [kinds[int(rng.choice(len(kinds), p=kind_p))]]

    case_dict: dict[str, Any] = {
        "format": "kinetrace/case@1",
        "title": f"Simulated patient ({scenario.name})",
        "synthetic": True,
        "patient": {"id": patient_id},
        "complaint": {"areas": [{"region": c_region, "side": c_side, "kind": "pain"}]},
        "findings": findings,
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
            for j, (t, r, s, p) in enumerate(markers_spec)
        ],
        "sessions": [],
    }
    case = load_case(case_dict)
    driver = NONE if unlisted else findings[driver_idx]["id"]
    return SimPatient(
        case=case,
        scenario=scenario,
        driver=str(driver),
        secondary=tuple(str(findings[i]["id"]) for i in sec_idx),
        contributions=contributions,
        efficacy=efficacy,
        mdc=mdc,
        sem=sem,
        direction=direction,
        target=target,
        low=low,
        high=high,
        weight=weight,
        learning=learning,
        baseline_true=true,
        local=local,
    )

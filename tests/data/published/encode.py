"""Encode the published whole-body case studies (research/published_cases_train.json) as case@1.

Run from the repository root: ``python tests/data/published/encode.py [path/to/published_cases_train.json]``.
The JSON is read only for each case's id, title, source and complaint text; the mapping of the
paper's free-text places onto the atlas vocabulary is written out below, per case, so every
encoding decision can be read and questioned. Rules:

* one finding per finding the paper lists; negative findings ("no signs of a knee problem") and
  history-only lines are not findings (history goes onto the finding it concerns);
* when the driver the clinician named is not among the listed findings, it is added as a finding
  (``text`` says so) and is the ``confirmed_driver``;
* a side the paper does not state is ``bilateral`` (paired regions) or ``central`` (midline);
  severity is never stated, so it is left at the default (2) for every finding;
* the papers give no marker values: every case carries one NPRS marker at the complaint with a
  SYNTHETIC baseline of 6/10 (``title`` and ``complaint.description`` say so).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
DEFAULT_SOURCE = HERE.parents[2] / ".." / "shared" / "research" / "published_cases_train.json"

B, C, L, R = "bilateral", "central", "left", "right"

# id -> (complaint areas [(region, side, kind)], findings [(id, kind, region, side, history, text)], driver)
CASES: dict[str, tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str, list[str], str]], str | None]] = {
    "nwpg-09": (
        [("foot", R, "pain")],
        [
            ("gait_limp", "movement_pattern", "foot", R, [], "Poor gait pattern, limp, reluctant to load the heel"),
            ("heel_raise_weak", "weakness", "calf", R, [], "Unable to perform a heel raise"),
            ("ankle_dorsiflexion", "restricted_range", "ankle", R, [], "Knee-to-wall lunge 4 cm right vs 6 cm left"),
            ("subtalar_locked", "joint_hypomobility", "ankle", R, [], "Subtalar joint 'locked'"),
        ],
        None,
    ),
    "nwpg-10": (
        [("upper_cervical", C, "pain"), ("lower_cervical", C, "pain"), ("shoulder", B, "pain")],
        [
            ("neural_limbs", "neural_tension", "upper_arm", B, [], "Neural tension in all four limbs"),
            ("neural_upper_cervical", "neural_tension", "upper_cervical", C, [], "Neural tension, upper cervical"),
            (
                "protective_muscles",
                "muscle_tension",
                "lower_cervical",
                C,
                [],
                "Tight protective muscles (neck, shoulders, jaw, low back)",
            ),
            (
                "spinal_joints",
                "joint_hypomobility",
                "upper_thoracic",
                C,
                [],
                "Neck and thoracic joints in a protective state",
            ),
            (
                "neck_rotation",
                "restricted_range",
                "lower_cervical",
                C,
                [],
                "Restricted neck rotation and passive flexion",
            ),
            ("shoulder_range", "restricted_range", "shoulder", B, [], "Restricted shoulder rotation and abduction"),
        ],
        None,
    ),
    "youngify-01": (
        [("ankle", L, "pain")],
        [
            (
                "spine_restriction",
                "joint_hypomobility",
                "lumbar",
                C,
                [],
                "A restriction in his spine (level not stated; encoded lumbar)",
            )
        ],
        "spine_restriction",
    ),
    "youngify-02": (
        [("knee", B, "pain")],
        [
            (
                "shoulder_muscle",
                "muscle_tension",
                "shoulder",
                B,
                ["sustained_posture"],
                "Strain of a shoulder muscle (posture plus backpack)",
            )
        ],
        "shoulder_muscle",
    ),
    "youngify-03": (
        [("lumbar", C, "pain")],
        [("r_calf_locked", "restricted_range", "calf", R, [], "Right calf locked up; no pain, no movement")],
        "r_calf_locked",
    ),
    "ericameloe-01": (
        [("lumbar", C, "pain")],
        [
            (
                "trunk_rotation",
                "movement_pattern",
                "mid_thoracic",
                C,
                [],
                "Difficulty rotating the torso left; low back compensates",
            ),
            (
                "r_shoulder_gird",
                "restricted_range",
                "shoulder",
                R,
                ["repetitive_load"],
                "Decreased right shoulder internal rotation (golf)",
            ),
        ],
        "r_shoulder_gird",
    ),
    "energyinmotion-01": (
        [("mid_thoracic", C, "pain")],
        [
            (
                "l_hip_forces",
                "muscle_tension",
                "hip",
                L,
                ["old_injury"],
                "Muscle force imbalance around the left hip; old soccer injury",
            ),
            ("leg_length", "other", "sacroiliac", B, [], "Apparent leg length difference, mostly soft tissue"),
        ],
        "l_hip_forces",
    ),
    "boulderpt-01": (
        [("calf", B, "pain")],
        [
            ("outer_calf_tight", "muscle_tension", "calf", B, [], "Tight, rigid outer calf, painful to press"),
            (
                "spine_pelvis_front",
                "neural_tension",
                "lumbar",
                C,
                [],
                "Driver as named: nerves to the calf, muscles at the front of spine and pelvis (added)",
            ),
        ],
        "spine_pelvis_front",
    ),
    "primalpt-01": (
        [("calf", B, "pain")],
        [
            ("r_hip_hiking", "movement_pattern", "hip", R, [], "Right hip hiking in single-leg stance"),
            ("r_hip_range", "restricted_range", "hip", R, [], "Limited hip flexion and rotation (femoroacetabular)"),
        ],
        "r_hip_range",
    ),
    "barefoot-01": (
        [("hip", R, "pain"), ("lateral_thigh", R, "referred")],
        [
            ("neural_irritation", "neural_tension", "posterior_thigh", R, [], "60 % neural irritation"),
            ("r_balance", "movement_pattern", "ankle", R, [], "Cannot stand on the right leg for more than 5 s"),
            ("hip_lumbar_range", "restricted_range", "lumbar", C, [], "50 % range of hip and lumbar spine"),
            ("r_leg_guarding", "muscle_tension", "posterior_thigh", R, [], "Guarding through the trunk and right leg"),
            ("glute_activation", "weakness", "buttock", B, [], "Decreased glute activation both sides"),
            ("hop_control", "movement_pattern", "knee", R, [], "Poor control on one-legged hop and jump"),
        ],
        None,
    ),
    "adfitness-01": (
        [("knee", R, "pain")],
        [
            ("l_ankle_sprain", "other", "ankle", L, ["old_injury"], "Old severe inversion sprain of the left ankle"),
            ("weight_shift", "movement_pattern", "hip", L, [], "Cannot shift the centre of mass to the left"),
        ],
        "l_ankle_sprain",
    ),
    "bondchiro-01": (
        [("knee", R, "pain")],
        [
            ("multi_muscle_inhibition", "weakness", "hip", B, [], "Cannot contract many muscle groups eccentrically"),
            (
                "r_face_sinus",
                "other",
                "head",
                C,
                [],
                "Area below the right cheekbone (maxillary sinus under investigation)",
            ),
        ],
        "r_face_sinus",
    ),
    "costawomen-01": (
        [("knee", B, "pain")],
        [("low_back", "other", "lumbar", C, ["other"], "Longer history of low back and hip pain")],
        "low_back",
    ),
    "blizard-01": (
        [("calf", B, "tightness")],
        [
            ("calf_tense", "muscle_tension", "calf", B, [], "Calf muscles tense and uncomfortable on palpation"),
            ("spine_nerves", "neural_tension", "lumbar", C, [], "Driver as named: nerves and spine further up (added)"),
        ],
        "spine_nerves",
    ),
    "threespires-01": (
        [("calf", L, "pain"), ("lumbar", C, "pain"), ("posterior_thigh", L, "pain")],
        [],
        None,
    ),
    "dianelee-01": (
        [("buttock", R, "pain"), ("posterior_thigh", R, "numbness")],
        [
            (
                "r_sciatic_tension",
                "neural_tension",
                "buttock",
                R,
                ["old_injury"],
                "Pain in neural tension position along the sciatic path",
            )
        ],
        None,
    ),
    "jospt2008-01": (
        [("knee", R, "pain")],
        [
            (
                "sij_dysfunction",
                "joint_hypomobility",
                "sacroiliac",
                B,
                [],
                "Driver as named: sacroiliac joint dysfunction (added)",
            )
        ],
        "sij_dysfunction",
    ),
    "ijspt2014-jayaseelan": (
        [("knee", L, "pain")],
        [
            (
                "l_quadriceps_weak",
                "weakness",
                "anterior_thigh",
                L,
                ["surgery"],
                "Chronic quadriceps weakness after ACL reconstruction",
            ),
            (
                "lumbar_target",
                "joint_hypomobility",
                "lumbar",
                C,
                [],
                "Driver as named: lumbar spine, target of the thrust manipulation (added)",
            ),
        ],
        "lumbar_target",
    ),
    "hssj2013-reinhardt": (
        [("lumbar", C, "pain")],
        [
            (
                "hip_internal_rotation",
                "restricted_range",
                "hip",
                B,
                ["repetitive_load"],
                "Decreased hip internal rotation (golfer)",
            )
        ],
        "hip_internal_rotation",
    ),
    "iaom-01": (
        [("jaw", R, "pain")],
        [("upper_cervical", "joint_hypomobility", "upper_cervical", C, [], "Upper cervical spine pathology")],
        "upper_cervical",
    ),
    "govst2019-01": (
        [("elbow", R, "pain")],
        [
            (
                "cervical_radiculopathy",
                "neural_tension",
                "lower_cervical",
                C,
                [],
                "Cervical radiculopathy (positive cluster)",
            ),
            ("r_grip_weak", "weakness", "forearm", R, [], "Grip, wrist and elbow weakness"),
        ],
        "cervical_radiculopathy",
    ),
}


def encode(raw: dict[str, Any]) -> dict[str, Any]:
    """One case@1 mapping from one published case (its source fields) and its entry in CASES."""
    areas, findings, driver = CASES[raw["id"]]
    c_region, c_side, _ = areas[0]
    data: dict[str, Any] = {
        "format": "kinetrace/case@1",
        "title": f"Published case {raw['id']} (marker values SYNTHETIC): {raw.get('title') or ''}"[:200],
        "synthetic": True,
        "patient": {"id": raw["id"]},
        "complaint": {
            "areas": [{"region": r, "side": s, "kind": k} for r, s, k in areas],
            "description": (
                f"{(raw['complaint'].get('text') or '').strip()} Source: {raw['source_url']}. "
                "The NPRS baseline is synthetic: the source gives no marker value."
            ),
        },
        "findings": [
            {"id": fid, "kind": kind, "region": reg, "side": side, "text": text, **({"history": hist} if hist else {})}
            for fid, kind, reg, side, hist, text in findings
        ],
        "markers": [
            {
                "id": "pain",
                "test": "nprs",
                "region": c_region,
                "side": c_side,
                "baseline": 6,
                "target": 0,
                "primary": True,
            }
        ],
        "sessions": [],
    }
    if driver is not None:
        data["confirmed_driver"] = driver
    return data


def main(source: Path) -> None:
    cases = json.loads(source.read_text(encoding="utf-8"))["cases"]
    missing = {c["id"] for c in cases} ^ set(CASES)
    if missing:
        raise SystemExit(f"cases not mapped (or mapped but absent): {sorted(missing)}")
    for raw in cases:
        path = HERE / f"{raw['id']}.yaml"
        text = yaml.safe_dump(encode(raw), sort_keys=False, allow_unicode=True, width=100)
        path.write_text(
            f"# Encoded by tests/data/published/encode.py from {source.name}; do not edit by hand.\n{text}",
            encoding="utf-8",
        )
    print(f"{len(cases)} cases written to {HERE}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE.resolve())

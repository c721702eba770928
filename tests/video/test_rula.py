"""RULA tables (data) checked cell by cell, and hand-worked postures."""

from __future__ import annotations

from typing import Any

import pytest

from kinetrace.video import rula

# An independent transcription of McAtamney & Corlett 1993, laid out as on the worksheet.
# Table A: key (upper arm, lower arm) -> [wrist1 twist1, w1t2, w2t1, w2t2, w3t1, w3t2, w4t1, w4t2]
WORKSHEET_A = {
    (1, 1): "12222333", (1, 2): "22223333", (1, 3): "23333344",
    (2, 1): "23333444", (2, 2): "33333444", (2, 3): "34444455",
    (3, 1): "33444455", (3, 2): "34444455", (3, 3): "44444555",
    (4, 1): "44444555", (4, 2): "44444555", (4, 3): "44455566",
    (5, 1): "55555667", (5, 2): "56666777", (5, 3): "66677778",
    (6, 1): "77777889", (6, 2): "88888999", (6, 3): "99999999",
}  # fmt: skip
# Table B: neck -> [trunk1 legs1, t1l2, t2l1, ..., t6l2]
WORKSHEET_B = {
    1: "132334556677", 2: "232345556777", 3: "333445566777",
    4: "555667777788", 5: "777778888888", 6: "888888899999",
}  # fmt: skip
# Table C: score C -> grand score for score D = 1..7+
WORKSHEET_C = {
    1: "1233455",
    2: "2234455",
    3: "3334456",
    4: "3334566",
    5: "4445677",
    6: "4456677",
    7: "5566777",
    8: "5567777",
}


@pytest.mark.parametrize(("ua", "la"), list(WORKSHEET_A))
def test_table_a_matches_worksheet_cell_by_cell(ua: int, la: int) -> None:
    for w in range(1, 5):
        for t in (1, 2):
            assert rula.table_a(ua, la, w, t) == int(WORKSHEET_A[ua, la][(w - 1) * 2 + t - 1]), (ua, la, w, t)


@pytest.mark.parametrize("neck", list(WORKSHEET_B))
def test_table_b_matches_worksheet_cell_by_cell(neck: int) -> None:
    for trunk in range(1, 7):
        for legs in (1, 2):
            assert rula.table_b(neck, trunk, legs) == int(WORKSHEET_B[neck][(trunk - 1) * 2 + legs - 1])


@pytest.mark.parametrize("c", list(WORKSHEET_C))
def test_table_c_matches_worksheet_cell_by_cell(c: int) -> None:
    for d in range(1, 8):
        assert rula.table_c(c, d) == int(WORKSHEET_C[c][d - 1])
    assert rula.table_c(c, 12) == rula.table_c(c, 7)  # 7+ column


def test_tables_never_decrease_along_any_axis() -> None:
    """A worse part score never lowers the table score (property of the published tables)."""
    for ua in range(1, 7):
        for la in range(1, 4):
            row = [rula.table_a(ua, la, w, t) for w in range(1, 5) for t in (1, 2)]
            assert row == sorted(row)
            if ua < 6:
                assert all(
                    rula.table_a(ua + 1, la, w, t) >= rula.table_a(ua, la, w, t) for w in range(1, 5) for t in (1, 2)
                )
    for c in range(1, 8):
        assert all(rula.table_c(c + 1, d) >= rula.table_c(c, d) for d in range(1, 8))


@pytest.mark.parametrize(("grand", "level"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4)])
def test_action_levels(grand: int, level: int) -> None:
    assert rula.action_level(grand)[0] == level


@pytest.mark.parametrize(
    ("part", "angle", "expected"),
    [("upper_arm", -30, 2), ("upper_arm", 0, 1), ("upper_arm", 19.9, 1), ("upper_arm", 30, 2), ("upper_arm", 60, 3),
     ("upper_arm", 95, 4), ("lower_arm", 30, 2), ("lower_arm", 80, 1), ("lower_arm", 120, 2), ("wrist", 0, 1),
     ("wrist", 10, 2), ("wrist", 20, 3), ("neck", 5, 1), ("neck", 15, 2), ("neck", 25, 3), ("neck", -10, 4),
     ("trunk", 0, 1), ("trunk", 10, 2), ("trunk", 40, 3), ("trunk", 70, 4)],
)  # fmt: skip
def test_part_score_ranges(part: str, angle: float, expected: int) -> None:
    assert rula.part_score(part, angle) == expected


# Hand-worked postures: every step written out as on the worksheet.
WORKED = [
    # 1. scanning arm: upper arm 50 deg flexion (3) + abducted (+1) = 4; elbow 80 deg (1);
    #    wrist 10 deg (2), twist 1 -> A = 4. Neck 15 (2), trunk 10 (2), legs 1 -> B = 2.
    #    C = 4, D = 2 -> grand 3, action level 2.
    ({"upper_arm_flexion": 50, "upper_arm_abducted": True, "elbow_flexion": 80, "wrist_flexion": 10, "neck_flexion": 15, "trunk_flexion": 10}, 4, 2, 3, 2),
    # 2. neutral standing: UA 1, LA (elbow 90) 1, wrist neutral 1 -> A 1; neck 5 (1), trunk 0 (1), legs 1 -> B 1; grand 1.
    ({"upper_arm_flexion": 0, "elbow_flexion": 90, "neck_flexion": 5, "trunk_flexion": 0}, 1, 1, 1, 1),
    # 3. reaching overhead, bent over: UA 100 (4) + raised (+1) = 5; elbow 30 (2) + out to side (+1) = 3;
    #    wrist 20 (3) + deviated (+1) = 4, twist 2 -> A = 8. Neck 25 (3) + twisted = 4; trunk 70 (4) + side-bent = 5;
    #    legs unsupported 2 -> B = 7. Muscle use +1 both, force 2 on A -> C = 11, D = 8 -> grand 7, level 4.
    ({"upper_arm_flexion": 100, "shoulder_raised": True, "elbow_flexion": 30, "lower_arm_across_or_out": True, "wrist_flexion": 20,
          "wrist_deviated": True, "wrist_twist": 2, "neck_flexion": 25, "neck_twisted": True, "trunk_flexion": 70, "trunk_side_bent": True,
          "legs_supported": False, "muscle_use_a": 1, "force_a": 2, "muscle_use_b": 1}, 8, 7, 7, 4),
    # 4. arm supported: UA 30 (2) - supported = 1; elbow 110 (2); wrist 0 (1) -> A = 2; neck in extension (4), trunk 30 (3)
    #    -> B = 6 ... C 2, D 6 -> grand 5, level 3.
    ({"upper_arm_flexion": 30, "arm_supported": True, "elbow_flexion": 110, "neck_flexion": -5, "trunk_flexion": 30}, 2, 6, 5, 3),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "a", "b", "grand", "level"), WORKED)
def test_hand_worked_postures(kwargs: dict[str, Any], a: int, b: int, grand: int, level: int) -> None:
    s = rula.score(rula.RulaInput(**kwargs))
    assert (s["score_a"], s["score_b"], s["grand"], s["action_level"]) == (a, b, grand, level)


@pytest.mark.parametrize(
    ("fn", "args"),
    [(rula.table_a, (7, 1, 1, 1)), (rula.table_b, (1, 0, 1)), (rula.table_c, (0, 1)), (rula.action_level, (8,))],
)
def test_out_of_range_scores_are_refused_with_the_allowed_range(fn, args) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        fn(*args)


def test_every_rula_table_cites_the_paper() -> None:
    data = rula.load_rula_tables()
    for key in ("table_a", "table_b", "table_c", "action_levels", "part_scores", "video_thresholds"):
        assert "source" in data[key] and data[key]["source"]
    assert "1993" in data["table_a"]["source"]

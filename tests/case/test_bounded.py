"""Bounded case-file parsing: bombs and oversized input are refused fast, small, and with a clear message."""

from __future__ import annotations

import contextlib
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

import kinetrace
from kinetrace.case.bounded import DEFAULT_LIMITS, Limits, check_tree, parse_case_bytes, parse_case_text
from kinetrace.errors import CaseError

SEED = Path(__file__).resolve().parents[2] / "examples" / "mrs_h.yaml"


def alias_bomb(levels: int = 9, width: int = 9) -> bytes:
    """The billion-laughs shape: each level repeats the previous one ``width`` times (~400 bytes)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return ("format: kinetrace/case@1\n" + "\n".join(lines) + "\n").encode()


BOMBS: dict[str, bytes] = {
    "alias bomb": alias_bomb(),
    "alias bomb in a value": b"format: kinetrace/case@1\ntitle: &t ["
    + b"x," * 10
    + b"]\n"
    + b"patient: {id: "
    + b"["
    + b"*t," * 99
    + b"*t]}\n",
    "recursive alias": b"format: kinetrace/case@1\npatient: &p {id: *p}\n",
    "deep YAML": b"format: kinetrace/case@1\nx: " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
    "deep JSON": b'{"format": "kinetrace/case@1", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "many items": b"format: kinetrace/case@1\nx: [" + b"1," * 600_000 + b"1]\n",
    "too large": b"format: kinetrace/case@1\n#" + b"x" * (3 * 1024 * 1024) + b"\n",
    "long text": b"format: kinetrace/case@1\ntitle: " + b"x" * 1_000_000 + b"\n",
    "duplicate YAML key": b"format: kinetrace/case@1\ntitle: a\ntitle: b\n",
    "duplicate JSON key": b'{"format": "kinetrace/case@1", "title": "a", "title": "b"}',
    "NaN in JSON": b'{"format": "kinetrace/case@1", "x": NaN}',
    "huge number in JSON": b'{"format": "kinetrace/case@1", "x": 1e999}',
    "huge integer": b"format: kinetrace/case@1\nx: " + b"9" * 10_000 + b"\n",
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100,
    "NUL": b"format: kinetrace/case@1\ntitle: a\x00b\n",
}


def _measure(fn: Any) -> tuple[float, int, CaseError | None]:
    """CPU time of this process (untraced run; wall time would count the other test workers on a
    loaded machine) and peak traced memory (second run: tracemalloc slows Python down)."""
    err = None
    t0 = time.process_time()
    try:
        fn()
    except CaseError as exc:
        err = exc
    elapsed = time.process_time() - t0
    tracemalloc.start()
    with contextlib.suppress(CaseError):
        fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, err


@pytest.mark.parametrize("name", list(BOMBS))
def test_every_bomb_is_refused_in_under_a_second_and_50_MB(name: str) -> None:
    raw = BOMBS[name]
    elapsed, peak, err = _measure(lambda: kinetrace.load_case(parse_case_bytes(raw)))
    assert err is not None, f"{name}: accepted"
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"
    assert peak < 50 * 2**20, f"{name}: peak {peak / 2**20:.1f} MB"
    message = "; ".join(err.problems)
    assert len(message) < 500, f"{name}: message of {len(message)} characters"
    assert "lol" * 3 not in message


def test_the_alias_bomb_message_names_the_limit() -> None:
    with pytest.raises(CaseError) as exc:
        parse_case_bytes(alias_bomb())
    assert f"more than {DEFAULT_LIMITS.max_items} items" in exc.value.problems[0]
    assert exc.value.problems[0].startswith("a")  # the place: the anchor's key


def test_duplicate_and_deep_keys_name_the_place() -> None:
    with pytest.raises(CaseError) as exc:
        parse_case_text("format: kinetrace/case@1\nsessions:\n- id: s1\n  measurements: {nprs: 1, nprs: 2}\n")
    assert exc.value.problems == ["sessions[0].measurements: duplicate key 'nprs'; each key may appear once"]
    with pytest.raises(CaseError) as exc:
        parse_case_text("a: " + "[" * 40 + "]" * 40)
    assert "a[0][0]" in exc.value.problems[0] and "nested deeper than 16 levels" in exc.value.problems[0]


def test_a_few_aliases_are_fine_and_the_seed_case_parses_the_same() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert parse_case_text(text) == yaml.safe_load(text)
    data = parse_case_text("format: kinetrace/case@1\nx: &a [1, 2]\ny: *a\n")
    assert data["y"] == [1, 2]
    as_json = json.dumps(yaml.safe_load(text), default=str)
    assert parse_case_text(as_json)["patient"] == yaml.safe_load(text)["patient"]


def test_limits_are_configurable() -> None:
    with pytest.raises(CaseError, match="more than 2 aliases"):
        parse_case_text("x: &a 1\ny: [*a, *a, *a]\n", Limits(max_aliases=2))


def test_already_parsed_data_is_checked_too() -> None:
    with pytest.raises(CaseError, match="finite numbers only"):
        check_tree({"x": [1.0, float("nan")]})
    nested: Any = []
    for _ in range(30):
        nested = [nested]
    with pytest.raises(CaseError, match="nested deeper"):
        kinetrace.load_case({"format": "kinetrace/case@1", "x": nested})


def test_the_cli_path_uses_the_same_limits(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(alias_bomb())
    with pytest.raises(CaseError) as exc:
        kinetrace.load_case(bomb)
    assert exc.value.problems[0].startswith("a") and "items" in exc.value.problems[0]
    big = tmp_path / "big.yaml"
    big.write_bytes(BOMBS["too large"])
    with pytest.raises(CaseError, match="larger than 2048 KiB"):
        kinetrace.load_case(big)


def _seed() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as exc:
        kinetrace.load_case(data)
    return exc.value.problems


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e308, -1e7])
def test_non_finite_and_implausible_values_are_refused_with_the_field(value: float) -> None:
    data = _seed()
    trial = data["sessions"][0]["trials"][0]
    key = next(iter(trial["post"]))
    trial["post"][key] = value
    problems = _problems(data)
    assert any(p.startswith(f"sessions[0].trials[0].post.{key}") for p in problems), problems
    data = _seed()
    data["markers"][0]["baseline"] = value
    assert any(p.startswith("markers[0].baseline") for p in _problems(data))


@pytest.mark.parametrize(
    ("where", "value"),
    [("ref", "P-1\r\nX-Injected: 1"), ("ref", "a\x00b"), ("ref", "x" * 65), ("title", "x" * 301), ("note", "\x1b[31m")],
)
def test_text_limits_and_control_characters(where: str, value: str) -> None:
    data = _seed()
    if where == "ref":
        data["patient"]["id"] = value
        field = "patient.id"
    elif where == "title":
        data["title"] = value
        field = "title"
    else:
        data["sessions"][0]["note"] = value
        field = "sessions[0].note"
    problems = _problems(data)
    assert any(p.startswith(field) for p in problems), problems
    assert all(len(p) < 300 for p in problems)


def test_multi_line_notes_keep_their_line_breaks() -> None:
    data = _seed()
    data["sessions"][0]["note"] = "first line\r\nsecond\tline"
    case = kinetrace.load_case(data)
    assert case.sessions[0].note == "first line\r\nsecond\tline"


def test_central_on_a_paired_region_is_refused_for_every_part() -> None:
    data = _seed()
    data["complaint"]["areas"][0]["side"] = "central"
    data["findings"][0]["side"] = "central"
    data["markers"][0]["side"] = "central"
    problems = _problems(data)
    for field in ("complaint.areas[0].side", "findings[0].side", "markers[0].side"):
        region = {"complaint.areas[0].side": data["complaint"]["areas"][0], "findings[0].side": data["findings"][0]}
        part = region.get(field, data["markers"][0])
        from kinetrace.knowledge import regions

        if regions()[part["region"]].paired:
            assert any(p.startswith(field) and "'central' is not allowed" in p for p in problems), (field, problems)

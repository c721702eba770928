"""Engine variants on the benchmark's patients (the tuning tool of docs/benchmark.md)."""

from __future__ import annotations

import pytest

from kinetrace.bench.variants import compare, main, params_from


def test_overrides_become_engine_params_and_unknown_ones_fail() -> None:
    p = params_from({"model_doubt": 0.02, "repeat_steps": [0, 2], "repeat_weights": [0.5, 0.5]})
    assert p.model_doubt == 0.02 and p.repeat_steps == (0, 2)
    with pytest.raises(TypeError):
        params_from({"no_such_parameter": 1})


def test_the_shipped_variant_matches_itself_and_a_variant_can_differ(capsys: pytest.CaptureFixture[str]) -> None:
    rows = compare([{}, {}, {"threshold": 0.5}], worlds=["typical"], patients=6)
    assert rows[0] == rows[1]  # same patients, same noise: deterministic
    assert rows[2]["mean_trials"] <= rows[0]["mean_trials"]  # a lower threshold never needs more trials here
    assert rows[0]["exhaustive_accuracy"] == rows[2]["exhaustive_accuracy"]
    main(["-n", "3", "-s", "easy", "{}"])
    assert "easy" in capsys.readouterr().out
